#include "lab/commands.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/process_main.h"
#include "lab/netpol_model.h"
#include "lab/plan.h"
#include "lab/probe.h"
#include "lab/report.h"
#include "lab/truth_table.h"

namespace romana::lab {
namespace {

// Ctrl-C / SIGTERM / SIGHUP while `up` builds: remove everything, then exit. The building thread
// cannot be interrupted safely, so the cleanup runs in a fresh process (`romana-lab down --id`)
// that starts once this one has exited: nothing is created after it.
void RemoveLabOnSignal(const std::string& state_root, const std::string& id) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set, state_root, id] {
    std::string exe = std::filesystem::read_symlink("/proc/self/exe").string();
    std::vector<std::string> args = {exe, "--state-dir", state_root, "down", "--id", id};
    std::vector<char*> cargs;
    for (std::string& a : args) cargs.push_back(a.data());
    cargs.push_back(nullptr);
    int sig = 0;
    sigwait(&set, &sig);
    std::cerr << "\n[lab] signal " << sig << ": removing lab " << id << "\n";
    const pid_t parent = getpid();
    if (fork() == 0) {
      while (getppid() == parent) {
        timespec ts{0, 10'000'000};
        nanosleep(&ts, nullptr);
      }
      execv(cargs[0], cargs.data());
      _exit(1);
    }
    _exit(130);
  }).detach();
}

// Prints how to look inside the running lab and how to remove it.
void PrintHints(const Lab& l, std::ostream& out) {
  out << "\nThe lab keeps running. Look inside with e.g.\n"
      << "  ip netns exec " << NodeNetns(l.id(), 1) << " ip route show table 10\n"
      << "  ip netns exec " << (l.pods().empty() ? NodeNetns(l.id(), 1) : l.pods()[0].netns) << " ping <pod ip>\n"
      << "Logs: " << l.dir() << "/{romanad.log,node-*/agent.log" << (l.shape().racks > 1 ? ",router.log" : "") << "}\n"
      << (l.kubernetes() ? "Kubernetes objects drive it (the lab's API stand-in + romana-listener): try\n"
                           "  kubectl --kubeconfig " + l.Kubeconfig() + " get nodes,pods -A -o wide\n"
                           "  kubectl --kubeconfig " + l.Kubeconfig() + " apply -f deny.yaml   (then: romana-lab probe)\n"
                         : "")
      << "Remove it with: scripts/lab down   (or: romana-lab down --id " << l.id() << ")\n";
}

}  // namespace

