// netpol_case.h: NetworkPolicy conformance cases (the format of
// ../shared/testdata/netpol/MODEL.md, also used by the project's own cases in
// tests/e2e/policy_cases) and the harness that runs them on a lab with the model of
// netpol_model.h.
//
// A case names its pods, then steps of actions (create/update/delete policies, label changes)
// each followed by probes: a port, a protocol and the expected reachability of every ordered
// pair. The harness brings the model to the case's pods with no policies, checks that everything
// is reachable, runs each step's actions and polls each probe until the observed table equals
// the expectation (every 200 ms up to 10 s, as upstream), measuring the time from the step's
// last API write. A "sleep" action is a no-op: probes wait for convergence instead.
//
// Extensions over the shared format (own cases): `reachability` may be a printed truth table
// (truth_table.h) instead of a map; action ops `delete` ({kind: NetworkPolicy, namespace, name}
// or {kind: RomanaPolicy, id}), `remove-pod-label` ({pod, key}); create/update with
// kind: RomanaPolicy (object = reference §5.1 JSON).
// Parsing and placeholder substitution are pure; RunNetpolCase talks to the lab. Thread-compatible.
#ifndef ROMANA_LAB_NETPOL_CASE_H_
#define ROMANA_LAB_NETPOL_CASE_H_

#include <chrono>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lab/lab.h"
#include "lab/probe.h"
#include "lab/truth_table.h"
#include "nlohmann/json.hpp"

namespace romana::lab {

struct CaseProbe {
  int port = 80;
  Protocol protocol = Protocol::kTcp;
  TruthTable reachability;  // over the case's pods, in `pods` order
};

struct CaseStep {
  std::string note;
  std::vector<nlohmann::json> actions;  // {op: ..., ...} as in the file
  std::vector<CaseProbe> probes;
};

struct NetpolCase {
  std::string file;  // where it was read from (for messages)
  std::string name;
  std::vector<std::string> pods;  // "x/a", ...
  std::vector<CaseStep> steps;
};

// Parses one case document (YAML already read as JSON). InvalidArgument naming the field
// ("steps[1].probes[0].reachability.x/a.y/b") and the reason.
absl::StatusOr<NetpolCase> ParseNetpolCase(const nlohmann::json& doc);
// Reads and parses a case file.
absl::StatusOr<NetpolCase> ReadNetpolCase(const std::string& path);
// The *.yaml files of `dir`, sorted by name.
std::vector<std::string> ListCaseFiles(const std::string& dir);

// makeLargeCIDRForIP: the /4 network containing `ip` ("10.244.1.7" -> "0.0.0.0/4").
// InvalidArgument for anything but an IPv4 address.
absl::StatusOr<std::string> LargeCidr(const std::string& ip);
// Replaces "{{ip ns/pod}}" and "{{large_cidr ns/pod}}" in every string of `object`, using
// `pod_ips` ("x/a" -> "10.112.0.5"). InvalidArgument for an unknown pod or placeholder.
absl::StatusOr<nlohmann::json> SubstitutePlaceholders(const nlohmann::json& object,
                                                      const std::map<std::string, std::string>& pod_ips);

struct ProbeResult {
  int step = 0, probe = 0;
  int port = 0;
  Protocol protocol = Protocol::kTcp;
  bool skipped = false;  // SCTP: cannot be probed here
  bool matched = false;
  std::chrono::milliseconds elapsed{0};  // from the step's last API write until it matched
  std::string report;    // expected, observed and the comparison when it did not match
};

struct CaseResult {
  bool passed = false;
  std::string error;  // set-up or action failure (empty when only probes failed)
  std::vector<ProbeResult> probes;
};

// Runs the case as described in the file comment; progress and results go to `log`.
// Errors are reported in the CaseResult, never as a crash of the harness.
CaseResult RunNetpolCase(Lab& lab, const NetpolCase& c, std::ostream& log);

}  // namespace romana::lab

#endif  // ROMANA_LAB_NETPOL_CASE_H_
