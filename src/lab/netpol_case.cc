#include "lab/netpol_case.h"

#include <arpa/inet.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/manifest.h"
#include "lab/netpol_model.h"
#include "net/ipv4.h"

namespace romana::lab {
namespace {

using Clock = std::chrono::steady_clock;

absl::Status Bad(const std::string& field, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

absl::StatusOr<TruthTable> ParseReachability(const nlohmann::json& r, const std::vector<std::string>& pods,
                                             const std::string& field) {
  if (r.is_string()) {
    absl::StatusOr<TruthTable> t = ParseTable(r.get<std::string>());
    if (!t.ok()) return Bad(field, std::string(t.status().message()));
    if (t->pods() != pods) return Bad(field, "the table's pods differ from the case's pods (same order)");
    return t;
  }
  if (!r.is_object()) return Bad(field, "want a map from -> {to -> true|false|ignore} or a printed truth table");
  TruthTable t(pods, Reachability::kIgnore);
  for (const std::string& from : pods) {
    if (!r.contains(from) || !r[from].is_object()) return Bad(field, absl::StrCat("no row for ", from));
    for (const std::string& to : pods) {
      const std::string cell = absl::StrCat(field, ".", from, ".", to);
      if (!r[from].contains(to)) return Bad(cell, "missing");
      const nlohmann::json& v = r[from][to];
      Reachability value;
      if (v.is_boolean()) value = v.get<bool>() ? Reachability::kAllowed : Reachability::kBlocked;
      else if (v == "ignore") value = Reachability::kIgnore;
      else return Bad(cell, absl::StrCat(v.dump(), " is not true, false or ignore"));
      (void)t.Set(from, to, value);
    }
    if (r[from].size() != pods.size()) return Bad(absl::StrCat(field, ".", from), "has pods that are not the case's");
  }
  if (r.size() != pods.size()) return Bad(field, "has rows for pods that are not the case's");
  return t;
}

// The pods' IPs by "ns/name".
std::map<std::string, std::string> PodIps(const Lab& lab) {
  std::map<std::string, std::string> out;
  for (const PodInfo& p : ModelPods(lab)) out[p.QualifiedName()] = p.ip;
  return out;
}

std::string Field(const nlohmann::json& j, const std::string& key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

absl::Status RunAction(Lab& lab, const nlohmann::json& a, std::ostream& log) {
  const std::string op = Field(a, "op");
  if (op == "create" || op == "update") {
    const std::string kind = Field(a, "kind");
    if (kind != "NetworkPolicy" && kind != "RomanaPolicy") return Bad("kind", absl::StrCat("\"", kind, "\" is not NetworkPolicy or RomanaPolicy"));
    absl::StatusOr<nlohmann::json> object = SubstitutePlaceholders(a.value("object", nlohmann::json()), PodIps(lab));
    if (!object.ok()) return object.status();
    absl::StatusOr<std::string> what = ApplyPolicy(lab, *object);
    if (!what.ok()) return what.status();
    log << "  " << op << " " << *what << "\n";
    return absl::OkStatus();
  }
  if (op == "delete") {
    const std::string ref = Field(a, "kind") == "RomanaPolicy" ? Field(a, "id") : Field(a, "namespace") + "/" + Field(a, "name");
    log << "  delete " << ref << "\n";
    return DeletePolicy(lab, ref);
  }
  if (op == "delete-all-networkpolicies") {
    std::vector<std::string> namespaces = a.value("namespaces", std::vector<std::string>{});
    absl::StatusOr<int> n = DeleteAllPolicies(lab, namespaces, false);
    if (!n.ok()) return n.status();
    log << "  deleted " << *n << " NetworkPolicies\n";
    return absl::OkStatus();
  }
  if (op == "sleep") {
    log << "  sleep " << a.value("seconds", 0) << " s: not slept (the probes wait for convergence)\n";
    return absl::OkStatus();
  }
  if (op == "add-namespace-label" || op == "remove-namespace-label") {
    LabelChanges c;
    if (op == "add-namespace-label") c[Field(a, "key")] = Field(a, "value");
    else c[Field(a, "key")] = std::nullopt;
    log << "  " << op << " " << Field(a, "namespace") << " " << Field(a, "key") << "\n";
    return ChangeNamespaceLabels(lab, Field(a, "namespace"), c);
  }
  if (op == "add-pod-labels" || op == "reset-pod-labels") {
    std::map<std::string, std::string> labels = a.value("labels", std::map<std::string, std::string>{});
    log << "  " << op << " " << Field(a, "pod") << " " << nlohmann::json(labels).dump() << "\n";
    if (op == "reset-pod-labels") return ReplacePodLabels(lab, Field(a, "pod"), labels);
    LabelChanges c(labels.begin(), labels.end());
    return ChangePodLabels(lab, Field(a, "pod"), c);
  }
  if (op == "remove-pod-label") {
    log << "  remove-pod-label " << Field(a, "pod") << " " << Field(a, "key") << "\n";
    return ChangePodLabels(lab, Field(a, "pod"), {{Field(a, "key"), std::nullopt}});
  }
  return Bad("op", absl::StrCat("\"", op, "\" is not a known action"));
}

std::string Ms(std::chrono::milliseconds d) { return absl::StrFormat("%.2f s", d.count() / 1000.0); }

}  // namespace

absl::StatusOr<NetpolCase> ParseNetpolCase(const nlohmann::json& doc) {
  if (!doc.is_object()) return Bad("case", "not a map");
  NetpolCase c;
  c.name = Field(doc, "name");
  if (c.name.empty()) return Bad("name", "required");
  if (!doc.contains("pods") || !doc["pods"].is_array()) return Bad("pods", "required list of ns/pod");
  for (const nlohmann::json& p : doc["pods"]) {
    if (!p.is_string()) return Bad("pods", "entries must be strings");
    c.pods.push_back(p.get<std::string>());
  }
  if (absl::Status s = ValidateModelPods(c.pods); !s.ok()) return Bad("pods", std::string(s.message()));
  if (!doc.contains("steps") || !doc["steps"].is_array() || doc["steps"].empty()) return Bad("steps", "required non-empty list");
  for (size_t i = 0; i < doc["steps"].size(); ++i) {
    const nlohmann::json& s = doc["steps"][i];
    const std::string field = absl::StrCat("steps[", i, "]");
    if (!s.is_object()) return Bad(field, "not a map");
    CaseStep step;
    step.note = Field(s, "note");
    for (const nlohmann::json& a : s.value("actions", nlohmann::json::array())) {
      if (!a.is_object() || Field(a, "op").empty()) return Bad(field + ".actions", "every action is a map with an op");
      step.actions.push_back(a);
    }
    const nlohmann::json probes = s.value("probes", nlohmann::json::array());
    for (size_t k = 0; k < probes.size(); ++k) {
      const std::string pf = absl::StrCat(field, ".probes[", k, "]");
      const nlohmann::json& p = probes[k];
      CaseProbe probe;
      if (!p.is_object() || !p.contains("port") || !p["port"].is_number_integer()) return Bad(pf + ".port", "required integer");
      probe.port = p["port"].get<int>();
      absl::StatusOr<Protocol> proto = ParseProtocol(p.value("protocol", "TCP"));
      if (!proto.ok()) return Bad(pf + ".protocol", std::string(proto.status().message()));
      probe.protocol = *proto;
      absl::StatusOr<TruthTable> t = ParseReachability(p.value("reachability", nlohmann::json()), c.pods, pf + ".reachability");
      if (!t.ok()) return t.status();
      probe.reachability = *std::move(t);
      step.probes.push_back(std::move(probe));
    }
    c.steps.push_back(std::move(step));
  }
  return c;
}

absl::StatusOr<NetpolCase> ReadNetpolCase(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  absl::StatusOr<std::vector<nlohmann::json>> docs = cli::ReadManifests(ss.str());
  if (!docs.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", docs.status().message()));
  if (docs->size() != 1) return absl::InvalidArgumentError(absl::StrCat(path, ": want exactly one YAML document"));
  absl::StatusOr<NetpolCase> c = ParseNetpolCase((*docs)[0]);
  if (!c.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", c.status().message()));
  c->file = path;
  return c;
}

std::vector<std::string> ListCaseFiles(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".yaml") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

absl::StatusOr<std::string> LargeCidr(const std::string& ip) {
  absl::StatusOr<net::Ipv4Address> a = net::Ipv4Address::Parse(ip);
  if (!a.ok()) return absl::InvalidArgumentError(absl::StrCat("\"", ip, "\" is not an IPv4 address"));
  uint32_t host = a->value() & 0xF0000000u;
  return absl::StrCat(host >> 24, ".0.0.0/4");
}

absl::StatusOr<nlohmann::json> SubstitutePlaceholders(const nlohmann::json& object,
                                                      const std::map<std::string, std::string>& pod_ips) {
  if (object.is_object() || object.is_array()) {
    nlohmann::json out = object;
    for (auto it = out.begin(); it != out.end(); ++it) {
      absl::StatusOr<nlohmann::json> v = SubstitutePlaceholders(*it, pod_ips);
      if (!v.ok()) return v.status();
      *it = *std::move(v);
    }
    return out;
  }
  if (!object.is_string()) return object;
  std::string s = object.get<std::string>();
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t open = s.find("{{", pos);
    if (open == std::string::npos) break;
    size_t close = s.find("}}", open);
    if (close == std::string::npos) return absl::InvalidArgumentError(absl::StrCat("unclosed placeholder in \"", s, "\""));
    out += s.substr(pos, open - pos);
    const std::string inner = s.substr(open + 2, close - open - 2);
    const size_t space = inner.find(' ');
    const std::string fn = inner.substr(0, space), pod = space == std::string::npos ? "" : inner.substr(space + 1);
    auto ip = pod_ips.find(pod);
    if (ip == pod_ips.end()) return absl::InvalidArgumentError(absl::StrCat("placeholder {{", inner, "}}: no pod \"", pod, "\""));
    if (fn == "ip") {
      out += ip->second;
    } else if (fn == "large_cidr") {
      absl::StatusOr<std::string> c = LargeCidr(ip->second);
      if (!c.ok()) return c.status();
      out += *c;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("placeholder {{", inner, "}}: \"", fn, "\" is not ip or large_cidr"));
    }
    pos = close + 2;
  }
  out += s.substr(pos);
  return nlohmann::json(out);
}

CaseResult RunNetpolCase(Lab& lab, const NetpolCase& c, std::ostream& log) {
  CaseResult result;
  log << "=== " << c.name << (c.file.empty() ? "" : " (" + c.file + ")") << "\n";
  auto fail = [&](const std::string& what, const absl::Status& s) {
    result.error = absl::StrCat(what, ": ", s.ToString());
    log << "  ERROR " << result.error << "\n";
    return result;
  };
  // A clean slate: no policies, exactly the case's pods with their default labels, and every
  // pair reachable (so nothing left from an earlier case can make a probe pass).
  if (absl::StatusOr<int> n = DeleteAllPolicies(lab); !n.ok()) return fail("deleting the policies", n.status());
  if (absl::Status s = ModelUp(lab, c.pods, [&](const std::string& l) { log << "  " << l << "\n"; }); !s.ok()) {
    return fail("setting up the pods", s);
  }
  std::vector<PodInfo> pods;
  for (const std::string& name : c.pods) pods.push_back(*lab.FindPod(name));
  absl::StatusOr<Convergence> clean = WaitForTable(pods, 80, Protocol::kTcp, TruthTable(c.pods, Reachability::kAllowed), Clock::now());
  if (!clean.ok()) return fail("probing the clean slate", clean.status());
  if (!clean->matched) {
    return fail("the clean slate (no policies: everything reachable on TCP/80)",
                absl::FailedPreconditionError(FormatMismatches(TruthTable(c.pods, Reachability::kAllowed), clean->mismatches)));
  }
  bool all = true;
  for (size_t i = 0; i < c.steps.size(); ++i) {
    const CaseStep& step = c.steps[i];
    log << "-- step " << i + 1 << (step.note.empty() ? "" : ": " + step.note) << "\n";
    for (const nlohmann::json& a : step.actions) {
      if (absl::Status s = RunAction(lab, a, log); !s.ok()) return fail(absl::StrCat("step ", i + 1, " action ", a.dump()), s);
    }
    const Clock::time_point written = Clock::now();
    for (size_t k = 0; k < step.probes.size(); ++k) {
      const CaseProbe& p = step.probes[k];
      ProbeResult r{static_cast<int>(i + 1), static_cast<int>(k + 1), p.port, p.protocol};
      const std::string what = absl::StrCat(ProtocolName(p.protocol), "/", p.port);
      if (p.protocol == Protocol::kSctp) {
        r.skipped = true;
        log << "  probe " << what << ": skipped (this kernel has no SCTP)\n";
        result.probes.push_back(r);
        continue;
      }
      absl::StatusOr<Convergence> conv = WaitForTable(pods, p.port, p.protocol, p.reachability, written);
      if (!conv.ok()) return fail(absl::StrCat("probing ", what), conv.status());
      r.matched = conv->matched;
      r.elapsed = conv->elapsed;
      if (r.matched) {
        log << "  probe " << what << ": as expected after " << Ms(r.elapsed) << " (" << conv->rounds << " rounds)\n";
      } else {
        all = false;
        r.report = absl::StrCat("expected:\n", FormatTable(p.reachability), "observed:\n", FormatTable(conv->observed),
                                FormatMismatches(p.reachability, conv->mismatches));
        log << "  probe " << what << ": DIFFERS after " << Ms(r.elapsed) << "\n" << r.report;
      }
      result.probes.push_back(std::move(r));
    }
  }
  result.passed = all;
  return result;
}

}  // namespace romana::lab
