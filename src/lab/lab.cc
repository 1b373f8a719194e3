#include "lab/lab.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/token_file.h"
#include "lab/exec.h"
#include "nlohmann/json.hpp"

namespace romana::lab {
namespace fs = std::filesystem;

namespace {

std::string RandomId() {
  std::random_device rd;
  std::mt19937 gen(rd() ^ static_cast<unsigned>(getpid()));
  const char* chars = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string id;
  for (int i = 0; i < 5; ++i) id += chars[gen() % 36];
  return id;
}

}  // namespace

absl::StatusOr<std::string> FindBinary(const std::string& name, const std::string& explicit_path,
                                       const std::string& build_dir_hint) {
  if (!explicit_path.empty()) {
    if (access(explicit_path.c_str(), X_OK) == 0) return fs::absolute(explicit_path).string();
    return absl::NotFoundError(absl::StrCat(name, ": ", explicit_path, " is not an executable"));
  }
  std::vector<fs::path> tried;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec).parent_path();
  std::vector<fs::path> candidates = {self / name, self.parent_path() / name / name,
                                      self.parent_path().parent_path() / "apps" / name / name};
  if (!build_dir_hint.empty()) candidates.push_back(fs::path(build_dir_hint) / "apps" / name / name);
  for (const fs::path& c : candidates) {
    tried.push_back(c);
    if (access(c.c_str(), X_OK) == 0) return fs::absolute(c).lexically_normal().string();
  }
  std::string list;
  for (const fs::path& t : tried) absl::StrAppend(&list, " ", t.string());
  return absl::NotFoundError(absl::StrCat("cannot find the ", name, " binary (tried", list, ")"));
}

std::string Lab::dir() const { return (fs::path(options_.state_root) / id()).string(); }
std::string Lab::PkiDir() const { return (fs::path(dir()) / "pki").string(); }
std::string Lab::NodeDir(int n) const { return (fs::path(dir()) / NodeName(n)).string(); }

void Lab::Progress(const std::string& line) const {
  if (options_.progress) options_.progress(line);
}

absl::StatusOr<std::string> Lab::Exec(const std::string& netns, const std::vector<std::string>& argv) const {
  return Run(InNs(netns, argv));
}

absl::Status Lab::WaitFor(const std::string& what, const std::function<absl::StatusOr<bool>()>& cond) const {
  auto deadline = std::chrono::steady_clock::now() + options_.timeout;
  absl::Status last;
  std::chrono::milliseconds delay(20);
  while (true) {
    absl::StatusOr<bool> ok = cond();
    if (ok.ok() && *ok) return absl::OkStatus();
    if (!ok.ok()) last = ok.status();
    if (absl::IsAborted(last)) return last;  // a process we wait for has exited: no point waiting
    if (std::chrono::steady_clock::now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat("timed out after ", options_.timeout.count(), " s waiting for ",
                                                      what, last.ok() ? "" : absl::StrCat(" (last error: ", last.ToString(), ")")));
    }
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(250));
  }
}

absl::Status Lab::SaveState() const {
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& [n, node] : nodes_) {
    nodes.push_back({{"n", n}, {"name", node.name}, {"netns", node.netns}, {"ip", node.ip}, {"rack", node.rack},
                     {"agent_pid", node.agent_pid}});
  }
  nlohmann::json pods = nlohmann::json::array();
  for (const PodInfo& p : pods_) {
    auto cni = cni_results_.find(p.QualifiedName());
    pods.push_back({{"name", p.name}, {"node", p.node}, {"netns", p.netns}, {"ip", p.ip}, {"namespace", p.k8s_namespace},
                    {"container_id", p.container_id}, {"server_pid", p.server_pid},
                    {"cni_result", cni == cni_results_.end() ? "" : cni->second}});
  }
  nlohmann::json state = {{"id", id()},
                          {"nodes_requested", shape().nodes},
                          {"racks", shape().racks},
                          {"netns", netns_},
                          {"etcd", options_.etcd},
                          {"romanad_pids", romanad_pids_},
                          {"etcd_pids", etcd_pids_},
                          {"router_pid", router_pid_},
                          {"kubernetes", options_.kubernetes},
                          {"kube_apiserver_pid", kube_apiserver_pid_},
                          {"listener_pids", listener_pids_},
                          {"romanad", romanad_url_},
                          {"nodes", nodes},
                          {"pods", pods}};
  const std::string path = (fs::path(dir()) / "state.json").string();
  std::ofstream out(path + ".tmp");
  out << state.dump(2) << "\n";
  out.close();
  if (!out || std::rename((path + ".tmp").c_str(), path.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("cannot write ", path));
  }
  return absl::OkStatus();
}

