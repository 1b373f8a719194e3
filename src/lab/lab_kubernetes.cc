// The Lab's Kubernetes mode (lab.h LabOptions::kubernetes, kubernetes.h): starting the API
// server process and the listener, and registering nodes and pods as Kubernetes objects.
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "http/curl_client.h"
#include "lab/exec.h"
#include "lab/lab.h"

namespace romana::lab {
namespace fs = std::filesystem;

namespace {
constexpr int kListenerStatusPort = 9602;  // + replica, on 127.0.0.1 of the master namespace
}  // namespace

std::string Lab::Kubeconfig() const { return KubeconfigPath(dir()); }

absl::StatusOr<std::unique_ptr<KubeObjects>> Lab::Kube() const {
  if (!kubernetes()) return absl::FailedPreconditionError(absl::StrCat("lab ", id(), " is not in Kubernetes mode"));
  return KubeObjects::ForLab(dir());
}

absl::Status Lab::StartKubernetes() {
  if (absl::Status s = MakeKubeCredentials(dir()); !s.ok()) return s;
  absl::StatusOr<std::string> self = FindBinary("romana-lab", options_.lab_bin);
  if (!self.ok()) return self.status();
  const std::string url_file = KubeDir(dir()) + "/url";
  std::error_code ec;
  fs::remove(url_file, ec);
  const std::string log = dir() + "/kube-apiserver.log";
  // In the host namespace (kubectl runs there), relaying the master namespace's loopback.
  absl::StatusOr<pid_t> pid =
      StartDaemon({*self, "kube-apiserver", "--lab-dir", dir(), "--relay-netns", MasterNetns(id())}, log);
  if (!pid.ok()) return pid.status();
  kube_apiserver_pid_ = *pid;
  if (absl::Status s = SaveState(); !s.ok()) return s;
  if (absl::Status s = WaitFor("the Kubernetes API to serve (log: " + log + ")", [&]() -> absl::StatusOr<bool> {
        if (!IsAlive(kube_apiserver_pid_)) return absl::AbortedError("the Kubernetes API server exited; see " + log);
        return fs::exists(url_file);
      });
      !s.ok()) {
    return s;
  }
  std::string url;
  std::getline(std::ifstream(url_file), url);
  if (absl::Status s = WriteKubeconfig(dir(), url); !s.ok()) return s;
  Progress(absl::StrCat("Kubernetes API (the lab's stand-in) on ", url, "; kubeconfig ", Kubeconfig()));
  for (int r = 0; r < options_.listener_replicas; ++r) {
    if (absl::Status s = StartListener(r); !s.ok()) return s;
  }
  return absl::OkStatus();
}

std::string Lab::ListenerIdentity(int replica) { return absl::StrCat("listener-", replica); }

absl::Status Lab::StopListener(int replica, bool sigkill) {
  if (replica < 0 || replica >= static_cast<int>(listener_pids_.size())) {
    return absl::NotFoundError(absl::StrCat("no romana-listener replica ", replica));
  }
  if (sigkill && IsAlive(listener_pids_[replica])) kill(listener_pids_[replica], SIGKILL);
  StopProcess(listener_pids_[replica]);
  listener_pids_[replica] = 0;
  return SaveState();
}

absl::Status Lab::StartListener(int replica) {
  if (!kubernetes() || replica < 0 || replica >= options_.listener_replicas) {
    return absl::NotFoundError(absl::StrCat("no romana-listener replica ", replica));
  }
  listener_pids_.resize(options_.listener_replicas, 0);
  if (IsAlive(listener_pids_[replica])) return absl::OkStatus();
  absl::StatusOr<std::string> bin = FindBinary("romana-listener", options_.listener_bin);
  if (!bin.ok()) return bin.status();
  const double grace = options_.listener_gc_grace_seconds;
  const double gc_interval = std::clamp(grace / 2, 0.5, 60.0);
  const std::string status_address = absl::StrCat("127.0.0.1:", kListenerStatusPort + replica);
  std::vector<std::string> argv = {*bin, "--kubeconfig", Kubeconfig(), "--romanad", romanad_url_,
                                   "--metrics-listen", status_address,
                                   "--address-gc-grace", absl::StrFormat("%g", grace),
                                   "--address-gc-interval", absl::StrFormat("%g", gc_interval)};
  if (options_.listener_replicas == 1) {
    argv.push_back("--leader-elect=false");
  } else {
    const double lease = options_.listener_lease_seconds;
    argv.insert(argv.end(), {"--identity", ListenerIdentity(replica), "--lease-duration", absl::StrFormat("%g", lease),
                             "--renew-deadline", absl::StrFormat("%g", lease * 2 / 3), "--retry-period",
                             absl::StrFormat("%g", lease / 10)});
  }
  // A romanad with TLS and a token (the lab's certificates in <dir>/pki, scripts/gen-certs layout)
  // is verified with its CA and given the token, as every other client of it.
  const std::string pki = PkiDir();
  if (fs::exists(pki + "/ca.crt") && fs::exists(pki + "/token")) {
    argv.insert(argv.end(), {"--romanad-ca-file", pki + "/ca.crt", "--romanad-token-file", pki + "/token"});
  }
  const std::string log = absl::StrCat(dir(), "/listener-", replica, ".log");
  absl::StatusOr<pid_t> pid = StartDaemon(InNs(MasterNetns(id()), argv), log);
  if (!pid.ok()) return pid.status();
  listener_pids_[replica] = *pid;
  if (absl::Status s = SaveState(); !s.ok()) return s;
  Progress(absl::StrCat("romana-listener ", ListenerIdentity(replica), " in ", MasterNetns(id()),
                        ": Kubernetes objects drive romanad from now on"));
  return WaitFor("romana-listener to be ready (log: " + log + ")", [&]() -> absl::StatusOr<bool> {
    if (!IsAlive(listener_pids_[replica])) return absl::AbortedError("romana-listener exited; see " + log);
    bool ready = false;
    absl::Status s = InNetns(MasterNetns(id()), [&]() -> absl::Status {
      http::CurlClient c;
      absl::StatusOr<http::Response> r = c.Send({.url = absl::StrCat("http://", status_address, "/readyz"),
                                                 .timeout = std::chrono::seconds(2),
                                                 .connect_timeout = std::chrono::seconds(1)});
      ready = r.ok() && r->status == 200;
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    return ready;
  });
}

absl::Status Lab::PutNodeObject(int n) {
  const NodeInfo& node = nodes_.at(n);
  absl::StatusOr<std::unique_ptr<KubeObjects>> kube = Kube();
  if (!kube.ok()) return kube.status();
  return (*kube)->Apply("nodes", NodeObject(node.name, node.ip,
                                            {{"rack", RackLabel(node.rack)},
                                             {"kubernetes.io/hostname", node.name},
                                             {"kubernetes.io/os", "linux"}}));
}

absl::Status Lab::PutPodObject(const PodInfo& pod) {
  absl::StatusOr<std::unique_ptr<KubeObjects>> kube = Kube();
  if (!kube.ok()) return kube.status();
  return (*kube)->Apply("pods", PodObject(pod.k8s_namespace, pod.name, NodeName(pod.node), pod.ip, {{"pod", pod.name}}));
}

}  // namespace romana::lab
