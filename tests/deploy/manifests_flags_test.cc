// deploy/kubernetes: every flag and value a container passes to one of our binaries (also the
// commented-out examples) is accepted by its --help; addresses, probes, paths and volumes match.
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
      // A path on the host, not in the container (SecureByDefault checks it is the hostPath).
      if (a.rfind("--cni-host-conf-dir=", 0) == 0) continue;
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

}  // namespace
}  // namespace romana::deploy
