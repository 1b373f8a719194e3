// Checks the Kubernetes manifests under deploy/kubernetes: the component files in base/ (with the
// installer's comments), the kustomize overlays (rendered with `kubectl kustomize` from PATH) and
// the flat all-in-one files generated from them. Every YAML document parses and is a well-formed
// object, the flat files equal their overlays' rendering, Services, workloads and RBAC line up,
// service IPs lie in the platform's service range, every value an installer must align carries a
// comment, and every flag a container passes to one of our binaries (also the commented-out
// examples) is accepted by that binary's `--help`, so the manifests cannot drift from the code.
//
// manifests_fixture.h: what those checks share: every YAML document of the tree
// (loaded once per test binary), the containers of our workloads, the flat files and the
// kustomizations they come from, and `<binary> --help` parsed. The checks are split by concern:
//   manifests_objects_test.cc    documents, names, namespaces, selectors, Services, RBAC
//   manifests_flags_test.cc      container args vs the binaries' --help, ports, paths, volumes
//   manifests_rendering_test.cc  all-in-one files, kustomizations, flat files = their rendering
//   manifests_policy_test.cc     values to align, service IPs, replicas, resources, secure defaults
#ifndef ROMANA_TESTS_DEPLOY_MANIFESTS_FIXTURE_H_
#define ROMANA_TESTS_DEPLOY_MANIFESTS_FIXTURE_H_

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/subprocess.h"
#include "base/testing/test_env.h"
#include "binaries.h"
#include "gtest/gtest.h"
#include "manifest_checks.h"

