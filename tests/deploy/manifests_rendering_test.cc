// deploy/kubernetes: the all-in-one files hold what each platform needs, every kustomization
// renders complete objects with what kubectl 1.20 reads, and the flat files equal their rendering.
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

std::set<std::string> KindsAndNames(const std::vector<const Doc*>& docs) {
  std::set<std::string> out;
  for (const Doc* d : docs) {
    out.insert(d->node["kind"].as<std::string>() + "/" + d->node["metadata"]["name"].as<std::string>());
  }
  return out;
}

std::set<std::string> Union(std::initializer_list<std::set<std::string>> sets) {
  std::set<std::string> out;
  for (const auto& s : sets) out.insert(s.begin(), s.end());
  return out;
}

TEST_F(ManifestsTest, AllInOneFilesHoldWhatEachPlatformNeeds) {
  const std::set<std::string> core = {"Service/romana",
                                      "Deployment/romana-daemon",
                                      "PodDisruptionBudget/romana-daemon",
                                      "ClusterRole/romana-agent",
                                      "ServiceAccount/romana-agent",
                                      "ClusterRoleBinding/romana-agent",
                                      "DaemonSet/romana-agent",
                                      "ClusterRole/romana-listener",
                                      "Role/romana-listener",
                                      "ServiceAccount/romana-listener",
                                      "ClusterRoleBinding/romana-listener",
                                      "RoleBinding/romana-listener",
                                      "Deployment/romana-listener"};
  const std::set<std::string> standalone_etcd = {"Service/romana-etcd", "Deployment/romana-etcd"};
  const std::set<std::string> aws = {"ClusterRole/romana-aws", "ServiceAccount/romana-aws",
                                     "ClusterRoleBinding/romana-aws", "Deployment/romana-aws",
                                     "Deployment/romana-vpcrouter"};
  EXPECT_EQ(KindsAndNames(DocsIn("romana-kubeadm.yml")), Union({core, standalone_etcd}));
  EXPECT_EQ(KindsAndNames(DocsIn("romana-kops.yml")), Union({core, {"Service/romana-etcd"}, aws}));
  EXPECT_EQ(KindsAndNames(DocsIn("romana-aws-kubeadm.yml")), Union({core, standalone_etcd, aws}));
  // On AWS (kops and kubeadm on EC2) the daemon runs with the AWS topology, which places hosts by
  // zone labels, so there the agent must not register its node unlabelled (romanad refuses such a
  // host and the agent would exit). kubeadm leaves the cloud args commented.
  const std::set<std::string> on_aws = {"romana-kops.yml", "romana-aws-kubeadm.yml"};
  int agents = 0, daemons = 0;
  for (const Container& c : Containers()) {
    bool aws_file = on_aws.count(c.doc->file) > 0;
    if (c.binary == "romana-agent") {
      ++agents;
      bool registers = std::count(c.args.begin(), c.args.end(), "--register-node") > 0;
      EXPECT_EQ(registers, !aws_file) << c.doc->Where();
      if (registers) {
        EXPECT_EQ(ArgValue(c.args, "--node-ip").value_or(""), "$(NODEIP)") << c.doc->Where();
      }
    }
    if (c.binary != "romanad") continue;
    ++daemons;
    EXPECT_EQ(ArgValue(c.args, "--cloud").value_or(""), aws_file ? "aws" : "") << c.doc->Where();
    if (c.doc->file == "romana-kops.yml") {
      EXPECT_EQ(ArgValue(c.args, "--network-cidr-overrides").value_or(""), "romana-network=100.96.0.0/11");
    }
  }
  EXPECT_GE(agents, 4);
  EXPECT_GE(daemons, 5);
}

