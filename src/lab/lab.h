// lab.h: a Romana cluster built out of network namespaces on one machine (DESIGN.md §8).
//
// Lab::Up() builds: one switch namespace (a bridge) per rack, a master namespace on rack 0 that
// runs romanad (embedded SQLite store, or a real etcd with `etcd`; with `etcd_members` and
// `romanad_replicas` an etcd cluster and HA replicas, all in the master namespace), a router namespace joining
// the racks (racks > 1) whose routes are one per prefix group, N node namespaces each running a
// real romana-agent (which registers the node, installs the CNI plugin and conflist into the
// node's own directories, and programs routes), and M pods per node created by running the real
// CNI plugin chain from the installed conflist. Names come from plan.h and carry the lab id.
//
// Secure by default, as a cluster installed from the manifests: scripts/gen-certs makes the CAs,
// the certificates and the token in <state_root>/<id>/pki; romanad serves HTTPS and requires the
// token for writes; with `etcd`, etcd serves TLS on 127.0.0.1 only and romanad authenticates with
// a client certificate. Every client (the agents, the CNI plugin through the conflist the agents
// write, the lab's own calls, the router keeper) verifies romanad with pki/ca.crt and sends the
// token.
//
// Nothing is done in the host namespace except creating/deleting the lab's own named
// namespaces and its state directory (<state_root>/<id>). Everything is recorded in
// <state_root>/<id>/state.json so `romana-lab down` (another process) can remove it; a Lab
// object that is not Detach()ed removes everything in its destructor, and a failing Up() removes
// what it made before returning the error.
//
// Thread-compatible: one thread drives a Lab.
#ifndef ROMANA_LAB_LAB_H_
#define ROMANA_LAB_LAB_H_

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "api/client.h"
#include "lab/kubernetes.h"
#include "lab/plan.h"

namespace romana::lab {

struct LabOptions {
  LabShape shape;                      // shape.id empty = random
  bool etcd = false;                   // romanad on a real etcd instead of the embedded store
  // With `etcd`: the members of the etcd cluster, all in the master namespace on 127.0.0.1 (member
  // i: client port 2379 + 2i, peer port 2380 + 2i, TLS for both). 1 or 3.
  int etcd_members = 1;
  // romanad replicas (HA, docs/romanad.md "HA"; more than 1 needs `etcd`): replica i listens on
  // <master ip>:9600 + i. The agent of node n, and the CNI plugin through its conflist, talk to
  // replica (n - 1) % romanad_replicas; followers forward writes to the leader.
  int romanad_replicas = 1;
  std::chrono::seconds romanad_lease_ttl{2};  // HA: --lease-ttl, the failover time after a crash
  std::string state_root = "/run/romana-lab";
  // Binaries; empty = found next to the running program or in the build tree (FindBinary).
  std::string romanad_bin, agent_bin, cni_bin;
  std::string lab_bin;                 // romana-lab itself (runs the router keeper and the model's servers)
  std::string gen_certs;               // scripts/gen-certs; empty = the copy next to romana-lab
  int agent_resync_seconds = 10;       // --resync-interval of the agents
  bool portmap = false;                // chain the reference portmap plugin after romana
  std::chrono::seconds timeout{60};    // for each wait (romanad ready, agents ready, routes)
  std::function<void(const std::string&)> progress;  // one line per step; null = quiet
  // Kubernetes mode (kubernetes.h, docs/lab.md "Kubernetes"): the lab's Kubernetes API stand-in
  // and the real romana-listener drive romanad. Nodes and pods become Node and Pod objects; the
  // listener, not the agents or the lab, writes hosts, namespaces, endpoints and policies.
  bool kubernetes = false;
  std::string listener_bin;                // empty = found like the other binaries
  double listener_gc_grace_seconds = 300;  // --address-gc-grace of the listener
  // Replicas of the listener. With more than one they elect the active one on the Lease
  // kube-system/romana-listener, as the manifests run two: replica r has the identity
  // ListenerIdentity(r), the log listener-<r>.log and its status on 127.0.0.1:9602+r.
  int listener_replicas = 1;
  double listener_lease_seconds = 15;  // --lease-duration (several replicas); renewal at 2/3, retries every 1/10
};

// The checks of Up() that need no I/O: ValidateShape, then the etcd and romanad replica counts.
// InvalidArgument naming the flag (--etcd-members, --romanad-replicas, ValidateShape's).
// REQUIRES: options.shape.id is set.
absl::Status ValidateLabOptions(const LabOptions& options);

struct PodInfo {
  std::string name;       // "pod-2-1"
  int node = 0;           // 1-based node number
  std::string netns;
  std::string ip;
  std::string container_id;
  std::string k8s_namespace = "default";
  pid_t server_pid = 0;   // `romana-lab serve` in the pod (NetworkPolicy model pods); 0 = none
  // "<namespace>/<name>", the pod's name in truth tables and in FindPod/DeletePod.
  std::string QualifiedName() const { return k8s_namespace + "/" + name; }
};

struct NodeInfo {
  int n = 0;
  std::string name;
  std::string netns;
  std::string ip;
  int rack = 0;
  pid_t agent_pid = 0;
};

// Where a binary lives: `explicit_path` if set, else next to /proc/self/exe, else in the build
// tree layout (<build>/apps/<name>/<name>, searched from the running program's directory and
// ROMANA_BINARY_DIR). NotFound naming the binary and the places tried.
absl::StatusOr<std::string> FindBinary(const std::string& name, const std::string& explicit_path,
                                       const std::string& build_dir_hint = "");

class Lab {
 public:
  // Builds the whole lab; see the file comment. On error everything made so far is removed.
  static absl::StatusOr<std::unique_ptr<Lab>> Up(LabOptions options);
  ~Lab();
  Lab(const Lab&) = delete;
  Lab& operator=(const Lab&) = delete;

