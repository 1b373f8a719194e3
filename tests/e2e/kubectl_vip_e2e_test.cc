// Service VIPs end to end with kubectl as the client, as a user drives the lab in Kubernetes
// mode: `kubectl annotate service web romanavip=<address>` -> romana-listener writes the VIP to
// romanad -> the agent of the node running the Service's ready endpoint adds the address to its
// uplink -> the other node reaches it (ping); the endpoint moves -> the VIP moves; the annotation
// removed -> the address is gone. The lab's Kubernetes API runs no endpoints controller, so the
// test writes the Service's Endpoints object itself (as for a Service without selector).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/subprocess.h"
#include "base/testing/test_env.h"
#include "gtest/gtest.h"
#include "kube_apiserver/kubectl_runner.h"
#include "lab/lab.h"
#include "lab/testing/test_lab_options.h"

namespace romana::lab {
namespace {

using kube_apiserver::testing::kKubectl;

class KubectlVipE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!romana::testing::IsRoot()) GTEST_SKIP() << "needs root (the lab creates network namespaces)";
    if (!std::filesystem::exists(kKubectl)) ROMANA_SKIP_UNLESS_CI() << kKubectl << " is not installed";
    LabOptions o = testing::TestLabOptions("v", state_.path().string());
    o.shape.nodes = 2;
    o.shape.pods_per_node = 0;
    o.kubernetes = true;
    absl::StatusOr<std::unique_ptr<Lab>> l = Lab::Up(o);
    ASSERT_TRUE(l.ok()) << l.status();
    lab_ = *std::move(l);
  }
  std::string Kubectl(const std::vector<std::string>& args, const std::string& stdin_data = "") {
    return kube_apiserver::testing::RunKubectl(lab_->Kubeconfig(), (state_.path() / "kubectl-cache").string(), args,
                                               stdin_data);
  }
  // The Endpoints object of Service `web`: one ready address on `node`.
  void EndpointOn(const NodeInfo& node) {
    Kubectl({"apply", "-f", "-"}, absl::StrCat(R"({"apiVersion": "v1", "kind": "Endpoints",
        "metadata": {"name": "web", "namespace": "default"},
        "subsets": [{"addresses": [{"ip": "10.112.0.9", "nodeName": ")", node.name, R"("}],
                     "ports": [{"name": "http", "port": 80, "protocol": "TCP"}]}]})"));
  }
  bool HasAddress(const NodeInfo& node, const std::string& ip) {
    absl::StatusOr<std::string> a = lab_->Exec(node.netns, {"ip", "-4", "addr", "show", "dev", "eth0"});
    return a.ok() && absl::StrContains(*a, absl::StrCat("inet ", ip, "/32 scope global romana-vip"));
  }
  bool Pings(const NodeInfo& from, const std::string& ip) {
    return lab_->Exec(from.netns, {"ping", "-c", "1", "-W", "1", ip}).ok();
  }

  romana::testing::TempDir state_;
  std::unique_ptr<Lab> lab_;
};

TEST_F(KubectlVipE2eTest, AnnotatedServiceGetsAVipOnItsEndpointsNodeThatTheOtherNodeReaches) {
  const NodeInfo& a = lab_->nodes().begin()->second;
  const NodeInfo& b = std::next(lab_->nodes().begin())->second;
  // An address on the nodes' segment (their /24), which nobody holds.
  const std::string vip = a.ip.substr(0, a.ip.rfind('.')) + ".200";
  ASSERT_FALSE(Pings(b, vip));
  Kubectl({"apply", "-f", "-"}, R"({"apiVersion": "v1", "kind": "Service",
      "metadata": {"name": "web", "namespace": "default"},
      "spec": {"ports": [{"name": "http", "port": 80, "protocol": "TCP"}]}})");
  EndpointOn(a);
  Kubectl({"annotate", "service", "web", absl::StrCat("romanavip={\"ip\": \"", vip, "\"}")});
  ASSERT_TRUE(romana::testing::WaitUntil([&] { return HasAddress(a, vip); }, std::chrono::seconds(20)))
      << "the VIP never appeared on " << a.name;
  EXPECT_FALSE(HasAddress(b, vip));
  EXPECT_TRUE(romana::testing::WaitUntil([&] { return Pings(b, vip); }, std::chrono::seconds(10)));

  // The endpoint moves: the VIP moves with it.
  EndpointOn(b);
  ASSERT_TRUE(romana::testing::WaitUntil([&] { return HasAddress(b, vip) && !HasAddress(a, vip); },
                                         std::chrono::seconds(20)));
  EXPECT_TRUE(romana::testing::WaitUntil([&] { return Pings(a, vip); }, std::chrono::seconds(10)));

  // The annotation removed: the address goes.
  Kubectl({"annotate", "service", "web", "romanavip-"});
  ASSERT_TRUE(romana::testing::WaitUntil([&] { return !HasAddress(a, vip) && !HasAddress(b, vip); },
                                         std::chrono::seconds(20)));
  EXPECT_FALSE(Pings(a, vip));
}