absl::Status Lab::MakeNetns(const std::string& name) {
  if (fs::exists(fs::path("/var/run/netns") / name)) {
    return absl::AlreadyExistsError(absl::StrCat("network namespace ", name, " exists (another lab with id ", id(),
                                                 "? run `romana-lab down --id ", id(), "`)"));
  }
  absl::StatusOr<std::string> r = Run({"ip", "netns", "add", name});
  if (!r.ok()) return r.status();
  netns_.push_back(name);
  if (absl::StatusOr<std::string> s = Exec(name, {"ip", "link", "set", "lo", "up"}); !s.ok()) return s.status();
  // Loose/no reverse-path filtering: routed lab traffic is asymmetric through the router.
  (void)Exec(name, {"sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0"});
  return SaveState();
}

absl::Status Lab::PlugIntoSwitch(int rack, const std::string& netns, const std::string& port,
                                 const std::string& ifname, const std::string& cidr) {
  const std::string sw = SwitchNetns(id(), rack);
  for (const std::vector<std::string>& cmd :
       std::vector<std::vector<std::string>>{
           {"ip", "link", "add", port, "type", "veth", "peer", "name", ifname, "netns", netns},
           {"ip", "link", "set", port, "master", "br0", "up"}}) {
    if (absl::StatusOr<std::string> r = Exec(sw, cmd); !r.ok()) return r.status();
  }
  for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
           {"ip", "addr", "add", cidr, "dev", ifname}, {"ip", "link", "set", ifname, "up"}}) {
    if (absl::StatusOr<std::string> r = Exec(netns, cmd); !r.ok()) return r.status();
  }
  return absl::OkStatus();
}

std::string Lab::RomanadUrl(int replica) const { return absl::StrCat("https://", MasterIp(), ":", 9600 + replica); }

absl::Status Lab::WithRomanad(const std::function<absl::Status(api::Client&)>& fn) const {
  absl::StatusOr<std::string> token = base::ReadTokenFile(PkiDir() + "/token");
  if (!token.ok()) return token.status();
  const int replicas = std::max(1, romanad_replicas());
  absl::Status last = absl::UnavailableError("no romanad replica runs");
  for (int i = 0; i < replicas; ++i) {
    if (replicas > 1 && !IsAlive(romanad_pids_[i])) continue;
    last = InNetns(MasterNetns(id()), [&]() -> absl::Status {
      api::ClientOptions co;
      co.server = replicas > 1 ? RomanadUrl(i) : romanad_url_;
      co.ca_file = PkiDir() + "/ca.crt";
      co.timeout = std::chrono::seconds(5);
      co.token = *token;
      absl::StatusOr<std::unique_ptr<api::Client>> c = api::Client::Create(co);
      if (!c.ok()) return c.status();
      return fn(**c);
    });
    if (!absl::IsUnavailable(last)) return last;
  }
  return last;
}

absl::StatusOr<int> Lab::RomanadLeader() const {
  for (int i = 0; i < romanad_replicas(); ++i) {
    if (!IsAlive(romanad_pids_[i])) continue;
    if (RomanadLeads(i).value_or(false)) return i;
  }
  return absl::UnavailableError("no running romanad replica leads");
}

