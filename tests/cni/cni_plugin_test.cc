// The real romana plugin binary, run like a container runtime runs it, against a real romanad,
// inside a fake host network namespace and pod namespaces the tests create.
#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/testing/test_env.h"
#include "cni/names.h"
#include "cni_fixture.h"
#include "netlink/objects.h"

namespace romana::cni::testing {
namespace {

using nlohmann::json;

std::string Cid(const std::string& tag) { return absl::StrCat("c", getpid(), tag); }

class CniPluginTest : public CniFixture {
 protected:
  // ADD that must succeed; returns the result.
  json MustAdd(const std::string& version, const std::string& cid, const std::string& netns,
               const std::string& ifname = "eth0") {
    auto r = Run("ADD", Conf(version), cid, netns, ifname);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return nullptr;
    EXPECT_EQ(r->exit_code, 0) << Describe(*r) << "\n" << r->stderr_data;
    return r->output;
  }
  bool AddressAllocated(const std::string& cid, const std::string& ifname = "eth0") {
    return romanad().GetAddress(AddressName({cid, ifname})).ok();
  }
  bool HostVethExists(const std::string& cid, const std::string& ifname = "eth0") {
    return Nl()->GetLink(HostVethName({cid, ifname})).ok();
  }
  std::string PodIp(const json& result) {
    std::string a = result["ips"][0]["address"];
    return a.substr(0, a.find('/'));
  }
  bool Ping(netlink::testing::ScopedNetns& from, const std::string& ip) {
    auto r = from.Exec({"ping", "-c1", "-W2", ip});
    return r.ok() && r->exit_code == 0;
  }
  bool PingFromHost(const std::string& ip) { return Ping(*host_, ip); }
};

TEST_F(CniPluginTest, AddCheckDelForEverySpecVersion) {
  for (const std::string v : {"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"}) {
    SCOPED_TRACE(v);
    auto& pod = NewPod();
    const std::string cid = Cid("v" + v);
    json result = MustAdd(v, cid, pod.path());
    ASSERT_TRUE(result.is_object());
    // The result has the requested version's shape.
    EXPECT_EQ(result["cniVersion"], v);
    ASSERT_EQ(result["interfaces"].size(), 2u);
    EXPECT_EQ(result["interfaces"][0]["name"], HostVethName({cid, "eth0"}));
    EXPECT_FALSE(result["interfaces"][0].contains("sandbox"));
    EXPECT_EQ(result["interfaces"][1]["name"], "eth0");
    EXPECT_EQ(result["interfaces"][1]["sandbox"], pod.path());
    ASSERT_EQ(result["ips"].size(), 1u);
    EXPECT_EQ(result["ips"][0]["interface"], 1);
    EXPECT_EQ(result["ips"][0]["gateway"], "169.254.1.1");
    EXPECT_EQ(result["ips"][0].contains("version"), CompareVersions(v, "1.0.0") < 0);
    EXPECT_EQ(result["interfaces"][1].contains("mtu"), v == "1.1.0");
    EXPECT_EQ(result["routes"], json::parse(R"([{"dst":"0.0.0.0/0","gw":"169.254.1.1"}])"));
    const std::string ip = PodIp(result);
    EXPECT_EQ(ip.rfind(kPodCidrPrefix, 0), 0u) << ip;
    EXPECT_EQ(result["ips"][0]["address"], ip + "/32");

    // The kernel state matches the result, and romanad agrees.
    auto pod_nl = Nl(pod.path());
    auto eth0 = pod_nl->GetLink("eth0");
    ASSERT_TRUE(eth0.ok());
    EXPECT_EQ(eth0->mtu, 1400);
    EXPECT_EQ(eth0->mac, result["interfaces"][1]["mac"]);
    auto host_veth = Nl()->GetLink(HostVethName({cid, "eth0"}));
    ASSERT_TRUE(host_veth.ok());
    EXPECT_EQ(host_veth->mtu, 1400);
    EXPECT_TRUE(host_veth->up);
    auto routes = Nl()->ListRoutes({.table = netlink::kMainTable, .protocol = netlink::kProtoRomana});
    ASSERT_TRUE(routes.ok());
    EXPECT_TRUE(std::any_of(routes->begin(), routes->end(), [&](const netlink::Route& r) {
      return r.dst == ip + "/32" && r.dev == host_veth->name;
    }));
    auto addr = romanad().GetAddress(AddressName({cid, "eth0"}));
    ASSERT_TRUE(addr.ok()) << addr.status();
    EXPECT_EQ(addr->ip, ip);
    EXPECT_EQ(addr->host, kNode);
    EXPECT_TRUE(PingFromHost(ip));

    json check_conf = Conf(v);
    check_conf["prevResult"] = result;
    auto check = Run("CHECK", check_conf, cid, pod.path());
    ASSERT_TRUE(check.ok());
    if (SupportsCheck(v)) {
      EXPECT_EQ(check->exit_code, 0) << Describe(*check);
      EXPECT_TRUE(check->stdout_data.empty());
    } else {
      ASSERT_TRUE(check->error);
      EXPECT_EQ(check->error->code, kErrIncompatibleVersion);
    }

    json del_conf = Conf(v);
    del_conf["prevResult"] = result;
    auto del = Run("DEL", del_conf, cid, pod.path());
    ASSERT_TRUE(del.ok());
    EXPECT_EQ(del->exit_code, 0) << Describe(*del);
    EXPECT_FALSE(HostVethExists(cid));
    EXPECT_FALSE(Nl(pod.path())->GetLink("eth0").ok());
    EXPECT_FALSE(AddressAllocated(cid));
    // DEL twice is fine.
    auto again = Run("DEL", del_conf, cid, pod.path());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->exit_code, 0) << Describe(*again);
  }
}

TEST_F(CniPluginTest, CheckDetectsDriftFromPrevResult) {
  auto& pod = NewPod();
  const std::string cid = Cid("drift");
  json result = MustAdd("1.0.0", cid, pod.path());
  json conf = Conf("1.0.0");
  conf["prevResult"] = result;
  // Someone deletes the pod's default route.
  ASSERT_TRUE(Nl(pod.path())->DeleteRoute({.dst = "0.0.0.0/0", .protocol = 0}).ok());
  auto check = Run("CHECK", conf, cid, pod.path());
  ASSERT_TRUE(check.ok());
  ASSERT_TRUE(check->error) << check->stdout_data;
  EXPECT_EQ(check->error->code, kErrCheckFailed);
  EXPECT_NE(check->error->msg.find("default route"), std::string::npos) << check->error->msg;
  // A prevResult with another address is a mismatch too.
  json wrong = result;
  wrong["ips"][0]["address"] = "10.77.255.1/32";
  conf["prevResult"] = wrong;
  check = Run("CHECK", conf, cid, pod.path());
  ASSERT_TRUE(check.ok() && check->error);
  EXPECT_EQ(check->error->code, kErrCheckFailed);
  EXPECT_EQ(Run("DEL", conf, cid, pod.path())->exit_code, 0);
}

TEST_F(CniPluginTest, RetriedAddGetsTheSameAddressAndOneVeth) {
  auto& pod = NewPod();
  const std::string cid = Cid("retry");
  json first = MustAdd("1.0.0", cid, pod.path());
  json second = MustAdd("1.0.0", cid, pod.path());
  ASSERT_TRUE(first.is_object() && second.is_object());
  EXPECT_EQ(PodIp(first), PodIp(second));
  EXPECT_TRUE(HostVethExists(cid));
  auto pod_links = Nl(pod.path())->ListLinks();
  ASSERT_TRUE(pod_links.ok());
  EXPECT_EQ(pod_links->size(), 2u);  // lo and eth0
  EXPECT_TRUE(PingFromHost(PodIp(second)));
  EXPECT_EQ(Run("DEL", Conf("1.0.0"), cid, pod.path())->exit_code, 0);
}

TEST_F(CniPluginTest, FailedAddRollsBackAddressAndLinks) {
  auto& pod = NewPod();
  // eth0 already exists in the pod.
  ASSERT_TRUE(Nl(pod.path())->CreateVeth({.name = "eth0", .peer_name = "other0"}).ok());
  const std::string cid = Cid("rollback");
  auto r = Run("ADD", Conf("1.0.0"), cid, pod.path());
  ASSERT_TRUE(r.ok());
  ASSERT_NE(r->exit_code, 0);
  ASSERT_TRUE(r->error) << r->stdout_data;
  EXPECT_EQ(r->error->code, kErrDataplane);
  EXPECT_NE(r->error->msg.find("eth0 already exists"), std::string::npos) << r->error->msg;
  EXPECT_FALSE(AddressAllocated(cid));
  EXPECT_FALSE(HostVethExists(cid));
  auto addrs = romanad().ListAddresses(kNode);
  ASSERT_TRUE(addrs.ok());
  for (const auto& a : addrs->items) EXPECT_NE(a.name, AddressName({cid, "eth0"}));
  // The pod's own interfaces are untouched.
  EXPECT_TRUE(Nl(pod.path())->GetLink("eth0").ok());
  EXPECT_TRUE(Nl(pod.path())->GetLink("other0").ok());
}

TEST_F(CniPluginTest, AddIntoMissingNetnsFailsWithoutAllocating) {
  const std::string cid = Cid("nonetns");
  auto r = Run("ADD", Conf("1.0.0"), cid, "/var/run/netns/romana-missing-" + std::to_string(getpid()));
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->error);
  EXPECT_EQ(r->error->code, kErrUnknownContainer);
  EXPECT_FALSE(AddressAllocated(cid));
}

