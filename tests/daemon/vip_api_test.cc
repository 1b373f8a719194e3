// romanad's VIP resource (docs/api.md, "VIPs") against the real binary, on its embedded SQLite
// store and on etcd: validation (400 naming the field), the node must be a registered host, one
// address per VIP, list filters, the watch kind "vips" and the snapshot; romanactl vip list/show.
#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "api/client.h"
#include "api/field_error.h"
#include "base/subprocess.h"
#include "base/testing/test_env.h"
#include "daemon/testing/romanad_process.h"
#include "gtest/gtest.h"
#include "http/curl_client.h"
#include "store/testing/etcd_cluster.h"

namespace romana {
namespace {

using testing::RomanadProcess;

constexpr char kTopology[] = R"({
  "networks": [{"name": "net1", "cidr": "10.44.0.0/16", "block_mask": 28}],
  "topologies": [{"networks": ["net1"], "map": [{"name": "all", "groups": []}]}]})";
constexpr char kToken[] = "vip-token";

enum class Backend { kSqlite, kEtcd };

class VipApiTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    testing::RomanadOptions o{.topology_json = kTopology, .token = kToken};
    if (GetParam() == Backend::kEtcd) {
      auto cluster = store::testing::EtcdCluster::Start();
      if (absl::IsNotFound(cluster.status())) GTEST_SKIP() << "no etcd binary: " << cluster.status();
      ASSERT_TRUE(cluster.ok()) << cluster.status();
      etcd_ = *std::move(cluster);
      o.extra_args = {"--etcd-endpoints", "http://" + etcd_->ClientEndpoint(0)};
    }
    auto p = RomanadProcess::Start(o);
    ASSERT_TRUE(p.ok()) << p.status();
    daemon_ = *std::move(p);
    ASSERT_TRUE(client().AddHost({"vh1", "192.168.44.1", {}}).ok());
    ASSERT_TRUE(client().AddHost({"vh2", "192.168.44.2", {}}).ok());
  }
  api::Client& client() { return daemon_->client(); }

  // A raw PUT: the status and the error's field.
  std::pair<int, std::string> Put(const std::string& path, const std::string& body) {
    http::Request req{.method = "PUT", .url = daemon_->url() + path, .body = body};
    req.headers.emplace_back("Authorization", absl::StrCat("Bearer ", kToken));
    req.headers.emplace_back("Content-Type", "application/json");
    absl::StatusOr<http::Response> r = http::CurlClient().Send(req);
    if (!r.ok()) return {-1, ""};
    nlohmann::json j = nlohmann::json::parse(r->body, nullptr, false);
    std::string field;
    if (j.is_object() && j.contains("error") && j["error"].contains("field")) field = j["error"]["field"];
    return {r->status, field};
  }

  std::unique_ptr<store::testing::EtcdCluster> etcd_;
  std::unique_ptr<RomanadProcess> daemon_;
};

TEST_P(VipApiTest, ValidatedStoredListedAndDeleted) {
  EXPECT_EQ(Put("/vips/default/web", R"({"ip": "192.168.99.300"})"), (std::pair<int, std::string>{400, "ip"}));
  EXPECT_EQ(Put("/vips/default/web", R"({"ip": "127.0.0.1"})"), (std::pair<int, std::string>{400, "ip"}));
  EXPECT_EQ(Put("/vips/default/web", R"({"ip": "192.168.99.1", "node": "nope"})"),
            (std::pair<int, std::string>{400, "node"}));
  EXPECT_EQ(Put("/vips/default/web", R"({"ip": "192.168.99.1", "ports": [{"port": 70000}]})"),
            (std::pair<int, std::string>{400, "ports[0].port"}));
  EXPECT_EQ(Put("/vips/default/web", R"({"ip": "192.168.99.1", "name": "other"})"),
            (std::pair<int, std::string>{400, "name"}));
  EXPECT_EQ(Put("/vips/default/web", R"({"ip": "192.168.99.1", "colour": 1})"),
            (std::pair<int, std::string>{400, "colour"}));
  EXPECT_TRUE(absl::IsNotFound(client().GetVip("default", "web").status()));  // nothing half-stored

  api::Vip web{.namespace_name = "default", .name = "web", .ip = "192.168.99.1", .node = "vh1",
               .ports = {{.name = "http", .port = 80}}};
  ASSERT_TRUE(client().PutVip(web).ok());
  absl::StatusOr<api::Vip> got = client().GetVip("default", "web");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, web);
  // Another Service may not take the address; the same one may move it to another node.
  absl::Status taken = client().PutVip({.namespace_name = "other", .name = "db", .ip = "192.168.99.1"});
  EXPECT_TRUE(absl::IsAlreadyExists(taken)) << taken;
  EXPECT_EQ(api::FieldOf(taken).value_or(""), "ip");
  web.node = "vh2";
  ASSERT_TRUE(client().PutVip(web).ok());
  ASSERT_TRUE(client().PutVip({.namespace_name = "other", .name = "db", .ip = "192.168.99.2"}).ok());

  absl::StatusOr<api::List<api::Vip>> all = client().ListVips();
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->items.size(), 2u);
  absl::StatusOr<api::List<api::Vip>> on_vh2 = client().ListVips("vh2");
  ASSERT_TRUE(on_vh2.ok());
  ASSERT_EQ(on_vh2->items.size(), 1u);
  EXPECT_EQ(on_vh2->items[0].name, "web");
  absl::StatusOr<api::List<api::Vip>> in_other = client().ListVips("", "other");
  ASSERT_TRUE(in_other.ok());
  ASSERT_EQ(in_other->items.size(), 1u);
  EXPECT_EQ(in_other->items[0].node, "");
  absl::StatusOr<api::StateSnapshot> snap = client().Snapshot({"vips"});
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ(snap->vips.size(), 2u);

  ASSERT_TRUE(client().DeleteVip("other", "db").ok());
  EXPECT_TRUE(absl::IsNotFound(client().DeleteVip("other", "db")));
  // The freed address can be taken now.
  EXPECT_TRUE(client().PutVip({.namespace_name = "x", .name = "y", .ip = "192.168.99.2"}).ok());
  // A VIP that moves to another address frees the old one.
  web.ip = "192.168.99.3";
  ASSERT_TRUE(client().PutVip(web).ok());
  EXPECT_TRUE(client().PutVip({.namespace_name = "x", .name = "z", .ip = "192.168.99.1"}).ok());
  EXPECT_TRUE(absl::IsAlreadyExists(client().PutVip({.namespace_name = "x", .name = "w", .ip = "192.168.99.3"})));
}