LabCommands AddLabFlags(CLI::App& app, LabCliConfig& c) {
  app.require_subcommand(1);
  app.add_option("--state-dir", c.state_root, "where labs record what they made")->capture_default_str();

  LabOptions& o = c.up;
  CLI::App* up = app.add_subcommand("up", "build a lab, print nodes, groups, blocks, routes and the connectivity matrix");
  up->add_option("--nodes", o.shape.nodes, "number of nodes")->capture_default_str();
  up->add_option("--pods", o.shape.pods_per_node, "pods per node")->capture_default_str();
  up->add_option("--racks", o.shape.racks, "L2 segments joined by a router namespace")->capture_default_str();
  up->add_flag("--etcd", o.etcd, "run romanad on a real etcd instead of the embedded store");
  up->add_option("--etcd-members", o.etcd_members, "with --etcd: members of the etcd cluster (1 or 3)")
      ->capture_default_str();
  up->add_option("--romanad-replicas", o.romanad_replicas,
                 "romanad replicas (HA; more than 1 needs --etcd); node n's agent uses replica (n-1) % replicas")
      ->capture_default_str();
  up->add_option("--id", o.shape.id, "lab id ([a-z0-9]{1,8}; default random); all names carry it");
  up->add_option("--pod-cidr", o.shape.pod_cidr, "the Romana network")->capture_default_str();
  up->add_option("--block-mask", o.shape.block_mask, "address block size (prefix length)")->capture_default_str();
  up->add_option("--romanad-bin", o.romanad_bin, "romanad binary (default: found next to romana-lab)");
  up->add_option("--agent-bin", o.agent_bin, "romana-agent binary (default: found next to romana-lab)");
  up->add_option("--cni-bin", o.cni_bin, "romana-cni binary (default: found next to romana-lab)");
  up->add_flag("--portmap", o.portmap, "chain the reference portmap plugin after romana in the conflist");
  up->add_option("--timeout", c.timeout_seconds, "seconds to wait for each step")->capture_default_str();
  up->add_flag("--no-probe", c.no_probe, "skip the connectivity matrix");
  up->add_flag("--keep-on-failure", c.keep_on_failure, "leave a lab whose matrix failed running, for debugging");
  up->add_flag("--model", c.model, "also create the NetworkPolicy model (as `romana-lab model up`)");
  up->add_flag("--kubernetes", o.kubernetes,
               "run the lab's Kubernetes API stand-in and romana-listener: Node/Pod/NetworkPolicy objects drive Romana "
               "(kubectl --kubeconfig <state>/<id>/kubeconfig)");
  up->add_option("--listener-bin", o.listener_bin, "romana-listener binary (default: found next to romana-lab)");
  up->add_option("--address-gc-grace", o.listener_gc_grace_seconds,
                 "with --kubernetes: seconds before the listener releases an address whose pod is gone")
      ->capture_default_str()->check(CLI::Range(0.01, 86400.0));
  up->add_option("--listener-replicas", o.listener_replicas,
                 "with --kubernetes: romana-listener replicas (2 or more elect the active one on a Lease, as the manifests run 2)")
      ->capture_default_str();
  up->add_option("--listener-lease-duration", o.listener_lease_seconds,
                 "with --listener-replicas > 1: the listeners' --lease-duration in seconds (the fail-over time)")
      ->capture_default_str();

  CLI::App* down = app.add_subcommand("down", "remove a lab (or every lab) and everything it made");
  down->add_option("--id", c.down_id, "the lab to remove (default: all)");
  CLI::App* list = app.add_subcommand("list", "list the labs that are up");
  CLI::App* keep = app.add_subcommand(
      "keep-router", "run inside a lab's router namespace: keep one route per prefix group via a member that answers ICMP");
  keep->add_option("--romanad", c.keeper.romanad_url, "romanad URL")->required();
  keep->add_option("--romanad-ca-file", c.keeper.ca_file, "CA bundle to verify an https romanad");
  keep->add_option("--romanad-token-file", c.keeper.token_file, "file with the bearer token for romanad");
  keep->add_option("--router-netns", c.keeper.router_netns, "the router's network namespace")->required();
  keep->add_option("--interval-ms", c.interval_ms, "milliseconds between rounds")->capture_default_str()->check(CLI::Range(100, 60000));
  CLI::App* kube_api = app.add_subcommand(
      "kube-apiserver", "the lab's Kubernetes API stand-in (started by `up --kubernetes`; runs until SIGTERM)");
  kube_api->add_option("--lab-dir", c.kube_api.lab_dir, "the lab's state directory (credentials in kubernetes/)")->required();
  kube_api->add_option("--relay-netns", c.kube_api.relay_netns, "also serve 127.0.0.1:<port> inside this namespace");
  return {.up = up, .down = down, .list = list, .keep_router = keep, .kube_apiserver = kube_api};
}

LabOptions UpOptionsFrom(const LabCliConfig& config, int pid, std::ostream& out) {
  LabOptions o = config.up;
  o.state_root = config.state_root;
  o.timeout = std::chrono::seconds(config.timeout_seconds);
  o.progress = [&out](const std::string& line) { out << "[lab] " << line << std::endl; };
  if (o.shape.id.empty()) o.shape.id = absl::StrCat("l", pid % 100000);
  return o;
}

absl::Status ValidateUp(const LabCliConfig& config) {
  std::ostringstream unused;
  return ValidateLabOptions(UpOptionsFrom(config, 0, unused));
}