TEST_F(CniPluginTest, DelOfGoneNetnsAndOfUnknownContainerSucceed) {
  const std::string cid = Cid("gone");
  std::string path;
  {
    auto pod = netlink::testing::ScopedNetns::Create("cni-pod");
    ASSERT_TRUE(pod.ok());
    path = (*pod)->path();
    MustAdd("0.4.0", cid, path);
    ASSERT_TRUE(AddressAllocated(cid));
  }  // the pod netns is deleted, its veth with it
  auto del = Run("DEL", Conf("0.4.0"), cid, path);
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->exit_code, 0) << Describe(*del);
  EXPECT_FALSE(AddressAllocated(cid));
  EXPECT_FALSE(HostVethExists(cid));
  // No netns at all, never added.
  auto unknown = Run("DEL", Conf("1.0.0"), Cid("never"), "");
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->exit_code, 0) << Describe(*unknown);
}

TEST_F(CniPluginTest, PodsOnOneNodeReachEachOther) {
  auto& a = NewPod();
  auto& b = NewPod();
  json ra = MustAdd("1.0.0", Cid("pa"), a.path());
  json rb = MustAdd("1.0.0", Cid("pb"), b.path());
  ASSERT_TRUE(ra.is_object() && rb.is_object());
  EXPECT_NE(PodIp(ra), PodIp(rb));
  EXPECT_TRUE(Ping(a, PodIp(rb)));
  EXPECT_TRUE(Ping(b, PodIp(ra)));
  EXPECT_TRUE(Ping(a, kNodeIp));
  EXPECT_EQ(Run("DEL", Conf("1.0.0"), Cid("pa"), a.path())->exit_code, 0);
  EXPECT_EQ(Run("DEL", Conf("1.0.0"), Cid("pb"), b.path())->exit_code, 0);
}

