// The columns and cells of each served resource's Table (table.h), as Kubernetes'
// pkg/printers/internalversion/printers.go prints them.
#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "kube_apiserver/table.h"

namespace romana::kube_apiserver {
namespace {

using nlohmann::json;
using TimePoint = std::chrono::system_clock::time_point;

// Column descriptions as the Kubernetes API documents the fields (long ones cut after their
// first sentences).
constexpr char kNameDoc[] =
    "Name must be unique within a namespace. Is required when creating resources, although some resources may allow "
    "a client to request the generation of an appropriate name automatically. Name is primarily intended for creation "
    "idempotence and configuration definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
constexpr char kCreatedDoc[] =
    "CreationTimestamp is a timestamp representing the server time when this object was created. It is not "
    "guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is "
    "represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

TableColumn Column(std::string name, std::string description, int priority = 0) {
  return {.name = std::move(name), .type = "string", .description = std::move(description), .priority = priority};
}
TableColumn NameColumn() { return {.name = "Name", .type = "string", .format = "name", .description = kNameDoc}; }
TableColumn AgeColumn() { return Column("Age", kCreatedDoc); }

// ---- reading the object: absent or mistyped fields read as unset ----

const json* At(const json& j, std::initializer_list<const char*> path) {
  const json* p = &j;
  for (const char* key : path) {
    if (!p->is_object()) return nullptr;
    auto it = p->find(key);
    if (it == p->end()) return nullptr;
    p = &*it;
  }
  return p;
}
std::string Str(const json& j, std::initializer_list<const char*> path) {
  const json* p = At(j, path);
  return p && p->is_string() ? p->get<std::string>() : "";
}
int64_t Int(const json& j, std::initializer_list<const char*> path) {
  const json* p = At(j, path);
  return p && p->is_number_integer() ? p->get<int64_t>() : 0;
}
bool Bool(const json& j, std::initializer_list<const char*> path) {
  const json* p = At(j, path);
  return p && p->is_boolean() && p->get<bool>();
}
const json& Array(const json& j, std::initializer_list<const char*> path) {
  static const json* const kEmpty = new json(json::array());
  const json* p = At(j, path);
  return p && p->is_array() ? *p : *kEmpty;
}
std::string OrNone(std::string s) { return s.empty() ? "<none>" : s; }

// A metav1.Time; unset for Go's zero time (0001-01-01T00:00:00Z), which Kubernetes prints as
// unset. In absl::Time, whose arithmetic saturates: any year parses without overflow.
std::optional<absl::Time> Timestamp(const json& j, std::initializer_list<const char*> path) {
  const std::string text = Str(j, path);
  absl::Time t;
  std::string err;
  if (text.empty() || !absl::ParseTime(absl::RFC3339_full, text, &t, &err)) return std::nullopt;
  if (t == absl::FromCivil(absl::CivilSecond(1, 1, 1, 0, 0, 0), absl::UTCTimeZone())) return std::nullopt;
  return t;
}
// translateTimestampSince. Differences beyond 200 years are clamped (still "200y" or
// "<invalid>") so that they fit a std::chrono duration.
std::string Since(std::optional<absl::Time> t, TimePoint now) {
  if (!t) return "<unknown>";
  const absl::Duration kLimit = absl::Hours(24 * 365 * 200);
  const absl::Duration d = std::clamp(absl::FromChrono(now) - *t, -kLimit, kLimit);
  return HumanDuration(absl::ToChronoNanoseconds(d));
}
std::string Age(const json& object, TimePoint now) {
  return Since(Timestamp(object, {"metadata", "creationTimestamp"}), now);
}

// labels.FormatLabels: "k=v,k2=v2" in key order, "<none>" when empty.
std::string FormatLabels(const json* labels) {
  std::vector<std::string> parts;
  if (labels && labels->is_object()) {
    for (const auto& [k, v] : labels->items()) parts.push_back(k + "=" + (v.is_string() ? v.get<std::string>() : ""));
  }
  return OrNone(absl::StrJoin(parts, ","));  // nlohmann::json objects iterate in key order
}

// metav1.FormatLabelSelector: the selector's requirements in key order ("app=web",
// "tier in (a,b)", "env notin (x)", "key", "!key"); "<none>" for an empty selector,
// "<error>" for one Kubernetes would refuse (unknown operator, wrong number of values).
std::string FormatLabelSelector(const json* selector) {
  if (!selector || !selector->is_object()) return "<none>";
  std::vector<std::pair<std::string, std::string>> reqs;  // key, rendered requirement
  if (const json* ml = At(*selector, {"matchLabels"}); ml && ml->is_object()) {
    for (const auto& [k, v] : ml->items()) reqs.emplace_back(k, k + "=" + (v.is_string() ? v.get<std::string>() : ""));
  }
  for (const json& e : Array(*selector, {"matchExpressions"})) {
    const std::string key = Str(e, {"key"});
    const std::string op = Str(e, {"operator"});
    std::vector<std::string> values;
    for (const json& v : Array(e, {"values"})) values.push_back(v.is_string() ? v.get<std::string>() : "");
    std::sort(values.begin(), values.end());
    if (op == "In" || op == "NotIn") {
      if (values.empty()) return "<error>";
      reqs.emplace_back(key, absl::StrCat(key, op == "In" ? " in (" : " notin (", absl::StrJoin(values, ","), ")"));
    } else if (op == "Exists" || op == "DoesNotExist") {
      if (!values.empty()) return "<error>";
      reqs.emplace_back(key, (op == "Exists" ? "" : "!") + key);
    } else {
      return "<error>";
    }
  }
  std::stable_sort(reqs.begin(), reqs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> parts;
  for (auto& r : reqs) parts.push_back(std::move(r.second));
  return OrNone(absl::StrJoin(parts, ","));
}

// ---- pods ----

bool HasCondition(const json& pod, const std::string& type, const std::string& status, const std::string& reason = "") {
  for (const json& c : Array(pod, {"status", "conditions"})) {
    if (Str(c, {"type"}) == type && (status.empty() || Str(c, {"status"}) == status) &&
        (reason.empty() || Str(c, {"reason"}) == reason)) {
      return true;
    }
  }
  return false;
}

// The reason a terminated container gives: its reason, else its signal or exit code.
std::string TerminatedReason(const json& terminated, const std::string& prefix) {
  if (std::string r = Str(terminated, {"reason"}); !r.empty()) return prefix + r;
  if (int64_t sig = Int(terminated, {"signal"}); sig != 0) return absl::StrCat(prefix, "Signal:", sig);
  return absl::StrCat(prefix, "ExitCode:", Int(terminated, {"exitCode"}));
}

json PodCells(const json& pod, TimePoint now) {
  std::set<std::string> restartable_init;  // init containers with restartPolicy Always (sidecars)
  const json& init_specs = Array(pod, {"spec", "initContainers"});
  for (const json& c : init_specs) {
    if (Str(c, {"restartPolicy"}) == "Always") restartable_init.insert(Str(c, {"name"}));
  }
  int64_t total = static_cast<int64_t>(Array(pod, {"spec", "containers"}).size() + restartable_init.size());
  int64_t ready = 0, restarts = 0, sidecar_restarts = 0;
  std::optional<absl::Time> last_restart, sidecar_last_restart;
  auto later = [](std::optional<absl::Time>& acc, std::optional<absl::Time> t) {
    if (t && (!acc || *t > *acc)) acc = t;
  };
  const std::string phase = Str(pod, {"status", "phase"});
  std::string reason = phase;
  if (std::string r = Str(pod, {"status", "reason"}); !r.empty()) reason = r;
  if (HasCondition(pod, "PodScheduled", "", "SchedulingGated")) reason = "SchedulingGated";

  bool initializing = false;
  const json& init_statuses = Array(pod, {"status", "initContainerStatuses"});
  for (size_t i = 0; i < init_statuses.size(); ++i) {
    const json& c = init_statuses[i];
    const bool sidecar = restartable_init.count(Str(c, {"name"})) > 0;
    restarts += Int(c, {"restartCount"});
    const std::optional<absl::Time> finished = Timestamp(c, {"lastState", "terminated", "finishedAt"});
    later(last_restart, finished);
    if (sidecar) {
      sidecar_restarts += Int(c, {"restartCount"});
      later(sidecar_last_restart, finished);
    }
    const json* terminated = At(c, {"state", "terminated"});
    const std::string waiting = Str(c, {"state", "waiting", "reason"});
    if (terminated && Int(*terminated, {"exitCode"}) == 0) continue;
    if (sidecar && Bool(c, {"started"})) {
      if (Bool(c, {"ready"})) ++ready;
      continue;
    }
    if (terminated) {
      reason = TerminatedReason(*terminated, "Init:");
    } else if (!waiting.empty() && waiting != "PodInitializing") {
      reason = "Init:" + waiting;
    } else {
      reason = absl::StrCat("Init:", i, "/", init_specs.size());
    }
    initializing = true;
    break;
  }
  if (!initializing || HasCondition(pod, "Initialized", "True")) {
    restarts = sidecar_restarts;
    last_restart = sidecar_last_restart;
    bool has_running = false;
    const json& statuses = Array(pod, {"status", "containerStatuses"});
    for (auto it = statuses.rbegin(); it != statuses.rend(); ++it) {
      const json& c = *it;
      restarts += Int(c, {"restartCount"});
      later(last_restart, Timestamp(c, {"lastState", "terminated", "finishedAt"}));
      const json* terminated = At(c, {"state", "terminated"});
      if (std::string w = Str(c, {"state", "waiting", "reason"}); !w.empty()) {
        reason = w;
      } else if (terminated) {
        reason = TerminatedReason(*terminated, "");
      } else if (Bool(c, {"ready"}) && At(c, {"state", "running"})) {
        has_running = true;
        ++ready;
      }
    }
    // A container still running turns a pod some of whose containers completed back to Running.
    if (reason == "Completed" && has_running) reason = HasCondition(pod, "Ready", "True") ? "Running" : "NotReady";
  }
  if (At(pod, {"metadata", "deletionTimestamp"})) {
    if (Str(pod, {"status", "reason"}) == "NodeLost") {
      reason = "Unknown";
    } else if (phase != "Succeeded" && phase != "Failed") {
      reason = "Terminating";
    }
  }
  std::string restarts_cell = absl::StrCat(restarts);
  if (restarts != 0 && last_restart) absl::StrAppend(&restarts_cell, " (", Since(last_restart, now), " ago)");

  std::string ip = Str(pod, {"status", "podIP"});
  if (const json& ips = Array(pod, {"status", "podIPs"}); !ips.empty()) ip = Str(ips[0], {"ip"});
  std::string gates = "<none>";
  if (const json& rg = Array(pod, {"spec", "readinessGates"}); !rg.empty()) {
    int true_conditions = 0;
    for (const json& g : rg) {
      for (const json& c : Array(pod, {"status", "conditions"})) {
        if (Str(c, {"type"}) != Str(g, {"conditionType"})) continue;
        if (Str(c, {"status"}) == "True") ++true_conditions;
        break;
      }
    }
    gates = absl::StrCat(true_conditions, "/", rg.size());
  }
  return {Str(pod, {"metadata", "name"}),
          absl::StrCat(ready, "/", total),
          reason,
          restarts_cell,
          Age(pod, now),
          OrNone(ip),
          OrNone(Str(pod, {"spec", "nodeName"})),
          OrNone(Str(pod, {"status", "nominatedNodeName"})),
          gates};
}

// ---- nodes ----

std::string NodeAddress(const json& node, const std::string& type) {
  for (const json& a : Array(node, {"status", "addresses"})) {
    if (Str(a, {"type"}) == type) return Str(a, {"address"});
  }
  return "<none>";
}

json NodeCells(const json& node, TimePoint now) {
  std::vector<std::string> status;
  for (const json& c : Array(node, {"status", "conditions"})) {
    if (Str(c, {"type"}) != "Ready") continue;
    status = {Str(c, {"status"}) == "True" ? "Ready" : "NotReady"};  // the last Ready condition counts
  }
  if (status.empty()) status.push_back("Unknown");
  if (Bool(node, {"spec", "unschedulable"})) status.push_back("SchedulingDisabled");
  std::set<std::string> roles;
  if (const json* labels = At(node, {"metadata", "labels"}); labels && labels->is_object()) {
    constexpr std::string_view kRolePrefix = "node-role.kubernetes.io/";
    for (const auto& [k, v] : labels->items()) {
      if (k.size() > kRolePrefix.size() && k.compare(0, kRolePrefix.size(), kRolePrefix) == 0) {
        roles.insert(k.substr(kRolePrefix.size()));
      } else if (k == "kubernetes.io/role" && v.is_string() && !v.get<std::string>().empty()) {
        roles.insert(v.get<std::string>());
      }
    }
  }
  auto unknown = [](std::string s) { return s.empty() ? "<unknown>" : s; };
  return {Str(node, {"metadata", "name"}),
          absl::StrJoin(status, ","),
          OrNone(absl::StrJoin(roles, ",")),
          Age(node, now),
          Str(node, {"status", "nodeInfo", "kubeletVersion"}),
          NodeAddress(node, "InternalIP"),
          NodeAddress(node, "ExternalIP"),
          unknown(Str(node, {"status", "nodeInfo", "osImage"})),
          unknown(Str(node, {"status", "nodeInfo", "kernelVersion"})),
          unknown(Str(node, {"status", "nodeInfo", "containerRuntimeVersion"}))};
}

// ---- services and endpoints ----

std::vector<std::string> Strings(const json& array) {
  std::vector<std::string> out;
  for (const json& v : array) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

std::string ServiceExternalIP(const json& svc, const std::string& type) {
  const std::vector<std::string> external = Strings(Array(svc, {"spec", "externalIPs"}));
  if (type == "ClusterIP" || type == "NodePort") return external.empty() ? "<none>" : absl::StrJoin(external, ",");
  if (type == "LoadBalancer") {
    std::set<std::string> lb;  // the API server prints -o wide cells: not clipped
    for (const json& in : Array(svc, {"status", "loadBalancer", "ingress"})) {
      if (std::string ip = Str(in, {"ip"}); !ip.empty()) {
        lb.insert(ip);
      } else if (std::string host = Str(in, {"hostname"}); !host.empty()) {
        lb.insert(host);
      }
    }
    std::vector<std::string> all(lb.begin(), lb.end());
    all.insert(all.end(), external.begin(), external.end());
    return all.empty() ? "<pending>" : absl::StrJoin(all, ",");
  }
  if (type == "ExternalName") return Str(svc, {"spec", "externalName"});
  return "<unknown>";
}

json ServiceCells(const json& svc, TimePoint now) {
  std::string type = Str(svc, {"spec", "type"});
  if (type.empty()) type = "ClusterIP";  // the API server's default
  std::string cluster_ip = Str(svc, {"spec", "clusterIP"});
  if (const json& ips = Array(svc, {"spec", "clusterIPs"}); !ips.empty() && ips[0].is_string()) {
    cluster_ip = ips[0].get<std::string>();
  }
  std::vector<std::string> ports;
  for (const json& p : Array(svc, {"spec", "ports"})) {
    std::string protocol = Str(p, {"protocol"});
    if (protocol.empty()) protocol = "TCP";
    const int64_t node_port = Int(p, {"nodePort"});
    ports.push_back(node_port > 0 ? absl::StrCat(Int(p, {"port"}), ":", node_port, "/", protocol)
                                  : absl::StrCat(Int(p, {"port"}), "/", protocol));
  }
  return {Str(svc, {"metadata", "name"}),
          type,
          OrNone(cluster_ip),
          ServiceExternalIP(svc, type),
          OrNone(absl::StrJoin(ports, ",")),
          Age(svc, now),
          FormatLabels(At(svc, {"spec", "selector"}))};
}

// formatEndpoints: up to three "ip:port" (bare IPs for a subset without ports), then "+ N more...".
std::string FormatEndpoints(const json& ep) {
  const json& subsets = Array(ep, {"subsets"});
  if (subsets.empty()) return "<none>";
  constexpr size_t kMax = 3;
  std::vector<std::string> list;
  size_t count = 0;
  auto add = [&](std::string s) {
    if (list.size() < kMax) list.push_back(std::move(s));
    ++count;
  };
  for (const json& ss : subsets) {
    const json& addresses = Array(ss, {"addresses"});
    const json& ports = Array(ss, {"ports"});
    if (ports.empty()) {
      for (const json& a : addresses) add(Str(a, {"ip"}));
      continue;
    }
    for (const json& p : ports) {
      for (const json& a : addresses) {
        const std::string ip = Str(a, {"ip"});
        const std::string host = ip.find(':') != std::string::npos ? "[" + ip + "]" : ip;  // net.JoinHostPort
        add(absl::StrCat(host, ":", Int(p, {"port"})));
      }
    }
  }
  std::string out = absl::StrJoin(list, ",");
  if (count > kMax) absl::StrAppend(&out, " + ", count - kMax, " more...");
  return out;
}

// ---- events ----

json EventCells(const json& ev, TimePoint now) {
  std::string first = Since(Timestamp(ev, {"firstTimestamp"}), now);
  if (!Timestamp(ev, {"firstTimestamp"})) first = Since(Timestamp(ev, {"eventTime"}), now);
  std::string last = Timestamp(ev, {"lastTimestamp"}) ? Since(Timestamp(ev, {"lastTimestamp"}), now) : first;
  int64_t count = Int(ev, {"count"});
  if (At(ev, {"series"}) && At(ev, {"series"})->is_object()) {
    last = Since(Timestamp(ev, {"series", "lastObservedTime"}), now);
    count = Int(ev, {"series", "count"});
  } else if (count == 0) {
    count = 1;  // a singleton event of the events.k8s.io API has no count
  }
  std::string kind = Str(ev, {"involvedObject", "kind"});
  std::transform(kind.begin(), kind.end(), kind.begin(), [](unsigned char c) { return std::tolower(c); });
  const std::string involved = Str(ev, {"involvedObject", "name"});
  std::string component = Str(ev, {"source", "component"});
  if (component.empty()) component = Str(ev, {"reportingComponent"});
  std::string instance = Str(ev, {"source", "host"});
  if (instance.empty()) instance = Str(ev, {"reportingInstance"});
  std::string message = Str(ev, {"message"});
  const size_t b = message.find_first_not_of(" \t\n\r\v\f");
  message = b == std::string::npos ? "" : message.substr(b, message.find_last_not_of(" \t\n\r\v\f") - b + 1);
  return {last,
          Str(ev, {"type"}),
          Str(ev, {"reason"}),
          involved.empty() ? kind : kind + "/" + involved,
          Str(ev, {"involvedObject", "fieldPath"}),
          instance.empty() ? component : component + ", " + instance,
          message,
          first,
          count,
          Str(ev, {"metadata", "name"})};
}

std::vector<TableColumn> ColumnsFor(const std::string& plural) {
  if (plural == "pods") {
    return {NameColumn(),
            Column("Ready", "The aggregate readiness state of this pod for accepting traffic."),
            Column("Status", "The aggregate status of the containers in this pod."),
            Column("Restarts",
                   "The number of times the containers in this pod have been restarted and when the last "
                   "container in this pod has restarted."),
            AgeColumn(),
            Column("IP",
                   "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet "
                   "allocated.",
                   1),
            Column("Node",
                   "NodeName is a request to schedule this pod onto a specific node. If it is non-empty, the "
                   "scheduler simply schedules this pod onto that node, assuming that it fits resource "
                   "requirements.",
                   1),
            Column("Nominated Node",
                   "nominatedNodeName is set only when this pod preempts other pods on the node, but "
                   "it cannot be scheduled right away as preemption victims receive their graceful "
                   "termination periods.",
                   1),
            Column("Readiness Gates",
                   "If specified, all readiness gates will be evaluated for pod readiness. A pod is "
                   "ready when all its containers are ready AND all conditions specified in the "
                   "readiness gates have status equal to \"True\" More info: "
                   "https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates",
                   1)};
  }
  if (plural == "nodes") {
    const std::string addresses = "List of addresses reachable to the node. Queried from cloud provider, if available.";
    return {
        NameColumn(),
        Column("Status", "The status of the node"),
        Column("Roles", "The roles of the node"),
        AgeColumn(),
        Column("Version", "Kubelet Version reported by the node."),
        Column("Internal-IP", addresses, 1),
        Column("External-IP", addresses, 1),
        Column("OS-Image", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", 1),
        Column("Kernel-Version", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
        Column("Container-Runtime",
               "ContainerRuntime Version reported by the node through runtime remote API (e.g. "
               "containerd://1.4.2).",
               1)};
  }
  if (plural == "services") {
    return {NameColumn(),
            Column("Type",
                   "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are "
                   "ExternalName, ClusterIP, NodePort, and LoadBalancer."),
            Column("Cluster-IP", "clusterIP is the IP address of the service and is usually assigned randomly."),
            Column("External-IP",
                   "externalIPs is a list of IP addresses for which nodes in the cluster will also "
                   "accept traffic for this service."),
            Column("Port(s)", "The list of ports that are exposed by this service."),
            AgeColumn(),
            Column("Selector", "Route service traffic to pods with label keys and values matching this selector.", 1)};
  }
  if (plural == "endpoints") {
    return {NameColumn(), Column("Endpoints", "The set of all endpoints is the union of all subsets."), AgeColumn()};
  }
  if (plural == "namespaces") return {NameColumn(), Column("Status", "The status of the namespace"), AgeColumn()};
  if (plural == "networkpolicies") {
    return {NameColumn(), Column("Pod-Selector", "Selects the pods to which this NetworkPolicy object applies."),
            AgeColumn()};
  }
  if (plural == "leases") {
    return {NameColumn(), Column("Holder", "holderIdentity contains the identity of the holder of a current lease."),
            AgeColumn()};
  }
  if (plural == "events") {
    TableColumn name = NameColumn();
    name.priority = 1;
    return {Column("Last Seen", "The time at which the most recent occurrence of this event was recorded."),
            Column("Type", "Type of this event (Normal, Warning), new types could be added in the future"),
            Column("Reason",
                   "This should be a short, machine understandable string that gives the reason for the "
                   "transition into the object's current status."),
            Column("Object", "The object that this event is about."),
            Column("Subobject",
                   "If referring to a piece of an object instead of an entire object, this string "
                   "should contain a valid JSON/Go field access statement, such as "
                   "desiredState.manifest.containers[2].",
                   1),
            Column("Source", "The component reporting this event. Should be a short machine understandable string.", 1),
            Column("Message", "A human-readable description of the status of this operation."),
            Column("First Seen",
                   "The time at which the event was first recorded. (Time of server receipt is in "
                   "TypeMeta.)",
                   1),
            Column("Count", "The number of times this event has occurred.", 1),
            name};
  }
  // A resource without a printer: the API server's default table (rest.NewDefaultTableConvertor).
  return {NameColumn(), {.name = "Created At", .type = "date", .description = kCreatedDoc}};
}

}  // namespace

const std::vector<TableColumn>& TableColumns(const std::string& plural) {
  static const auto* const kColumns = [] {
    auto* all = new std::map<std::string, std::vector<TableColumn>>();
    for (const char* p :
         {"pods", "nodes", "services", "endpoints", "namespaces", "networkpolicies", "leases", "events", ""}) {
      (*all)[p] = ColumnsFor(p);
    }
    return all;
  }();
  auto it = kColumns->find(plural);
  return it != kColumns->end() ? it->second : kColumns->at("");
}

json TableCells(const std::string& plural, const json& object, TimePoint now) {
  const std::string name = Str(object, {"metadata", "name"});
  if (plural == "pods") return PodCells(object, now);
  if (plural == "nodes") return NodeCells(object, now);
  if (plural == "services") return ServiceCells(object, now);
  if (plural == "events") return EventCells(object, now);
  if (plural == "endpoints") return {name, FormatEndpoints(object), Age(object, now)};
  if (plural == "namespaces") return {name, Str(object, {"status", "phase"}), Age(object, now)};
  if (plural == "networkpolicies") {
    const json* selector = At(object, {"spec", "podSelector"});
    return {name, selector ? FormatLabelSelector(selector) : "<none>", Age(object, now)};
  }
  if (plural == "leases") return {name, Str(object, {"spec", "holderIdentity"}), Age(object, now)};
  return {name, Str(object, {"metadata", "creationTimestamp"})};
}

json TableRowConditions(const std::string& plural, const json& object) {
  if (plural != "pods") return nullptr;
  const std::string phase = Str(object, {"status", "phase"});
  if (phase != "Succeeded" && phase != "Failed") return nullptr;
  return json::array({{{"type", "Completed"},
                       {"status", "True"},
                       {"reason", phase},
                       {"message", phase == "Succeeded" ? "The pod has completed successfully." : "The pod failed."}}});
}

}  // namespace romana::kube_apiserver