namespace romana::deploy {

namespace fs = std::filesystem;

struct Doc {
  std::string file;  // relative to deploy/kubernetes
  std::string text;  // the document's text (comments included)
  YAML::Node node;
  std::string Where() const {
    return file + ": " + node["kind"].as<std::string>("?") + " " + node["metadata"]["name"].as<std::string>("?");
  }
};

struct Container {
  const Doc* doc;
  YAML::Node node;
  YAML::Node pod_spec;
  std::string binary;             // one of OurBinaries(), or empty
  std::vector<std::string> args;  // command[1:] + args
};

inline fs::path ManifestDir() { return romana::testing::SourceDir() / "deploy" / "kubernetes"; }

// The flat files generate-all-in-one.sh writes, each from one kustomization (relative paths).
inline const std::map<std::string, std::string>& FlatFiles() {
  static const auto* m = new std::map<std::string, std::string>{
      {"romana-kubeadm.yml", "overlays/kubeadm"},
      {"romana-kops.yml", "overlays/kops"},
      {"romana-aws-kubeadm.yml", "overlays/aws"},
      {"romana-daemon-custom-network.yaml", "base/daemon-custom-network"},
  };
  return *m;
}

// A whole platform in one file: its addresses must be consistent on their own.
inline bool IsAllInOne(const std::string& file) { return FlatFiles().count(file) && file.rfind("romana-daemon", 0) != 0; }

// The kube-apiserver's --service-cluster-ip-range each file is written for.
inline std::string ServiceRangeOf(const std::string& file) {
  bool kops = file == "romana-kops.yml" || file == "base/etcd-service/romana-etcd-service.yaml";
  return kops ? "100.64.0.0/13" : "10.96.0.0/12";
}

// `kubectl kustomize DIR` (DIR relative to deploy/kubernetes): the rendered YAML, or an error that
// says what to do. kubectl's warnings (stderr) are kept out of the YAML.
inline absl::StatusOr<std::string> Kustomize(const std::string& dir) {
  absl::StatusOr<base::CommandResult> which = base::RunCommand({"bash", "-c", "command -v kubectl"});
  if (!which.ok() || which->exit_code != 0) {
    return absl::FailedPreconditionError(
        "kubectl is not on PATH: the manifests are rendered with `kubectl kustomize` "
        "(scripts/setup installs Debian's kubernetes-client)");
  }
  absl::StatusOr<base::CommandResult> r = base::RunCommand(
      {"bash", "-c", "err=$(mktemp); kubectl kustomize \"$1\" 2>\"$err\"; rc=$?; "
                     "if [ $rc -ne 0 ]; then cat \"$err\"; fi; rm -f \"$err\"; exit $rc",
       "kustomize", (ManifestDir() / dir).string()});
  if (!r.ok()) return r.status();
  if (r->exit_code != 0) return absl::InternalError("kubectl kustomize " + dir + " failed: " + r->output);
  return r->output;
}

class ManifestsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    docs_ = new std::vector<Doc>();
    files_ = new std::vector<std::string>();
    for (const auto& e : fs::recursive_directory_iterator(ManifestDir())) {
      std::string ext = e.path().extension().string();
      std::string name = e.path().filename().string();
      // kustomization.yaml and strategic-merge patches are no manifests of their own; the
      // overlays they make are checked through their rendering (FlatFilesEqualTheirRendering).
      bool kustomize_input = name == "kustomization.yaml" || name.ends_with("-patch.yaml");
      if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml") && !kustomize_input) {
        files_->push_back(fs::relative(e.path(), ManifestDir()).string());
      }
    }
    std::sort(files_->begin(), files_->end());
    for (const std::string& f : *files_) {
      std::string text = romana::testing::ReadFile(ManifestDir() / f);
      size_t whole = 0;
      try {
        for (const YAML::Node& n : YAML::LoadAll(text)) whole += n.IsNull() ? 0 : 1;
      } catch (const YAML::Exception& e) {
        load_errors_.push_back(f + ": " + e.what());
        continue;
      }
      size_t pieces = 0;
      for (const std::string& piece : SplitYamlDocuments(text)) {
        YAML::Node n;
        try {
          n = YAML::Load(piece);
        } catch (const YAML::Exception& e) {
          load_errors_.push_back(f + ": " + e.what());
          continue;
        }
        if (n.IsNull()) continue;  // only comments
        ++pieces;
        docs_->push_back(Doc{f, piece, n});
      }
      if (pieces != whole) {
        load_errors_.push_back(f + ": splitting at '---' gives " + std::to_string(pieces) + " documents, yaml-cpp " +
                               std::to_string(whole));
      }
    }
  }
  static void TearDownTestSuite() {
    delete docs_;
    delete files_;
  }

  static std::vector<const Doc*> DocsIn(const std::string& file) {
    std::vector<const Doc*> out;
    for (const Doc& d : *docs_) {
      if (d.file == file) out.push_back(&d);
    }
    return out;
  }

  static bool IsWorkload(const YAML::Node& n) {
    std::string k = n["kind"].as<std::string>("");
    return k == "Deployment" || k == "DaemonSet" || k == "StatefulSet";
  }

  static std::vector<Container> Containers() {
    std::vector<Container> out;
    for (const Doc& d : *docs_) {
      if (!IsWorkload(d.node)) continue;
      YAML::Node spec = d.node["spec"]["template"]["spec"];
      for (const char* list : {"initContainers", "containers"}) {
        for (const YAML::Node& c : spec[list]) {
          Container ct{&d, c, spec, "", {}};
          std::vector<std::string> command;
          for (const YAML::Node& a : c["command"]) command.push_back(a.as<std::string>());
          if (!command.empty()) {
            std::string base = fs::path(command[0]).filename().string();
            if (OurBinaries().count(base)) ct.binary = base;
            ct.args.assign(command.begin() + 1, command.end());
          }
          for (const YAML::Node& a : c["args"]) ct.args.push_back(a.as<std::string>());
          out.push_back(ct);
        }
      }
    }
    return out;
  }

  // `<binary> --help`, parsed; cached per binary. Fails the test when the binary is missing.
  static const std::map<std::string, HelpOption>* Options(const std::string& binary) {
    static auto* cache = new std::map<std::string, std::map<std::string, HelpOption>>();
    if (auto it = cache->find(binary); it != cache->end()) return &it->second;
    absl::StatusOr<std::string> help = HelpText(binary);
    if (!help.ok()) {
      ADD_FAILURE() << help.status();
      return nullptr;
    }
    (*cache)[binary] = ParseCli11Help(*help);
    return &(*cache)[binary];
  }

  static inline std::vector<Doc>* docs_ = nullptr;
  static inline std::vector<std::string>* files_ = nullptr;
  static inline std::vector<std::string> load_errors_;
};

inline bool LabelsMatch(const YAML::Node& selector, const YAML::Node& labels) {
  if (!selector.IsMap() || selector.size() == 0) return false;
  for (const auto& kv : selector) {
    std::string key = kv.first.as<std::string>();
    if (!labels[key] || labels[key].as<std::string>() != kv.second.as<std::string>()) return false;
  }
  return true;
}

}  // namespace romana::deploy

#endif  // ROMANA_TESTS_DEPLOY_MANIFESTS_FIXTURE_H_
