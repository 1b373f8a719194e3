// romana-lab: a Romana cluster in network namespaces on this machine (docs/lab.md).
//
//   romana-lab up [--nodes N] [--pods M] [--racks K] [--etcd [--etcd-members 3] [--romanad-replicas 2]]
//                 [--id ID] [--model] ...
//   romana-lab down [--id ID]       (no --id: every lab recorded under --state-dir)
//   romana-lab list
//   romana-lab keep-router --romanad URL --router-netns NS   (started by `up` in the router
//                                                           namespace when racks > 1)
//   romana-lab kube-apiserver --lab-dir D --relay-netns NS   (started by `up --kubernetes`)
//   romana-lab model up|down, policy apply|delete|delete-all, label pod|ns, probe, serve
//                                   (the NetworkPolicy model: model_commands.h)
//
// Exit codes: 0 ok; 1 bad flags or the lab could not be built (everything it made is removed);
// 3 the lab was built but the connectivity matrix has failures (removed unless --keep-on-failure).
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <iostream>
#include <vector>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "base/process_main.h"
#include "lab/kubernetes.h"
#include "lab/lab.h"
#include "lab/plan.h"
#include "lab/probe.h"
#include "lab/report.h"
#include "lab/netpol_model.h"
#include "lab/router.h"
#include "model_commands.h"

using namespace romana;

