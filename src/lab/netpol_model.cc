#include "lab/netpol_model.h"

#include <algorithm>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "api/client.h"
#include "http/url.h"

namespace romana::lab {
namespace {

const std::vector<std::string>& ModelNamespaces() {
  static const std::vector<std::string> kNamespaces = {"x", "y", "z"};
  return kNamespaces;
}

void Say(const std::function<void(const std::string&)>& progress, const std::string& line) {
  if (progress) progress(line);
}

// One REST call to romanad; the parsed JSON answer (null for an empty body) or the Status of a
// non-2xx answer (api::Client::StatusFromResponse: 400 carries the field).
absl::StatusOr<nlohmann::json> Rest(const Lab& lab, const std::string& method, const std::string& path,
                                    const nlohmann::json& body = nullptr) {
  nlohmann::json out;
  absl::Status s = lab.WithRomanad([&](api::Client& c) -> absl::Status {
    absl::StatusOr<api::RawResponse> r = c.Do(method, path, body.is_null() ? "" : body.dump());
    if (!r.ok()) return r.status();
    if (absl::Status st = api::Client::StatusFromResponse(r->status, r->body); !st.ok()) {
      absl::Status named(st.code(), absl::StrCat(method, " ", path, ": ", st.message()));
      st.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) { named.SetPayload(url, payload); });
      return named;  // with the field and code payloads (api/field_error.h)
    }
    out = r->body.empty() ? nlohmann::json() : nlohmann::json::parse(r->body, nullptr, false);
    if (out.is_discarded()) return absl::InternalError(absl::StrCat(method, " ", path, ": romanad answered invalid JSON"));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

// Kubernetes mode: read-modify-write of an object's metadata.labels in the lab's Kubernetes API
// (the listener carries the change to romanad). NotFound when the object does not exist.
absl::Status ChangeObjectLabels(const Lab& lab, const std::string& resource, const std::string& ns,
                                const std::string& name, const std::function<void(nlohmann::json&)>& change) {
  absl::StatusOr<std::unique_ptr<KubeObjects>> kube = lab.Kube();
  if (!kube.ok()) return kube.status();
  absl::StatusOr<nlohmann::json> object = (*kube)->Get(resource, ns, name);
  if (!object.ok()) return object.status();
  change((*object)["metadata"]["labels"]);
  return (*kube)->Apply(resource, *object);
}

// "ns/name" -> {ns, name}; InvalidArgument otherwise.
absl::StatusOr<std::pair<std::string, std::string>> SplitRef(const std::string& ref, const std::string& what) {
  std::vector<std::string> parts = absl::StrSplit(ref, '/');
  if (parts.size() != 2 || parts[0].empty() || parts[1].empty()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " \"", ref, "\" is not <namespace>/<name>"));
  }
  return std::pair{parts[0], parts[1]};
}

nlohmann::json NamespaceLabels(const std::string& ns) {
  return {{"kubernetes.io/metadata.name", ns}, {"ns", ns}};
}

void ApplyChanges(nlohmann::json& labels, const LabelChanges& changes) {
  if (!labels.is_object()) labels = nlohmann::json::object();
  for (const auto& [k, v] : changes) {
    if (v) labels[k] = *v;
    else labels.erase(k);
  }
}

// Writes the model pod's Endpoint: labels {pod: <name>} and its named ports (in Kubernetes mode
// its Pod object, which the listener turns into the Endpoint).
absl::Status PutModelEndpoint(const Lab& lab, const PodInfo& pod) {
  if (lab.kubernetes()) {
    absl::StatusOr<std::unique_ptr<KubeObjects>> kube = lab.Kube();
    if (!kube.ok()) return kube.status();
    return (*kube)->Apply("pods", PodObject(pod.k8s_namespace, pod.name, NodeName(pod.node), pod.ip,
                                            {{"pod", pod.name}}, ModelEndpointPorts()));
  }
  nlohmann::json ep = {{"namespace", pod.k8s_namespace}, {"name", pod.name}, {"node", NodeName(pod.node)},
                       {"ip", pod.ip}, {"labels", {{"pod", pod.name}}}, {"ports", ModelEndpointPorts()}};
  return Rest(lab, "PUT", absl::StrCat("/endpoints/", pod.k8s_namespace, "/", pod.name), ep).status();
}

}  // namespace

