#include "listener/translate.h"

#include "gtest/gtest.h"

namespace romana::listener {
namespace {

using nlohmann::json;

json Node(json addresses, json labels = json::object()) {
  return {{"metadata", {{"name", "n1"}, {"labels", labels}, {"managedFields", json::array()}}},
          {"status", {{"addresses", addresses}, {"conditions", json::array()}}}};
}

TEST(TranslateTest, NodeUsesItsInternalIpNeverTheFirstAddressOfAnyType) {
  absl::StatusOr<api::HostRequest> h = HostFromNode(
      Node({{{"type", "Hostname"}, {"address", "n1"}},
            {{"type", "ExternalIP"}, {"address", "203.0.113.9"}},
            {{"type", "InternalIP"}, {"address", "fd00::1"}},
            {{"type", "InternalIP"}, {"address", "192.168.0.10"}}},
           {{"rack", "r1"}}));
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->name, "n1");
  EXPECT_EQ(h->ip, "192.168.0.10");
  EXPECT_EQ(h->labels, (api::Labels{{"rack", "r1"}}));
  absl::StatusOr<api::HostRequest> none = HostFromNode(Node({{{"type", "ExternalIP"}, {"address", "203.0.113.9"}}}));
  EXPECT_TRUE(absl::IsFailedPrecondition(none.status())) << none.status();
  EXPECT_TRUE(absl::IsFailedPrecondition(HostFromNode(json{{"metadata", {{"name", "x"}}}}).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(HostFromNode(Node(json::array(), {{"a", 1}})).status()));
  // The reduced form the informer caches translates the same.
  absl::StatusOr<api::HostRequest> reduced =
      HostFromNode(ReduceNode(Node({{{"type", "InternalIP"}, {"address", "10.0.0.1"}}}, {{"a", "b"}})));
  ASSERT_TRUE(reduced.ok());
  EXPECT_EQ(reduced->ip, "10.0.0.1");
  EXPECT_EQ(reduced->labels, (api::Labels{{"a", "b"}}));
}

TEST(TranslateTest, NamespaceLabelsAndIsolationAnnotation) {
  json ns = {{"metadata",
              {{"name", "blue"},
               {"labels", {{"team", "b"}}},
               {"annotations", {{kIsolationAnnotation, R"({"ingress":{"isolation":"DefaultDeny"}})"}}}}}};
  absl::StatusOr<api::Namespace> n = NamespaceFromObject(ns);
  ASSERT_TRUE(n.ok());
  EXPECT_TRUE(n->isolated);
  EXPECT_EQ(n->labels, (api::Labels{{"team", "b"}, {"kubernetes.io/metadata.name", "blue"}}));
  for (const char* other : {R"({"ingress":{"isolation":"None"}})", "not json", "{}"}) {
    ns["metadata"]["annotations"][kIsolationAnnotation] = other;
    EXPECT_FALSE(NamespaceFromObject(ns)->isolated) << other;
  }
  ns["metadata"].erase("annotations");
  EXPECT_FALSE(NamespaceFromObject(ns)->isolated);
}

json Pod() {
  return json::parse(R"({
    "metadata": {"name": "web-1", "namespace": "blue", "labels": {"app": "web"}, "uid": "u1"},
    "spec": {"nodeName": "n1", "containers": [
      {"name": "a", "ports": [{"name": "http", "containerPort": 80}, {"containerPort": 9000},
                              {"name": "dns", "containerPort": 53, "protocol": "UDP"}]},
      {"name": "b", "ports": [{"name": "http", "containerPort": 8080}, {"name": "metrics", "containerPort": 9100}]}]},
    "status": {"podIP": "10.112.0.5", "phase": "Running", "conditions": []}})");
}

TEST(TranslateTest, PodOnThePodNetworkBecomesAnEndpointWithNamedPorts) {
  for (const json& pod : {Pod(), ReducePod(Pod())}) {
    absl::StatusOr<std::optional<api::Endpoint>> e = EndpointFromPod(pod);
    ASSERT_TRUE(e.ok() && e->has_value()) << pod.dump();
    EXPECT_EQ((*e)->namespace_name, "blue");
    EXPECT_EQ((*e)->name, "web-1");
    EXPECT_EQ((*e)->node, "n1");
    EXPECT_EQ((*e)->ip, "10.112.0.5");
    EXPECT_EQ((*e)->labels, (api::Labels{{"app", "web"}}));
    // Named ports only; a name declared twice keeps its first declaration.
    EXPECT_EQ((*e)->ports, (std::vector<api::EndpointPort>{
                               {"http", 80, "TCP"}, {"dns", 53, "UDP"}, {"metrics", 9100, "TCP"}}));
  }
}

TEST(TranslateTest, HostNetworkUnscheduledAddresslessAndFinishedPodsAreNoEndpoints) {
  json host = Pod();
  host["spec"]["hostNetwork"] = true;
  host["status"]["podIP"] = "192.168.0.10";
  EXPECT_FALSE(EndpointFromPod(host)->has_value());
  EXPECT_EQ(PodNetworkIp(host), "");
  json pending = Pod();
  pending["status"].erase("podIP");
  EXPECT_FALSE(EndpointFromPod(pending)->has_value());
  json unscheduled = Pod();
  unscheduled["spec"].erase("nodeName");
  EXPECT_FALSE(EndpointFromPod(unscheduled)->has_value());
  json done = Pod();
  done["status"]["phase"] = "Succeeded";
  EXPECT_FALSE(EndpointFromPod(done)->has_value());
  EXPECT_EQ(PodNetworkIp(done), "10.112.0.5");  // its address may still be allocated
  EXPECT_FALSE(EndpointFromPod(json{{"metadata", {{"name", "x"}}}}).ok());
}

TEST(TranslateTest, NetworkPolicyKeepsSpecAndIdentityDropsServerFields) {
  json np = json::parse(R"({
    "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
    "metadata": {"name": "deny", "namespace": "blue", "uid": "u9", "resourceVersion": "77", "generation": 3,
                 "labels": {"a": "b"}, "managedFields": [{"manager": "kubectl"}],
                 "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{...}", "note": "x"}},
    "spec": {"podSelector": {}, "policyTypes": ["Ingress"]},
    "status": {"conditions": []}})");
  absl::StatusOr<json> out = NetworkPolicyForRomanad(np);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, json::parse(R"({
    "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
    "metadata": {"name": "deny", "namespace": "blue", "uid": "u9", "labels": {"a": "b"}, "annotations": {"note": "x"}},
    "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}})"));
  // A status-only change does not change what romanad stores.
  np["status"]["conditions"].push_back({{"type", "x"}});
  np["metadata"]["resourceVersion"] = "78";
  EXPECT_EQ(*NetworkPolicyForRomanad(np), *out);
}

}  // namespace
}  // namespace romana::listener
