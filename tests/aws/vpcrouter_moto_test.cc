// romana-vpcrouter end to end: the real binary, the real moto_server, and targets that answer
// ICMP (or stop answering) inside network namespaces made by the test.
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "aws/testing/moto_server.h"
#include "base/subprocess.h"
#include "base/testing/test_env.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/curl_client.h"
#include "netns_fixture.h"
#include "nlohmann/json.hpp"

namespace romana::aws {
namespace {

using romana::testing::WaitUntil;

class VpcRouterMotoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!romana::testing::IsRoot()) GTEST_SKIP() << "needs root (network namespaces, raw ICMP)";
    // The instance IPs moto hands out in MakeTestVpc (10.0.<zone>.4.., three per zone).
    std::vector<std::string> targets;
    for (int z = 1; z <= 2; ++z) {
      for (int h = 4; h <= 6; ++h) targets.push_back(absl::StrCat("10.0.", z, ".", h));
    }
    auto ns = testing::TwoNamespaces::Create(targets);
    ASSERT_TRUE(ns.ok()) << ns.status();
    ns_ = *std::move(ns);
    ASSERT_TRUE(ns_->Enter().ok());
    auto moto = testing::MotoServer::Start();
    if (absl::IsNotFound(moto.status())) ROMANA_SKIP_UNLESS_CI() << moto.status().message();
    ASSERT_TRUE(moto.ok()) << moto.status();
    moto_ = *std::move(moto);
    auto ec2 = moto_->Client("us-east-1", creds_);
    ASSERT_TRUE(ec2.ok());
    ec2_ = *std::move(ec2);
    auto vpc = testing::MakeTestVpc(*ec2_);
    ASSERT_TRUE(vpc.ok()) << vpc.status();
    vpc_ = *std::move(vpc);
    for (const auto& i : vpc_.instances) {
      ASSERT_NE(std::find(targets.begin(), targets.end(), i.private_ip), targets.end())
          << "moto gave an unexpected IP " << i.private_ip;
    }
  }
  void TearDown() override {
    if (router_) router_->Stop(std::chrono::seconds(5));
    if (etcd_) etcd_->Stop(std::chrono::seconds(5));
    router_.reset();
    moto_.reset();
    ec2_.reset();
    ns_.reset();
  }

  void WriteSpec(const nlohmann::json& spec) {
    const std::string tmp = dir_.File("spec.json.tmp");
    std::ofstream(tmp) << spec.dump();
    std::filesystem::rename(tmp, dir_.File("spec.json"));
  }

  void StartRouter(std::vector<std::string> extra = {}, bool file_spec = true) {
    status_port_ = romana::testing::FreeLoopbackPort();
    std::vector<std::string> argv = {
        (romana::testing::BinaryDir() / "apps/romana-vpcrouter/romana-vpcrouter").string(),
        "--region", "us-east-1", "--vpc", vpc_.vpc_id, "--ec2_endpoint", moto_->endpoint(),
        "--spec_poll_interval", "0.2",
        "--health", "icmpecho", "--icmp_check_interval", "0.3", "--route_recheck_interval", "1",
        "--address", "127.0.0.1", "--port", std::to_string(status_port_), "--log-level", "debug"};
    if (file_spec) {
      argv.push_back("--route_spec");
      argv.push_back(dir_.File("spec.json"));
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto p = base::Subprocess::Start({.argv = argv,
                                      .extra_env = {{"AWS_ACCESS_KEY_ID", "AKIDROUTER"},
                                                    {"AWS_SECRET_ACCESS_KEY", "secret"},
                                                    {"AWS_EC2_METADATA_DISABLED", "true"}},
                                      .output_path = dir_.File("router.log")});
    ASSERT_TRUE(p.ok()) << p.status();
    router_ = *std::move(p);
  }

  std::string Log() {
    std::ifstream in(dir_.File("router.log"));
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  // CIDR -> ENI for every instance route of `rt`.
  std::map<std::string, std::string> Routes(const std::string& rt) {
    std::map<std::string, std::string> out;
    auto rts = ec2_->DescribeRouteTables({{"route-table-id", {rt}}});
    if (!rts.ok() || rts->empty()) return out;
    for (const Route& r : (*rts)[0].routes) {
      if (!r.network_interface_id.empty() || !r.instance_id.empty()) {
        out[r.destination_cidr] = r.network_interface_id.empty() ? r.instance_id : r.network_interface_id;
      }
    }
    return out;
  }

  nlohmann::json GetStatus(const std::string& path) {
    http::CurlClient http;
    auto r = http.Send({.url = absl::StrCat("http://127.0.0.1:", status_port_, path)});
    if (!r.ok() || r->status != 200) return nullptr;
    return path == "/metrics" ? nlohmann::json(r->body) : nlohmann::json::parse(r->body, nullptr, false);
  }

  std::string EniOf(const std::string& ip) {
    for (const auto& i : vpc_.instances) {
      if (i.private_ip == ip) return i.eni_id;
    }
    return "";
  }
  std::string IpOfEni(const std::string& eni) {
    for (const auto& i : vpc_.instances) {
      if (i.eni_id == eni) return i.private_ip;
    }
    return "";
  }
  std::vector<std::string> Ips(int from, int to) {
    std::vector<std::string> v;
    for (int i = from; i < to; ++i) v.push_back(vpc_.instances[i].private_ip);
    return v;
  }

  romana::testing::TempDir dir_;
  std::unique_ptr<testing::TwoNamespaces> ns_;
  std::unique_ptr<testing::MotoServer> moto_;
  StaticCredentialsProvider creds_{Credentials{"AKIDTEST", "test-secret"}};
  std::unique_ptr<Ec2QueryClient> ec2_;
  testing::TestVpc vpc_;
  std::unique_ptr<base::Subprocess> router_;
  std::unique_ptr<base::Subprocess> etcd_;
  int status_port_ = 0;
};

TEST_F(VpcRouterMotoTest, OneRoutePerGroupInEveryClusterTableAndNoChangeWhileHealthy) {
  WriteSpec({{"100.96.0.0/24", Ips(0, 3)}, {"100.96.1.0/24", Ips(3, 6)}});
  StartRouter();
  const auto& rt = vpc_.route_table_ids;
  ASSERT_TRUE(WaitUntil([&] { return Routes(rt[0]).size() == 2 && Routes(rt[1]).size() == 2; },
                        std::chrono::seconds(20))) << Log();
  auto a = Routes(rt[0]), b = Routes(rt[1]);
  EXPECT_EQ(a, b);  // one router per group, the same in every table
  auto in = [&](const std::string& eni, int from, int to) {
    for (int i = from; i < to; ++i) {
      if (vpc_.instances[i].eni_id == eni) return true;
    }
    return false;
  };
  EXPECT_TRUE(in(a["100.96.0.0/24"], 0, 3));
  EXPECT_TRUE(in(a["100.96.1.0/24"], 3, 6));
  EXPECT_TRUE(Routes(vpc_.main_route_table_id).empty());  // main table left alone

  // The status endpoint shows the spec, the health state and the routes set.
  // (The routes are visible in EC2 a moment before the pass records its result.)
  nlohmann::json info;
  ASSERT_TRUE(WaitUntil([&] {
    info = GetStatus("/route_info");
    return info.is_object() && info["routes"].size() == 2;
  }));
  EXPECT_EQ(info["route_spec"]["100.96.0.0/24"].size(), 3u);
  EXPECT_EQ(info["routes"]["100.96.0.0/24"][2], a["100.96.0.0/24"]);
  nlohmann::json ips = GetStatus("/ips");
  EXPECT_EQ(ips["working_set"].size(), 6u);
  EXPECT_TRUE(ips["failed_ips"].empty());

  // Several periodic rechecks later nothing moved and nothing more was written.
  const int passes = GetStatus("/")["last_pass"]["passes"];
  ASSERT_TRUE(WaitUntil([&] { return GetStatus("/")["last_pass"]["passes"].get<int>() >= passes + 2; },
                        std::chrono::seconds(15)));
  EXPECT_EQ(Routes(rt[0]), a);
  EXPECT_EQ(Routes(rt[1]), b);
  std::string metrics = GetStatus("/metrics");
  EXPECT_THAT(metrics, ::testing::HasSubstr(R"(romana_vpcrouter_route_operations_total{kind="create",result="ok"} 4)"));
  EXPECT_THAT(metrics, ::testing::Not(::testing::HasSubstr(R"(kind="replace")")));
}

TEST_F(VpcRouterMotoTest, FailsOverWhenTheTargetStopsAnsweringPings) {
  WriteSpec({{"100.96.0.0/24", {vpc_.instances[0].private_ip, vpc_.instances[3].private_ip}}});
  StartRouter();
  const auto& rt = vpc_.route_table_ids;
  ASSERT_TRUE(WaitUntil([&] { return Routes(rt[0]).size() == 1 && Routes(rt[1]).size() == 1; },
                        std::chrono::seconds(20))) << Log();
  const std::string first_ip = IpOfEni(Routes(rt[0])["100.96.0.0/24"]);
  const std::string other_ip =
      first_ip == vpc_.instances[0].private_ip ? vpc_.instances[3].private_ip : vpc_.instances[0].private_ip;
  ASSERT_TRUE(ns_->RemoveTarget(first_ip).ok());
  ASSERT_TRUE(WaitUntil([&] {
    return Routes(rt[0])["100.96.0.0/24"] == EniOf(other_ip) && Routes(rt[1])["100.96.0.0/24"] == EniOf(other_ip);
  }, std::chrono::seconds(20))) << Log();
  nlohmann::json ips = GetStatus("/ips");
  EXPECT_EQ(ips["failed_ips"], nlohmann::json::array({first_ip}));
  // The old router answering again does not move the route back (no fail-back).
  ASSERT_TRUE(ns_->AddTarget(first_ip).ok());
  ASSERT_TRUE(WaitUntil([&] { return GetStatus("/ips")["failed_ips"].empty(); }, std::chrono::seconds(10)));
  const int passes = GetStatus("/")["last_pass"]["passes"];
  ASSERT_TRUE(WaitUntil([&] { return GetStatus("/")["last_pass"]["passes"].get<int>() >= passes + 1; },
                        std::chrono::seconds(10)));
  EXPECT_EQ(Routes(rt[0])["100.96.0.0/24"], EniOf(other_ip));
}

TEST_F(VpcRouterMotoTest, DeletesRoutesThatLeftTheSpecAndLeavesIgnoredRoutesAlone) {
  const auto& rt = vpc_.route_table_ids;
  const std::string foreign_eni = vpc_.instances[5].eni_id;
  ASSERT_TRUE(ec2_->CreateRoute(rt[0], "100.96.8.0/24", {.network_interface_id = foreign_eni}).ok());
  ASSERT_TRUE(ec2_->CreateRoute(rt[0], "100.96.9.0/24", {.network_interface_id = foreign_eni}).ok());
  WriteSpec({{"100.96.0.0/24", Ips(0, 3)}, {"100.96.1.0/24", Ips(3, 6)}});
  StartRouter({"--ignore_routes", "100.96.8.0/24,0.0.0.0/0", "--romana_networks", "100.96.0.0/16"});
  ASSERT_TRUE(WaitUntil([&] {
    auto r = Routes(rt[0]);
    return r.size() == 3 && r.count("100.96.0.0/24") && r.count("100.96.1.0/24") && !r.count("100.96.9.0/24");
  }, std::chrono::seconds(20))) << Log();
  EXPECT_EQ(Routes(rt[0])["100.96.8.0/24"], foreign_eni);
  WriteSpec({{"100.96.0.0/24", Ips(0, 3)}});
  ASSERT_TRUE(WaitUntil([&] { return !Routes(rt[0]).count("100.96.1.0/24") && !Routes(rt[1]).count("100.96.1.0/24"); },
                        std::chrono::seconds(20))) << Log();
  EXPECT_EQ(Routes(rt[0]).count("100.96.0.0/24"), 1u);
  EXPECT_EQ(Routes(rt[0])["100.96.8.0/24"], foreign_eni);
}

// Routes that are not Romana's -- a NAT instance's default route, an internet gateway, a VPN
// prefix via an instance, another cluster's pod prefix -- survive every action: create, replace,
// delete, an empty spec (refused after a non-empty one) and a spec that does not parse.
TEST_F(VpcRouterMotoTest, ForeignRoutesSurviveEveryAction) {
  const auto& rt = vpc_.route_table_ids;
  auto igw = ec2_->Call("CreateInternetGateway", {});
  ASSERT_TRUE(igw.ok()) << igw.status();
  const size_t at = igw->find("igw-");
  ASSERT_NE(at, std::string::npos) << *igw;
  const std::string igw_id = igw->substr(at, igw->find('<', at) - at);
  ASSERT_TRUE(ec2_->Call("AttachInternetGateway", {{"InternetGatewayId", igw_id}, {"VpcId", vpc_.vpc_id}}).ok());
  const std::string nat_eni = vpc_.instances[5].eni_id;
  const std::string other_eni = vpc_.instances[4].eni_id;
  ASSERT_TRUE(ec2_->CreateRoute(rt[0], "0.0.0.0/0", {.network_interface_id = nat_eni}).ok());
  ASSERT_TRUE(ec2_->Call("CreateRoute", {{"RouteTableId", rt[1]}, {"DestinationCidrBlock", "0.0.0.0/0"},
                                         {"GatewayId", igw_id}}).ok());
  for (const std::string& table : rt) {
    ASSERT_TRUE(ec2_->CreateRoute(table, "172.16.0.0/12", {.network_interface_id = nat_eni}).ok());   // VPN
    ASSERT_TRUE(ec2_->CreateRoute(table, "100.64.0.0/16", {.network_interface_id = other_eni}).ok()); // cluster 2
  }
  // Every route of both tables that is not 100.96.*: CIDR -> target.
  auto foreign = [&] {
    std::map<std::string, std::string> out;
    for (const std::string& table : rt) {
      auto rts = ec2_->DescribeRouteTables({{"route-table-id", {table}}});
      if (!rts.ok() || rts->empty()) return std::map<std::string, std::string>{};
      for (const Route& r : (*rts)[0].routes) {
        if (r.destination_cidr.starts_with("100.96.")) continue;
        out[table + " " + r.destination_cidr] = r.gateway_id + r.network_interface_id + r.instance_id;
      }
    }
    return out;
  };
  const std::map<std::string, std::string> before = foreign();
  ASSERT_EQ(before.size(), 8u);  // local + default + VPN + cluster 2, in each table
  auto passes_after = [&](int extra) {
    const int passes = GetStatus("/")["last_pass"]["passes"];
    return WaitUntil([&] { return GetStatus("/")["last_pass"]["passes"].get<int>() >= passes + extra; },
                     std::chrono::seconds(15));
  };

  WriteSpec({{"100.96.0.0/24", Ips(0, 3)}, {"100.96.1.0/24", Ips(3, 5)}});
  StartRouter({"--romana_networks", "100.96.0.0/16"});
  ASSERT_TRUE(WaitUntil([&] { return Routes(rt[0]).count("100.96.1.0/24") && Routes(rt[1]).count("100.96.1.0/24"); },
                        std::chrono::seconds(20))) << Log();
  EXPECT_EQ(foreign(), before) << "create";

  // Replace: the current router of 100.96.0.0/24 stops being a candidate.
  const std::string first = IpOfEni(Routes(rt[0])["100.96.0.0/24"]);
  std::vector<std::string> others;
  for (const std::string& ip : Ips(0, 3)) {
    if (ip != first) others.push_back(ip);
  }
  WriteSpec({{"100.96.0.0/24", others}, {"100.96.1.0/24", Ips(3, 5)}});
  ASSERT_TRUE(WaitUntil([&] { return IpOfEni(Routes(rt[1])["100.96.0.0/24"]) != first &&
                                     IpOfEni(Routes(rt[0])["100.96.0.0/24"]) != first; },
                        std::chrono::seconds(20))) << Log();
  EXPECT_EQ(foreign(), before) << "replace";

  // Delete: 100.96.1.0/24 leaves the spec.
  WriteSpec({{"100.96.0.0/24", others}});
  ASSERT_TRUE(WaitUntil([&] { return !Routes(rt[0]).count("100.96.1.0/24") && !Routes(rt[1]).count("100.96.1.0/24"); },
                        std::chrono::seconds(20))) << Log();
  EXPECT_EQ(foreign(), before) << "delete";
  const auto ours = Routes(rt[0]);

  // An empty spec after a non-empty one is refused: counted, and every route stays.
  WriteSpec(nlohmann::json::object());
  ASSERT_TRUE(WaitUntil([&] {
    return absl::StrContains(GetStatus("/metrics").get<std::string>(), "romana_vpcrouter_spec_refusals_total 1");
  }, std::chrono::seconds(10))) << Log();
  ASSERT_TRUE(passes_after(2));
  EXPECT_EQ(Routes(rt[0]), ours);
  EXPECT_EQ(foreign(), before) << "empty spec";

  // A spec that does not parse: counted, and every route stays.
  {
    std::ofstream(dir_.File("spec.json.tmp")) << "{\"100.96.0.0/24\": [";
    std::filesystem::rename(dir_.File("spec.json.tmp"), dir_.File("spec.json"));
  }
  ASSERT_TRUE(WaitUntil([&] {
    return absl::StrContains(GetStatus("/metrics").get<std::string>(), "romana_vpcrouter_spec_errors_total 1");
  }, std::chrono::seconds(10))) << Log();
  ASSERT_TRUE(passes_after(2));
  EXPECT_EQ(Routes(rt[0]), ours);
  EXPECT_EQ(foreign(), before) << "bad spec";
}

TEST_F(VpcRouterMotoTest, StopsAtTheRouteTableLimitInsteadOfFailingHalfway) {
  // Each table holds its local route; 3 more would make 4 > limit 3.
  WriteSpec({{"100.96.0.0/24", Ips(0, 3)}, {"100.96.1.0/24", Ips(3, 6)}, {"100.96.2.0/24", Ips(0, 6)}});
  StartRouter({"--route_table_limit", "3"});
  ASSERT_TRUE(WaitUntil([&] {
    nlohmann::json v = GetStatus("/vpc");
    return v.is_object() && v["limit_violations"].size() == 2;
  }, std::chrono::seconds(20))) << Log();
  EXPECT_TRUE(Routes(vpc_.route_table_ids[0]).empty());
  EXPECT_TRUE(Routes(vpc_.route_table_ids[1]).empty());
  nlohmann::json v = GetStatus("/vpc")["limit_violations"][0];
  EXPECT_EQ(v["limit"], 3);
  EXPECT_EQ(v["routes_needed"], 4);
  EXPECT_EQ(v["refused_cidrs"].size(), 3u);
  EXPECT_THAT(GetStatus("/metrics").get<std::string>(),
              ::testing::HasSubstr("romana_vpcrouter_route_limit_exceeded_tables 2"));
  EXPECT_THAT(Log(), ::testing::HasSubstr("over the limit of 3"));
}

// --mode etcd: the spec comes from the group records romanad keeps in etcd
// (docs/store-layout.md), read from a real etcd running in the router namespace.
TEST_F(VpcRouterMotoTest, RouteSpecStraightFromEtcd) {
  const int client_port = romana::testing::FreeLoopbackPort();
  const int peer_port = romana::testing::FreeLoopbackPort();
  const std::string client = absl::StrCat("http://127.0.0.1:", client_port);
  const std::string peer = absl::StrCat("http://127.0.0.1:", peer_port);
  auto e = base::Subprocess::Start(
      {.argv = {"etcd", "--name", "vr", "--data-dir", dir_.File("etcd"), "--listen-client-urls", client,
                "--advertise-client-urls", client, "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "vr=" + peer, "--logger=zap"},
       .output_path = dir_.File("etcd.log")});
  ASSERT_TRUE(e.ok()) << e.status();
  etcd_ = *std::move(e);
  auto etcdctl = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {"env", "ETCDCTL_API=3", "etcdctl", "--endpoints", client};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = base::RunCommand(argv);
    return r.ok() && r->exit_code == 0;
  };
  ASSERT_TRUE(WaitUntil([&] { return etcdctl({"endpoint", "health"}); }, std::chrono::seconds(20)));
  // romanad's store layout: group records, and host records naming their group (membership).
  auto group = [&](const std::string& path, const std::string& cidr, const std::vector<std::string>& ips) {
    nlohmann::json g = {{"network", "romana-network"}, {"path", path}, {"cidr", cidr}, {"leaf", true},
                        {"padding", false}};
    bool ok = etcdctl({"put", "/romana/groups/romana-network" + path, g.dump()});
    for (const std::string& ip : ips) {
      nlohmann::json h = {{"name", "node-" + ip}, {"ip", ip}, {"groups", {{"romana-network", path}}}};
      ok = ok && etcdctl({"put", "/romana/hosts/node-" + ip, h.dump()});
    }
    return ok;
  };
  ASSERT_TRUE(group("/0", "100.96.0.0/24", Ips(0, 3)));
  ASSERT_TRUE(group("/1", "100.96.1.0/24", Ips(3, 6)));
  StartRouter({"--mode", "etcd", "--etcd_addr", "127.0.0.1", "--etcd_port", std::to_string(client_port)},
              /*file_spec=*/false);
  const auto& rt = vpc_.route_table_ids;
  ASSERT_TRUE(WaitUntil([&] { return Routes(rt[0]).size() == 2 && Routes(rt[1]).size() == 2; },
                        std::chrono::seconds(20))) << Log();
  for (const std::string& ip : Ips(3, 6)) ASSERT_TRUE(etcdctl({"del", "/romana/hosts/node-" + ip}));  // the group lost its hosts
  ASSERT_TRUE(WaitUntil([&] { return Routes(rt[0]).size() == 1 && Routes(rt[1]).size() == 1; },
                        std::chrono::seconds(20))) << Log();
  EXPECT_EQ(Routes(rt[0]).count("100.96.0.0/24"), 1u);
}

TEST(VpcRouterFlagsTest, BadFlagsExitTwoNamingTheFlag) {
  const std::string bin = (romana::testing::BinaryDir() / "apps/romana-vpcrouter/romana-vpcrouter").string();
  struct Case { std::vector<std::string> args; const char* expect; } cases[] = {
      {{"--port", "70000"}, "--port"},
      {{"--route_spec", "/nonexistent/spec.json"}, "--route_spec"},
      {{"--mode", "bogus"}, "--mode 'bogus'"},
      {{"--route_spec", "/dev/null", "--ignore_routes", "10.0.0.0/33"}, "--ignore_routes '10.0.0.0/33'"},
      {{"--route_spec", "/dev/null", "--icmp_check_interval", "0"}, "--icmp_check_interval"},
      {{"--route_spec", "/dev/null", "--romana_networks", "10.0.0.1/8"}, "--romana_networks '10.0.0.1/8'"},
      {{"--route_spec", "/dev/null", "--romana_networks", "0.0.0.0/0"}, "every route of the VPC"},
      {{"--mode", "etcd", "--etcd_ca_cert", "/x"}, "all or none"},
      {{"--mode", "etcd", "--etcd_use_v2"}, "v2 API is not supported"},
      {{"--mode", "etcd", "--etcd_port", "0"}, "--etcd_port"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> argv = {bin};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    auto r = base::RunCommand(argv);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->exit_code, 2) << r->output;
    EXPECT_THAT(r->output, ::testing::HasSubstr(c.expect));
  }
}

}  // namespace
}  // namespace romana::aws