std::vector<std::string> AllModelPods() {
  std::vector<std::string> out;
  for (const std::string& ns : ModelNamespaces()) {
    for (const char* p : {"a", "b", "c"}) out.push_back(absl::StrCat(ns, "/", p));
  }
  return out;
}

std::vector<int> ModelPorts() { return {80, 81}; }

nlohmann::json ModelEndpointPorts() {
  nlohmann::json ports = nlohmann::json::array();
  for (int port : ModelPorts()) {
    for (const char* proto : {"tcp", "udp", "sctp"}) {
      std::string upper = proto;
      std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
      ports.push_back({{"name", absl::StrCat("serve-", port, "-", proto)}, {"port", port}, {"protocol", upper}});
    }
  }
  return ports;
}

absl::Status ValidateModelPods(const std::vector<std::string>& pods) {
  const std::vector<std::string> all = AllModelPods();
  std::set<std::string> seen;
  for (const std::string& p : pods) {
    if (std::find(all.begin(), all.end(), p) == all.end()) {
      return absl::InvalidArgumentError(absl::StrCat("pod \"", p, "\" is not a model pod (x|y|z)/(a|b|c)"));
    }
    if (!seen.insert(p).second) return absl::InvalidArgumentError(absl::StrCat("pod \"", p, "\" is listed twice"));
  }
  return absl::OkStatus();
}

std::vector<PodInfo> ModelPods(const Lab& lab) {
  std::vector<PodInfo> out;
  for (const std::string& name : AllModelPods()) {
    if (absl::StatusOr<PodInfo> p = lab.FindPod(name); p.ok()) out.push_back(*p);
  }
  return out;
}

absl::Status ModelUp(Lab& lab, const std::vector<std::string>& pods, const std::function<void(const std::string&)>& progress) {
  if (absl::Status s = ValidateModelPods(pods); !s.ok()) return s;
  if (lab.nodes().empty()) return absl::FailedPreconditionError("the lab has no nodes");
  for (const std::string& ns : ModelNamespaces()) {
    if (lab.kubernetes()) {
      absl::StatusOr<std::unique_ptr<KubeObjects>> kube = lab.Kube();
      if (!kube.ok()) return kube.status();
      if (absl::Status s = (*kube)->Apply("namespaces", NamespaceObject(ns, NamespaceLabels(ns))); !s.ok()) return s;
      continue;
    }
    nlohmann::json body = {{"name", ns}, {"labels", NamespaceLabels(ns)}, {"isolated", false}};
    if (absl::StatusOr<nlohmann::json> r = Rest(lab, "PUT", "/namespaces/" + ns, body); !r.ok()) return r.status();
  }
  const std::set<std::string> wanted(pods.begin(), pods.end());
  for (const PodInfo& p : ModelPods(lab)) {
    if (wanted.contains(p.QualifiedName())) continue;
    Say(progress, "deleting pod " + p.QualifiedName());
    if (absl::Status s = lab.DeletePod(p.QualifiedName()); !s.ok()) return s;
    if (lab.kubernetes()) continue;  // DeletePod deleted the Pod object; the listener the endpoint
    absl::StatusOr<nlohmann::json> r = Rest(lab, "DELETE", absl::StrCat("/endpoints/", p.k8s_namespace, "/", p.name));
    if (!r.ok() && !absl::IsNotFound(r.status())) return r.status();
  }
  std::vector<int> node_numbers;
  for (const auto& [n, node] : lab.nodes()) node_numbers.push_back(n);
  const std::vector<std::string> all = AllModelPods();
  bool added = false;
  for (const std::string& name : pods) {
    if (lab.FindPod(name).ok()) continue;
    auto [ns, pod] = *SplitRef(name, "pod");
    const int index = std::find(all.begin(), all.end(), name) - all.begin();
    const int node = node_numbers[index % node_numbers.size()];
    absl::StatusOr<PodInfo> p = lab.AddPod(node, pod, ns);
    if (!p.ok()) return p.status();
    Say(progress, absl::StrCat("pod ", name, " on ", NodeName(node), ": ", p->ip));
    added = true;
  }
  for (const std::string& name : pods) {
    if (absl::Status s = lab.StartServer(name, ModelPorts()); !s.ok()) return s;
    absl::StatusOr<PodInfo> p = lab.FindPod(name);
    if (!p.ok()) return p.status();
    if (absl::Status s = PutModelEndpoint(lab, *p); !s.ok()) return s;
  }
  if (added) {
    Say(progress, "waiting for the routes to converge");
    return lab.WaitConverged();
  }
  return absl::OkStatus();
}