  // Leave everything running when this object dies (romana-lab up).
  void Detach() { detached_ = true; }
  // Stops every process, deletes every namespace and the state dir. Idempotent.
  absl::Status Down();
  // `down` for a lab made by another process, from its state file (or its namespace names).
  static absl::Status DownById(const std::string& state_root, const std::string& id);
  // The lab `id` that another process built and left running (romana-lab up), from its state
  // file, to operate on it (AddPod, WithRomanad, ...). The object is detached: it removes nothing
  // when it dies. Every change is written back to the state file. NotFound when there is no
  // such lab; with an empty id, the only lab under state_root (FailedPrecondition if 0 or > 1).
  static absl::StatusOr<std::unique_ptr<Lab>> Attach(const std::string& state_root, const std::string& id,
                                                     LabOptions options = {});
  // Every lab under state_root, plus stray namespaces named rl-*-.
  static absl::Status DownAll(const std::string& state_root);
  // Ids of the labs recorded under state_root.
  static std::vector<std::string> ListIds(const std::string& state_root);

  const LabShape& shape() const { return options_.shape; }
  const std::string& id() const { return options_.shape.id; }
  std::string dir() const;
  const std::map<int, NodeInfo>& nodes() const { return nodes_; }
  const std::vector<PodInfo>& pods() const { return pods_; }
  // `name` is "<namespace>/<name>", or a bare name when only one namespace has a pod of that name.
  absl::StatusOr<PodInfo> FindPod(const std::string& name) const;

  // --- operations used by the e2e tests and benchmarks ---
  // Creates a pod (netns + CNI ADD through the installed conflist) on node n, in Kubernetes
  // namespace `k8s_namespace` (blocks are per namespace:segment, so another namespace gets its
  // own block).
  absl::StatusOr<PodInfo> AddPod(int n, const std::string& name, const std::string& k8s_namespace = "default");
  // Stops its server, CNI DEL, then removes the pod's netns. `name` as for FindPod.
  absl::Status DeletePod(const std::string& name);
  // Starts `romana-lab serve --port P...` (serve.h) inside the pod (a no-op when its server
  // runs) and waits until it accepts on every port. The pid is in the state file; DeletePod and
  // Down stop it.
  absl::Status StartServer(const std::string& pod_name, const std::vector<int>& ports);
  // A new node on rack (n-1) % racks with a running, ready agent; returns n.
  absl::StatusOr<int> AddNode();
  // Deletes the node's pods, stops its agent, removes the host from romanad, deletes its netns.
  absl::Status RemoveNode(int n);
  absl::Status StopAgent(int n, bool sigkill = false);
  // Starts the agent again and (wait_ready) waits until it is ready.
  absl::Status StartAgent(int n, bool wait_ready = true);
  // Every romanad replica; StartRomanad starts those that are stopped and waits until each is ready.
  absl::Status StopRomanad();
  absl::Status StartRomanad();
  // One replica (0-based; sigkill = a crash), and starting it again (waits until it is ready).
  int romanad_replicas() const { return static_cast<int>(romanad_pids_.size()); }
  pid_t romanad_pid(int replica) const { return romanad_pids_.at(replica); }
  absl::Status StopRomanadReplica(int replica, bool sigkill = false);
  absl::Status StartRomanadReplica(int replica);
  // The replica that leads now, asked of every running replica's /readyz. Unavailable while
  // none does (during a failover).
  absl::StatusOr<int> RomanadLeader() const;
  // Whether `replica` says it leads (its /readyz, 2 s timeout); an error when it does not answer.
  absl::StatusOr<bool> RomanadLeads(int replica) const;
  // etcd members (with `etcd`): stop one (sigkill = a crash), start it again on its data directory
  // and wait until it answers.
  int etcd_members() const { return static_cast<int>(etcd_pids_.size()); }
  absl::Status StopEtcdMember(int member, bool sigkill = false);
  absl::Status StartEtcdMember(int member);
  // Router (racks > 1, router.h): one route per leaf prefix group via a live member. SyncRouter
  // programs it now (live = its agent runs); the keeper process (`romana-lab keep-router`, started
  // by Up) keeps it so from then on (live = answers ICMP echo from the router).
  absl::Status SyncRouter();
  absl::StatusOr<std::string> RouterRoutes() const;

