#include "lab/lab.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "agent/route_calc.h"
#include "http/curl_client.h"
#include "lab/exec.h"
#include "lab/probe.h"
#include "lab/router.h"
#include "nlohmann/json.hpp"

namespace romana::lab {
namespace fs = std::filesystem;

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "dst via gw" lines, sorted, from `ip -j route show ...` output.
absl::StatusOr<std::string> CanonicalRoutes(const std::string& ip_json) {
  nlohmann::json j = nlohmann::json::parse(ip_json, nullptr, false);
  if (!j.is_array()) return absl::InternalError("unexpected `ip -j route` output: " + ip_json);
  std::vector<std::string> lines;
  for (const nlohmann::json& r : j) {
    std::string dst = r.value("dst", "");
    if (dst == "default") dst = "0.0.0.0/0";
    if (dst.find('/') == std::string::npos) dst += "/32";
    lines.push_back(r.value("type", "") == "unreachable" ? absl::StrCat("unreachable ", dst)
                                                        : absl::StrCat(dst, " via ", r.value("gateway", "-")));
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const std::string& l : lines) absl::StrAppend(&out, l, "\n");
  return out;
}

std::vector<std::string> ListNetnsWithPrefix(const std::string& prefix) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/var/run/netns", ec)) {
    std::string n = e.path().filename().string();
    if (n.starts_with(prefix)) out.push_back(n);
  }
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return out;
}

// Kills every process living in `netns` (a lab namespace), then deletes the namespace.
void KillAndDeleteNetns(const std::string& netns) {
  if (!fs::exists(fs::path("/var/run/netns") / netns)) return;
  for (int round = 0; round < 3; ++round) {
    absl::StatusOr<std::string> pids = Run({"ip", "netns", "pids", netns});
    if (!pids.ok() || pids->empty()) break;
    for (absl::string_view p : absl::StrSplit(*pids, '\n', absl::SkipEmpty())) {
      StopProcess(std::stoi(std::string(p)), std::chrono::milliseconds(round == 0 ? 2000 : 200));
    }
  }
  (void)Run({"ip", "netns", "delete", netns});
}

}  // namespace

void Lab::RemoveOwnNetns(const std::string& name) {
  KillAndDeleteNetns(name);
  std::erase(netns_, name);
}

absl::StatusOr<PodInfo> Lab::FindPod(const std::string& name) const {
  const bool qualified = name.find('/') != std::string::npos;
  std::vector<const PodInfo*> found;
  for (const PodInfo& p : pods_) {
    if ((qualified ? p.QualifiedName() : p.name) == name) found.push_back(&p);
  }
  if (found.size() > 1) {
    return absl::InvalidArgumentError(absl::StrCat("pod name ", name, " is in several namespaces: say <namespace>/", name));
  }
  if (found.empty()) return absl::NotFoundError(absl::StrCat("no pod ", name, " in lab ", id()));
  return *found[0];
}

// ---------------------------------------------------------------- agents

absl::Status Lab::StartAgentProcess(int n) {
  NodeInfo& node = nodes_.at(n);
  absl::StatusOr<std::string> agent = FindBinary("romana-agent", options_.agent_bin);
  if (!agent.ok()) return agent.status();
  absl::StatusOr<std::string> cni = FindBinary("romana-cni", options_.cni_bin);
  if (!cni.ok()) return cni.status();
  std::vector<std::string> argv = {*agent,
                                   "--romanad", AgentRomanadUrl(n),
                                   "--romanad-ca-file", PkiDir() + "/ca.crt",
                                   "--romanad-token-file", PkiDir() + "/token",
                                   "--node-name", node.name,
                                   "--cni-plugin", *cni,
                                   "--cni-bin-dir", NodeDir(n) + "/bin",
                                   "--cni-conf-dir", NodeDir(n) + "/net.d",
                                   "--cni-log-file", NodeDir(n) + "/cni.log",
                                   absl::StrCat("--cni-portmap=", options_.portmap ? "true" : "false"),
                                   "--nat-interface", "eth0",
                                   "--vip-interface", "eth0",
                                   "--metrics-listen", "127.0.0.1:9607",
                                   "--resync-interval", std::to_string(options_.agent_resync_seconds)};
  if (!options_.kubernetes) {  // in Kubernetes mode the listener makes the Node object a host
    argv.insert(argv.end(), {"--register-node", "--node-ip", node.ip, "--node-labels",
                             absl::StrCat("rack=", RackLabel(node.rack))});
  }
  absl::StatusOr<pid_t> pid = StartDaemon(InNs(node.netns, argv), NodeDir(n) + "/agent.log");
  if (!pid.ok()) return pid.status();
  node.agent_pid = *pid;
  return SaveState();
}