absl::Status ModelDown(Lab& lab) {
  if (absl::Status s = ModelUp(lab, {}); !s.ok()) return s;
  for (const std::string& ns : ModelNamespaces()) {
    if (lab.kubernetes()) {
      absl::StatusOr<std::unique_ptr<KubeObjects>> kube = lab.Kube();
      if (!kube.ok()) return kube.status();
      absl::Status s = (*kube)->Delete("namespaces", "", ns);
      if (!s.ok() && !absl::IsNotFound(s)) return s;
      continue;
    }
    absl::StatusOr<nlohmann::json> r = Rest(lab, "DELETE", "/namespaces/" + ns);
    if (!r.ok() && !absl::IsNotFound(r.status())) return r.status();
  }
  return absl::OkStatus();
}

absl::StatusOr<LabelChanges> ParseLabelChanges(const std::vector<std::string>& args) {
  LabelChanges out;
  for (const std::string& a : args) {
    size_t eq = a.find('=');
    if (eq != std::string::npos) {
      if (eq == 0) return absl::InvalidArgumentError(absl::StrCat("label \"", a, "\": empty key"));
      out[a.substr(0, eq)] = a.substr(eq + 1);
    } else if (a.size() > 1 && a.back() == '-') {
      out[a.substr(0, a.size() - 1)] = std::nullopt;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("label \"", a, "\": want key=value (set) or key- (remove)"));
    }
  }
  if (out.empty()) return absl::InvalidArgumentError("no label changes given (key=value or key-)");
  return out;
}

absl::Status ChangePodLabels(const Lab& lab, const std::string& pod, const LabelChanges& changes) {
  absl::StatusOr<std::pair<std::string, std::string>> ref = SplitRef(pod, "pod");
  if (!ref.ok()) return ref.status();
  if (lab.kubernetes()) {
    return ChangeObjectLabels(lab, "pods", ref->first, ref->second, [&](nlohmann::json& l) { ApplyChanges(l, changes); });
  }
  const std::string path = absl::StrCat("/endpoints/", ref->first, "/", ref->second);
  absl::StatusOr<nlohmann::json> ep = Rest(lab, "GET", path);
  if (!ep.ok()) return ep.status();
  ApplyChanges((*ep)["labels"], changes);
  return Rest(lab, "PUT", path, *ep).status();
}

absl::Status ReplacePodLabels(const Lab& lab, const std::string& pod, const std::map<std::string, std::string>& labels) {
  absl::StatusOr<std::pair<std::string, std::string>> ref = SplitRef(pod, "pod");
  if (!ref.ok()) return ref.status();
  if (lab.kubernetes()) {
    return ChangeObjectLabels(lab, "pods", ref->first, ref->second, [&](nlohmann::json& l) { l = labels; });
  }
  const std::string path = absl::StrCat("/endpoints/", ref->first, "/", ref->second);
  absl::StatusOr<nlohmann::json> ep = Rest(lab, "GET", path);
  if (!ep.ok()) return ep.status();
  (*ep)["labels"] = labels;
  return Rest(lab, "PUT", path, *ep).status();
}

