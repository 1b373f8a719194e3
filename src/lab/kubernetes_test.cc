// The objects the lab registers in Kubernetes mode are what romana-listener turns into the
// hosts and endpoints the lab means (its own translation functions read them).
#include "lab/kubernetes.h"

#include "gtest/gtest.h"
#include "kube_apiserver/table.h"
#include "lab/netpol_model.h"
#include "listener/translate.h"

namespace romana::lab {
namespace {

TEST(LabKubernetesTest, NodeObjectBecomesAHostWithItsInternalIpAndRackLabel) {
  absl::StatusOr<api::HostRequest> h =
      listener::HostFromNode(NodeObject("node-2", "192.168.100.12", {{"rack", "r1"}, {"kubernetes.io/hostname", "node-2"}}));
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->name, "node-2");
  EXPECT_EQ(h->ip, "192.168.100.12");
  EXPECT_EQ(h->labels.at("rack"), "r1");
}

TEST(LabKubernetesTest, ModelPodObjectBecomesAnEndpointWithItsNamedPorts) {
  absl::StatusOr<std::optional<api::Endpoint>> e = listener::EndpointFromPod(
      PodObject("x", "a", "node-1", "10.112.0.3", {{"pod", "a"}}, ModelEndpointPorts()));
  ASSERT_TRUE(e.ok()) << e.status();
  ASSERT_TRUE(e->has_value());
  const api::Endpoint& ep = **e;
  EXPECT_EQ(ep.namespace_name, "x");
  EXPECT_EQ(ep.name, "a");
  EXPECT_EQ(ep.node, "node-1");
  EXPECT_EQ(ep.ip, "10.112.0.3");
  EXPECT_EQ(ep.labels, (api::Labels{{"pod", "a"}}));
  ASSERT_EQ(ep.ports.size(), ModelEndpointPorts().size());
  EXPECT_EQ(ep.ports[0].name, "serve-80-tcp");
  EXPECT_EQ(ep.ports[0].port, 80);
  EXPECT_EQ(ep.ports[0].protocol, "TCP");
  EXPECT_EQ(listener::PodNetworkIp(PodObject("x", "a", "node-1", "10.112.0.3", {})), "10.112.0.3");
}

// What `kubectl get pods -o wide` and `kubectl get nodes -o wide` print for them.
TEST(LabKubernetesTest, KubectlShowsLabPodsRunningAndReadyAndNodesReady) {
  const auto now = std::chrono::system_clock::now();
  const nlohmann::json pod =
      kube_apiserver::TableCells("pods", PodObject("x", "a", "node-1", "10.112.0.3", {}), now);
  EXPECT_EQ(pod[1], "1/1");
  EXPECT_EQ(pod[2], "Running");
  EXPECT_EQ(pod[3], "0");
  EXPECT_EQ(pod[5], "10.112.0.3");
  EXPECT_EQ(pod[6], "node-1");
  const nlohmann::json node = kube_apiserver::TableCells("nodes", NodeObject("node-2", "192.168.100.12", {}), now);
  EXPECT_EQ(node[1], "Ready");
  EXPECT_EQ(node[5], "192.168.100.12");
}

TEST(LabKubernetesTest, NamespaceObjectKeepsItsLabels) {
  absl::StatusOr<api::Namespace> ns = listener::NamespaceFromObject(NamespaceObject("y", {{"ns", "y"}}));
  ASSERT_TRUE(ns.ok()) << ns.status();
  EXPECT_EQ(ns->labels.at("ns"), "y");
  EXPECT_FALSE(ns->isolated);
}

}  // namespace
}  // namespace romana::lab
