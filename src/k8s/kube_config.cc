#include "k8s/kube_config.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace romana::k8s {
namespace {

std::string Get(const std::map<std::string, std::string>& env, const std::string& k) {
  auto it = env.find(k);
  return it == env.end() ? "" : it->second;
}

YAML::Node Named(const YAML::Node& list, const std::string& name, const char* inner) {
  if (!list || !list.IsSequence()) return YAML::Node();
  for (const YAML::Node& item : list) {
    if (item.IsMap() && item["name"] && item["name"].IsScalar() && item["name"].Scalar() == name) return item[inner];
  }
  return YAML::Node();
}

// yaml-cpp throws when a node that is not a map is indexed with a key: check first.
std::string Str(const YAML::Node& n, const char* key) {
  return n && n.IsMap() && n[key] && n[key].IsScalar() ? n[key].Scalar() : "";
}

// Decodes the base64 `<name>-data` field of `node` into `*out` (left alone when absent).
absl::Status DecodeData(const YAML::Node& node, const std::string& name, std::string* out) {
  const std::string b64 = Str(node, (name + "-data").c_str());
  if (b64.empty()) return absl::OkStatus();
  if (!absl::Base64Unescape(b64, out)) {
    return absl::InvalidArgumentError(absl::StrCat("kubeconfig: ", name, "-data is not base64"));
  }
  return absl::OkStatus();
}

std::string Resolve(const std::string& file, const std::string& kubeconfig_path) {
  if (file.empty() || file[0] == '/') return file;
  return (std::filesystem::path(kubeconfig_path).parent_path() / file).string();
}

}  // namespace

absl::StatusOr<KubeConfig> LoadInClusterConfig(const std::map<std::string, std::string>& env,
                                               const std::string& sa_dir) {
  const std::string host = Get(env, "KUBERNETES_SERVICE_HOST");
  const std::string port = Get(env, "KUBERNETES_SERVICE_PORT");
  if (host.empty() || port.empty()) {
    return absl::NotFoundError("not in a cluster: KUBERNETES_SERVICE_HOST/PORT are not set");
  }
  KubeConfig c;
  const bool v6 = host.find(':') != std::string::npos;
  c.server = absl::StrCat("https://", v6 ? "[" + host + "]" : host, ":", port);
  c.token_file = sa_dir + "/token";
  if (!std::filesystem::exists(c.token_file)) {
    return absl::NotFoundError(absl::StrCat("not in a cluster: ", c.token_file, " is missing"));
  }
  if (std::filesystem::exists(sa_dir + "/ca.crt")) c.ca_file = sa_dir + "/ca.crt";
  return c;
}

absl::StatusOr<KubeConfig> LoadKubeconfig(const std::string& path, const std::string& context) {
  if (!std::filesystem::exists(path)) return absl::NotFoundError(absl::StrCat("kubeconfig ", path, " not found"));
  std::error_code size_error;
  const uintmax_t size = std::filesystem::file_size(path, size_error);
  if (!size_error && size > kMaxKubeconfigBytes) {
    return absl::InvalidArgumentError(absl::StrCat("kubeconfig ", path, " is ", size, " bytes, over the limit of ",
                                                   kMaxKubeconfigBytes, " bytes"));
  }
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("kubeconfig ", path, ": ", e.what()));
  }
  if (!root.IsMap()) return absl::InvalidArgumentError(absl::StrCat("kubeconfig ", path, ": not a YAML mapping"));
  std::string ctx_name = context.empty() ? Str(root, "current-context") : context;
  if (ctx_name.empty()) return absl::InvalidArgumentError(absl::StrCat("kubeconfig ", path, ": no current-context"));
  YAML::Node ctx = Named(root["contexts"], ctx_name, "context");
  if (!ctx || ctx.IsNull()) return absl::InvalidArgumentError(absl::StrCat("kubeconfig ", path, ": context '", ctx_name, "' not found"));
  YAML::Node cluster = Named(root["clusters"], Str(ctx, "cluster"), "cluster");
  if (!cluster || cluster.IsNull()) {
    return absl::InvalidArgumentError(absl::StrCat("kubeconfig ", path, ": cluster '", Str(ctx, "cluster"), "' not found"));
  }
  YAML::Node user = Named(root["users"], Str(ctx, "user"), "user");
  KubeConfig c;
  c.server = Str(cluster, "server");
  if (c.server.empty()) return absl::InvalidArgumentError(absl::StrCat("kubeconfig ", path, ": cluster has no server"));
  c.insecure_skip_verify = Str(cluster, "insecure-skip-tls-verify") == "true";
  c.tls_server_name = Str(cluster, "tls-server-name");
  c.ca_file = Resolve(Str(cluster, "certificate-authority"), path);
  if (absl::Status s = DecodeData(cluster, "certificate-authority", &c.ca_data); !s.ok()) return s;
  if (!c.ca_data.empty()) c.ca_file.clear();  // kubectl: the data wins over the file
  if (user && !user.IsNull()) {
    c.token = Str(user, "token");
    c.token_file = Resolve(Str(user, "tokenFile"), path);
    c.client_cert_file = Resolve(Str(user, "client-certificate"), path);
    c.client_key_file = Resolve(Str(user, "client-key"), path);
    if (absl::Status s = DecodeData(user, "client-certificate", &c.client_cert_data); !s.ok()) return s;
    if (absl::Status s = DecodeData(user, "client-key", &c.client_key_data); !s.ok()) return s;
    if (!c.client_cert_data.empty()) c.client_cert_file.clear();
    if (!c.client_key_data.empty()) c.client_key_file.clear();
  }
  return c;
}

absl::StatusOr<KubeConfig> ResolveKubeConfig(const std::string& server, const std::string& token_file,
                                             const std::string& kubeconfig, const std::string& context,
                                             const std::map<std::string, std::string>& env) {
  if (!server.empty()) {
    KubeConfig kc;
    kc.server = server;
    kc.token_file = token_file;
    return kc;
  }
  std::string path = kubeconfig;
  if (auto it = env.find("KUBECONFIG"); path.empty() && it != env.end()) path = it->second;
  return path.empty() ? LoadInClusterConfig(env) : LoadKubeconfig(path, context);
}

std::string KubeconfigText(const KubeconfigEntry& entry) {
  nlohmann::json cluster = {{"server", entry.server}};
  if (!entry.ca_file.empty()) cluster["certificate-authority"] = entry.ca_file;
  nlohmann::json user = nlohmann::json::object();
  if (!entry.token.empty()) user["token"] = entry.token;
  const nlohmann::json config = {
      {"apiVersion", "v1"},
      {"kind", "Config"},
      {"clusters", {{{"name", entry.name}, {"cluster", cluster}}}},
      {"users", {{{"name", entry.name}, {"user", user}}}},
      {"contexts", {{{"name", entry.name}, {"context", {{"cluster", entry.name}, {"user", entry.name}}}}}},
      {"current-context", entry.name}};
  return config.dump(2) + "\n";
}

}  // namespace romana::k8s