absl::Status ChangeNamespaceLabels(const Lab& lab, const std::string& ns, const LabelChanges& changes) {
  if (lab.kubernetes()) {
    return ChangeObjectLabels(lab, "namespaces", "", ns, [&](nlohmann::json& l) { ApplyChanges(l, changes); });
  }
  absl::StatusOr<nlohmann::json> n = Rest(lab, "GET", "/namespaces/" + ns);
  if (!n.ok()) return n.status();
  ApplyChanges((*n)["labels"], changes);
  return Rest(lab, "PUT", "/namespaces/" + ns, *n).status();
}

absl::StatusOr<std::string> ApplyPolicy(const Lab& lab, const nlohmann::json& document) {
  if (!document.is_object()) return absl::InvalidArgumentError("a policy document must be an object");
  if (document.value("kind", "") == "NetworkPolicy") {
    const nlohmann::json meta = document.value("metadata", nlohmann::json::object());
    const std::string ns = meta.is_object() ? meta.value("namespace", "") : "";
    const std::string name = meta.is_object() ? meta.value("name", "") : "";
    if (ns.empty()) return absl::InvalidArgumentError("NetworkPolicy: metadata.namespace is required");
    if (name.empty()) return absl::InvalidArgumentError("NetworkPolicy: metadata.name is required");
    if (lab.kubernetes()) {  // as kubectl apply: the listener stores it in romanad
      absl::StatusOr<std::unique_ptr<KubeObjects>> kube = lab.Kube();
      if (!kube.ok()) return kube.status();
      if (absl::Status s = (*kube)->Apply("networkpolicies", document); !s.ok()) return s;
      return absl::StrCat("networkpolicy ", ns, "/", name);
    }
    absl::StatusOr<nlohmann::json> r =
        Rest(lab, "PUT", absl::StrCat("/namespaces/", http::PercentEncode(ns), "/networkpolicies/", http::PercentEncode(name)), document);
    if (!r.ok()) return r.status();
    return absl::StrCat("networkpolicy ", ns, "/", name);
  }
  if (document.contains("kind")) {
    return absl::InvalidArgumentError(absl::StrCat("kind \"", document["kind"].dump(),
                                                   "\": want NetworkPolicy, or a Romana policy (no kind, with an id)"));
  }
  if (!document.contains("id") || !document["id"].is_string()) {
    return absl::InvalidArgumentError("Romana policy: \"id\" is required (a document with no kind is a Romana policy)");
  }
  absl::StatusOr<nlohmann::json> r = Rest(lab, "POST", "/policies", document);
  if (!r.ok()) return r.status();
  return absl::StrCat("policy ", document["id"].get<std::string>());
}

absl::Status DeletePolicy(const Lab& lab, const std::string& ref) {
  if (ref.find('/') == std::string::npos) return Rest(lab, "DELETE", "/policies/" + http::PercentEncode(ref)).status();
  absl::StatusOr<std::pair<std::string, std::string>> r = SplitRef(ref, "NetworkPolicy");
  if (!r.ok()) return r.status();
  if (lab.kubernetes()) {
    absl::StatusOr<std::unique_ptr<KubeObjects>> kube = lab.Kube();
    if (!kube.ok()) return kube.status();
    return (*kube)->Delete("networkpolicies", r->first, r->second);
  }
  return Rest(lab, "DELETE", absl::StrCat("/namespaces/", http::PercentEncode(r->first), "/networkpolicies/", http::PercentEncode(r->second)))
      .status();
}