TEST_F(ManifestsTest, EveryKustomizationRendersCompleteObjects) {
  int dirs = 0;
  for (const auto& e : fs::recursive_directory_iterator(ManifestDir())) {
    if (e.path().filename() != "kustomization.yaml") continue;
    ++dirs;
    std::string dir = fs::relative(e.path().parent_path(), ManifestDir()).string();
    absl::StatusOr<std::string> rendered = Kustomize(dir);
    ASSERT_TRUE(rendered.ok()) << rendered.status();
    std::vector<YAML::Node> objects;
    try {
      objects = YAML::LoadAll(*rendered);
    } catch (const YAML::Exception& ex) {
      FAIL() << "kubectl kustomize " << dir << " renders YAML that does not parse: " << ex.what();
    }
    int complete = 0;
    for (const YAML::Node& n : objects) {
      if (n.IsNull()) continue;
      ASSERT_TRUE(n.IsMap()) << dir << ": a rendered document is not a mapping";
      EXPECT_FALSE(n["apiVersion"].as<std::string>("").empty()) << dir << ": an object without apiVersion";
      EXPECT_FALSE(n["kind"].as<std::string>("").empty()) << dir << ": an object without kind";
      EXPECT_FALSE(n["metadata"]["name"].as<std::string>("").empty()) << dir << ": an object without a name";
      ++complete;
    }
    EXPECT_GT(complete, 0) << dir << " renders nothing";
  }
  // base/: 7 components and the custom-network variant; overlays: kubeadm, kops, aws.
  EXPECT_EQ(dirs, 11);
}

TEST_F(ManifestsTest, KustomizationsUseOnlyWhatKubectl120Reads) {
  // Debian 12's kubectl is 1.20 (kustomize 2.0.3): no `components`, no `patches`, no directories
  // under `resources` (those go under `bases`). Newer kubectl reads all of these too.
  const std::set<std::string> known = {"apiVersion", "kind", "resources", "bases", "patchesStrategicMerge",
                                       "namespace", "commonLabels", "images"};
  for (const auto& e : fs::recursive_directory_iterator(ManifestDir())) {
    if (e.path().filename() != "kustomization.yaml") continue;
    std::string where = fs::relative(e.path(), ManifestDir()).string();
    YAML::Node k = YAML::LoadFile(e.path().string());
    for (const auto& kv : k) {
      EXPECT_TRUE(known.count(kv.first.as<std::string>())) << where << ": field " << kv.first.as<std::string>()
                                                           << " is not read by kubectl 1.20's kustomize";
    }
    for (const YAML::Node& r : k["resources"]) {
      EXPECT_TRUE(fs::is_regular_file(e.path().parent_path() / r.as<std::string>()))
          << where << ": resources entry " << r.as<std::string>() << " is not a file (directories go under bases)";
    }
  }
}

TEST_F(ManifestsTest, FlatFilesEqualTheirRendering) {
  for (const auto& [flat, dir] : FlatFiles()) {
    absl::StatusOr<std::string> rendered = Kustomize(dir);
    ASSERT_TRUE(rendered.ok()) << rendered.status();
    std::map<std::string, std::string> want, have;
    for (const YAML::Node& n : YAML::LoadAll(*rendered)) {
      if (!n.IsNull()) want[n["kind"].as<std::string>() + "/" + n["metadata"]["name"].as<std::string>()] = CanonicalYaml(n);
    }
    for (const Doc* d : DocsIn(flat)) {
      have[d->node["kind"].as<std::string>() + "/" + d->node["metadata"]["name"].as<std::string>()] = CanonicalYaml(d->node);
    }
    for (const auto& [name, text] : want) {
      auto it = have.find(name);
      if (it == have.end()) {
        ADD_FAILURE() << flat << " lacks " << name << " that `kubectl kustomize " << dir
                      << "` renders: run deploy/kubernetes/generate-all-in-one.sh";
      } else {
        EXPECT_EQ(it->second, text) << flat << ": " << name << " differs from `kubectl kustomize " << dir
                                    << "`: run deploy/kubernetes/generate-all-in-one.sh";
      }
    }
    for (const auto& [name, text] : have) {
      EXPECT_TRUE(want.count(name)) << flat << " holds " << name << " that " << dir
                                    << " does not render: run deploy/kubernetes/generate-all-in-one.sh";
    }
  }
}

}  // namespace
}  // namespace romana::deploy
