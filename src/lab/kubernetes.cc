#include "lab/kubernetes.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <cerrno>
#include <cstring>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "base/token_file.h"
#include "http/curl_client.h"
#include "k8s/kube_config.h"
#include "kube_apiserver/kube_api_server.h"
#include "lab/exec.h"
#include "spdlog/spdlog.h"

namespace romana::lab {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

absl::Status WritePrivate(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << text;
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", tmp));
  }
  ::chmod(tmp.c_str(), 0600);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

// ---------------------------------------------------------------- relay
// Copies bytes both ways between an accepted connection and the API server until both sides
// have closed, or `stop`. Half-closes are passed on (a watch's client may stop sending).
void Pump(int a, int b, const std::atomic<bool>& stop) {
  bool open[2] = {true, true};  // a->b, b->a
  const int fds[2] = {a, b};
  char buf[16384];
  while (!stop && (open[0] || open[1])) {
    pollfd p[2] = {{a, static_cast<short>(open[0] ? POLLIN : 0), 0}, {b, static_cast<short>(open[1] ? POLLIN : 0), 0}};
    if (::poll(p, 2, 200) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (!open[i] || (p[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const ssize_t n = ::read(fds[i], buf, sizeof(buf));
      bool ok = n > 0;
      for (ssize_t off = 0; ok && off < n;) {
        const ssize_t w = ::send(fds[1 - i], buf + off, n - off, MSG_NOSIGNAL);
        if (w <= 0) {
          ok = false;
        } else {
          off += w;
        }
      }
      if (!ok) {
        open[i] = false;
        ::shutdown(fds[1 - i], SHUT_WR);
        if (n < 0) open[1 - i] = false;  // reset: nothing more will come either way
      }
    }
  }
  ::close(a);
  ::close(b);
}

int ConnectLoopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// A listening socket on 127.0.0.1:port inside `netns`.
absl::StatusOr<int> ListenInNetns(const std::string& netns, int port) {
  int fd = -1;
  absl::Status s = InNetns(netns, [&]() -> absl::Status {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return absl::InternalError("socket: " + std::string(strerror(errno)));
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(port));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0 || ::listen(fd, 64) != 0) {
      const std::string err = strerror(errno);
      ::close(fd);
      fd = -1;
      return absl::UnavailableError(absl::StrCat("cannot listen on 127.0.0.1:", port, " in ", netns, ": ", err));
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return fd;
}

}  // namespace

std::string KubeDir(const std::string& lab_dir) { return (fs::path(lab_dir) / "kubernetes").string(); }
std::string KubeconfigPath(const std::string& lab_dir) { return (fs::path(lab_dir) / "kubeconfig").string(); }

absl::Status MakeKubeCredentials(const std::string& lab_dir) {
  const std::string dir = KubeDir(lab_dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", dir, ": ", ec.message()));
  ::chmod(dir.c_str(), 0700);
  if (!fs::exists(dir + "/server.crt")) {
    absl::StatusOr<Captured> r = RunCapture(
        {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days",
         "365", "-subj", "/CN=romana-lab-kube-apiserver", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout",
         dir + "/server.key", "-out", dir + "/server.crt"});
    if (!r.ok()) return r.status();
    if (r->exit_code != 0) return absl::InternalError(absl::StrCat("openssl req failed: ", r->err));
    ::chmod((dir + "/server.key").c_str(), 0600);
  }
  if (!fs::exists(dir + "/token")) {
    std::ifstream urandom("/dev/urandom", std::ios::binary);
    unsigned char bytes[24];
    if (!urandom.read(reinterpret_cast<char*>(bytes), sizeof(bytes))) return absl::InternalError("/dev/urandom");
    const std::string token = absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
    if (absl::Status s = WritePrivate(dir + "/token", token + "\n"); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status ServeKubeApi(const KubeApiServeOptions& options, const std::atomic<bool>& stop) {
  const std::string dir = KubeDir(options.lab_dir);
  absl::StatusOr<std::string> token = base::ReadTokenFile(dir + "/token");
  if (!token.ok()) return token.status();
  absl::StatusOr<std::unique_ptr<kube_apiserver::KubeApiServer>> server = kube_apiserver::KubeApiServer::Start(
      {.host = "127.0.0.1", .tls_cert_file = dir + "/server.crt", .tls_key_file = dir + "/server.key",
       .bearer_token = *token});
  if (!server.ok()) return server.status();
  const int port = (*server)->port();
  int relay_fd = -1;
  if (!options.relay_netns.empty()) {
    absl::StatusOr<int> fd = ListenInNetns(options.relay_netns, port);
    if (!fd.ok()) return fd.status();
    relay_fd = *fd;
  }
  const std::string url = (*server)->url();
  if (absl::Status s = WritePrivate(dir + "/url", url + "\n"); !s.ok()) return s;
  spdlog::info("Kubernetes API (lab stand-in) on {}{}", url,
               relay_fd >= 0 ? absl::StrCat(", relayed from 127.0.0.1:", port, " in ", options.relay_netns) : "");
  std::vector<std::thread> pumps;
  while (!stop) {
    if (relay_fd < 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    pollfd p{relay_fd, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    const int client = ::accept4(relay_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    const int upstream = ConnectLoopback(port);
    if (upstream < 0) {
      spdlog::warn("relay: cannot connect to 127.0.0.1:{}: {}", port, strerror(errno));
      ::close(client);
      continue;
    }
    pumps.emplace_back([client, upstream, &stop] { Pump(client, upstream, stop); });
  }
  for (std::thread& t : pumps) t.join();
  if (relay_fd >= 0) ::close(relay_fd);
  return absl::OkStatus();
}

absl::Status WriteKubeconfig(const std::string& lab_dir, const std::string& server_url) {
  const std::string dir = KubeDir(lab_dir);
  absl::StatusOr<std::string> token = base::ReadTokenFile(dir + "/token");
  if (!token.ok()) return token.status();
  return WritePrivate(KubeconfigPath(lab_dir),
                      k8s::KubeconfigText(
                          {.name = "romana-lab", .server = server_url, .ca_file = dir + "/server.crt", .token = *token}));
}

json NodeObject(const std::string& name, const std::string& ip, const std::map<std::string, std::string>& labels) {
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata", {{"name", name}, {"labels", labels}}},
          {"status",
           {{"addresses", {{{"type", "InternalIP"}, {"address", ip}}, {{"type", "Hostname"}, {"address", name}}}},
            {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}};
}

json PodObject(const std::string& ns, const std::string& name, const std::string& node, const std::string& ip,
               const std::map<std::string, std::string>& labels, const json& ports) {
  json container_ports = json::array();
  for (const json& p : ports) {
    container_ports.push_back(
        {{"name", p.value("name", "")}, {"containerPort", p.value("port", 0)}, {"protocol", p.value("protocol", "TCP")}});
  }
  const json container = {{"name", "main"}, {"image", "romana-lab"}, {"ports", container_ports}};
  // The pod's network namespace is up: its one container reads as running and ready, so
  // `kubectl get pods` shows READY 1/1 as for a running pod of a cluster.
  const json container_status = {{"name", "main"},     {"image", "romana-lab"}, {"ready", true},
                                 {"started", true},   {"restartCount", 0},
                                 {"state", {{"running", json::object()}}}};
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"labels", labels}}},
          {"spec", {{"nodeName", node}, {"containers", json::array({container})}}},
          {"status",
           {{"phase", "Running"},
            {"podIP", ip},
            {"podIPs", json::array({{{"ip", ip}}})},
            {"conditions", json::array({{{"type", "Ready"}, {"status", "True"}}})},
            {"containerStatuses", json::array({container_status})}}}};
}

json NamespaceObject(const std::string& name, const std::map<std::string, std::string>& labels) {
  return {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}, {"labels", labels}}}};
}

// ---------------------------------------------------------------- KubeObjects

KubeObjects::KubeObjects(std::string url, std::string token, std::unique_ptr<http::CurlClient> http)
    : url_(std::move(url)), token_(std::move(token)), http_(std::move(http)) {}
KubeObjects::~KubeObjects() = default;

absl::StatusOr<std::unique_ptr<KubeObjects>> KubeObjects::ForLab(const std::string& lab_dir) {
  const std::string dir = KubeDir(lab_dir);
  std::string url = ReadAll(dir + "/url");
  while (!url.empty() && url.back() == '\n') url.pop_back();
  absl::StatusOr<std::string> token = base::ReadTokenFile(dir + "/token");
  if (url.empty() || !token.ok()) {
    return absl::FailedPreconditionError(absl::StrCat("the lab in ", lab_dir, " has no Kubernetes API (", dir, "/url)"));
  }
  http::CurlClientOptions o;
  o.tls.ca_file = dir + "/server.crt";
  return std::unique_ptr<KubeObjects>(
      new KubeObjects(std::move(url), *std::move(token), std::make_unique<http::CurlClient>(std::move(o))));
}

std::string KubeObjects::Path(const std::string& resource, const std::string& ns, const std::string& name) const {
  const std::string group = resource == "networkpolicies" ? "/apis/networking.k8s.io/v1" : "/api/v1";
  std::string path = ns.empty() ? absl::StrCat(group, "/", resource) : absl::StrCat(group, "/namespaces/", ns, "/", resource);
  if (!name.empty()) absl::StrAppend(&path, "/", name);
  return path;
}

absl::StatusOr<json> KubeObjects::Call(const std::string& method, const std::string& path, const json* body) {
  http::Request req;
  req.method = method;
  req.url = url_ + path;
  req.headers = {{"Authorization", "Bearer " + token_}, {"Accept", "application/json"}};
  if (body != nullptr) {
    req.headers.push_back({"Content-Type", "application/json"});
    req.body = body->dump();
  }
  absl::StatusOr<http::Response> r = http_->Send(req);
  if (!r.ok()) return r.status();
  json answer = json::parse(r->body, nullptr, false);
  if (r->status >= 200 && r->status < 300) return answer;
  const std::string what = absl::StrCat(method, " ", path, ": ", r->status, " ",
                                        answer.is_object() ? answer.value("message", r->body) : r->body);
  if (r->status == 404) return absl::NotFoundError(what);
  if (r->status == 409) return absl::AbortedError(what);
  return absl::InternalError(what);
}

absl::Status KubeObjects::Apply(const std::string& resource, const json& object) {
  const json& meta = object.at("metadata");
  const std::string ns = meta.value("namespace", ""), name = meta.value("name", "");
  for (int attempt = 0; attempt < 5; ++attempt) {
    absl::StatusOr<json> current = Call("GET", Path(resource, ns, name), nullptr);
    absl::StatusOr<json> r;
    if (absl::IsNotFound(current.status())) {
      r = Call("POST", Path(resource, ns, ""), &object);
    } else if (!current.ok()) {
      return current.status();
    } else {
      json replacement = object;
      replacement["metadata"]["resourceVersion"] = (*current)["metadata"].value("resourceVersion", "");
      r = Call("PUT", Path(resource, ns, name), &replacement);
    }
    if (!absl::IsAborted(r.status())) return r.status();  // 409: changed (or created) meanwhile: again
  }
  return absl::AbortedError(absl::StrCat(resource, " ", name, ": kept changing under us"));
}

absl::Status KubeObjects::Delete(const std::string& resource, const std::string& ns, const std::string& name) {
  return Call("DELETE", Path(resource, ns, name), nullptr).status();
}

absl::StatusOr<json> KubeObjects::Get(const std::string& resource, const std::string& ns, const std::string& name) {
  return Call("GET", Path(resource, ns, name), nullptr);
}

}  // namespace romana::lab