absl::StatusOr<int> DeleteAllPolicies(const Lab& lab, const std::vector<std::string>& namespaces, bool romana_policies) {
  int deleted = 0;
  nlohmann::json items;
  if (lab.kubernetes()) {
    absl::StatusOr<std::unique_ptr<KubeObjects>> kube = lab.Kube();
    if (!kube.ok()) return kube.status();
    absl::StatusOr<nlohmann::json> list = (*kube)->Get("networkpolicies", "", "");
    if (!list.ok()) return list.status();
    items = list->value("items", nlohmann::json::array());
  } else {
    absl::StatusOr<nlohmann::json> list = Rest(lab, "GET", "/networkpolicies");
    if (!list.ok()) return list.status();
    items = list->value("networkpolicies", nlohmann::json::array());
  }
  for (const nlohmann::json& np : items) {
    const nlohmann::json meta = np.value("metadata", nlohmann::json::object());
    const std::string ns = meta.value("namespace", ""), name = meta.value("name", "");
    if (!namespaces.empty() && std::find(namespaces.begin(), namespaces.end(), ns) == namespaces.end()) continue;
    absl::Status s = DeletePolicy(lab, ns + "/" + name);
    if (!s.ok() && !absl::IsNotFound(s)) return s;
    ++deleted;
  }
  if (romana_policies) {
    absl::StatusOr<nlohmann::json> policies = Rest(lab, "GET", "/policies");
    if (!policies.ok()) return policies.status();
    for (const nlohmann::json& p : policies->value("policies", nlohmann::json::array())) {
      absl::Status s = DeletePolicy(lab, p.value("id", ""));
      if (!s.ok() && !absl::IsNotFound(s)) return s;
      ++deleted;
    }
  }
  return deleted;
}

absl::StatusOr<Convergence> WaitForTable(const std::vector<PodInfo>& pods, int port, Protocol protocol,
                                         const TruthTable& expected, std::chrono::steady_clock::time_point since,
                                         std::chrono::milliseconds timeout, std::chrono::milliseconds interval) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + timeout;
  Convergence c;
  TruthTable pending = expected;  // the pairs still to see as expected (others kIgnore)
  while (true) {
    const Clock::time_point round_start = Clock::now();
    ++c.rounds;
    const bool confirming = pending.CountCompared() == 0;
    absl::StatusOr<TruthTable> seen = ProbeTable(pods, port, protocol, confirming ? &expected : &pending);
    if (!seen.ok()) return seen.status();
    if (confirming) {
      c.observed = *seen;
      c.mismatches = Compare(expected, *seen);
      if (c.mismatches.empty()) {
        c.matched = true;
        return c;
      }
      if (Clock::now() >= deadline) {
        c.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since);
        return c;
      }
      pending = expected;  // something flipped back: poll everything again
    }
    bool all_match = true;
    for (size_t i = 0; i < pending.pods().size(); ++i) {
      for (size_t j = 0; j < pending.pods().size(); ++j) {
        Reachability want = pending.at(i, j);
        if (want == Reachability::kIgnore) continue;
        if (seen->Get(pending.pods()[i], pending.pods()[j]).value_or(Reachability::kIgnore) == want) {
          pending.set(i, j, Reachability::kIgnore);
        } else {
          all_match = false;
        }
      }
    }
    if (all_match) {
      // The probes of this round left at its start and saw the change: it was enforced by then.
      c.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(round_start - since);
      continue;  // confirm with every pair
    }
    if (Clock::now() >= deadline) {
      absl::StatusOr<TruthTable> last = ProbeTable(pods, port, protocol, &expected);
      if (!last.ok()) return last.status();
      c.observed = *last;
      c.mismatches = Compare(expected, *last);
      c.matched = c.mismatches.empty();
      c.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since);
      return c;
    }
    std::this_thread::sleep_until(round_start + interval);
  }
}

}  // namespace romana::lab
