// deploy/kubernetes: every document parses and is a well-formed object; names, namespaces,
// selectors, Services and RBAC line up.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "base/testing/test_env.h"
#include "binaries.h"
#include "gtest/gtest.h"
#include "manifest_checks.h"
#include "manifests_fixture.h"

namespace romana::deploy {
namespace {

TEST_F(ManifestsTest, EveryFileParses) {
  EXPECT_TRUE(load_errors_.empty()) << ::testing::PrintToString(load_errors_);
  // The component document's files, and the two all-in-one files.
  for (const char* f : {"base/etcd-service/romana-etcd-service.yaml", "base/etcd-standalone/romana-etcd-standalone.yaml",
                        "base/daemon/romana-daemon.yaml", "base/agent/romana-agent.yaml", "base/aws/romana-aws.yaml",
                        "base/vpcrouter/romana-vpcrouter.yaml", "base/listener/romana-listener.yaml", "romana-daemon-custom-network.yaml",
                        "romana-kubeadm.yml", "romana-kops.yml", "romana-aws-kubeadm.yml"}) {
    EXPECT_FALSE(DocsIn(f).empty()) << f << " is missing or empty";
  }
}

TEST_F(ManifestsTest, EveryDocumentHasApiVersionKindAndName) {
  ASSERT_FALSE(docs_->empty());
  for (const Doc& d : *docs_) {
    ASSERT_TRUE(d.node.IsMap()) << d.file << ": a document is not a mapping";
    EXPECT_FALSE(d.node["apiVersion"].as<std::string>("").empty()) << d.Where() << ": no apiVersion";
    EXPECT_FALSE(d.node["kind"].as<std::string>("").empty()) << d.Where() << ": no kind";
    EXPECT_FALSE(d.node["metadata"]["name"].as<std::string>("").empty()) << d.Where() << ": no metadata.name";
    // No deprecated API groups (the original used extensions/v1beta1 and rbac v1beta1).
    std::string api = d.node["apiVersion"].as<std::string>("");
    EXPECT_EQ(api.find("beta"), std::string::npos) << d.Where() << ": " << api;
  }
}

TEST_F(ManifestsTest, NamespacedObjectsLiveInKubeSystem) {
  const std::set<std::string> cluster_scoped = {"ClusterRole", "ClusterRoleBinding", "Namespace"};
  for (const Doc& d : *docs_) {
    std::string kind = d.node["kind"].as<std::string>("");
    if (cluster_scoped.count(kind)) {
      EXPECT_FALSE(d.node["metadata"]["namespace"]) << d.Where() << ": cluster-scoped object with a namespace";
    } else {
      EXPECT_EQ(d.node["metadata"]["namespace"].as<std::string>(""), "kube-system") << d.Where();
    }
  }
}

TEST_F(ManifestsTest, WorkloadSelectorsMatchTheirTemplateLabels) {
  int workloads = 0;
  for (const Doc& d : *docs_) {
    if (!IsWorkload(d.node)) continue;
    ++workloads;
    YAML::Node sel = d.node["spec"]["selector"]["matchLabels"];
    YAML::Node labels = d.node["spec"]["template"]["metadata"]["labels"];
    EXPECT_TRUE(LabelsMatch(sel, labels)) << d.Where() << ": spec.selector.matchLabels does not select the template";
    EXPECT_TRUE(d.node["spec"]["template"]["spec"]["containers"].IsSequence()) << d.Where() << ": no containers";
  }
  EXPECT_GE(workloads, 6);
}

TEST_F(ManifestsTest, ServicesSelectPodsDefinedBesideThem) {
  // romana-etcd in these files exposes an etcd that is not ours (kops' own etcd pods).
  const std::set<std::string> external = {"base/etcd-service/romana-etcd-service.yaml", "romana-kops.yml"};
  for (const Doc& d : *docs_) {
    if (d.node["kind"].as<std::string>("") != "Service") continue;
    YAML::Node sel = d.node["spec"]["selector"];
    ASSERT_TRUE(sel.IsMap() && sel.size() > 0) << d.Where() << ": no selector";
    EXPECT_FALSE(d.node["spec"]["clusterIP"].as<std::string>("").empty())
        << d.Where() << ": clusterIP must be fixed (other components are configured with it)";
    bool found = false;
    for (const Doc* w : DocsIn(d.file)) {
      if (IsWorkload(w->node) && LabelsMatch(sel, w->node["spec"]["template"]["metadata"]["labels"])) {
        found = true;
        // Every targetPort is a port the pod declares, or (hostNetwork) listens on per its probes.
        for (const YAML::Node& p : d.node["spec"]["ports"]) {
          EXPECT_TRUE(p["name"]) << d.Where() << ": unnamed port (the name makes the *_SERVICE_PORT_<NAME> variable)";
        }
      }
    }
    if (external.count(d.file) && d.node["metadata"]["name"].as<std::string>() == "romana-etcd") {
      EXPECT_FALSE(found) << d.Where() << ": expected to expose the cluster's own etcd";
      EXPECT_EQ(sel["k8s-app"].as<std::string>(""), "etcd-server") << d.Where();
    } else {
      EXPECT_TRUE(found) << d.Where() << ": the selector matches no pod template in the same file";
    }
  }
}

TEST_F(ManifestsTest, RbacAndServiceAccountsLineUp) {
  for (const std::string& f : *files_) {
    std::set<std::string> roles, accounts;
    for (const Doc* d : DocsIn(f)) {
      std::string kind = d->node["kind"].as<std::string>("");
      if (kind == "ClusterRole") roles.insert(d->node["metadata"]["name"].as<std::string>());
      if (kind == "ServiceAccount") accounts.insert(d->node["metadata"]["name"].as<std::string>());
    }
    for (const Doc* d : DocsIn(f)) {
      std::string kind = d->node["kind"].as<std::string>("");
      if (kind == "ClusterRoleBinding") {
        EXPECT_EQ(d->node["roleRef"]["kind"].as<std::string>(""), "ClusterRole") << d->Where();
        EXPECT_TRUE(roles.count(d->node["roleRef"]["name"].as<std::string>(""))) << d->Where() << ": unknown role";
        ASSERT_TRUE(d->node["subjects"].IsSequence()) << d->Where();
        for (const YAML::Node& s : d->node["subjects"]) {
          EXPECT_EQ(s["kind"].as<std::string>(""), "ServiceAccount") << d->Where();
          EXPECT_TRUE(accounts.count(s["name"].as<std::string>(""))) << d->Where() << ": unknown service account";
          EXPECT_EQ(s["namespace"].as<std::string>(""), "kube-system") << d->Where();
        }
      }
      if (IsWorkload(d->node)) {
        std::string sa = d->node["spec"]["template"]["spec"]["serviceAccountName"].as<std::string>("");
        if (!sa.empty()) {
          EXPECT_TRUE(accounts.count(sa)) << d->Where() << ": service account " << sa << " not in " << f;
        }
      }
    }
  }
}

// Least privilege: romana-listener's ClusterRole grants exactly the verbs on the resources it
// uses (src/listener, docs/listener.md): reads of what it watches, the patch of a Service's
// externalIPs (--vip-external-ips), its Warning events, and the get of a pod an event is about.
TEST_F(ManifestsTest, ListenerClusterRoleGrantsExactlyWhatTheListenerUses) {
  const std::set<std::string> expected = {
      "/nodes:list",      "/nodes:watch",     "/namespaces:list", "/namespaces:watch", "/pods:list",
      "/pods:watch",      "/pods:get",        "/services:list",   "/services:watch",   "/services:patch",
      "/endpoints:list",  "/endpoints:watch", "/events:create",   "/events:patch",
      "networking.k8s.io/networkpolicies:list", "networking.k8s.io/networkpolicies:watch"};
  int roles = 0;
  for (const Doc& d : *docs_) {
    if (d.node["kind"].as<std::string>("") != "ClusterRole" ||
        d.node["metadata"]["name"].as<std::string>("") != "romana-listener") {
      continue;
    }
    ++roles;
    std::set<std::string> granted;
    for (const YAML::Node& rule : d.node["rules"]) {
      EXPECT_FALSE(rule["resourceNames"]) << d.Where();
      for (const YAML::Node& g : rule["apiGroups"]) {
        for (const YAML::Node& r : rule["resources"]) {
          for (const YAML::Node& v : rule["verbs"]) {
            granted.insert(g.as<std::string>() + "/" + r.as<std::string>() + ":" + v.as<std::string>());
          }
        }
      }
    }
    EXPECT_EQ(granted, expected) << d.Where();
  }
  EXPECT_GE(roles, 4);  // base and the three all-in-one files
}

}  // namespace
}  // namespace romana::deploy
