// Checks the Kubernetes manifests under deploy/kubernetes: the component files in base/ (with the
// installer's comments), the kustomize overlays (rendered with `kubectl kustomize` from PATH) and
// the flat all-in-one files generated from them. Every YAML document parses and is a well-formed
// object, the flat files equal their overlays' rendering, Services, workloads and RBAC line up,
// service IPs lie in the platform's service range, every value an installer must align carries a
// comment, and every flag a container passes to one of our binaries (also the commented-out
// examples) is accepted by that binary's `--help`, so the manifests cannot drift from the code.
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
#include "base/subprocess.h"
#include "base/testing/test_env.h"
#include "gtest/gtest.h"
#include "binaries.h"
#include "manifest_checks.h"

namespace romana::deploy {
namespace {

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

fs::path ManifestDir() { return romana::testing::SourceDir() / "deploy" / "kubernetes"; }

// The flat files generate-all-in-one.sh writes, each from one kustomization (relative paths).
const std::map<std::string, std::string>& FlatFiles() {
  static const auto* m = new std::map<std::string, std::string>{
      {"romana-kubeadm.yml", "overlays/kubeadm"},
      {"romana-kops.yml", "overlays/kops"},
      {"romana-aws-kubeadm.yml", "overlays/aws"},
      {"romana-daemon-custom-network.yaml", "base/daemon-custom-network"},
  };
  return *m;
}

// A whole platform in one file: its addresses must be consistent on their own.
bool IsAllInOne(const std::string& file) { return FlatFiles().count(file) && file.rfind("romana-daemon", 0) != 0; }

// The kube-apiserver's --service-cluster-ip-range each file is written for.
std::string ServiceRangeOf(const std::string& file) {
  bool kops = file == "romana-kops.yml" || file == "base/etcd-service/romana-etcd-service.yaml";
  return kops ? "100.64.0.0/13" : "10.96.0.0/12";
}

// `kubectl kustomize DIR` (DIR relative to deploy/kubernetes): the rendered YAML, or an error that
// says what to do. kubectl's warnings (stderr) are kept out of the YAML.
absl::StatusOr<std::string> Kustomize(const std::string& dir) {
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

bool LabelsMatch(const YAML::Node& selector, const YAML::Node& labels) {
  if (!selector.IsMap() || selector.size() == 0) return false;
  for (const auto& kv : selector) {
    std::string key = kv.first.as<std::string>();
    if (!labels[key] || labels[key].as<std::string>() != kv.second.as<std::string>()) return false;
  }
  return true;
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

TEST_F(ManifestsTest, EveryFlagIsAcceptedByTheBinary) {
  std::set<std::string> checked;
  for (const Container& c : Containers()) {
    std::string image = c.node["image"].as<std::string>("");
    if (image.rfind("romana/", 0) == 0) {
      // Our images: the command names the binary explicitly, and the image is named after it.
      ASSERT_FALSE(c.binary.empty()) << c.doc->Where() << ": container of " << image << " runs none of our binaries";
      EXPECT_EQ(image.substr(7, image.find(':') - 7), c.binary) << c.doc->Where();
    }
    if (c.binary.empty()) continue;
    const std::map<std::string, HelpOption>* opts = Options(c.binary);
    ASSERT_NE(opts, nullptr);
    ASSERT_TRUE(opts->count("--help")) << c.binary << ": --help output not understood";
    for (const std::string& p : CheckArgs(c.args, *opts)) ADD_FAILURE() << c.doc->Where() << ": " << c.binary << " " << p;
    // The commented-out examples must work when a user uncomments them.
    for (const std::string& a : CommentedArgs(c.doc->text)) {
      for (const std::string& p : CheckArgs({a}, *opts)) {
        ADD_FAILURE() << c.doc->Where() << ": commented example: " << c.binary << " " << p;
      }
    }
    checked.insert(c.binary);
  }
  EXPECT_EQ(checked, (std::set<std::string>{"romanad", "romana-agent", "romana-aws", "romana-vpcrouter", "romana-listener"}));
}

// The values of a container's environment variables in a test run, by the field they come from.
std::map<std::string, std::string> EnvForTest(const Container& c) {
  std::map<std::string, std::string> env;
  for (const YAML::Node& e : c.node["env"]) {
    std::string field = e["valueFrom"]["fieldRef"]["fieldPath"].as<std::string>("");
    std::string value = e["value"].as<std::string>("");
    if (field == "spec.nodeName") value = "node-1";
    if (field == "status.hostIP" || field == "status.podIP") value = "192.0.2.10";
    env[e["name"].as<std::string>()] = value;
  }
  return env;
}

// Expands $(VAR) as the kubelet does; an undefined variable is an error (the kubelet would pass
// "$(VAR)" on literally).
absl::StatusOr<std::string> Expand(const std::string& arg, const std::map<std::string, std::string>& env) {
  static const std::regex kVar(R"(\$\(([A-Za-z_][A-Za-z0-9_]*)\))");
  std::string out;
  auto begin = arg.cbegin();
  for (std::sregex_iterator it(arg.begin(), arg.end(), kVar), end; it != end; ++it) {
    auto v = env.find((*it)[1]);
    if (v == env.end()) return absl::InvalidArgumentError("$(" + (*it)[1].str() + ") is not in the container's env");
    out.append(begin, (*it)[0].first);
    out += v->second;
    begin = (*it)[0].second;
  }
  out.append(begin, arg.cend());
  return out;
}

// Runs `<binary> <args> --help`. CLI11 runs every option's validator (ranges, allowed values,
// existing files) before it handles --help, so exit 0 means the binary accepts these values.
// Options whose type is FILE or DIR get a path under `root` that exists.
void ExpectValuesAccepted(const Container& c, const std::vector<std::string>& args,
                          const std::map<std::string, HelpOption>& opts, const fs::path& root,
                          const std::string& what) {
  std::vector<std::string> argv = {(romana::testing::BinaryDir() / OurBinaries().at(c.binary)).string()};
  const std::map<std::string, std::string> env = EnvForTest(c);
  for (const std::string& a : args) {
    absl::StatusOr<std::string> x = Expand(a, env);
    if (!x.ok()) {
      ADD_FAILURE() << c.doc->Where() << ": " << what << " " << a << ": " << x.status().message();
      return;
    }
    size_t eq = x->find('=');
    auto o = opts.find(x->substr(0, eq));
    if (eq != std::string::npos && o != opts.end() && x->size() > eq + 1 && (*x)[eq + 1] == '/') {
      fs::path local = root / x->substr(eq + 2);
      if (o->second.type.find("FILE") != std::string::npos) {
        fs::create_directories(local.parent_path());
        std::ofstream(local) << "";
        *x = x->substr(0, eq + 1) + local.string();
      } else if (o->second.type.find("DIR") != std::string::npos) {
        fs::create_directories(local);
        *x = x->substr(0, eq + 1) + local.string();
      }
    }
    argv.push_back(*x);
  }
  argv.push_back("--help");
  absl::StatusOr<base::CommandResult> r = base::RunCommand(argv);
  ASSERT_TRUE(r.ok()) << r.status();
  std::string out = r->output;
  if (size_t cut = out.find("Options:"); r->exit_code == 0 && cut != std::string::npos) out.resize(cut);
  EXPECT_EQ(r->exit_code, 0) << c.doc->Where() << ": " << what << ": " << c.binary << " refuses its args:\n" << out;
}

// Uncommenting an example replaces the active arg of the same option, or adds it.
std::vector<std::string> WithExample(std::vector<std::string> args, const std::string& example) {
  std::string name = example.substr(0, example.find('='));
  auto same = [&](const std::string& a) { return a == name || a.rfind(name + "=", 0) == 0; };
  auto it = std::find_if(args.begin(), args.end(), same);
  if (it == args.end()) {
    args.push_back(example);
  } else {
    *it = example;
  }
  return args;
}

TEST_F(ManifestsTest, EveryValueIsAcceptedByTheBinary) {
  romana::testing::TempDir root;
  int runs = 0;
  for (const Container& c : Containers()) {
    if (c.binary.empty()) continue;
    const std::map<std::string, HelpOption>* opts = Options(c.binary);
    ASSERT_NE(opts, nullptr);
    ExpectValuesAccepted(c, c.args, *opts, root.path(), "args");
    ++runs;
    for (const std::string& example : CommentedArgs(c.doc->text)) {
      ExpectValuesAccepted(c, WithExample(c.args, example), *opts, root.path(), "uncommented " + example);
      ++runs;
    }
  }
  EXPECT_GE(runs, 20);
}

TEST_F(ManifestsTest, CommentedArgsBelongToExactlyOneOfOurContainers) {
  // A "# - --flag" line is attributed to the document's container; make that unambiguous.
  std::map<const Doc*, int> ours;
  for (const Container& c : Containers()) {
    if (!c.binary.empty()) ++ours[c.doc];
  }
  for (const Doc& d : *docs_) {
    if (CommentedArgs(d.text).empty()) continue;
    EXPECT_EQ(ours[&d], 1) << d.Where() << ": commented args, but " << ours[&d] << " of our containers";
  }
}

// IPs in args that lie in the service ranges the manifests use must be the clusterIP of a Service
// (and the port that Service's port): romanad's --etcd-endpoints, the agent's --romanad, ...
struct Endpoint {
  std::string ip;
  int port = 0;
};

std::vector<Endpoint> ServiceEndpointsIn(const std::vector<std::string>& args) {
  std::vector<Endpoint> out;
  static const std::regex kUrl(R"((\d+\.\d+\.\d+\.\d+):(\d+))");
  for (const std::string& a : args) {
    for (std::sregex_iterator it(a.begin(), a.end(), kUrl), end; it != end; ++it) {
      out.push_back({(*it)[1], std::stoi((*it)[2])});
    }
  }
  // romana-vpcrouter's etcd source: --etcd_addr=IP --etcd_port=PORT.
  std::optional<std::string> addr = ArgValue(args, "--etcd_addr"), port = ArgValue(args, "--etcd_port");
  if (addr && port) out.push_back({*addr, std::stoi(*port)});
  std::vector<Endpoint> in_range;
  for (const Endpoint& e : out) {
    if (e.ip.rfind("10.96.", 0) == 0 || e.ip.rfind("100.64.", 0) == 0) in_range.push_back(e);
  }
  return in_range;
}

TEST_F(ManifestsTest, ServiceAddressesInArgsNameAServiceAndItsPort) {
  // All-in-one files must be consistent on their own. The component files mix kubeadm values and
  // (for the AWS-only ones) kops values, so their addresses are checked against every Service here.
  auto services_of = [&](const std::vector<std::string>& files) {
    std::map<std::string, std::set<int>> s;
    for (const std::string& f : files) {
      for (const Doc* d : DocsIn(f)) {
        if (d->node["kind"].as<std::string>("") != "Service") continue;
        for (const YAML::Node& p : d->node["spec"]["ports"]) {
          s[d->node["spec"]["clusterIP"].as<std::string>("")].insert(p["port"].as<int>());
        }
      }
    }
    return s;
  };
  const auto component_services = services_of(*files_);
  int checked = 0;
  for (const Container& c : Containers()) {
    bool all_in_one = IsAllInOne(c.doc->file);
    const auto services = all_in_one ? services_of({c.doc->file}) : component_services;
    std::vector<std::string> args = c.args;
    for (const std::string& a : CommentedArgs(c.doc->text)) args.push_back(a);
    for (const Endpoint& e : ServiceEndpointsIn(args)) {
      ++checked;
      auto it = services.find(e.ip);
      if (it == services.end()) {
        ADD_FAILURE() << c.doc->Where() << ": " << e.ip << " is no Service's clusterIP here";
      } else {
        EXPECT_TRUE(it->second.count(e.port)) << c.doc->Where() << ": " << e.ip << ":" << e.port
                                              << " is not a port of that Service";
      }
    }
  }
  EXPECT_GE(checked, 8);
}

TEST_F(ManifestsTest, ProbesUseThePortsTheBinariesListenOn) {
  // binary -> the option that sets its HTTP port (value "host:port", ":port" or "port").
  const std::map<std::string, std::string> port_flag = {{"romanad", "--listen"},
                                                        {"romana-agent", "--metrics-listen"},
                                                        {"romana-aws", "--listen_port"},
                                                        {"romana-listener", "--metrics-listen"},
                                                        {"romana-vpcrouter", "--port"}};
  int probes = 0;
  for (const Container& c : Containers()) {
    if (c.binary.empty()) continue;
    const std::map<std::string, HelpOption>* opts = Options(c.binary);
    ASSERT_NE(opts, nullptr);
    const std::string& flag = port_flag.at(c.binary);
    std::optional<std::string> v = ArgValue(c.args, flag);
    if (!v) v = opts->count(flag) ? opts->at(flag).default_value : std::nullopt;
    ASSERT_TRUE(v) << c.doc->Where() << ": no " << flag << " and no default in --help";
    int port = std::stoi(v->substr(v->rfind(':') + 1));
    for (const char* probe : {"readinessProbe", "livenessProbe"}) {
      if (!c.node[probe]) continue;
      ++probes;
      EXPECT_EQ(c.node[probe]["httpGet"]["port"].as<int>(-1), port) << c.doc->Where() << " " << probe;
    }
  }
  EXPECT_GE(probes, 6);
}

TEST_F(ManifestsTest, PathArgsLieInMountedVolumesOrTheImage) {
  static const std::regex kPath(R"(^--?[\w-]+=(/[^,\s]*)$)");
  int checked = 0;
  for (const Container& c : Containers()) {
    if (c.binary.empty()) continue;
    std::vector<std::string> mounts;
    for (const YAML::Node& m : c.node["volumeMounts"]) mounts.push_back(m["mountPath"].as<std::string>());
    std::set<std::string> volumes;
    for (const YAML::Node& v : c.pod_spec["volumes"]) volumes.insert(v["name"].as<std::string>());
    for (const YAML::Node& m : c.node["volumeMounts"]) {
      EXPECT_TRUE(volumes.count(m["name"].as<std::string>())) << c.doc->Where() << ": mount of an undefined volume";
    }
    for (const std::string& a : c.args) {
      std::smatch m;
      if (!std::regex_match(a, m, kPath)) continue;
      ++checked;
      std::string path = m[1];
      bool ok = path.rfind("/usr/local/bin/", 0) == 0;  // the image's binaries
      for (const std::string& mp : mounts) ok = ok || path == mp || path.rfind(mp + "/", 0) == 0;
      EXPECT_TRUE(ok) << c.doc->Where() << ": " << a << " is neither in the image nor under a volumeMount";
    }
  }
  EXPECT_GE(checked, 4);
}

TEST_F(ManifestsTest, CustomNetworkMountsTheConfigMapItReads) {
  for (const Container& c : Containers()) {
    if (c.doc->file != "romana-daemon-custom-network.yaml" || c.binary != "romanad") continue;
    EXPECT_EQ(ArgValue(c.args, "--initial-network").value_or(""), "/etc/romana/network/custom-network.json");
    bool mounted = false;
    for (const YAML::Node& m : c.node["volumeMounts"]) {
      if (m["mountPath"].as<std::string>("") != "/etc/romana/network") continue;
      for (const YAML::Node& v : c.pod_spec["volumes"]) {
        mounted = mounted || (v["name"].as<std::string>() == m["name"].as<std::string>() &&
                              v["configMap"]["name"].as<std::string>("") == "romana-network-conf");
      }
    }
    EXPECT_TRUE(mounted) << "ConfigMap romana-network-conf is not mounted at /etc/romana/network";
    return;
  }
  FAIL() << "no romanad container in romana-daemon-custom-network.yaml";
}

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

TEST_F(ManifestsTest, ValuesToAlignCarryAComment) {
  // In the files installers edit (base/ and the overlays' patches), every value the component
  // document says to align is marked "# align" on its line or on one of the two lines above; a
  // control-plane nodeSelector also names the kubernetes.io/hostname fallback.
  static const std::regex kAligned(
      R"((clusterIP:|targetPort:|--etcd-endpoints=|--romanad=|--romanad_url=|--etcd_addr=|--etcd_port=|)"
      R"(--advertise-client-urls=|--listen-client-urls=|--initial-network=|node-role.kubernetes.io/control-plane: ""))");
  int marked = 0;
  for (const auto& e : fs::recursive_directory_iterator(ManifestDir())) {
    std::string rel = fs::relative(e.path(), ManifestDir()).string();
    if (!e.is_regular_file() || e.path().extension() != ".yaml" || e.path().filename() == "kustomization.yaml" ||
        FlatFiles().count(rel)) {
      continue;
    }
    std::vector<std::string> lines;
    std::istringstream in(romana::testing::ReadFile(e.path()));
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    for (size_t i = 0; i < lines.size(); ++i) {
      std::string code = lines[i];
      if (code.find_first_not_of(" ") != std::string::npos && code[code.find_first_not_of(" ")] == '#') {
        // A commented example arg still counts ("# - --etcd_addr=..."); other comments do not.
        if (!std::regex_search(code, std::regex(R"(^\s*#\s*-\s+--)"))) continue;
      }
      if (!std::regex_search(code, kAligned)) continue;
      bool ok = false;
      for (size_t j = i >= 2 ? i - 2 : 0; j <= i; ++j) ok = ok || lines[j].find("# align") != std::string::npos;
      EXPECT_TRUE(ok) << rel << ":" << i + 1 << ": no \"# align\" comment at `" << lines[i] << "`";
      ++marked;
      if (code.find("node-role.kubernetes.io/control-plane: \"\"") != std::string::npos) {
        bool fallback = false;
        for (size_t j = i >= 3 ? i - 3 : 0; j <= i; ++j) {
          fallback = fallback || lines[j].find("kubernetes.io/hostname") != std::string::npos;
        }
        EXPECT_TRUE(fallback) << rel << ":" << i + 1 << ": the kubernetes.io/hostname fallback is not documented here";
      }
    }
  }
  EXPECT_GE(marked, 20);
}

TEST_F(ManifestsTest, ServiceIpsLieInTheServiceRange) {
  int services = 0;
  for (const Doc& d : *docs_) {
    if (d.node["kind"].as<std::string>("") != "Service") continue;
    ++services;
    std::string ip = d.node["spec"]["clusterIP"].as<std::string>("");
    EXPECT_TRUE(Ipv4InCidr(ip, ServiceRangeOf(d.file)))
        << d.Where() << ": clusterIP " << ip << " is outside the service range " << ServiceRangeOf(d.file);
  }
  EXPECT_GE(services, 8);
}

TEST_F(ManifestsTest, DaemonReplicasHaveADisruptionBudgetAndSpreadOverNodes) {
  int daemons = 0;
  for (const Doc& d : *docs_) {
    if (d.node["kind"].as<std::string>("") != "Deployment" || d.node["metadata"]["name"].as<std::string>("") != "romana-daemon") {
      continue;
    }
    ++daemons;
    YAML::Node labels = d.node["spec"]["template"]["metadata"]["labels"];
    bool budget = false;
    for (const Doc* p : DocsIn(d.file)) {
      if (p->node["kind"].as<std::string>("") != "PodDisruptionBudget") continue;
      budget = budget || LabelsMatch(p->node["spec"]["selector"]["matchLabels"], labels);
      EXPECT_EQ(p->node["apiVersion"].as<std::string>(""), "policy/v1") << p->Where();
    }
    EXPECT_TRUE(budget) << d.Where() << ": no PodDisruptionBudget selects the daemon's pods";
    // romanad listens on the host's port 9600 (hostNetwork): two replicas on one node cannot run.
    bool spread = false;
    for (const YAML::Node& t :
         d.node["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]) {
      spread = spread || (t["topologyKey"].as<std::string>("") == "kubernetes.io/hostname" &&
                          LabelsMatch(t["labelSelector"]["matchLabels"], labels));
    }
    EXPECT_TRUE(spread) << d.Where() << ": no required pod anti-affinity per kubernetes.io/hostname";
  }
  EXPECT_GE(daemons, 5);
}

TEST_F(ManifestsTest, EveryContainerHasResourcesAndProbes) {
  int containers = 0;
  for (const Container& c : Containers()) {
    ++containers;
    std::string where = c.doc->Where() + " container " + c.node["name"].as<std::string>("?");
    YAML::Node r = c.node["resources"];
    EXPECT_TRUE(r["requests"]["cpu"] && r["requests"]["memory"]) << where << ": no cpu and memory requests";
    EXPECT_TRUE(r["limits"]["memory"]) << where << ": no memory limit";
    ASSERT_TRUE(c.node["livenessProbe"]) << where << ": no livenessProbe";
    if (c.binary.empty()) continue;
    EXPECT_EQ(c.node["livenessProbe"]["httpGet"]["path"].as<std::string>(""), "/healthz") << where;
    if (c.node["readinessProbe"]) {
      EXPECT_EQ(c.node["readinessProbe"]["httpGet"]["path"].as<std::string>(""), "/readyz") << where;
    }
    if (c.binary == "romanad" || c.binary == "romana-agent") {
      EXPECT_TRUE(c.node["readinessProbe"]) << where << ": no readinessProbe";
    }
  }
  EXPECT_GE(containers, 15);
}

// The checker itself: it must catch drift, not just pass.
TEST(ManifestChecksTest, ParsesCli11Help) {
  const std::string help =
      "romanad: Romana's central service.\n"
      "Usage: romanad [OPTIONS]\n\n"
      "Options:\n"
      "  -h,--help                   Print this help message and exit\n"
      "  --listen TEXT=:9600         Address:port (see --not-an-option)\n"
      "  --auth-reads                Also require the token for reads\n"
      "  --initial-network,--initial-topology-file TEXT:FILE\n"
      "                              Topology JSON (needs --tls-key-file)\n"
      "  -f,--file,--route_spec TEXT configfile mode\n";
  std::map<std::string, HelpOption> o = ParseCli11Help(help);
  std::set<std::string> names;
  for (const auto& [k, v] : o) names.insert(k);
  EXPECT_EQ(names, (std::set<std::string>{"-h", "--help", "--listen", "--auth-reads", "--initial-network",
                                          "--initial-topology-file", "-f", "--file", "--route_spec"}));
  EXPECT_TRUE(o["--listen"].takes_value);
  EXPECT_EQ(o["--listen"].default_value.value_or("none"), ":9600");
  EXPECT_FALSE(o["--auth-reads"].takes_value);
  EXPECT_TRUE(o["--initial-topology-file"].takes_value);
  EXPECT_FALSE(o["--initial-network"].default_value);
}

TEST(ManifestChecksTest, CheckArgsReportsEveryKindOfDrift) {
  std::map<std::string, HelpOption> o;
  o["--listen"] = {true, ":9600"};
  o["--auth-reads"] = {false, std::nullopt};
  EXPECT_TRUE(CheckArgs({"--listen=:1", "--listen", "x", "--auth-reads", "--auth-reads=true"}, o).empty());
  EXPECT_EQ(CheckArgs({"--lisen=:1"}, o).size(), 1u);            // unknown option
  EXPECT_EQ(CheckArgs({"--listen"}, o).size(), 1u);              // value missing
  EXPECT_EQ(CheckArgs({"--listen", "--auth-reads"}, o).size(), 1u);
  EXPECT_EQ(CheckArgs({"--auth-reads=yes"}, o).size(), 1u);      // a flag with a value
  EXPECT_EQ(CheckArgs({"stray"}, o).size(), 1u);                 // positional
}

TEST(ManifestChecksTest, SplitsDocumentsAndFindsCommentedArgs) {
  std::vector<std::string> docs = SplitYamlDocuments("# head\n---\na: 1\n# - --x=1\n--- \nb: 2\n  # - --y\n");
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0], "# head\n");
  EXPECT_EQ(CommentedArgs(docs[1]), std::vector<std::string>{"--x=1"});
  EXPECT_EQ(CommentedArgs(docs[2]), std::vector<std::string>{"--y"});
  EXPECT_TRUE(CommentedArgs("# - name: foo\n#   kubectl apply -f x\n").empty());
  EXPECT_EQ(ArgValue({"--a=1", "--b", "2", "--a=3"}, "--a").value_or(""), "3");
  EXPECT_EQ(ArgValue({"--a=1", "--b", "2"}, "--b").value_or(""), "2");
  EXPECT_FALSE(ArgValue({"--ab=1"}, "--a"));
}

TEST(ManifestChecksTest, Ipv4InCidr) {
  EXPECT_TRUE(Ipv4InCidr("10.96.0.99", "10.96.0.0/12"));
  EXPECT_TRUE(Ipv4InCidr("10.111.255.255", "10.96.0.0/12"));
  EXPECT_FALSE(Ipv4InCidr("10.112.0.0", "10.96.0.0/12"));
  EXPECT_FALSE(Ipv4InCidr("100.64.0.99", "10.96.0.0/12"));
  EXPECT_TRUE(Ipv4InCidr("1.2.3.4", "0.0.0.0/0"));
  EXPECT_FALSE(Ipv4InCidr("10.96.0.256", "10.96.0.0/12"));
  EXPECT_FALSE(Ipv4InCidr("10.96.0.1", "10.96.0.0"));
  EXPECT_FALSE(Ipv4InCidr("10.96.0.1", "10.96.0.0/33"));
}

TEST(ManifestChecksTest, CanonicalYamlIgnoresKeyOrderButNotValues) {
  EXPECT_EQ(CanonicalYaml(YAML::Load("{a: 1, b: [x, {c: 2, d: 3}]}")),
            CanonicalYaml(YAML::Load("b:\n- x\n- d: 3\n  c: 2\na: 1\n")));
  EXPECT_NE(CanonicalYaml(YAML::Load("{a: 1, b: [x, y]}")), CanonicalYaml(YAML::Load("{a: 1, b: [y, x]}")));
  EXPECT_NE(CanonicalYaml(YAML::Load("{a: 1}")), CanonicalYaml(YAML::Load("{a: 2}")));
}

TEST(ManifestChecksTest, ReadsPackageListsAndSubcommands) {
  EXPECT_EQ(DockerfileArgWords("FROM x\nARG P=\"\\\n  a b \\\n  c\"\nRUN x\n", "P"),
            (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(DockerfileArgWords("ARG Q=\"a\"\n", "P").empty());
  const std::string setup = "x=1\npackages=(\n  # toolchain\n  cc make\n  # libraries\n  libx-dev\n  # other\n  etcd\n)\n";
  EXPECT_EQ(SetupPackages(setup, {"toolchain", "libraries"}), (std::vector<std::string>{"cc", "make", "libx-dev"}));
  EXPECT_EQ(Cli11Subcommands("Usage: x\n\nOptions:\n  -h,--help  Help\n\nSubcommands:\n  host   Hosts\n  apply, add  Add, or apply\n\nExit codes"),
            (std::vector<std::string>{"host", "apply", "add"}));
  EXPECT_EQ(ShellWords("a 'b c' \"d\\\"e\" f\\ g"), (std::vector<std::string>{"a", "b c", "d\"e", "f g"}));
}

}  // namespace
}  // namespace romana::deploy
