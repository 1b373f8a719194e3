// deploy/kubernetes: values an installer must align carry a comment, service IPs lie in the
// service range, replicas spread with a disruption budget, containers have resources and probes,
// and everything is secure by default.
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

// Secure by default (docs/security.md): romanad requires a token (a mounted Secret) and serves
// HTTPS; it reaches etcd over TLS with a client certificate; every client of romanad verifies it
// and sends the token from a mounted Secret; etcd listens with TLS, on the addresses it must.
TEST_F(ManifestsTest, SecureByDefault) {
  // The volume mounted at the directory holding `path`, or a null node.
  auto volume_of = [](const Container& c, const std::string& path) {
    for (const YAML::Node& m : c.node["volumeMounts"]) {
      const std::string mp = m["mountPath"].as<std::string>();
      if (path.rfind(mp + "/", 0) != 0) continue;
      for (const YAML::Node& v : c.pod_spec["volumes"]) {
        if (v["name"].as<std::string>() == m["name"].as<std::string>()) return YAML::Node(v);
      }
    }
    return YAML::Node();
  };
  auto from_secret = [&](const Container& c, const std::optional<std::string>& path) {
    return path.has_value() && volume_of(c, *path)["secret"].IsDefined();
  };
  auto https = [](const std::optional<std::string>& url) { return url.has_value() && url->rfind("https://", 0) == 0; };
  int romanads = 0, agents = 0, etcds = 0, vpcrouters = 0;
  for (const Container& c : Containers()) {
    const std::string where = c.doc->Where();
    if (c.binary == "romanad") {
      ++romanads;
      EXPECT_TRUE(from_secret(c, ArgValue(c.args, "--token-file"))) << where << ": no --token-file from a Secret";
      EXPECT_TRUE(from_secret(c, ArgValue(c.args, "--tls-cert-file"))) << where << ": no --tls-cert-file from a Secret";
      EXPECT_TRUE(from_secret(c, ArgValue(c.args, "--tls-key-file"))) << where << ": no --tls-key-file from a Secret";
      EXPECT_TRUE(https(ArgValue(c.args, "--advertise-url"))) << where;
      EXPECT_TRUE(ArgValue(c.args, "--leader-ca-file")) << where;
      const std::string endpoints = ArgValue(c.args, "--etcd-endpoints").value_or("");
      ASSERT_FALSE(endpoints.empty()) << where;
      for (absl::string_view e : absl::StrSplit(endpoints, ',')) EXPECT_TRUE(absl::StartsWith(e, "https://")) << where << ": " << e;
      for (const char* flag : {"--etcd-cert-file", "--etcd-key-file"}) {
        EXPECT_TRUE(from_secret(c, ArgValue(c.args, flag))) << where << ": no " << flag << " from a Secret";
      }
      EXPECT_TRUE(ArgValue(c.args, "--etcd-ca-file")) << where;
      for (const char* probe : {"readinessProbe", "livenessProbe"}) {
        EXPECT_EQ(c.node[probe]["httpGet"]["scheme"].as<std::string>(""), "HTTPS") << where << " " << probe;
      }
    } else if (c.binary == "romana-agent") {
      ++agents;
      EXPECT_TRUE(https(ArgValue(c.args, "--romanad"))) << where;
      EXPECT_TRUE(from_secret(c, ArgValue(c.args, "--romanad-token-file"))) << where << ": no token from a Secret";
      EXPECT_TRUE(ArgValue(c.args, "--romanad-ca-file")) << where;
      // The conflist must name the token by its path on the host, where the plugin runs.
      const YAML::Node conf_dir = volume_of(c, ArgValue(c.args, "--cni-conf-dir").value_or("") + "/x");
      EXPECT_EQ(ArgValue(c.args, "--cni-host-conf-dir").value_or(""), conf_dir["hostPath"]["path"].as<std::string>("?"))
          << where << ": --cni-host-conf-dir is not the hostPath mounted at --cni-conf-dir";
    } else if (c.binary == "romana-listener") {
      EXPECT_TRUE(https(ArgValue(c.args, "--romanad"))) << where;
      EXPECT_TRUE(from_secret(c, ArgValue(c.args, "--romanad-token-file"))) << where << ": no token from a Secret";
      EXPECT_TRUE(ArgValue(c.args, "--romanad-ca-file")) << where;
    } else if (c.binary == "romana-vpcrouter") {
      ++vpcrouters;
      EXPECT_TRUE(https(ArgValue(c.args, "--romanad_url"))) << where;
      EXPECT_TRUE(ArgValue(c.args, "--romanad_ca_file")) << where;
    } else if (c.node["command"][0].as<std::string>("") == "etcd") {
      ++etcds;
      for (const char* flag : {"--listen-client-urls", "--advertise-client-urls", "--listen-peer-urls",
                               "--initial-advertise-peer-urls"}) {
        const std::string urls = ArgValue(c.args, flag).value_or("");
        ASSERT_FALSE(urls.empty()) << where << ": no " << flag;
        for (absl::string_view u : absl::StrSplit(urls, ',')) {
          EXPECT_TRUE(absl::StartsWith(u, "https://")) << where << ": " << flag << " " << u;
          EXPECT_FALSE(absl::StrContains(u, "0.0.0.0")) << where << ": " << flag << " " << u << " listens everywhere";
        }
      }
      EXPECT_NE(std::find(c.args.begin(), c.args.end(), "--client-cert-auth"), c.args.end()) << where;
      EXPECT_NE(std::find(c.args.begin(), c.args.end(), "--peer-client-cert-auth"), c.args.end()) << where;
      for (const char* flag : {"--trusted-ca-file", "--cert-file", "--key-file", "--peer-cert-file", "--peer-key-file"}) {
        EXPECT_TRUE(from_secret(c, ArgValue(c.args, flag))) << where << ": no " << flag << " from a Secret";
      }
    }
  }
  // Secrets are made by the operator (scripts/gen-certs), never shipped in the manifests.
  for (const Doc& d : *docs_) EXPECT_NE(d.node["kind"].as<std::string>(""), "Secret") << d.Where();
  // base + 3 overlays + custom network; base + 2 patched overlays + kubeadm; 2 standalone etcds.
  EXPECT_GE(romanads, 5);
  EXPECT_GE(agents, 4);
  EXPECT_GE(vpcrouters, 3);
  EXPECT_GE(etcds, 3);
}

}  // namespace
}  // namespace romana::deploy