RouterKeeperOptions KeeperOptionsFrom(const LabCliConfig& config) {
  RouterKeeperOptions o = config.keeper;
  o.interval = std::chrono::milliseconds(config.interval_ms);
  return o;
}

int RunUp(const LabCliConfig& config, std::ostream& out, std::ostream& err) {
  const LabOptions options = UpOptionsFrom(config, getpid(), out);
  RemoveLabOnSignal(config.state_root, options.shape.id);
  absl::StatusOr<std::unique_ptr<Lab>> l = Lab::Up(options);
  if (!l.ok()) {
    err << "romana-lab up: " << l.status().message() << "\n";
    return kExitFailure;
  }
  out << "\n=== Romana lab " << (*l)->id() << " is up ===\n";
  if (absl::Status s = PrintCluster(**l, out); !s.ok()) {
    err << "romana-lab up: cannot read the cluster: " << s.message() << "\n";
  }
  int rc = 0;
  if (!config.no_probe) {
    absl::StatusOr<Matrix> m = ProbeConnectivity((*l)->pods());
    if (!m.ok()) {
      err << "romana-lab up: connectivity probe failed: " << m.status().message() << "\n";
      rc = kExitMatrixFailed;
    } else {
      PrintMatrix(*m, out);
      if (!m->all_ok()) rc = kExitMatrixFailed;
    }
  }
  if (rc != 0 && !config.keep_on_failure) {
    out << "\n[lab] connectivity failures: removing lab " << (*l)->id()
        << " (use --keep-on-failure to inspect it; logs were in " << (*l)->dir() << ")\n";
    return rc;
  }
  if (config.model) {
    absl::Status s = ModelUp(**l, AllModelPods(), [&out](const std::string& line) { out << "[model] " << line << std::endl; });
    if (!s.ok()) {
      err << "romana-lab up: the NetworkPolicy model: " << s.message() << "\n";
      if (!config.keep_on_failure) return kExitFailure;
    } else if (absl::StatusOr<TruthTable> t = ProbeTable(ModelPods(**l), 80, Protocol::kTcp); t.ok()) {
      out << "\nNetworkPolicy model, TCP/80 (rows from, columns to; . allowed, X blocked):\n" << FormatTable(*t);
    }
  }
  (*l)->Detach();
  PrintHints(**l, out);
  return rc;
}

int RunDown(const LabCliConfig& config, std::ostream& out, std::ostream& err) {
  const std::string& id = config.down_id;
  absl::Status s = id.empty() ? Lab::DownAll(config.state_root) : Lab::DownById(config.state_root, id);
  if (!s.ok()) {
    err << "romana-lab down: " << s.message() << "\n";
    return kExitFailure;
  }
  out << (id.empty() ? "removed every lab" : "removed lab " + id) << " (namespaces, processes, " << config.state_root
      << "/<id>)\n";
  return 0;
}

int RunList(const LabCliConfig& config, std::ostream& out) {
  for (const std::string& id : Lab::ListIds(config.state_root)) out << id << "\n";
  return 0;
}

// The stop flags are static: the thread that sets them is detached and may outlive the call.
int RunKeepRouter(const LabCliConfig& config, std::ostream& err) {
  base::BlockTerminationSignals();
  static std::atomic<bool> stop{false};
  base::StopOnTerminationSignal(stop);
  if (absl::Status s = KeepRouter(KeeperOptionsFrom(config), stop); !s.ok()) {
    err << "romana-lab keep-router: " << s.message() << "\n";
    return kExitFailure;
  }
  return 0;
}

int RunKubeApiServer(const LabCliConfig& config, std::ostream& err) {
  base::BlockTerminationSignals();
  static std::atomic<bool> stop{false};
  base::StopOnTerminationSignal(stop);
  if (absl::Status s = ServeKubeApi(config.kube_api, stop); !s.ok()) {
    err << "romana-lab kube-apiserver: " << s.message() << "\n";
    return kExitFailure;
  }
  return 0;
}

}  // namespace romana::lab
