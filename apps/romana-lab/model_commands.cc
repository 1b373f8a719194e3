#include "model_commands.h"

#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "base/flags.h"
#include "base/process_main.h"
#include "cli/manifest.h"
#include "lab/commands.h"
#include "lab/lab.h"
#include "lab/netpol_model.h"
#include "lab/probe.h"
#include "lab/serve.h"
#include "lab/truth_table.h"
#include "nlohmann/json.hpp"

namespace romana::lab_cli {
namespace {

using Clock = std::chrono::steady_clock;

// Prints "romana-lab <what>: <message>"; returns `code` (a failed command unless told otherwise).
int Fail(const std::string& what, const absl::Status& s, int code = lab::kExitFailure) {
  std::cerr << "romana-lab " << what << ": " << s.message() << "\n";
  return code;
}

std::string Seconds(std::chrono::nanoseconds d) { return absl::StrFormat("%.2f s", d.count() / 1e9); }

// The last API write made through romana-lab (policy, label), so that a later `probe --wait`
// measures from it. steady_clock is CLOCK_MONOTONIC: the same clock in every process.
void RecordChange(const lab::Lab& lab, const std::string& what) {
  nlohmann::json j = {{"steady_ns", Clock::now().time_since_epoch().count()}, {"what", what}};
  std::ofstream(lab.dir() + "/last-change.json") << j.dump() << "\n";
}

std::pair<Clock::time_point, std::string> LastChange(const lab::Lab& lab) {
  std::ifstream in(lab.dir() + "/last-change.json");
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (!j.is_object() || !j.contains("steady_ns")) return {Clock::now(), ""};
  return {Clock::time_point(Clock::duration(j["steady_ns"].get<int64_t>())), j.value("what", "")};
}

std::string ReadAll(const std::string& path, absl::Status* status) {
  std::ifstream in(path);
  if (!in) {
    *status = absl::NotFoundError(absl::StrCat("cannot read ", path));
    return "";
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

ModelCommands::ModelCommands(CLI::App& app, const std::string& state_root) : state_root_(state_root) {
  auto id = [&](CLI::App* c) { c->add_option("--id", id_, "the lab (default: the only one that is up)"); };
  CLI::App* model = app.add_subcommand("model", "the upstream NetworkPolicy e2e model: namespaces x,y,z, pods a,b,c");
  model->require_subcommand(1);
  model_up_ = model->add_subcommand("up", "create the model's namespaces, pods (with servers on TCP/UDP 80, 81) and endpoints; "
                                          "reset their labels; delete model pods not listed");
  model_up_->add_option("--pods", pods_, "model pods to have (default: all nine)")->delimiter(',');
  id(model_up_);
  model_down_ = model->add_subcommand("down", "delete the model's pods, endpoints and namespaces");
  id(model_down_);

  CLI::App* policy = app.add_subcommand("policy", "write policies to romanad");
  policy->require_subcommand(1);
  policy_apply_ = policy->add_subcommand("apply", "apply NetworkPolicy YAML/JSON (PUT) or Romana policy JSON (POST /policies); kind: List expands");
  policy_apply_->add_option("-f,--filename", file_, "file with one or more documents ('---'-separated)")->required();
  id(policy_apply_);
  policy_delete_ = policy->add_subcommand("delete", "delete a NetworkPolicy (ns/name) or a Romana policy (id)");
  policy_delete_->add_option("ref", ref_, "ns/name or id")->required();
  id(policy_delete_);
  policy_delete_all_ = policy->add_subcommand("delete-all", "delete every NetworkPolicy and every Romana policy");
  id(policy_delete_all_);

  CLI::App* label = app.add_subcommand("label", "change the labels of a pod (endpoint) or a namespace in romanad");
  label->require_subcommand(1);
  label_pod_ = label->add_subcommand("pod", "label pod ns/name k=v (set) k- (remove) ...");
  label_ns_ = label->add_subcommand("ns", "label ns name k=v (set) k- (remove) ...");
  for (CLI::App* c : {label_pod_, label_ns_}) {
    c->add_option("target", target_, "the pod (ns/name) or namespace")->required();
    c->add_option("changes", labels_, "k=v to set, k- to remove")->required();
    id(c);
  }

  probe_ = app.add_subcommand("probe", "probe every ordered pair of model pods and print the truth table "
                                       "(rows from, columns to; . allowed, X blocked, - not probed)");
  probe_->add_option("--port", port_, "destination port")->capture_default_str()->check(CLI::Range(1, 65535));
  probe_->add_option("--protocol", protocol_, "tcp or udp (sctp cannot be probed on these kernels)")->capture_default_str();
  probe_->add_option("--expect", expect_, "a truth table file (the printed format; - = not probed): print the differences");
  probe_->add_option("--wait", wait_, "with --expect: poll (every 200 ms) up to this many seconds until the table matches, "
                                      "and print the time since the last policy/label change")
      ->capture_default_str()->check(CLI::Range(0, 600));
  probe_->add_option("--pods", pods_, "only these model pods (default: all that exist, or the --expect table's)")->delimiter(',');
  id(probe_);

  serve_ = app.add_subcommand("serve", "run the model's servers here (started by the lab inside each model pod): "
                                       "TCP accept+close and UDP echo on every --port, until SIGTERM");
  serve_->add_option("--port", serve_ports_, "port to serve on TCP and UDP (repeatable)")->required();
}

bool ModelCommands::parsed() const {
  for (CLI::App* c : {model_up_, model_down_, policy_apply_, policy_delete_, policy_delete_all_, label_pod_, label_ns_, probe_, serve_}) {
    if (c->parsed()) return true;
  }
  return false;
}

int ModelCommands::Run() {
  if (serve_->parsed()) return Serve();
  if (model_up_->parsed()) return ModelUp();
  if (model_down_->parsed()) return ModelDown();
  if (policy_apply_->parsed()) return PolicyApply();
  if (policy_delete_->parsed()) return PolicyDelete();
  if (policy_delete_all_->parsed()) return PolicyDeleteAll();
  if (label_pod_->parsed()) return Label(true);
  if (label_ns_->parsed()) return Label(false);
  return Probe();
}

int ModelCommands::Serve() {
  base::BlockTerminationSignals();
  std::atomic<bool> stop{false};
  std::thread([&] {
    base::WaitForTerminationSignal();
    stop = true;
  }).detach();
  if (absl::Status s = lab::Serve(serve_ports_, stop); !s.ok()) return Fail("serve", s);
  return 0;
}

int ModelCommands::ModelUp() {
  absl::StatusOr<std::unique_ptr<lab::Lab>> l = lab::Lab::Attach(state_root_, id_);
  if (!l.ok()) return Fail("model up", l.status());
  std::vector<std::string> pods = pods_.empty() ? lab::AllModelPods() : pods_;
  absl::Status s = lab::ModelUp(**l, pods, [](const std::string& line) { std::cout << "[model] " << line << std::endl; });
  if (!s.ok()) return Fail("model up", s);
  std::cout << "[model] namespaces x, y, z (labels kubernetes.io/metadata.name=<ns>, ns=<ns>)\n";
  for (const lab::PodInfo& p : lab::ModelPods(**l)) {
    std::cout << "[model] pod " << p.QualifiedName() << " on " << lab::NodeName(p.node) << " " << p.ip
              << " label pod=" << p.name << ", serving TCP+UDP 80, 81 (named ports serve-{80,81}-{tcp,udp,sctp})\n";
  }
  return 0;
}

int ModelCommands::ModelDown() {
  absl::StatusOr<std::unique_ptr<lab::Lab>> l = lab::Lab::Attach(state_root_, id_);
  if (!l.ok()) return Fail("model down", l.status());
  if (absl::Status s = lab::ModelDown(**l); !s.ok()) return Fail("model down", s);
  std::cout << "model removed (pods, endpoints, namespaces x, y, z)\n";
  return 0;
}

int ModelCommands::PolicyApply() {
  absl::Status read;
  std::string text = ReadAll(file_, &read);
  if (!read.ok()) return Fail("policy apply", read);
  absl::StatusOr<std::vector<nlohmann::json>> docs = cli::ReadManifests(text);
  if (!docs.ok()) return Fail("policy apply", absl::InvalidArgumentError(absl::StrCat(file_, ": ", docs.status().message())));
  if (docs->empty()) return Fail("policy apply", absl::InvalidArgumentError(absl::StrCat(file_, " holds no document")));
  absl::StatusOr<std::unique_ptr<lab::Lab>> l = lab::Lab::Attach(state_root_, id_);
  if (!l.ok()) return Fail("policy apply", l.status());
  std::vector<std::string> written;
  for (const nlohmann::json& d : *docs) {
    absl::StatusOr<std::string> what = lab::ApplyPolicy(**l, d);
    if (!what.ok()) return Fail("policy apply", what.status());
    RecordChange(**l, "policy apply " + file_);
    std::cout << *what << " applied\n";
  }
  return 0;
}

int ModelCommands::PolicyDelete() {
  absl::StatusOr<std::unique_ptr<lab::Lab>> l = lab::Lab::Attach(state_root_, id_);
  if (!l.ok()) return Fail("policy delete", l.status());
  if (absl::Status s = lab::DeletePolicy(**l, ref_); !s.ok()) return Fail("policy delete", s);
  RecordChange(**l, "policy delete " + ref_);
  std::cout << ref_ << " deleted\n";
  return 0;
}

int ModelCommands::PolicyDeleteAll() {
  absl::StatusOr<std::unique_ptr<lab::Lab>> l = lab::Lab::Attach(state_root_, id_);
  if (!l.ok()) return Fail("policy delete-all", l.status());
  absl::StatusOr<int> n = lab::DeleteAllPolicies(**l);
  if (!n.ok()) return Fail("policy delete-all", n.status());
  RecordChange(**l, "policy delete-all");
  std::cout << *n << " policies deleted\n";
  return 0;
}

int ModelCommands::Label(bool pod) {
  const std::string what = pod ? "label pod" : "label ns";
  absl::StatusOr<lab::LabelChanges> changes = lab::ParseLabelChanges(labels_);
  if (!changes.ok()) return Fail(what, changes.status(), base::kExitUsage);
  absl::StatusOr<std::unique_ptr<lab::Lab>> l = lab::Lab::Attach(state_root_, id_);
  if (!l.ok()) return Fail(what, l.status());
  absl::Status s = pod ? lab::ChangePodLabels(**l, target_, *changes) : lab::ChangeNamespaceLabels(**l, target_, *changes);
  if (!s.ok()) return Fail(what, s);
  RecordChange(**l, absl::StrCat(what, " ", target_, " ", absl::StrJoin(labels_, " ")));
  std::cout << target_ << " labelled\n";
  return 0;
}

int ModelCommands::Probe() {
  absl::StatusOr<lab::Protocol> protocol = lab::ParseProtocol(protocol_);
  if (!protocol.ok()) return Fail("probe", protocol.status(), base::kExitUsage);
  std::optional<lab::TruthTable> expected;
  if (!expect_.empty()) {
    absl::Status read;
    std::string text = ReadAll(expect_, &read);
    if (!read.ok()) return Fail("probe", read);
    absl::StatusOr<lab::TruthTable> t = lab::ParseTable(text);
    if (!t.ok()) return Fail("probe", absl::InvalidArgumentError(absl::StrCat(expect_, ": ", t.status().message())));
    expected = *t;
  }
  if (wait_ > 0 && !expected) return Fail("probe", absl::InvalidArgumentError("--wait needs --expect"), base::kExitUsage);
  absl::StatusOr<std::unique_ptr<lab::Lab>> l = lab::Lab::Attach(state_root_, id_);
  if (!l.ok()) return Fail("probe", l.status());
  std::vector<std::string> names = !pods_.empty() ? pods_ : expected ? expected->pods() : std::vector<std::string>{};
  std::vector<lab::PodInfo> pods;
  if (names.empty()) {
    pods = lab::ModelPods(**l);
  } else {
    for (const std::string& n : names) {
      absl::StatusOr<lab::PodInfo> p = (*l)->FindPod(n);
      if (!p.ok()) return Fail("probe", p.status());
      pods.push_back(*p);
    }
  }
  if (pods.size() < 2) return Fail("probe", absl::FailedPreconditionError("fewer than two model pods (run: romana-lab model up)"));
  const std::string what = absl::StrCat(lab::ProtocolName(*protocol), "/", port_);
  const Clock::time_point start = Clock::now();
  if (!expected) {
    absl::StatusOr<lab::TruthTable> t = lab::ProbeTable(pods, port_, *protocol);
    if (!t.ok()) return Fail("probe", t.status());
    std::cout << what << ": " << t->CountCompared() << " pairs probed in " << Seconds(Clock::now() - start)
              << " (rows from, columns to; . allowed, X blocked)\n"
              << lab::FormatTable(*t);
    return 0;
  }
  auto [since, change] = LastChange(**l);
  absl::StatusOr<lab::Convergence> c;
  if (wait_ == 0) {
    absl::StatusOr<lab::TruthTable> t = lab::ProbeTable(pods, port_, *protocol, &*expected);
    if (!t.ok()) return Fail("probe", t.status());
    c = lab::Convergence{.observed = *t, .mismatches = lab::Compare(*expected, *t)};
    c->matched = c->mismatches.empty();
  } else {
    c = lab::WaitForTable(pods, port_, *protocol, *expected, since, std::chrono::seconds(wait_));
  }
  if (!c.ok()) return Fail("probe", c.status());
  std::cout << what << ": " << c->observed.CountCompared() << " pairs probed (rows from, columns to; . allowed, X blocked, - not probed)\n"
            << "expected:\n" << lab::FormatTable(*expected) << "observed:\n" << lab::FormatTable(c->observed);
  if (!c->matched) {
    std::cout << lab::FormatMismatches(*expected, c->mismatches);
    if (wait_ > 0) std::cout << "still different after waiting " << wait_ << " s\n";
    return lab::kExitMatrixFailed;
  }
  std::cout << "observed = expected";
  if (wait_ > 0 && !change.empty()) {
    std::cout << ": every node enforces it " << Seconds(c->elapsed) << " after the last API write (" << change << "; "
              << c->rounds << " probe rounds)";
  }
  std::cout << "\n";
  return 0;
}

}  // namespace romana::lab_cli
