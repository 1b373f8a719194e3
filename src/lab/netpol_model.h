// netpol_model.h: the upstream Kubernetes NetworkPolicy e2e model on a lab
// (test/e2e/network/netpol; ../shared/testdata/netpol/MODEL.md describes it):
//   namespaces x, y, z with labels kubernetes.io/metadata.name=<ns> and ns=<ns>;
//   pods a, b, c in each (label pod=<name>), spread round-robin over the lab's nodes, each running
//   `romana-lab serve` (serve.h) on TCP and UDP ports 80 and 81 and registered in romanad as an
//   Endpoint with its named ports serve-{80,81}-{tcp,udp,sctp} (SCTP declared, not served: these
//   kernels have no SCTP).
// The lab stands in for the Kubernetes listener: it writes Namespaces and Endpoints to romanad
// itself. In Kubernetes mode (Lab::kubernetes()) every Namespace, Pod label and NetworkPolicy
// write below goes to the lab's Kubernetes API instead (as kubectl would) and the listener
// carries it to romanad; Romana policies still go to romanad (the listener leaves them alone). Policies go to romanad's REST API: NetworkPolicy objects to
// /namespaces/{ns}/networkpolicies/{name}, Romana policies to /policies.
// Every function talks to a real romanad (through Lab::WithRomanad); thread-compatible.
#ifndef ROMANA_LAB_NETPOL_MODEL_H_
#define ROMANA_LAB_NETPOL_MODEL_H_

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lab/lab.h"
#include "lab/probe.h"
#include "lab/truth_table.h"
#include "nlohmann/json.hpp"

namespace romana::lab {

// x/a, x/b, x/c, y/a, ..., z/c.
std::vector<std::string> AllModelPods();
// The ports every model pod serves (TCP and UDP).
std::vector<int> ModelPorts();
// Endpoint ports of a model pod: [{name: serve-80-tcp, port: 80, protocol: TCP}, ...].
nlohmann::json ModelEndpointPorts();
// OK when every entry is a model pod ("x/a"); InvalidArgument naming the bad one.
absl::Status ValidateModelPods(const std::vector<std::string>& pods);

// Brings the model to its initial state with exactly `pods` (model pods) present: namespaces
// x, y, z written with their default labels only; model pods not in `pods` deleted (server, CNI
// DEL, endpoint); missing ones created (CNI ADD on node (index in AllModelPods() % nodes) + 1) with
// their server; every endpoint written with labels {pod: <name>} only and its named ports; then
// waits until every node's routes converge. Policies are left alone (DeleteAllPolicies).
// `progress` (may be null) gets one line per step.
absl::Status ModelUp(Lab& lab, const std::vector<std::string>& pods,
                     const std::function<void(const std::string&)>& progress = nullptr);
// Deletes every model pod and endpoint, and namespaces x, y, z.
absl::Status ModelDown(Lab& lab);
// The lab's model pods, in AllModelPods() order.
std::vector<PodInfo> ModelPods(const Lab& lab);

// Label changes as on kubectl's command line: "k=v" sets, "k-" removes. InvalidArgument naming
// the bad argument (empty key, neither '=' nor a trailing '-').
using LabelChanges = std::map<std::string, std::optional<std::string>>;
absl::StatusOr<LabelChanges> ParseLabelChanges(const std::vector<std::string>& args);
// Read-modify-write of the Endpoint `pod` ("ns/name") or the Namespace `ns` in romanad; every
// other field (ports, node, ip) is kept as romanad has it. NotFound when it does not exist.
absl::Status ChangePodLabels(const Lab& lab, const std::string& pod, const LabelChanges& changes);
absl::Status ChangeNamespaceLabels(const Lab& lab, const std::string& ns, const LabelChanges& changes);
// Sets the labels of `pod` to exactly `labels`.
absl::Status ReplacePodLabels(const Lab& lab, const std::string& pod, const std::map<std::string, std::string>& labels);

// One policy document: kind NetworkPolicy (networking.k8s.io/v1, metadata.namespace and
// metadata.name required) is PUT to /namespaces/{ns}/networkpolicies/{name} as it is; any other
// object is a Romana policy (reference §5.1, "id" required) and is POSTed to /policies. Returns
// what was written ("networkpolicy x/deny-all", "policy allow-web"). InvalidArgument for a
// document that is neither; romanad's 400 (naming the field) as it comes.
absl::StatusOr<std::string> ApplyPolicy(const Lab& lab, const nlohmann::json& document);
// "ns/name" deletes that NetworkPolicy; a bare name deletes the Romana policy with that id.
absl::Status DeletePolicy(const Lab& lab, const std::string& ref);
// Deletes every NetworkPolicy in `namespaces` (all namespaces when empty) and, when
// `romana_policies`, every Romana policy. Returns how many were deleted.
absl::StatusOr<int> DeleteAllPolicies(const Lab& lab, const std::vector<std::string>& namespaces = {},
                                      bool romana_policies = true);

// Polls the pairs of `expected` that are not kIgnore (every `interval`, each probe with a 1 s
// timeout) until the observed table matches it, then confirms with one more round of every
// compared pair; gives up at `timeout`. The time is measured from `since` (the API write).
struct Convergence {
  bool matched = false;
  TruthTable observed;                 // the last round (all compared pairs)
  std::vector<Mismatch> mismatches;    // of the last round
  // From `since` to the start of the first round in which every pair matched (its probes left
  // then and saw the change, so it was enforced by then; the previous round, `interval` plus its
  // probes' time earlier, had not seen it yet).
  std::chrono::milliseconds elapsed{0};
  int rounds = 0;
};
absl::StatusOr<Convergence> WaitForTable(const std::vector<PodInfo>& pods, int port, Protocol protocol,
                                         const TruthTable& expected, std::chrono::steady_clock::time_point since,
                                         std::chrono::milliseconds timeout = std::chrono::seconds(10),
                                         std::chrono::milliseconds interval = std::chrono::milliseconds(200));

}  // namespace romana::lab

#endif  // ROMANA_LAB_NETPOL_MODEL_H_