// --vip-external-ips (default on): the VIP joins the Service's spec.externalIPs, so kube-proxy
// forwards it; the user's own address stays; the VIP changed or the annotation removed -> only
// the address the listener added leaves.
TEST_F(KubectlVipE2eTest, VipJoinsTheServicesExternalIpsBesideTheUsersAndLeavesWithTheAnnotation) {
  const NodeInfo& a = lab_->nodes().begin()->second;
  const std::string vip = a.ip.substr(0, a.ip.rfind('.')) + ".201";
  const std::string vip2 = a.ip.substr(0, a.ip.rfind('.')) + ".202";
  Kubectl({"apply", "-f", "-"}, R"({"apiVersion": "v1", "kind": "Service",
      "metadata": {"name": "web", "namespace": "default"},
      "spec": {"ports": [{"name": "http", "port": 80, "protocol": "TCP"}], "externalIPs": ["198.51.100.7"]}})");
  auto external_ips = [&] { return Kubectl({"get", "service", "web", "-o", "jsonpath={.spec.externalIPs}"}); };
  auto added = [&] {
    return Kubectl({"get", "service", "web", "-o", R"(jsonpath={.metadata.annotations.romana\.io/vip-external-ip})"});
  };
  auto wait_for_ips = [&](const std::string& want) {
    return romana::testing::WaitUntil([&] { return external_ips() == want; }, std::chrono::seconds(20));
  };

  Kubectl({"annotate", "service", "web", "romanavip=" + vip});
  ASSERT_TRUE(wait_for_ips(absl::StrCat(R"([")", "198.51.100.7", R"(",")", vip, R"("])")))
      << "externalIPs: " << external_ips();
  EXPECT_EQ(added(), vip);

  Kubectl({"annotate", "--overwrite", "service", "web", "romanavip=" + vip2});
  ASSERT_TRUE(wait_for_ips(absl::StrCat(R"(["198.51.100.7",")", vip2, R"("])"))) << "externalIPs: " << external_ips();
  EXPECT_EQ(added(), vip2);

  Kubectl({"annotate", "service", "web", "romanavip-"});
  ASSERT_TRUE(wait_for_ips(R"(["198.51.100.7"])")) << "externalIPs: " << external_ips();
  EXPECT_EQ(added(), "");
}

// Bad input reaches the user where they look: a Warning Event on the object, which
// `kubectl get events` and `kubectl describe` show, naming the field.
TEST_F(KubectlVipE2eTest, BadInputIsAWarningEventOnTheObject) {
  Kubectl({"apply", "-f", "-"}, R"({"apiVersion": "v1", "kind": "Service",
      "metadata": {"name": "web", "namespace": "default"},
      "spec": {"ports": [{"name": "http", "port": 80, "protocol": "TCP"}]}})");
  Kubectl({"annotate", "service", "web", R"(romanavip={"ip": "10.0.0.300"})"});
  auto events_of = [&](const std::string& name) {
    return Kubectl({"get", "events", "--field-selector", "involvedObject.name=" + name, "-o",
                    R"(jsonpath={range .items[*]}{.type} {.reason} {.source.component} x{.count}: {.message}{"\n"}{end})"});
  };
  std::string events;
  ASSERT_TRUE(romana::testing::WaitUntil([&] { return absl::StrContains(events = events_of("web"), "InvalidRomanaVIP"); },
                                         std::chrono::seconds(20)))
      << events;
  EXPECT_TRUE(absl::StrContains(events, "Warning InvalidRomanaVIP romana-listener x1: no VIP: romanavip.ip"))
      << events;
  EXPECT_TRUE(absl::StrContains(Kubectl({"describe", "service", "web"}), "InvalidRomanaVIP"));

  // A NetworkPolicy romanad rejects (400 naming the field): retried, and counted on one Event.
  Kubectl({"apply", "-f", "-"}, R"({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
      "metadata": {"name": "bad-cidr", "namespace": "default"},
      "spec": {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/33"}}]}]}})");
  ASSERT_TRUE(romana::testing::WaitUntil(
      [&] { return absl::StrContains(events = events_of("bad-cidr"), "x2: not enforced"); }, std::chrono::seconds(20)))
      << events;
  EXPECT_TRUE(absl::StrContains(events, "Warning NetworkPolicyRejected romana-listener")) << events;
  EXPECT_TRUE(absl::StrContains(events, "spec.ingress[0].from[0].ipBlock.cidr")) << events;
  EXPECT_EQ(std::count(events.begin(), events.end(), '\n'), 1) << events;  // one Event, counted up
}

}  // namespace
}  // namespace romana::lab
