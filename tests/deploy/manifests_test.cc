// Checks the Kubernetes manifests under deploy/kubernetes: every YAML document parses and is a
// well-formed object, Services, workloads and RBAC line up, and every flag a container passes to one
// of our binaries (also the commented-out examples) is accepted by that binary's `--help`, so the
// manifests cannot drift from the code.
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
#include "manifest_checks.h"

namespace romana::deploy {
namespace {

namespace fs = std::filesystem;

// Our binaries as built in the build tree; a container whose command runs one is checked.
const std::map<std::string, std::string>& OurBinaries() {
  static const auto* m = new std::map<std::string, std::string>{
      {"romanad", "apps/romanad/romanad"},
      {"romana-agent", "apps/romana-agent/romana-agent"},
      {"romana-cni", "apps/romana-cni/romana-cni"},
      {"romanactl", "apps/romanactl/romanactl"},
      {"romana-aws", "apps/romana-aws/romana-aws"},
      {"romana-vpcrouter", "apps/romana-vpcrouter/romana-vpcrouter"},
      {"romana-lab", "apps/romana-lab/romana-lab"},
  };
  return *m;
}

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

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ManifestsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    docs_ = new std::vector<Doc>();
    files_ = new std::vector<std::string>();
    for (const auto& e : fs::recursive_directory_iterator(ManifestDir())) {
      std::string ext = e.path().extension().string();
      if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml")) {
        files_->push_back(fs::relative(e.path(), ManifestDir()).string());
      }
    }
    std::sort(files_->begin(), files_->end());
    for (const std::string& f : *files_) {
      std::string text = ReadFile(ManifestDir() / f);
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
    fs::path path = romana::testing::BinaryDir() / OurBinaries().at(binary);
    if (!fs::exists(path)) {
      ADD_FAILURE() << path << " is not built (tests/deploy/CMakeLists.txt makes the test depend on it)";
      return nullptr;
    }
    absl::StatusOr<base::CommandResult> r = base::RunCommand({path.string(), "--help"});
    if (!r.ok() || r->exit_code != 0) {
      ADD_FAILURE() << path << " --help failed: " << (r.ok() ? r->output : r.status().ToString());
      return nullptr;
    }
    (*cache)[binary] = ParseCli11Help(r->output);
    return &(*cache)[binary];
  }

  static inline std::vector<Doc>* docs_ = nullptr;
  static inline std::vector<std::string>* files_ = nullptr;
  static inline std::vector<std::string> load_errors_;
};

TEST_F(ManifestsTest, EveryFileParses) {
  EXPECT_TRUE(load_errors_.empty()) << ::testing::PrintToString(load_errors_);
  // The component document's files, and the two all-in-one files.
  for (const char* f : {"romana-etcd-service.yaml", "romana-etcd-standalone.yaml", "romana-daemon.yaml",
                        "romana-daemon-custom-network.yaml", "romana-agent.yaml", "romana-aws.yaml",
                        "romana-vpcrouter.yaml", "romana-kubeadm.yml", "romana-kops.yml"}) {
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
  const std::set<std::string> external = {"romana-etcd-service.yaml", "romana-kops.yml"};
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
  EXPECT_EQ(checked, (std::set<std::string>{"romanad", "romana-agent", "romana-aws", "romana-vpcrouter"}));
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
    bool all_in_one = c.doc->file == "romana-kubeadm.yml" || c.doc->file == "romana-kops.yml";
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

std::vector<std::string> KindsAndNames(const std::vector<const Doc*>& docs) {
  std::vector<std::string> out;
  for (const Doc* d : docs) {
    out.push_back(d->node["kind"].as<std::string>() + "/" + d->node["metadata"]["name"].as<std::string>());
  }
  return out;
}

TEST_F(ManifestsTest, AllInOneFilesHoldWhatEachPlatformNeeds) {
  EXPECT_EQ(KindsAndNames(DocsIn("romana-kubeadm.yml")),
            (std::vector<std::string>{"Service/romana-etcd", "Deployment/romana-etcd", "Service/romana",
                                      "Deployment/romana-daemon", "ClusterRole/romana-agent",
                                      "ServiceAccount/romana-agent", "ClusterRoleBinding/romana-agent",
                                      "DaemonSet/romana-agent"}));
  EXPECT_EQ(KindsAndNames(DocsIn("romana-kops.yml")),
            (std::vector<std::string>{"Service/romana-etcd", "Service/romana", "Deployment/romana-daemon",
                                      "ClusterRole/romana-agent", "ServiceAccount/romana-agent",
                                      "ClusterRoleBinding/romana-agent", "DaemonSet/romana-agent",
                                      "ClusterRole/romana-aws", "ServiceAccount/romana-aws",
                                      "ClusterRoleBinding/romana-aws", "Deployment/romana-aws",
                                      "Deployment/romana-vpcrouter"}));
  // kops runs the daemon with the AWS topology; kubeadm leaves the cloud args commented. The AWS
  // topology places hosts by zone labels, so there the agent must not register its node unlabelled
  // (romanad refuses such a host and the agent would exit).
  for (const Container& c : Containers()) {
    if (c.binary == "romana-agent") {
      bool registers = std::count(c.args.begin(), c.args.end(), "--register-node") > 0;
      EXPECT_EQ(registers, c.doc->file != "romana-kops.yml") << c.doc->Where();
      if (registers) {
        EXPECT_EQ(ArgValue(c.args, "--node-ip").value_or(""), "$(NODEIP)") << c.doc->Where();
      }
    }
    if (c.binary != "romanad") continue;
    if (c.doc->file == "romana-kops.yml") {
      EXPECT_EQ(ArgValue(c.args, "--cloud").value_or(""), "aws");
      EXPECT_EQ(ArgValue(c.args, "--network-cidr-overrides").value_or(""), "romana-network=100.96.0.0/11");
    } else {
      EXPECT_FALSE(ArgValue(c.args, "--cloud")) << c.doc->Where();
    }
  }
}

TEST_F(ManifestsTest, AllInOneFilesAreGeneratedFromTheComponentFiles) {
  absl::StatusOr<base::CommandResult> r =
      base::RunCommand({"bash", (ManifestDir() / "generate-all-in-one.sh").string(), "--check"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 0) << r->output;
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

}  // namespace
}  // namespace romana::deploy
