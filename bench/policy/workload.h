// workload.h: the synthetic cluster the policy benchmarks measure: a realistic mix of
// NetworkPolicies over many namespaces and pods. Pure data; thread-compatible.
//
//   Namespaces ns0..ns<N-1> (label team=<ns>) plus "monitoring". Pods spread over the namespaces
//   with labels app=<one of 5> and tier=<one of 3> and a named port "metrics" (9100 + i % 3, so
//   it differs per pod); pod i sits on node<(i / 7) % nodes>. Policies per namespace in
//   rotation: default deny, allow from the same namespace, allow from the monitoring namespace on
//   the named port, a port list with a range, an ipBlock with except, an egress policy to DNS and
//   the namespace, and app-to-app allows.
#ifndef ROMANA_BENCH_POLICY_WORKLOAD_H_
#define ROMANA_BENCH_POLICY_WORKLOAD_H_

#include "policy/cluster.h"

namespace romana::policy::bench {

struct WorkloadShape {
  int pods = 10000;
  int policies = 1000;
  int namespaces = 100;
  int nodes = 1;  // the plan is computed for node0
};

struct Workload {
  Cluster cluster;
  PolicySet policies;
};

Workload MakeWorkload(const WorkloadShape& shape);

// The pod whose labels a "label change" edits: on node0, matched by selectors of several policies.
inline constexpr int kRelabelledPod = 1;

}  // namespace romana::policy::bench

#endif  // ROMANA_BENCH_POLICY_WORKLOAD_H_