TEST_F(CniPluginTest, SegmentComesFromArgsOrLabels) {
  auto& a = NewPod();
  auto r = Run("ADD", Conf("1.0.0"), Cid("seg"), a.path(), "eth0",
               "IgnoreUnknown=1;K8S_POD_NAMESPACE=team-a;K8S_POD_NAME=db-0;ROMANA_SEGMENT=db");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->exit_code, 0) << Describe(*r);
  auto addr = romanad().GetAddress(AddressName({Cid("seg"), "eth0"}));
  ASSERT_TRUE(addr.ok());
  EXPECT_EQ(addr->namespace_name, "team-a");
  EXPECT_EQ(addr->segment, "db");
  auto& b = NewPod();
  json conf = Conf("1.0.0", json::parse(R"({"args": {"cni": {"labels": [{"key": "romana.io/segment", "value": "web"}]}}})"));
  r = Run("ADD", conf, Cid("seg2"), b.path());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->exit_code, 0) << Describe(*r);
  addr = romanad().GetAddress(AddressName({Cid("seg2"), "eth0"}));
  ASSERT_TRUE(addr.ok());
  EXPECT_EQ(addr->namespace_name, "default");
  EXPECT_EQ(addr->segment, "web");
  EXPECT_EQ(Run("DEL", Conf("1.0.0"), Cid("seg"), a.path())->exit_code, 0);
  EXPECT_EQ(Run("DEL", Conf("1.0.0"), Cid("seg2"), b.path())->exit_code, 0);
}

TEST_F(CniPluginTest, UnknownCniArgsWithoutIgnoreUnknownAreRejected) {
  auto& pod = NewPod();
  auto r = Run("ADD", Conf("1.0.0"), Cid("args"), pod.path(), "eth0", "K8S_POD_NAME=x;FOO=bar");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->error);
  EXPECT_EQ(r->error->code, kErrInvalidEnvironment);
  EXPECT_FALSE(AddressAllocated(Cid("args")));
}

TEST_F(CniPluginTest, BadConfigIsRejectedWithTheFieldNamed) {
  auto& pod = NewPod();
  auto r = Run("ADD", Conf("1.0.0", {{"mtu", "big"}}), Cid("badconf"), pod.path());
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->error);
  EXPECT_EQ(r->error->code, kErrInvalidNetworkConfig);
  EXPECT_NE(r->error->msg.find("\"mtu\""), std::string::npos);
  EXPECT_EQ(r->output["cniVersion"], "1.0.0");
  EXPECT_FALSE(AddressAllocated(Cid("badconf")));
}