int main(int argc, char** argv) {
  CLI::App app{"romana-lab: builds a Romana cluster out of network namespaces (romanad, agents, CNI pods)"};
  app.require_subcommand(1);
  std::string state_root = "/run/romana-lab";
  app.add_option("--state-dir", state_root, "where labs record what they made")->capture_default_str();

  lab::LabOptions o;
  bool keep_on_failure = false, no_probe = false;
  int timeout = 60;
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
  up->add_option("--timeout", timeout, "seconds to wait for each step")->capture_default_str();
  up->add_flag("--no-probe", no_probe, "skip the connectivity matrix");
  up->add_flag("--keep-on-failure", keep_on_failure, "leave a lab whose matrix failed running, for debugging");
  bool model = false;
  up->add_flag("--model", model, "also create the NetworkPolicy model (as `romana-lab model up`)");
  up->add_flag("--kubernetes", o.kubernetes,
               "run the lab's Kubernetes API stand-in and romana-listener: Node/Pod/NetworkPolicy objects drive Romana "
               "(kubectl --kubeconfig <state>/<id>/kubeconfig)");
  up->add_option("--listener-bin", o.listener_bin, "romana-listener binary (default: found next to romana-lab)");
  up->add_option("--address-gc-grace", o.listener_gc_grace_seconds,
                 "with --kubernetes: seconds before the listener releases an address whose pod is gone")
      ->capture_default_str()->check(CLI::Range(0.01, 86400.0));

  std::string down_id;
  CLI::App* down = app.add_subcommand("down", "remove a lab (or every lab) and everything it made");
  down->add_option("--id", down_id, "the lab to remove (default: all)");
  CLI::App* list = app.add_subcommand("list", "list the labs that are up");
  lab::RouterKeeperOptions keeper;
  int interval_ms = 1000;
  CLI::App* keep = app.add_subcommand(
      "keep-router", "run inside a lab's router namespace: keep one route per prefix group via a member that answers ICMP");
  keep->add_option("--romanad", keeper.romanad_url, "romanad URL")->required();
  keep->add_option("--romanad-ca-file", keeper.ca_file, "CA bundle to verify an https romanad");
  keep->add_option("--romanad-token-file", keeper.token_file, "file with the bearer token for romanad");
  keep->add_option("--router-netns", keeper.router_netns, "the router's network namespace")->required();
  keep->add_option("--interval-ms", interval_ms, "milliseconds between rounds")->capture_default_str()->check(CLI::Range(100, 60000));
  lab::KubeApiServeOptions kube_serve;
  CLI::App* kube_api = app.add_subcommand(
      "kube-apiserver", "the lab's Kubernetes API stand-in (started by `up --kubernetes`; runs until SIGTERM)");
  kube_api->add_option("--lab-dir", kube_serve.lab_dir, "the lab's state directory (credentials in kubernetes/)")->required();
  kube_api->add_option("--relay-netns", kube_serve.relay_netns, "also serve 127.0.0.1:<port> inside this namespace");
  lab_cli::ModelCommands model_commands(app, state_root);
  CLI11_PARSE(app, argc, argv);
  if (model_commands.parsed()) {
    if (!base::InitLogging("romana-lab", "warn", "text").ok()) return 1;
    return model_commands.Run();
  }
  if (!base::InitLogging("romana-lab", keep->parsed() || kube_api->parsed() ? "info" : "warn", "text").ok()) return 1;

  if (kube_api->parsed()) {
    base::BlockTerminationSignals();
    std::atomic<bool> stop{false};
    std::thread waiter([&] {
      base::WaitForTerminationSignal();
      stop = true;
    });
    waiter.detach();
    if (absl::Status s = lab::ServeKubeApi(kube_serve, stop); !s.ok()) {
      std::cerr << "romana-lab kube-apiserver: " << s.message() << "\n";
      return 1;
    }
    return 0;
  }
  if (keep->parsed()) {
    keeper.interval = std::chrono::milliseconds(interval_ms);
    base::BlockTerminationSignals();
    std::atomic<bool> stop{false};
    std::thread waiter([&] {
      base::WaitForTerminationSignal();
      stop = true;
    });
    waiter.detach();
    absl::Status s = lab::KeepRouter(keeper, stop);
    if (!s.ok()) {
      std::cerr << "romana-lab keep-router: " << s.message() << "\n";
      return 1;
    }
    return 0;
  }

  if (down->parsed()) {
    absl::Status s = down_id.empty() ? lab::Lab::DownAll(state_root) : lab::Lab::DownById(state_root, down_id);
    if (!s.ok()) {
      std::cerr << "romana-lab down: " << s.message() << "\n";
      return 1;
    }
    std::cout << (down_id.empty() ? "removed every lab" : "removed lab " + down_id) << " (namespaces, processes, "
              << state_root << "/<id>)\n";
    return 0;
  }
  if (list->parsed()) {
    for (const std::string& id : lab::Lab::ListIds(state_root)) std::cout << id << "\n";
    return 0;
  }

  // up
  o.state_root = state_root;
  o.timeout = std::chrono::seconds(timeout);
  o.progress = [](const std::string& line) { std::cout << "[lab] " << line << std::endl; };
  if (o.shape.id.empty()) {
    // Choose the id here so the signal handler knows what to remove.
    o.shape.id = absl::StrCat("l", getpid() % 100000);
  }
  // Ctrl-C / SIGTERM while building: remove everything, then exit.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // The building thread cannot be interrupted safely, so the cleanup runs in a fresh process
  // (`romana-lab down --id`) that starts once this one has exited: nothing is created after it.
  std::thread([set, state_root, id = o.shape.id] {
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

  absl::StatusOr<std::unique_ptr<lab::Lab>> l = lab::Lab::Up(o);
  if (!l.ok()) {
    std::cerr << "romana-lab up: " << l.status().message() << "\n";
    return 1;
  }
  std::cout << "\n=== Romana lab " << (*l)->id() << " is up ===\n";
  if (absl::Status s = lab::PrintCluster(**l, std::cout); !s.ok()) {
    std::cerr << "romana-lab up: cannot read the cluster: " << s.message() << "\n";
  }
  int rc = 0;
  if (!no_probe) {
    absl::StatusOr<lab::Matrix> m = lab::ProbeConnectivity((*l)->pods());
    if (!m.ok()) {
      std::cerr << "romana-lab up: connectivity probe failed: " << m.status().message() << "\n";
      rc = 3;
    } else {
      lab::PrintMatrix(*m, std::cout);
      if (!m->all_ok()) rc = 3;
    }
  }
  if (rc != 0 && !keep_on_failure) {
    std::cout << "\n[lab] connectivity failures: removing lab " << (*l)->id()
              << " (use --keep-on-failure to inspect it; logs were in " << (*l)->dir() << ")\n";
    return rc;
  }
  if (model) {
    absl::Status s = lab::ModelUp(**l, lab::AllModelPods(), [](const std::string& line) { std::cout << "[model] " << line << std::endl; });
    if (!s.ok()) {
      std::cerr << "romana-lab up: the NetworkPolicy model: " << s.message() << "\n";
      if (!keep_on_failure) return 1;
    } else if (absl::StatusOr<lab::TruthTable> t = lab::ProbeTable(lab::ModelPods(**l), 80, lab::Protocol::kTcp); t.ok()) {
      std::cout << "\nNetworkPolicy model, TCP/80 (rows from, columns to; . allowed, X blocked):\n" << lab::FormatTable(*t);
    }
  }
  (*l)->Detach();
  std::cout << "\nThe lab keeps running. Look inside with e.g.\n"
            << "  ip netns exec " << lab::NodeNetns((*l)->id(), 1) << " ip route show table 10\n"
            << "  ip netns exec " << ((*l)->pods().empty() ? lab::NodeNetns((*l)->id(), 1) : (*l)->pods()[0].netns)
            << " ping <pod ip>\n"
            << "Logs: " << (*l)->dir() << "/{romanad.log,node-*/agent.log" << ((*l)->shape().racks > 1 ? ",router.log" : "") << "}\n"
            << ((*l)->kubernetes()
                    ? "Kubernetes objects drive it (the lab's API stand-in + romana-listener): try\n"
                      "  kubectl --kubeconfig " + (*l)->Kubeconfig() + " get nodes,pods -A -o wide\n"
                      "  kubectl --kubeconfig " + (*l)->Kubeconfig() + " apply -f deny.yaml   (then: romana-lab probe)\n"
                    : "")
            << "Remove it with: scripts/lab down   (or: romana-lab down --id " << (*l)->id() << ")\n";
  return rc;
}