  // The lab's certificates and token (scripts/gen-certs layout: ca.crt, token, etcd/...).
  std::string PkiDir() const;
  // Runs `fn` with a romanad client (CA and token of PkiDir()) inside the master namespace. With
  // several replicas: on the first running replica, and again on the next one while `fn` returns
  // Unavailable (the lab's calls are reads and idempotent writes).
  absl::Status WithRomanad(const std::function<absl::Status(api::Client&)>& fn) const;
  // The URL of replica i: https://<master ip>:<9600 + i>; the one node n's agent and CNI plugin use.
  std::string RomanadUrl(int replica) const;
  std::string AgentRomanadUrl(int n) const;
  // Runs the node's installed conflist for `pod` as a runtime does (ADD in order with prevResult,
  // DEL in reverse), the plugins inside the node's namespace and the pod's interface in
  // pod.netns (which must exist). `result_json`: ADD's result out; DEL's prevResult in. Errors:
  // Unavailable when a plugin answered CNI error 11 (try again later); Internal for any other
  // failure; both carry the plugin's output. Thread-safe: reads only the node's conflist, so
  // many threads may run it while another drives the lab (the chaos test does).
  absl::Status RunCni(const std::string& command, const PodInfo& pod, std::string* result_json) const;
  // Runs argv in a namespace and returns stdout.
  absl::StatusOr<std::string> Exec(const std::string& netns, const std::vector<std::string>& argv) const;
  // The agent's routes on node n, one line each, sorted: the romana table (`ip route show table
  // 10 proto 82`) and the unreachable routes of its blocks and group (main table, proto 82).
  absl::StatusOr<std::string> RouteTable(int n) const;
  absl::StatusOr<std::string> RuleList(int n) const;
  absl::StatusOr<bool> AgentReady(int n) const;
  // Waits until every agent is ready and every node's table holds a route for every remote block
  // of its L2 neighbours (as romanad reports them).
  absl::Status WaitConverged();
  // What RouteTable(n) should show now, computed from romanad's hosts, blocks and groups.
  absl::StatusOr<std::string> ExpectedRoutes(int n) const;

  // Kubernetes mode (LabOptions::kubernetes; false for a lab attached without it).
  bool kubernetes() const { return options_.kubernetes; }
  // <dir>/kubeconfig (kubectl --kubeconfig; the listener uses it too).
  std::string Kubeconfig() const;
  // A client of the lab's Kubernetes API. FailedPrecondition when not in Kubernetes mode.
  absl::StatusOr<std::unique_ptr<KubeObjects>> Kube() const;
  // Replica r of romana-listener (0-based). StopListener sends SIGTERM, or SIGKILL with `sigkill`
  // (it dies holding the Lease); StartListener starts a stopped replica and waits until it is
  // ready. NotFound for a replica the lab does not have.
  absl::Status StopListener(int replica, bool sigkill = false);
  absl::Status StartListener(int replica);
  // Replica r's identity in the Lease.
  static std::string ListenerIdentity(int replica);

 private:
  explicit Lab(LabOptions options) : options_(std::move(options)) {}
  absl::Status Build();
  absl::Status SaveState() const;
  absl::Status MakeNetns(const std::string& name);
  absl::Status PlugIntoSwitch(int rack, const std::string& netns, const std::string& port,
                              const std::string& ifname, const std::string& cidr);
  absl::Status MakeNode(int n);
  absl::Status StartAgentProcess(int n);
  absl::Status StartRouterKeeper();
  void RemoveOwnNetns(const std::string& name);
  absl::Status StartEtcd();
  absl::Status LaunchEtcdMember(int member);
  absl::Status WaitEtcdMember(int member) const;
  absl::Status MakeCerts();
  std::string NodeDir(int n) const;
  void Progress(const std::string& line) const;
  absl::Status WaitFor(const std::string& what, const std::function<absl::StatusOr<bool>()>& cond) const;
  // Kubernetes mode (lab_kubernetes.cc): the API server process, the kubeconfig, the listener.
  absl::Status StartKubernetes();
  absl::Status PutNodeObject(int n);
  absl::Status PutPodObject(const PodInfo& pod);

  LabOptions options_;
  bool detached_ = false;
  bool down_ = false;
  std::vector<std::string> netns_;  // creation order
  std::map<int, NodeInfo> nodes_;
  std::vector<PodInfo> pods_;
  std::vector<pid_t> romanad_pids_;  // one per replica; 0 = stopped
  std::vector<pid_t> etcd_pids_;     // one per member (with `etcd`); 0 = stopped
  pid_t router_pid_ = 0;
  pid_t kube_apiserver_pid_ = 0;  // Kubernetes mode
  std::vector<pid_t> listener_pids_;  // one per replica; 0 = stopped
  std::string romanad_url_;  // replica 0's (the router keeper and the listener use it)
  std::map<std::string, std::string> cni_results_;  // pod name -> ADD result (prevResult for DEL)
};

}  // namespace romana::lab

#endif  // ROMANA_LAB_LAB_H_