absl::StatusOr<bool> Lab::RomanadLeads(int replica) const {
  if (replica < 0 || replica >= romanad_replicas()) return absl::NotFoundError(absl::StrCat("no romanad replica ", replica));
  bool leads = false;
  absl::Status s = InNetns(MasterNetns(id()), [&]() -> absl::Status {
    absl::StatusOr<std::unique_ptr<api::Client>> c = api::Client::Create(
        {.server = RomanadUrl(replica), .ca_file = PkiDir() + "/ca.crt", .timeout = std::chrono::seconds(2)});
    if (!c.ok()) return c.status();
    absl::StatusOr<api::RawResponse> r = (*c)->Do("GET", "/readyz");
    if (!r.ok()) return r.status();
    nlohmann::json body = nlohmann::json::parse(r->body, nullptr, false);
    leads = r->status == 200 && body.is_object() && body.value("leader", false);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return leads;
}

absl::Status Lab::MakeCerts() {
  std::string script = options_.gen_certs;
  if (script.empty()) {
    absl::StatusOr<std::string> self = FindBinary("romana-lab", options_.lab_bin);
    if (!self.ok()) return self.status();
    script = (fs::path(*self).parent_path() / "gen-certs").string();
  }
  absl::StatusOr<Captured> r =
      RunCapture({script, "--dir", PkiDir(), "--romanad-san", "IP:" + MasterIp(), "--quiet"});
  if (!r.ok()) return absl::NotFoundError(absl::StrCat("cannot run ", script, ": ", r.status().message()));
  if (r->exit_code != 0) return absl::InternalError(absl::StrCat(script, " failed: ", r->out, r->err));
  return absl::OkStatus();
}

namespace {

// Member i's files in the lab's directory: the first keeps the names of a one-member lab.
std::string EtcdFile(const std::string& dir, const std::string& base, int member, const std::string& ext = "") {
  return (fs::path(dir) / (member == 0 ? base + ext : absl::StrCat(base, "-", member, ext))).string();
}
std::string EtcdClientUrl(int member) { return absl::StrCat("https://127.0.0.1:", 2379 + 2 * member); }
std::string EtcdPeerUrl(int member) { return absl::StrCat("https://127.0.0.1:", 2380 + 2 * member); }

}  // namespace

absl::Status Lab::StartEtcd() {
  etcd_pids_.assign(options_.etcd_members, 0);
  // Every member first: a cluster answers only once a majority runs.
  for (int i = 0; i < options_.etcd_members; ++i) {
    if (absl::Status s = LaunchEtcdMember(i); !s.ok()) return s;
  }
  for (int i = 0; i < options_.etcd_members; ++i) {
    if (absl::Status s = WaitEtcdMember(i); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Lab::LaunchEtcdMember(int member) {
  // TLS for clients and peers, on loopback only; clients need a certificate of the etcd CA.
  const std::string pki = PkiDir() + "/etcd/";
  std::string cluster;
  for (int i = 0; i < options_.etcd_members; ++i) {
    absl::StrAppend(&cluster, i == 0 ? "" : ",", "lab", i, "=", EtcdPeerUrl(i));
  }
  absl::StatusOr<pid_t> pid = StartDaemon(
      InNs(MasterNetns(id()),
           {"etcd", "--name", absl::StrCat("lab", member), "--data-dir", EtcdFile(dir(), "etcd", member),
            "--logger=zap",
            "--listen-client-urls", EtcdClientUrl(member), "--advertise-client-urls", EtcdClientUrl(member),
            "--listen-peer-urls", EtcdPeerUrl(member), "--initial-advertise-peer-urls", EtcdPeerUrl(member),
            "--initial-cluster", cluster, "--initial-cluster-token", "lab-" + id(),
            "--client-cert-auth", "--trusted-ca-file", pki + "ca.crt", "--cert-file", pki + "server.crt",
            "--key-file", pki + "server.key",
            "--peer-client-cert-auth", "--peer-trusted-ca-file", pki + "ca.crt", "--peer-cert-file", pki + "peer.crt",
            "--peer-key-file", pki + "peer.key"}),
      EtcdFile(dir(), "etcd", member, ".log"));
  if (!pid.ok()) return pid.status();
  etcd_pids_.at(member) = *pid;
  return SaveState();
}

absl::Status Lab::WaitEtcdMember(int member) const {
  const std::string pki = PkiDir() + "/etcd/";
  const std::string log = EtcdFile(dir(), "etcd", member, ".log");
  return WaitFor(absl::StrCat("etcd member ", member, " to answer"), [&]() -> absl::StatusOr<bool> {
    if (!IsAlive(etcd_pids_.at(member))) return absl::AbortedError("etcd exited; see " + log);
    absl::StatusOr<std::string> r =
        Exec(MasterNetns(id()), {"etcdctl", "--endpoints", EtcdClientUrl(member), "--cacert", pki + "ca.crt",
                                 "--cert", pki + "romanad-client.crt", "--key", pki + "romanad-client.key",
                                 "endpoint", "health"});
    return r.ok();
  });
}

absl::Status Lab::StopEtcdMember(int member, bool sigkill) {
  if (member < 0 || member >= etcd_members()) return absl::NotFoundError(absl::StrCat("no etcd member ", member));
  if (sigkill && IsAlive(etcd_pids_[member])) kill(etcd_pids_[member], SIGKILL);
  StopProcess(etcd_pids_[member]);
  etcd_pids_[member] = 0;
  return SaveState();
}

absl::Status Lab::StartEtcdMember(int member) {
  if (member < 0 || member >= etcd_members()) return absl::NotFoundError(absl::StrCat("no etcd member ", member));
  if (IsAlive(etcd_pids_[member])) return absl::FailedPreconditionError(absl::StrCat("etcd member ", member, " runs"));
  if (absl::Status s = LaunchEtcdMember(member); !s.ok()) return s;
  return WaitEtcdMember(member);
}

absl::Status Lab::StartRomanadReplica(int replica) {
  if (replica < 0 || replica >= romanad_replicas()) return absl::NotFoundError(absl::StrCat("no romanad replica ", replica));
  if (IsAlive(romanad_pids_[replica])) {
    return absl::FailedPreconditionError(absl::StrCat("romanad replica ", replica, " runs"));
  }
  absl::StatusOr<std::string> bin = FindBinary("romanad", options_.romanad_bin);
  if (!bin.ok()) return bin.status();
  const std::string pki = PkiDir() + "/";
  std::vector<std::string> argv = {*bin, "--listen", absl::StrCat(MasterIp(), ":", 9600 + replica),
                                   "--initial-network", (fs::path(dir()) / "topology.json").string(),
                                   "--watch-bookmark-interval-ms", "1000",
                                   "--tls-cert-file", pki + "romanad.crt", "--tls-key-file", pki + "romanad.key",
                                   "--token-file", pki + "token"};
  if (options_.etcd) {
    std::string endpoints;
    for (int i = 0; i < etcd_members(); ++i) absl::StrAppend(&endpoints, i == 0 ? "" : ",", EtcdClientUrl(i));
    argv.insert(argv.end(), {"--etcd-endpoints", endpoints, "--etcd-ca-file", pki + "etcd/ca.crt",
                             "--etcd-cert-file", pki + "etcd/romanad-client.crt", "--etcd-key-file",
                             pki + "etcd/romanad-client.key", "--advertise-url", RomanadUrl(replica),
                             "--leader-ca-file", pki + "ca.crt"});
    if (romanad_replicas() > 1) {
      argv.insert(argv.end(), {"--lease-ttl", std::to_string(options_.romanad_lease_ttl.count())});
    }
  } else {
    argv.insert(argv.end(), {"--store", (fs::path(dir()) / "romanad.db").string()});
  }
  const std::string log =
      (fs::path(dir()) / (replica == 0 ? std::string("romanad.log") : absl::StrCat("romanad-", replica, ".log"))).string();
  absl::StatusOr<pid_t> pid = StartDaemon(InNs(MasterNetns(id()), argv), log);
  if (!pid.ok()) return pid.status();
  romanad_pids_[replica] = *pid;
  if (absl::Status s = SaveState(); !s.ok()) return s;
  const pid_t started = *pid;
  const std::string url = RomanadUrl(replica);
  return WaitFor(absl::StrCat("romanad replica ", replica, " to be ready"), [&]() -> absl::StatusOr<bool> {
    if (!IsAlive(started)) return absl::AbortedError("romanad exited; see " + log);
    absl::Status ready = InNetns(MasterNetns(id()), [&]() -> absl::Status {
      absl::StatusOr<std::unique_ptr<api::Client>> c =
          api::Client::Create({.server = url, .ca_file = PkiDir() + "/ca.crt", .timeout = std::chrono::seconds(2)});
      if (!c.ok()) return c.status();
      return (*c)->Readyz();
    });
    return ready.ok();
  });
}

absl::Status Lab::StopRomanadReplica(int replica, bool sigkill) {
  if (replica < 0 || replica >= romanad_replicas()) return absl::NotFoundError(absl::StrCat("no romanad replica ", replica));
  if (sigkill && IsAlive(romanad_pids_[replica])) kill(romanad_pids_[replica], SIGKILL);
  StopProcess(romanad_pids_[replica]);
  romanad_pids_[replica] = 0;
  return SaveState();
}

absl::Status Lab::StartRomanad() {
  for (int i = 0; i < romanad_replicas(); ++i) {
    if (IsAlive(romanad_pids_[i])) continue;
    if (absl::Status s = StartRomanadReplica(i); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Lab::StopRomanad() {
  for (int i = 0; i < romanad_replicas(); ++i) {
    if (absl::Status s = StopRomanadReplica(i); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status ValidateLabOptions(const LabOptions& options) {
  if (absl::Status s = ValidateShape(options.shape); !s.ok()) return s;
  if (options.etcd_members < 1 || options.etcd_members > 7) {
    return absl::InvalidArgumentError("--etcd-members: must be 1..7 (an etcd cluster of 1 or 3 is usual)");
  }
  if (options.etcd_members > 1 && !options.etcd) return absl::InvalidArgumentError("--etcd-members: needs --etcd");
  if (options.romanad_replicas < 1 || options.romanad_replicas > 9) {
    return absl::InvalidArgumentError("--romanad-replicas: must be 1..9");
  }
  if (options.romanad_replicas > 1 && !options.etcd) {
    return absl::InvalidArgumentError("--romanad-replicas: several replicas need --etcd (HA runs on etcd only)");
  }
  if (options.listener_replicas < 1 || options.listener_replicas > 9) {
    return absl::InvalidArgumentError("--listener-replicas: must be 1..9");
  }
  if (options.listener_replicas > 1 && !options.kubernetes) {
    return absl::InvalidArgumentError("--listener-replicas: the listener runs only with --kubernetes");
  }
  if (!(options.listener_lease_seconds >= 1 && options.listener_lease_seconds <= 600)) {
    return absl::InvalidArgumentError("--listener-lease-duration: must be 1..600 seconds");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Lab>> Lab::Up(LabOptions options) {
  if (options.shape.id.empty()) options.shape.id = RandomId();
  if (absl::Status s = ValidateLabOptions(options); !s.ok()) return s;
  if (getuid() != 0) return absl::PermissionDeniedError("the lab needs root (it creates network namespaces)");
  for (const char* tool : {"ip", "sysctl"}) {
    if (!RunCapture({tool, "-V"}).ok()) return absl::NotFoundError(absl::StrCat(tool, " is not installed (run scripts/setup)"));
  }
  std::unique_ptr<Lab> lab(new Lab(std::move(options)));
  if (absl::Status s = lab->Build(); !s.ok()) {
    lab->Progress(absl::StrCat("failed: ", s.ToString(), "; removing everything the lab made"));
    (void)lab->Down();
    return s;
  }
  return lab;
}

absl::Status Lab::Build() {
  // Binaries first: fail before creating anything.
  for (auto [name, path] : {std::pair{"romanad", options_.romanad_bin}, {"romana-agent", options_.agent_bin},
                            {"romana-cni", options_.cni_bin}}) {
    if (absl::StatusOr<std::string> b = FindBinary(name, path); !b.ok()) return b.status();
  }
  std::error_code ec;
  if (fs::exists(dir())) {
    return absl::AlreadyExistsError(absl::StrCat(dir(), " exists: a lab with id ", id(), " is up (romana-lab down --id ", id(), ")"));
  }
  fs::create_directories(dir(), ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", dir(), ": ", ec.message()));
  if (absl::Status s = SaveState(); !s.ok()) return s;
  {
    std::ofstream t(fs::path(dir()) / "topology.json");
    t << Topology(shape()).dump(2) << "\n";
  }
  Progress(absl::StrCat("lab ", id(), ": ", shape().nodes, " node(s), ", shape().racks, " rack(s), ",
                        shape().pods_per_node, " pod(s) per node; state in ", dir()));
  // Switches (one bridge per rack).
  for (int k = 0; k < shape().racks; ++k) {
    const std::string sw = SwitchNetns(id(), k);
    if (absl::Status s = MakeNetns(sw); !s.ok()) return s;
    for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
             {"ip", "link", "add", "br0", "type", "bridge"}, {"ip", "link", "set", "br0", "up"}}) {
      if (absl::StatusOr<std::string> r = Exec(sw, cmd); !r.ok()) return r.status();
    }
  }
  // Router joining the racks.
  if (shape().racks > 1) {
    const std::string rt = RouterNetns(id());
    if (absl::Status s = MakeNetns(rt); !s.ok()) return s;
    for (int k = 0; k < shape().racks; ++k) {
      if (absl::Status s = PlugIntoSwitch(k, rt, "prouter", absl::StrCat("eth", k), RackGateway(k) + "/24"); !s.ok()) return s;
    }
    if (absl::StatusOr<std::string> r = Exec(rt, {"sysctl", "-qw", "net.ipv4.ip_forward=1"}); !r.ok()) return r.status();
  }
  // Master: romanad (and etcd).
  const std::string master = MasterNetns(id());
  if (absl::Status s = MakeNetns(master); !s.ok()) return s;
  if (absl::Status s = PlugIntoSwitch(0, master, "pmaster", "eth0", MasterIp() + "/24"); !s.ok()) return s;
  if (shape().racks > 1) {
    if (absl::StatusOr<std::string> r = Exec(master, {"ip", "route", "add", "default", "via", RackGateway(0)}); !r.ok()) return r.status();
  }
  Progress("making the CA, certificates and token in " + PkiDir() + " (scripts/gen-certs)");
  if (absl::Status s = MakeCerts(); !s.ok()) return s;
  if (options_.etcd) {
    Progress(absl::StrCat("starting etcd (", options_.etcd_members, " member(s)) in ", master,
                          " (TLS, client certificates)"));
    if (absl::Status s = StartEtcd(); !s.ok()) return s;
  }
  Progress(absl::StrCat("starting romanad (", options_.romanad_replicas, " replica(s)) in ", master, " (HTTPS, token; ",
                        options_.etcd ? "etcd" : "embedded store", ")"));
  romanad_pids_.assign(options_.romanad_replicas, 0);
  romanad_url_ = RomanadUrl(0);
  if (absl::Status s = StartRomanad(); !s.ok()) return s;
  if (options_.kubernetes) {
    Progress("starting the Kubernetes API stand-in (host loopback) and romana-listener");
    if (absl::Status s = StartKubernetes(); !s.ok()) return s;
  }
  // Nodes and their agents.
  for (int n = 1; n <= shape().nodes; ++n) {
    if (absl::Status s = MakeNode(n); !s.ok()) return s;
  }
  Progress("waiting for every agent to be ready");
  for (const auto& [n, node] : nodes_) {
    int nn = n;
    if (absl::Status s = WaitFor(absl::StrCat("the agent of ", node.name, " to be ready (log: ", NodeDir(nn), "/agent.log)"),
                                 [&, nn] { return AgentReady(nn); });
        !s.ok()) {
      return s;
    }
  }
  // Pods through the real CNI plugin.
  for (int n = 1; n <= shape().nodes; ++n) {
    for (int j = 1; j <= shape().pods_per_node; ++j) {
      absl::StatusOr<PodInfo> p = AddPod(n, PodName(n, j));
      if (!p.ok()) return p.status();
      Progress(absl::StrCat("pod ", p->name, " on ", NodeName(n), ": ", p->ip));
    }
  }
  if (shape().racks > 1) {
    if (absl::Status s = SyncRouter(); !s.ok()) return s;
    Progress("starting the router keeper (moves a group's route off a node that stops answering)");
    if (absl::Status s = StartRouterKeeper(); !s.ok()) return s;
  }
  Progress("waiting for the routes to converge");
  return WaitConverged();
}

absl::Status Lab::MakeNode(int n) {
  NodeInfo node{n, NodeName(n), NodeNetns(id(), n), NodeIp(shape(), n), RackOf(shape(), n), 0};
  if (absl::Status s = MakeNetns(node.netns); !s.ok()) return s;
  if (absl::Status s = PlugIntoSwitch(node.rack, node.netns, absl::StrCat("pn", n), "eth0", node.ip + "/24"); !s.ok()) return s;
  if (shape().racks > 1) {
    if (absl::StatusOr<std::string> r = Exec(node.netns, {"ip", "route", "add", "default", "via", RackGateway(node.rack)}); !r.ok()) {
      return r.status();
    }
  }
  std::error_code ec;
  fs::create_directories(fs::path(NodeDir(n)) / "bin", ec);
  fs::create_directories(fs::path(NodeDir(n)) / "net.d", ec);
  nodes_[n] = node;
  Progress(absl::StrCat("node ", node.name, " (", node.ip, ", rack ", node.rack, ") in ", node.netns));
  if (options_.kubernetes) {  // as a kubelet registers its node, before the agent starts
    if (absl::Status s = PutNodeObject(n); !s.ok()) return s;
  }
  return StartAgentProcess(n);
}

}  // namespace romana::lab