// Services racing for one address (two clients, or replicas around a leader change): exactly one
// gets it, every other gets 409, and the list by address holds one VIP.
TEST_P(VipApiTest, OfWritersRacingForOneAddressExactlyOneWins) {
  constexpr int kRounds = 10, kWriters = 8;
  for (int round = 0; round < kRounds; ++round) {
    const std::string ip = absl::StrCat("192.168.98.", round + 1);
    std::atomic<int> won{0}, refused{0};
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back([&, w] {
        absl::Status s = client().PutVip({.namespace_name = "race", .name = absl::StrCat("s", round, "-", w), .ip = ip});
        if (s.ok()) ++won;
        if (absl::IsAlreadyExists(s)) ++refused;
      });
    }
    for (std::thread& t : writers) t.join();
    EXPECT_EQ(won.load(), 1) << "round " << round;
    EXPECT_EQ(refused.load(), kWriters - 1) << "round " << round;
    absl::StatusOr<api::List<api::Vip>> holders = client().ListVips("", "race");
    ASSERT_TRUE(holders.ok()) << holders.status();
    EXPECT_EQ(std::count_if(holders->items.begin(), holders->items.end(),
                            [&](const api::Vip& v) { return v.ip == ip; }),
              1)
        << "round " << round;
  }
}

TEST_P(VipApiTest, WatchStreamsVipPutsAndDeletesWithThePreviousObject) {
  absl::StatusOr<api::StateSnapshot> snap = client().Snapshot({"vips"});
  ASSERT_TRUE(snap.ok()) << snap.status();
  const api::Vip v{.namespace_name = "default", .name = "web", .ip = "192.168.99.7", .node = "vh1"};
  ASSERT_TRUE(client().PutVip(v).ok());
  ASSERT_TRUE(client().DeleteVip("default", "web").ok());
  std::vector<api::WatchEvent> events;
  api::WatchOptions wo{.revision = snap->revision + 1, .kinds = {"vips"}};
  wo.stop = [&] { return events.size() >= 2; };
  absl::Status s = client().Watch(wo, [&](const api::WatchEvent& e) {
    events.push_back(e);
    return absl::OkStatus();
  });
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, api::WatchEvent::Type::kPut);
  EXPECT_EQ(events[0].kind, "vip");
  EXPECT_EQ(*api::ParseVip(events[0].object), v);
  EXPECT_EQ(events[1].type, api::WatchEvent::Type::kDelete);
  EXPECT_EQ(*api::ParseVip(events[1].prev_object), v);
}

// The CLI does not depend on the store: SQLite only.
class VipCliTest : public VipApiTest {};

TEST_P(VipCliTest, RomanactlListsAndShowsVips) {
  ASSERT_TRUE(client().PutVip({.namespace_name = "default", .name = "web", .ip = "192.168.99.9", .node = "vh2",
                               .ports = {{.port = 443}}}).ok());
  auto ctl = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {testing::AppBinary("romanactl"), "--server", daemon_->url()};
    argv.insert(argv.end(), args.begin(), args.end());
    absl::StatusOr<base::CommandResult> r = base::RunCommand(argv);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : base::CommandResult{};
  };
  base::CommandResult list = ctl({"vip", "list", "--host", "vh2"});
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_NE(list.output.find("192.168.99.9"), std::string::npos) << list.output;
  EXPECT_NE(list.output.find("443/TCP"), std::string::npos) << list.output;
  EXPECT_EQ(ctl({"vip", "list", "--host", "vh1"}).output.find("192.168.99.9"), std::string::npos);
  base::CommandResult show = ctl({"-o", "json", "vip", "show", "default", "web"});
  ASSERT_EQ(show.exit_code, 0) << show.output;
  EXPECT_EQ(nlohmann::json::parse(show.output)["node"], "vh2");
  EXPECT_EQ(ctl({"vip", "show", "default", "nope"}).exit_code, 4);
}

INSTANTIATE_TEST_SUITE_P(Stores, VipApiTest, ::testing::Values(Backend::kSqlite, Backend::kEtcd),
                         [](const auto& info) { return info.param == Backend::kSqlite ? "Sqlite" : "Etcd"; });
INSTANTIATE_TEST_SUITE_P(Stores, VipCliTest, ::testing::Values(Backend::kSqlite));

}  // namespace
}  // namespace romana