std::string Lab::AgentRomanadUrl(int n) const {
  return romanad_replicas() > 1 ? RomanadUrl((n - 1) % romanad_replicas()) : romanad_url_;
}

absl::StatusOr<bool> Lab::AgentReady(int n) const {
  auto it = nodes_.find(n);
  if (it == nodes_.end()) return absl::NotFoundError(absl::StrCat("no node ", n));
  if (!IsAlive(it->second.agent_pid)) {
    return absl::AbortedError(absl::StrCat("the agent of ", it->second.name, " is not running; see ", NodeDir(n), "/agent.log"));
  }
  bool ready = false;
  absl::Status s = InNetns(it->second.netns, [&]() -> absl::Status {
    // A client made inside the namespace, so its connection is made there.
    http::CurlClient c;
    absl::StatusOr<http::Response> r = c.Send({.url = "http://127.0.0.1:9607/readyz",
                                               .timeout = std::chrono::seconds(2),
                                               .connect_timeout = std::chrono::seconds(1)});
    ready = r.ok() && r->status == 200;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return ready;
}

absl::Status Lab::StartAgent(int n, bool wait_ready) {
  if (!nodes_.contains(n)) return absl::NotFoundError(absl::StrCat("no node ", n));
  if (IsAlive(nodes_.at(n).agent_pid)) return absl::FailedPreconditionError(absl::StrCat("agent of node ", n, " runs"));
  if (absl::Status s = StartAgentProcess(n); !s.ok()) return s;
  if (!wait_ready) return absl::OkStatus();
  return WaitFor(absl::StrCat("the agent of ", NodeName(n), " to be ready"), [&] { return AgentReady(n); });
}

absl::Status Lab::StopAgent(int n, bool sigkill) {
  auto it = nodes_.find(n);
  if (it == nodes_.end()) return absl::NotFoundError(absl::StrCat("no node ", n));
  if (sigkill && IsAlive(it->second.agent_pid)) kill(it->second.agent_pid, SIGKILL);
  StopProcess(it->second.agent_pid);
  it->second.agent_pid = 0;
  return SaveState();
}

// ---------------------------------------------------------------- pods (CNI)

absl::Status Lab::RunCni(const std::string& command, const PodInfo& pod, std::string* result_json) const {
  const std::string node_dir = NodeDir(pod.node);
  const std::string conf_text = ReadFile(node_dir + "/net.d/10-romana.conflist");
  nlohmann::json conflist = nlohmann::json::parse(conf_text, nullptr, false);
  if (!conflist.is_object() || !conflist.contains("plugins") || !conflist["plugins"].is_array()) {
    return absl::FailedPreconditionError(
        absl::StrCat("no valid conflist in ", node_dir, "/net.d (is the agent of ", NodeName(pod.node),
                     " ready? it writes the conflist once ready)"));
  }
  std::vector<nlohmann::json> plugins(conflist["plugins"].begin(), conflist["plugins"].end());
  if (command == "DEL") std::reverse(plugins.begin(), plugins.end());
  std::map<std::string, std::string> env = {
      {"CNI_COMMAND", command},
      {"CNI_CONTAINERID", pod.container_id},
      {"CNI_NETNS", "/var/run/netns/" + pod.netns},
      {"CNI_IFNAME", "eth0"},
      {"CNI_PATH", node_dir + "/bin:/usr/lib/cni"},
      {"CNI_ARGS", absl::StrCat("IgnoreUnknown=1;K8S_POD_NAMESPACE=", pod.k8s_namespace, ";K8S_POD_NAME=", pod.name)}};
  nlohmann::json prev = result_json->empty() ? nlohmann::json() : nlohmann::json::parse(*result_json, nullptr, false);
  for (nlohmann::json conf : plugins) {
    const std::string type = conf.value("type", "");
    std::string bin = node_dir + "/bin/" + type;
    if (access(bin.c_str(), X_OK) != 0) bin = "/usr/lib/cni/" + type;
    conf["cniVersion"] = conflist["cniVersion"];
    conf["name"] = conflist["name"];
    if (!prev.is_null() && !prev.is_discarded()) conf["prevResult"] = prev;
    absl::StatusOr<Captured> c = RunCapture(InNs(NodeNetns(id(), pod.node), {bin}), conf.dump(), env);
    if (!c.ok()) return c.status();
    if (c->exit_code != 0) {
      // The CNI error on stdout: {"code": N, "msg": ...}; 11 = try again later.
      nlohmann::json error = nlohmann::json::parse(c->out, nullptr, false);
      const int code = error.is_object() && error.contains("code") && error["code"].is_number_integer()
                           ? error["code"].get<int>() : 0;
      const std::string message = absl::StrCat("CNI ", command, " of ", pod.name, " by ", type, " failed (exit ",
                                               c->exit_code, ", CNI error ", code, "): ", c->out, c->err);
      return code == 11 ? absl::UnavailableError(message) : absl::InternalError(message);
    }
    if (command == "ADD") {
      prev = nlohmann::json::parse(c->out, nullptr, false);
      if (prev.is_discarded()) return absl::InternalError(absl::StrCat("CNI ADD by ", type, " printed no JSON: ", c->out));
    }
  }
  if (command == "ADD") *result_json = prev.dump();
  return absl::OkStatus();
}

absl::StatusOr<PodInfo> Lab::AddPod(int n, const std::string& name, const std::string& k8s_namespace) {
  if (!nodes_.contains(n)) return absl::NotFoundError(absl::StrCat("no node ", n));
  if (FindPod(k8s_namespace + "/" + name).ok()) {
    return absl::AlreadyExistsError(absl::StrCat("pod ", k8s_namespace, "/", name, " exists"));
  }
  // Pods of the default namespace keep the short names (pod-1-1); others carry their namespace.
  const std::string unique = k8s_namespace == "default" ? name : absl::StrCat(k8s_namespace, "-", name);
  PodInfo pod{name, n, absl::StrCat(NodeNetns(id(), n), "-", unique), "", absl::StrCat("lab-", id(), "-", unique),
              k8s_namespace};
  if (pod.netns.size() > 60) return absl::InvalidArgumentError("pod name too long");
  if (absl::Status s = MakeNetns(pod.netns); !s.ok()) return s;
  std::string result;
  if (absl::Status s = RunCni("ADD", pod, &result); !s.ok()) {
    RemoveOwnNetns(pod.netns);
    (void)SaveState();
    return s;
  }
  nlohmann::json r = nlohmann::json::parse(result);
  if (r.contains("ips") && !r["ips"].empty()) {
    std::string addr = r["ips"][0].value("address", "");
    pod.ip = addr.substr(0, addr.find('/'));
  }
  cni_results_[pod.QualifiedName()] = result;
  pods_.push_back(pod);
  if (absl::Status s = SaveState(); !s.ok()) return s;
  if (options_.kubernetes) {
    if (absl::Status s = PutPodObject(pod); !s.ok()) return s;
  }
  return pod;
}

absl::Status Lab::DeletePod(const std::string& name) {
  absl::StatusOr<PodInfo> pod = FindPod(name);
  if (!pod.ok()) return pod.status();
  const std::string key = pod->QualifiedName();
  StopProcess(pod->server_pid);
  std::string result = cni_results_[key];
  absl::Status s = RunCni("DEL", *pod, &result);
  RemoveOwnNetns(pod->netns);
  std::erase_if(pods_, [&](const PodInfo& p) { return p.QualifiedName() == key; });
  cni_results_.erase(key);
  if (absl::Status st = SaveState(); !st.ok()) return st;
  if (options_.kubernetes) {
    absl::StatusOr<std::unique_ptr<KubeObjects>> kube = Kube();
    if (!kube.ok()) return kube.status();
    absl::Status d = (*kube)->Delete("pods", pod->k8s_namespace, pod->name);
    if (!d.ok() && !absl::IsNotFound(d)) return d;
  }
  return s;
}

absl::Status Lab::StartServer(const std::string& pod_name, const std::vector<int>& ports) {
  absl::StatusOr<PodInfo> found = FindPod(pod_name);
  if (!found.ok()) return found.status();
  PodInfo* pod = nullptr;
  for (PodInfo& p : pods_) {
    if (p.QualifiedName() == found->QualifiedName()) pod = &p;
  }
  if (IsAlive(pod->server_pid)) return absl::OkStatus();
  absl::StatusOr<std::string> self = FindBinary("romana-lab", options_.lab_bin);
  if (!self.ok()) return self.status();
  std::vector<std::string> argv = {*self, "serve"};
  for (int port : ports) argv.insert(argv.end(), {"--port", std::to_string(port)});
  std::error_code ec;
  fs::create_directories(fs::path(dir()) / "servers", ec);
  const std::string log = (fs::path(dir()) / "servers" / absl::StrCat(pod->k8s_namespace, "-", pod->name, ".log")).string();
  absl::StatusOr<pid_t> pid = StartDaemon(InNs(pod->netns, argv), log);
  if (!pid.ok()) return pid.status();
  pod->server_pid = *pid;
  if (absl::Status s = SaveState(); !s.ok()) return s;
  // Ready when every TCP port accepts inside the pod (loopback: no policy applies to it).
  const pid_t server = *pid;
  const std::string netns = pod->netns;
  return WaitFor(absl::StrCat("the server in pod ", pod_name, " (log: ", log, ")"), [&]() -> absl::StatusOr<bool> {
    if (!IsAlive(server)) return absl::AbortedError(absl::StrCat("the server in pod ", pod_name, " exited; see ", log));
    for (int port : ports) {
      if (!TcpConnect(netns, "127.0.0.1", port, 200)) return false;
    }
    return true;
  });
}

// ---------------------------------------------------------------- nodes

absl::StatusOr<int> Lab::AddNode() {
  int n = nodes_.empty() ? 1 : nodes_.rbegin()->first + 1;
  if (absl::Status s = MakeNode(n); !s.ok()) return s;
  if (absl::Status s = WaitFor(absl::StrCat("the agent of ", NodeName(n), " to be ready"), [&] { return AgentReady(n); }); !s.ok()) {
    return s;
  }
  if (shape().racks > 1) {
    if (absl::Status s = SyncRouter(); !s.ok()) return s;
  }
  return n;
}

absl::Status Lab::RemoveNode(int n) {
  if (!nodes_.contains(n)) return absl::NotFoundError(absl::StrCat("no node ", n));
  std::vector<std::string> names;
  for (const PodInfo& p : pods_) {
    if (p.node == n) names.push_back(p.name);
  }
  for (const std::string& p : names) {
    if (absl::Status s = DeletePod(p); !s.ok()) return s;
  }
  if (absl::Status s = StopAgent(n); !s.ok()) return s;
  const std::string name = nodes_.at(n).name;
  absl::Status s;
  if (options_.kubernetes) {  // the listener removes the host
    absl::StatusOr<std::unique_ptr<KubeObjects>> kube = Kube();
    s = kube.ok() ? (*kube)->Delete("nodes", "", name) : kube.status();
  } else {
    s = WithRomanad([&](api::Client& c) { return c.RemoveHost(name); });
  }
  if (!s.ok() && !absl::IsNotFound(s)) return s;
  RemoveOwnNetns(nodes_.at(n).netns);
  nodes_.erase(n);
  if (absl::Status st = SaveState(); !st.ok()) return st;
  if (shape().racks > 1) return SyncRouter();
  return absl::OkStatus();
}

// ---------------------------------------------------------------- routes

absl::StatusOr<std::string> Lab::RouteTable(int n) const {
  auto it = nodes_.find(n);
  if (it == nodes_.end()) return absl::NotFoundError(absl::StrCat("no node ", n));
  absl::StatusOr<Captured> table = RunCapture(InNs(it->second.netns, {"ip", "-j", "route", "show", "table", "10", "proto", "82"}));
  if (!table.ok()) return table.status();
  // A table without routes does not exist for the kernel: that is an empty table, not an error.
  if (table->exit_code != 0 && table->err.find("does not exist") != std::string::npos) table->out = "[]";
  if (table->exit_code != 0 && table->out.empty()) return absl::InternalError("ip route show table 10: " + table->err);
  absl::StatusOr<std::string> unreachable = Exec(
      it->second.netns, {"ip", "-j", "route", "show", "table", "main", "proto", "82", "type", "unreachable"});
  if (!unreachable.ok()) return unreachable.status();
  nlohmann::json all = nlohmann::json::parse(table->out.empty() ? "[]" : table->out, nullptr, false);
  nlohmann::json more = nlohmann::json::parse(unreachable->empty() ? "[]" : *unreachable, nullptr, false);
  if (!all.is_array() || !more.is_array()) return absl::InternalError("unexpected `ip -j route` output");
  for (nlohmann::json& r : more) all.push_back(std::move(r));
  return CanonicalRoutes(all.dump());
}

absl::StatusOr<std::string> Lab::RuleList(int n) const {
  auto it = nodes_.find(n);
  if (it == nodes_.end()) return absl::NotFoundError(absl::StrCat("no node ", n));
  return Exec(it->second.netns, {"ip", "rule", "show"});
}

absl::StatusOr<std::string> Lab::RouterRoutes() const {
  if (shape().racks <= 1) return std::string();
  absl::StatusOr<std::string> out = Exec(RouterNetns(id()), {"ip", "-j", "route", "show", "proto", "82"});
  if (!out.ok()) return out.status();
  return CanonicalRoutes(out->empty() ? "[]" : *out);
}

absl::StatusOr<std::string> Lab::ExpectedRoutes(int n) const {
  auto it = nodes_.find(n);
  if (it == nodes_.end()) return absl::NotFoundError(absl::StrCat("no node ", n));
  agent::ClusterSnapshot snap;
  absl::Status s = WithRomanad([&](api::Client& c) -> absl::Status {
    absl::StatusOr<api::List<api::Host>> hosts = c.ListHosts();
    if (!hosts.ok()) return hosts.status();
    absl::StatusOr<api::List<api::Block>> blocks = c.ListBlocks();
    if (!blocks.ok()) return blocks.status();
    absl::StatusOr<api::List<api::Group>> groups = c.ListGroups();
    if (!groups.ok()) return groups.status();
    for (const api::Host& h : hosts->items) snap.hosts.push_back({h.name, h.ip});
    for (const api::Block& b : blocks->items) snap.blocks.push_back({b.cidr, b.host});
    api::GroupHosts members = api::HostsByGroup(hosts->items);
    for (const api::Group& g : groups->items) snap.groups.push_back({g.cidr, g.leaf, members[{g.network, g.path}]});
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  agent::RouteCalcResult r = agent::ComputeRoutes(snap, {it->second.name, {RackSubnet(it->second.rack)}});
  std::vector<std::string> lines;
  for (const auto& [key, route] : r.routes) lines.push_back(agent::ToString(route));
  std::sort(lines.begin(), lines.end());  // as CanonicalRoutes orders them
  std::string out;
  for (const std::string& l : lines) absl::StrAppend(&out, l, "\n");
  return out;
}

absl::Status Lab::WaitConverged() {
  return WaitFor("every node's romana table to match romanad's blocks", [&]() -> absl::StatusOr<bool> {
    for (const auto& [n, node] : nodes_) {
      absl::StatusOr<bool> ready = AgentReady(n);
      if (!ready.ok()) return ready.status();
      if (!*ready) return false;
      absl::StatusOr<std::string> want = ExpectedRoutes(n);
      if (!want.ok()) return want.status();
      absl::StatusOr<std::string> have = RouteTable(n);
      if (!have.ok()) return have.status();
      if (*want != *have) return false;
    }
    return true;
  });
}

absl::Status Lab::SyncRouter() {
  if (shape().racks <= 1) return absl::OkStatus();
  std::vector<RouterGroup> groups;
  if (absl::Status s = WithRomanad([&](api::Client& c) -> absl::Status {
        absl::StatusOr<std::vector<RouterGroup>> g = FetchRouterGroups(c);
        if (!g.ok()) return g.status();
        groups = *std::move(g);
        return absl::OkStatus();
      });
      !s.ok()) {
    return s;
  }
  // Here "live" is "its agent runs" (the lab knows its processes); the keeper pings.
  std::set<std::string> failed;
  for (const auto& [n, node] : nodes_) {
    if (!IsAlive(node.agent_pid)) failed.insert(node.ip);
  }
  const std::string rt = RouterNetns(id());
  absl::StatusOr<RouterTable> have = ReadRouterRoutes(rt);
  if (!have.ok()) return have.status();
  return ApplyRouterRoutes(rt, PlanRouterRoutes(groups, failed, *have), *have);
}

absl::Status Lab::StartRouterKeeper() {
  absl::StatusOr<std::string> self = FindBinary("romana-lab", options_.lab_bin);
  if (!self.ok()) return self.status();
  const std::string rt = RouterNetns(id());
  absl::StatusOr<pid_t> pid = StartDaemon(
      InNs(rt, {*self, "keep-router", "--romanad", romanad_url_, "--romanad-ca-file", PkiDir() + "/ca.crt",
                "--romanad-token-file", PkiDir() + "/token", "--router-netns", rt, "--interval-ms", "1000"}),
      dir() + "/router.log");
  if (!pid.ok()) return pid.status();
  router_pid_ = *pid;
  return SaveState();
}

// ---------------------------------------------------------------- teardown

Lab::~Lab() {
  if (!detached_) (void)Down();
}

absl::Status Lab::Down() {
  if (down_) return absl::OkStatus();
  down_ = true;
  StopProcess(router_pid_);
  for (pid_t pid : listener_pids_) StopProcess(pid);
  StopProcess(kube_apiserver_pid_);
  for (auto& [n, node] : nodes_) StopProcess(node.agent_pid);
  for (pid_t pid : romanad_pids_) StopProcess(pid);
  for (pid_t pid : etcd_pids_) StopProcess(pid);
  std::vector<std::string> all = netns_;
  for (const std::string& n : ListNetnsWithPrefix(Prefix(id()))) {
    if (std::find(all.begin(), all.end(), n) == all.end()) all.push_back(n);
  }
  for (auto it = all.rbegin(); it != all.rend(); ++it) KillAndDeleteNetns(*it);
  netns_.clear();
  std::error_code ec;
  fs::remove_all(dir(), ec);
  return absl::OkStatus();
}

std::vector<std::string> Lab::ListIds(const std::string& state_root) {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(state_root, ec)) {
    if (fs::exists(e.path() / "state.json")) ids.push_back(e.path().filename().string());
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

absl::StatusOr<std::unique_ptr<Lab>> Lab::Attach(const std::string& state_root, const std::string& id,
                                                 LabOptions options) {
  std::string lab_id = id;
  if (lab_id.empty()) {
    std::vector<std::string> ids = ListIds(state_root);
    if (ids.size() != 1) {
      return absl::FailedPreconditionError(absl::StrCat(ids.empty() ? "no lab is up" : "several labs are up", " under ",
                                                        state_root, ": say which with --id"));
    }
    lab_id = ids[0];
  }
  if (absl::Status s = ValidateShape({.id = lab_id}); !s.ok()) return s;
  const fs::path file = fs::path(state_root) / lab_id / "state.json";
  if (!fs::exists(file)) return absl::NotFoundError(absl::StrCat("no lab ", lab_id, " under ", state_root));
  nlohmann::json state = nlohmann::json::parse(ReadFile(file.string()), nullptr, false);
  if (!state.is_object()) return absl::DataLossError(absl::StrCat(file.string(), " is not a JSON object"));
  options.state_root = state_root;
  options.shape.id = lab_id;
  options.shape.nodes = state.value("nodes_requested", 0);
  options.shape.racks = state.value("racks", 1);
  std::unique_ptr<Lab> lab(new Lab(std::move(options)));
  lab->detached_ = true;
  lab->netns_ = state.value("netns", std::vector<std::string>{});
  lab->options_.etcd = state.value("etcd", false);
  lab->romanad_pids_ = state.value("romanad_pids", std::vector<pid_t>{});
  lab->etcd_pids_ = state.value("etcd_pids", std::vector<pid_t>{});
  if (lab->romanad_pids_.empty()) lab->romanad_pids_.assign(1, 0);
  if (lab->etcd_pids_.empty() && lab->options_.etcd) lab->etcd_pids_.assign(1, 0);
  lab->options_.etcd_members = std::max<int>(1, lab->etcd_pids_.size());
  lab->options_.romanad_replicas = static_cast<int>(lab->romanad_pids_.size());
  lab->router_pid_ = state.value("router_pid", 0);
  lab->options_.kubernetes = state.value("kubernetes", false);
  lab->kube_apiserver_pid_ = state.value("kube_apiserver_pid", 0);
  lab->listener_pids_ = state.value("listener_pids", std::vector<pid_t>{});
  lab->options_.listener_replicas = std::max<int>(1, lab->listener_pids_.size());
  lab->romanad_url_ = state.value("romanad", "");
  for (const nlohmann::json& n : state.value("nodes", nlohmann::json::array())) {
    NodeInfo node{n.value("n", 0), n.value("name", ""), n.value("netns", ""), n.value("ip", ""), n.value("rack", 0),
                  n.value("agent_pid", 0)};
    lab->nodes_[node.n] = node;
  }
  for (const nlohmann::json& p : state.value("pods", nlohmann::json::array())) {
    PodInfo pod{p.value("name", ""), p.value("node", 0), p.value("netns", ""), p.value("ip", ""),
                p.value("container_id", ""), p.value("namespace", "default"), p.value("server_pid", 0)};
    lab->cni_results_[pod.QualifiedName()] = p.value("cni_result", "");
    lab->pods_.push_back(pod);
  }
  return lab;
}

absl::Status Lab::DownById(const std::string& state_root, const std::string& id) {
  if (absl::Status s = ValidateShape({.id = id}); !s.ok()) return s;
  const fs::path dir = fs::path(state_root) / id;
  nlohmann::json state = nlohmann::json::parse(ReadFile((dir / "state.json").string()), nullptr, false);
  std::vector<std::string> netns;
  if (state.is_object()) {
    for (const nlohmann::json& n : state.value("nodes", nlohmann::json::array())) StopProcess(n.value("agent_pid", 0));
    StopProcess(state.value("router_pid", 0));
    for (pid_t pid : state.value("listener_pids", std::vector<pid_t>{})) StopProcess(pid);
    StopProcess(state.value("kube_apiserver_pid", 0));
    for (pid_t pid : state.value("romanad_pids", std::vector<pid_t>{})) StopProcess(pid);
    for (pid_t pid : state.value("etcd_pids", std::vector<pid_t>{})) StopProcess(pid);
    for (const nlohmann::json& n : state.value("netns", nlohmann::json::array())) {
      std::string name = n.get<std::string>();
      if (name.starts_with(Prefix(id))) netns.push_back(name);  // never anything not ours
    }
  }
  for (const std::string& n : ListNetnsWithPrefix(Prefix(id))) {
    if (std::find(netns.begin(), netns.end(), n) == netns.end()) netns.push_back(n);
  }
  for (auto it = netns.rbegin(); it != netns.rend(); ++it) KillAndDeleteNetns(*it);
  std::error_code ec;
  fs::remove_all(dir, ec);
  return absl::OkStatus();
}

absl::Status Lab::DownAll(const std::string& state_root) {
  for (const std::string& id : ListIds(state_root)) {
    if (absl::Status s = DownById(state_root, id); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace romana::lab