TEST_F(CniPluginTest, GcReleasesStaleAttachmentsOnly) {
  auto& a = NewPod();
  auto& b = NewPod();
  auto& c = NewPod();
  const std::string ka = Cid("gca"), kb = Cid("gcb"), kc = Cid("gcc");
  json ra = MustAdd("1.1.0", ka, a.path());
  MustAdd("1.1.0", kb, b.path());
  MustAdd("1.1.0", kc, c.path());
  // A leaked host veth of ours (no address) and someone else's veth.
  ASSERT_TRUE(Nl()->CreateVeth({.name = "romana0123456789", .peer_name = "leak-peer"}).code() ==
              absl::StatusCode::kInvalidArgument);  // 16 bytes: not even creatable
  ASSERT_TRUE(Nl()->CreateVeth({.name = "romanaabcdef012", .peer_name = "leak-peer"}).ok());
  ASSERT_TRUE(Nl()->CreateVeth({.name = "other0", .peer_name = "other1"}).ok());

  json valid = json::array({json{{"containerID", ka}, {"ifname", "eth0"}}});
  json conf = Conf("1.1.0", json{{"cni.dev/valid-attachments", valid}});
  auto gc = Run("GC", conf, "", "");
  ASSERT_TRUE(gc.ok());
  EXPECT_EQ(gc->exit_code, 0) << Describe(*gc);
  EXPECT_TRUE(AddressAllocated(ka));
  EXPECT_FALSE(AddressAllocated(kb));
  EXPECT_FALSE(AddressAllocated(kc));
  EXPECT_TRUE(HostVethExists(ka));
  EXPECT_FALSE(HostVethExists(kb));
  EXPECT_FALSE(HostVethExists(kc));
  EXPECT_FALSE(Nl()->GetLink("romanaabcdef012").ok());
  EXPECT_TRUE(Nl()->GetLink("other0").ok());
  // The surviving pod still checks out.
  json check = Conf("1.1.0");
  check["prevResult"] = ra;
  EXPECT_EQ(Run("CHECK", check, ka, a.path())->exit_code, 0);
  // The older spelling works as well: nothing valid any more releases the last one.
  auto gc2 = Run("GC", Conf("1.1.0", {{"cni.dev/attachments", json::array()}}), "", "");
  ASSERT_TRUE(gc2.ok());
  EXPECT_EQ(gc2->exit_code, 0) << Describe(*gc2);
  EXPECT_FALSE(AddressAllocated(ka));
  // GC without the list is refused rather than releasing everything.
  auto bad = Run("GC", Conf("1.1.0"), "", "");
  ASSERT_TRUE(bad.ok() && bad->error);
  EXPECT_EQ(bad->error->code, kErrInvalidNetworkConfig);
  EXPECT_TRUE(Nl()->DeleteLink("other0").ok());
}

TEST_F(CniPluginTest, StatusReportsRomanadAvailability) {
  auto up = Run("STATUS", Conf("1.1.0"), "", "");
  ASSERT_TRUE(up.ok());
  EXPECT_EQ(up->exit_code, 0) << Describe(*up);
  EXPECT_TRUE(up->stdout_data.empty());
  const std::string down_url = absl::StrCat("http://127.0.0.1:", romana::testing::FreeLoopbackPort());
  auto down = Run("STATUS", Conf("1.1.0", {{"romanad", down_url}}), "", "");
  ASSERT_TRUE(down.ok() && down->error) << (down.ok() ? down->stdout_data : "");
  EXPECT_EQ(down->error->code, kErrPluginNotAvailable);
  auto unknown_node = Run("STATUS", Conf("1.1.0", {{"node_name", "no-such-node"}}), "", "");
  ASSERT_TRUE(unknown_node.ok() && unknown_node->error);
  EXPECT_EQ(unknown_node->error->code, kErrPluginNotAvailable);
  auto old = Run("STATUS", Conf("1.0.0"), "", "");
  ASSERT_TRUE(old.ok() && old->error);
  EXPECT_EQ(old->error->code, kErrIncompatibleVersion);
}

TEST_F(CniPluginTest, AddWithRomanadDownIsTryAgainLaterAndLeavesNothing) {
  auto& pod = NewPod();
  const std::string down_url = absl::StrCat("http://127.0.0.1:", romana::testing::FreeLoopbackPort());
  auto r = Run("ADD", Conf("1.0.0", {{"romanad", down_url}}), Cid("down"), pod.path());
  ASSERT_TRUE(r.ok() && r->error);
  EXPECT_EQ(r->error->code, kErrTryAgainLater);
  EXPECT_FALSE(HostVethExists(Cid("down")));
  EXPECT_EQ(Nl(pod.path())->ListLinks()->size(), 1u);
}

TEST_F(CniPluginTest, VersionListsAllVersions) {
  auto r = Run("VERSION", json{{"cniVersion", "1.0.0"}}, "", "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->output["supportedVersions"], json({"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"}));
}

}  // namespace
}  // namespace romana::cni::testing
