// pod_churn.h: pods created and deleted the way a container runtime does it, from many threads at
// once, while the chaos test kills and restarts romanad, etcd members and agents.
//
// Add: a fresh network namespace, then CNI ADD through the node's conflist (Lab::RunCni). A
// failed ADD is torn down with CNI DEL (as containerd does for a sandbox whose network setup
// failed) and tried again after a backoff with a new container id (kubelet makes a new sandbox).
// CNI error 11 (try again later) is the failure expected while romanad or etcd is down; any other
// is counted as unexpected. Delete: CNI DEL with the ADD's result, retried until it succeeds (a
// runtime that gave up would leak the address), then the namespace goes. An operation that has
// not succeeded by its deadline is recorded as failed and its pod left to the lab's teardown.
//
// Every operation's outcome is recorded (attempts, errors by CNI code, time taken). An ADD that
// returns an IP held by another live pod is recorded as a duplicate at once.
//
// Thread-safe: Add and DeleteOne may run on any number of threads. `lab` must outlive the object;
// another thread may drive the lab meanwhile (Lab::RunCni is the only Lab call made here).
#ifndef ROMANA_TESTS_CHAOS_POD_CHURN_H_
#define ROMANA_TESTS_CHAOS_POD_CHURN_H_

#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "invariants.h"
#include "lab/lab.h"

namespace romana::chaos {

struct OpRecord {
  enum Kind { kAdd, kDel } kind = kAdd;
  std::string pod;
  int node = 0;
  int attempts = 0;                 // CNI ADD (or DEL) runs
  std::map<int, int> cni_errors;    // CNI error code (0 = no code) -> times seen, teardown DELs included
  bool ok = false;
  std::string last_error;
  std::chrono::milliseconds took{0};
};

class PodChurn {
 public:
  struct Options {
    std::chrono::seconds op_deadline{90};  // give up on an operation after this long
    std::chrono::milliseconds max_backoff{1000};
  };
  PodChurn(const lab::Lab& lab, Options options) : lab_(lab), options_(options) {}
  PodChurn(const PodChurn&) = delete;
  PodChurn& operator=(const PodChurn&) = delete;

  // Creates a pod on node n (1-based) in Kubernetes namespace `k8s_namespace`; returns its record.
  OpRecord Add(int node, const std::string& k8s_namespace);
  // Deletes a live pod picked with `rng`; false (and nothing recorded) when none is live.
  bool DeleteOne(std::mt19937& rng);

  int live_count() const;
  std::vector<lab::PodInfo> LivePods() const;
  // The live pods as the invariants see them (address name, IP, node name).
  std::vector<LivePod> LiveForCheck() const;
  std::vector<OpRecord> records() const;
  std::vector<std::string> duplicates() const;

 private:
  // Runs CNI `command` until it succeeds or `deadline`; notes each failure in `rec`. DEL only.
  bool DelUntilDone(const lab::PodInfo& pod, const std::string& prev_result,
                    std::chrono::steady_clock::time_point deadline, OpRecord& rec);
  void Note(const absl::Status& s, OpRecord& rec);
  void Backoff(int attempt) const;
  void Record(OpRecord rec);

  const lab::Lab& lab_;
  const Options options_;
  mutable std::mutex mu_;
  int next_pod_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, lab::PodInfo> live_ ABSL_GUARDED_BY(mu_);   // pod name -> pod
  std::map<std::string, std::string> results_ ABSL_GUARDED_BY(mu_); // pod name -> ADD result
  std::vector<OpRecord> records_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> duplicates_ ABSL_GUARDED_BY(mu_);
};

}  // namespace romana::chaos

#endif  // ROMANA_TESTS_CHAOS_POD_CHURN_H_
