#include "api/types.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "api/field_error.h"
#include "api/json_reader.h"
#include "api/k8s_names.h"
#include "net/ipv4.h"

namespace romana::api {
namespace {

nlohmann::json LabelsJson(const Labels& l) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : l) j[k] = v;
  return j;
}

absl::Status CheckName(ObjectReader& r, const std::string& key, const std::string& value) {
  if (!value.empty() && !IsValidName(value)) {
    r.Fail(key, "must be 1..253 characters of letters, digits, '.', '_', ':' or '-'");
  }
  return absl::OkStatus();
}

nlohmann::json PortsJson(const std::vector<EndpointPort>& ports) {
  nlohmann::json j = nlohmann::json::array();
  for (const EndpointPort& p : ports) {
    nlohmann::json e = {{"port", p.port}, {"protocol", p.protocol}};
    if (!p.name.empty()) e["name"] = p.name;
    j.push_back(std::move(e));
  }
  return j;
}

// Reads "ports" of an endpoint into `out`. A wrong type of "ports" itself is recorded in `r`;
// a problem inside an item is returned (naming "ports[i].<key>").
absl::Status ReadPorts(ObjectReader& r, std::vector<EndpointPort>& out) {
  const nlohmann::json* a = r.Array("ports");
  if (a == nullptr) return absl::OkStatus();
  std::set<std::string> names;
  for (size_t i = 0; i < a->size(); ++i) {
    const std::string index = absl::StrCat("ports[", i, "]");
    ObjectReader pr((*a)[i], r.Path(index));
    EndpointPort p;
    p.name = pr.String("name");
    const std::optional<int64_t> port = pr.Int("port", true);
    const std::string protocol = pr.String("protocol");
    if (pr.ok() && !p.name.empty()) {
      if (absl::Status s = CheckPortName(p.name, pr.Path("name")); !s.ok()) return s;
    }
    if (pr.ok() && !p.name.empty() && !names.insert(p.name).second) {
      pr.Fail("name", absl::StrCat("duplicate port name \"", p.name, "\""));
    }
    if (pr.ok() && (*port < 1 || *port > 65535)) pr.Fail("port", "must be between 1 and 65535");
    if (pr.ok() && !protocol.empty() && protocol != "TCP" && protocol != "UDP" && protocol != "SCTP") {
      pr.Fail("protocol", absl::StrCat("\"", protocol, "\" must be TCP, UDP or SCTP"));
    }
    if (absl::Status s = pr.Finish(); !s.ok()) return s;
    p.port = static_cast<int>(*port);
    if (!protocol.empty()) p.protocol = protocol;
    out.push_back(std::move(p));
  }
  return absl::OkStatus();
}

}  // namespace

const std::vector<std::string>& AllWatchKinds() {
  static const std::vector<std::string>* kinds = new std::vector<std::string>{
      "topology",  "networks", "groups",     "hosts",     "blocks",
      "addresses", "policies", "namespaces", "endpoints", "networkpolicies", "hoststatus", "vips"};
  return *kinds;
}

std::string SingularKind(const std::string& plural) {
  static const std::map<std::string, std::string>* m = new std::map<std::string, std::string>{
      {"topology", "topology"}, {"networks", "network"}, {"groups", "group"},
      {"hosts", "host"}, {"blocks", "block"}, {"addresses", "address"},
      {"policies", "policy"}, {"namespaces", "namespace"}, {"endpoints", "endpoint"},
      {"networkpolicies", "networkpolicy"}, {"hoststatus", "hoststatus"}, {"vips", "vip"}};
  auto it = m->find(plural);
  return it == m->end() ? "" : it->second;
}

bool IsValidName(const std::string& name) {
  if (name.empty() || name.size() > 253 || name == "." || name == "..") return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-' && c != ':') {
      return false;
    }
  }
  return true;
}

GroupHosts HostsByGroup(const std::vector<Host>& hosts) {
  GroupHosts out;
  for (const Host& h : hosts) {
    for (const auto& [network, path] : h.groups) out[{network, path}].push_back(h.name);
  }
  for (auto& [group, names] : out) std::sort(names.begin(), names.end());
  return out;
}

nlohmann::json ToJson(const Network& x) {
  return {{"name", x.name}, {"cidr", x.cidr}, {"block_mask", x.block_mask}};
}
nlohmann::json ToJson(const Group& x) {
  return {{"network", x.network}, {"path", x.path}, {"name", x.name}, {"cidr", x.cidr},
          {"assignment", LabelsJson(x.assignment)}, {"leaf", x.leaf}, {"padding", x.padding}};
}
nlohmann::json ToJson(const Host& x) {
  return {{"name", x.name}, {"ip", x.ip}, {"labels", LabelsJson(x.labels)}, {"groups", LabelsJson(x.groups)}};
}
nlohmann::json ToJson(const Block& x) {
  return {{"network", x.network}, {"cidr", x.cidr}, {"group", x.group}, {"host", x.host},
          {"owner", x.owner}, {"allocated", x.allocated}};
}
nlohmann::json ToJson(const Address& x) {
  return {{"name", x.name}, {"ip", x.ip}, {"host", x.host}, {"network", x.network},
          {"block", x.block}, {"namespace", x.namespace_name}, {"segment", x.segment}};
}
nlohmann::json ToJson(const Namespace& x) {
  return {{"name", x.name}, {"labels", LabelsJson(x.labels)}, {"isolated", x.isolated}};
}
nlohmann::json ToJson(const Endpoint& x) {
  return {{"namespace", x.namespace_name}, {"name", x.name}, {"node", x.node}, {"ip", x.ip},
          {"labels", LabelsJson(x.labels)}, {"ports", PortsJson(x.ports)}};
}
nlohmann::json ToJson(const HostStatus& x) {
  return {{"host", x.host}, {"policy_errors", x.policy_errors}, {"policy_error_count", x.policy_error_count},
          {"updated", x.updated}};
}
nlohmann::json ToJson(const HostRequest& x) {
  return {{"name", x.name}, {"ip", x.ip}, {"labels", LabelsJson(x.labels)}};
}
nlohmann::json ToJson(const AddressRequest& x) {
  nlohmann::json j = {{"name", x.name}, {"host", x.host}};
  if (!x.namespace_name.empty()) j["namespace"] = x.namespace_name;
  if (!x.segment.empty()) j["segment"] = x.segment;
  return j;
}
nlohmann::json ToJson(const WatchEvent& x) {
  nlohmann::json j;
  switch (x.type) {
    case WatchEvent::Type::kPut:
      j = {{"type", "PUT"}, {"kind", x.kind}, {"key", x.key}, {"revision", x.revision}, {"object", x.object}};
      break;
    case WatchEvent::Type::kDelete:
      j = {{"type", "DELETE"}, {"kind", x.kind}, {"key", x.key}, {"revision", x.revision}};
      if (!x.prev_object.is_null()) j["prev_object"] = x.prev_object;
      break;
    case WatchEvent::Type::kBookmark:
      j = {{"type", "BOOKMARK"}, {"revision", x.revision}};
      break;
    case WatchEvent::Type::kError:
      j = {{"type", "ERROR"}, {"code", x.error_code}, {"message", x.message}};
      if (x.revision != 0) j["compact_revision"] = x.revision;
      break;
  }
  return j;
}

absl::StatusOr<Network> ParseNetwork(const nlohmann::json& j) {
  ObjectReader r(j, "");
  Network x;
  x.name = r.String("name", true);
  x.cidr = r.String("cidr");
  x.block_mask = static_cast<int>(r.Int("block_mask").value_or(29));
  if (absl::Status s = r.Finish(false); !s.ok()) return s;
  return x;
}

absl::StatusOr<Group> ParseGroup(const nlohmann::json& j) {
  ObjectReader r(j, "");
  Group x;
  x.network = r.String("network");
  x.path = r.String("path");
  x.name = r.String("name");
  x.cidr = r.String("cidr");
  x.assignment = r.StringMap("assignment");
  x.leaf = r.Bool("leaf");
  x.padding = r.Bool("padding");
  // A "hosts" list (romanad before membership moved to the host records) is ignored.
  if (absl::Status s = r.Finish(false); !s.ok()) return s;
  return x;
}

absl::StatusOr<Host> ParseHost(const nlohmann::json& j) {
  ObjectReader r(j, "");
  Host x;
  x.name = r.String("name", true);
  x.ip = r.String("ip");
  x.labels = r.StringMap("labels");
  x.groups = r.StringMap("groups");
  x.is_static = r.Bool("static");
  if (absl::Status s = r.Finish(false); !s.ok()) return s;
  return x;
}

absl::StatusOr<Block> ParseBlock(const nlohmann::json& j) {
  ObjectReader r(j, "");
  Block x;
  x.network = r.String("network");
  x.cidr = r.String("cidr", true);
  x.group = r.String("group");
  x.host = r.String("host");
  x.owner = r.String("owner");
  x.allocated = r.Int("allocated").value_or(0);
  if (absl::Status s = r.Finish(false); !s.ok()) return s;
  return x;
}

absl::StatusOr<Address> ParseAddress(const nlohmann::json& j) {
  ObjectReader r(j, "");
  Address x;
  x.name = r.String("name", true);
  x.ip = r.String("ip", true);
  x.host = r.String("host");
  x.network = r.String("network");
  x.block = r.String("block");
  x.namespace_name = r.String("namespace");
  x.segment = r.String("segment");
  if (absl::Status s = r.Finish(false); !s.ok()) return s;
  return x;
}

absl::StatusOr<WatchEvent> ParseWatchEvent(const nlohmann::json& j) {
  ObjectReader r(j, "");
  WatchEvent e;
  const std::string type = r.String("type", true);
  e.kind = r.String("kind");
  e.key = r.String("key");
  e.revision = r.Int("revision").value_or(0);
  if (const nlohmann::json* o = r.Raw("object")) e.object = *o;
  if (const nlohmann::json* o = r.Raw("prev_object")) e.prev_object = *o;
  e.error_code = r.String("code");
  e.message = r.String("message");
  if (type == "PUT") e.type = WatchEvent::Type::kPut;
  else if (type == "DELETE") e.type = WatchEvent::Type::kDelete;
  else if (type == "BOOKMARK") e.type = WatchEvent::Type::kBookmark;
  else if (type == "ERROR") {
    e.type = WatchEvent::Type::kError;
    e.revision = r.Int("compact_revision").value_or(0);
  } else if (r.ok()) {
    r.Fail("type", absl::StrCat("unknown event type \"", type, "\""));
  }
  if (absl::Status s = r.Finish(false); !s.ok()) return s;
  return e;
}

absl::StatusOr<HostRequest> ParseHostRequest(const nlohmann::json& j) {
  ObjectReader r(j, "");
  HostRequest x;
  x.name = r.String("name", true);
  x.ip = r.String("ip", true);
  x.labels = r.StringMap("labels");
  CheckName(r, "name", x.name).IgnoreError();
  if (r.ok() && !net::Ipv4Address::Parse(x.ip).ok()) r.Fail("ip", absl::StrCat("\"", x.ip, "\" is not an IPv4 address"));
  if (absl::Status s = r.Finish(); !s.ok()) return s;
  return x;
}

absl::StatusOr<AddressRequest> ParseAddressRequest(const nlohmann::json& j) {
  ObjectReader r(j, "");
  AddressRequest x;
  x.name = r.String("name", true);
  x.host = r.String("host", true);
  x.namespace_name = r.String("namespace");
  x.segment = r.String("segment");
  CheckName(r, "name", x.name).IgnoreError();
  CheckName(r, "host", x.host).IgnoreError();
  CheckName(r, "namespace", x.namespace_name).IgnoreError();
  CheckName(r, "segment", x.segment).IgnoreError();
  if (absl::Status s = r.Finish(); !s.ok()) return s;
  if (x.namespace_name.empty()) x.namespace_name = "default";
  if (x.segment.empty()) x.segment = "default";
  return x;
}

absl::StatusOr<Labels> ParseLabelsRequest(const nlohmann::json& j) {
  ObjectReader r(j, "");
  Labels l = r.StringMap("labels", true);
  if (absl::Status s = r.Finish(); !s.ok()) return s;
  return l;
}

absl::StatusOr<Namespace> ParseNamespace(const nlohmann::json& j, const std::string& path_name) {
  ObjectReader r(j, "");
  Namespace x;
  x.name = r.String("name", path_name.empty());
  x.labels = r.StringMap("labels");
  x.isolated = r.Bool("isolated");
  if (r.ok() && !path_name.empty()) {
    if (x.name.empty()) x.name = path_name;
    else if (x.name != path_name) r.Fail("name", absl::StrCat("\"", x.name, "\" differs from the URL's \"", path_name, "\""));
  }
  CheckName(r, "name", x.name).IgnoreError();
  if (auto it = x.labels.find(kNamespaceNameLabel); r.ok() && it != x.labels.end() && it->second != x.name) {
    r.Fail("labels", absl::StrCat("\"", kNamespaceNameLabel, "\" must be the namespace's name \"", x.name,
                                  "\" (romanad sets it), not \"", it->second, "\""));
  }
  if (absl::Status s = r.Finish(); !s.ok()) return s;
  x.labels[kNamespaceNameLabel] = x.name;
  return x;
}

absl::StatusOr<Endpoint> ParseEndpoint(const nlohmann::json& j, const std::string& path_namespace,
                                       const std::string& path_name) {
  ObjectReader r(j, "");
  Endpoint x;
  x.namespace_name = r.String("namespace", path_namespace.empty());
  x.name = r.String("name", path_name.empty());
  x.node = r.String("node");
  x.ip = r.String("ip");
  x.labels = r.StringMap("labels");
  const absl::Status ports = ReadPorts(r, x.ports);
  if (r.ok() && !path_namespace.empty()) {
    if (x.namespace_name.empty()) x.namespace_name = path_namespace;
    else if (x.namespace_name != path_namespace) r.Fail("namespace", absl::StrCat("\"", x.namespace_name, "\" differs from the URL's \"", path_namespace, "\""));
  }
  if (r.ok() && !path_name.empty()) {
    if (x.name.empty()) x.name = path_name;
    else if (x.name != path_name) r.Fail("name", absl::StrCat("\"", x.name, "\" differs from the URL's \"", path_name, "\""));
  }
  CheckName(r, "namespace", x.namespace_name).IgnoreError();
  CheckName(r, "name", x.name).IgnoreError();
  if (!x.node.empty()) CheckName(r, "node", x.node).IgnoreError();
  if (r.ok() && !x.ip.empty() && !net::Ipv4Address::Parse(x.ip).ok()) r.Fail("ip", absl::StrCat("\"", x.ip, "\" is not an IPv4 address"));
  if (absl::Status s = r.Finish(); !s.ok()) return s;
  if (!ports.ok()) return ports;
  return x;
}

absl::StatusOr<HostStatus> ParseHostStatus(const nlohmann::json& j, const std::string& path_host) {
  ObjectReader r(j, "");
  HostStatus x;
  x.host = r.String("host", path_host.empty());
  x.updated = r.String("updated");
  std::optional<int64_t> count = r.Int("policy_error_count");
  if (const nlohmann::json* errors = r.Array("policy_errors"); errors != nullptr && r.ok()) {
    if (errors->size() > HostStatus::kMaxErrors) {
      r.Fail("policy_errors", absl::StrCat("has ", errors->size(), " entries; at most ", HostStatus::kMaxErrors,
                                           " (count the rest in policy_error_count)"));
    }
    for (size_t i = 0; r.ok() && i < errors->size(); ++i) {
      const nlohmann::json& e = (*errors)[i];
      const std::string key = absl::StrCat("policy_errors[", i, "]");
      if (!e.is_string() || e.get_ref<const std::string&>().empty()) r.Fail(key, "must be a non-empty string");
      else if (e.get_ref<const std::string&>().size() > HostStatus::kMaxErrorLength) {
        r.Fail(key, absl::StrCat("is longer than ", HostStatus::kMaxErrorLength, " bytes"));
      } else {
        x.policy_errors.push_back(e.get<std::string>());
      }
    }
  }
  x.policy_error_count = count.value_or(static_cast<int64_t>(x.policy_errors.size()));
  if (r.ok() && x.policy_error_count < static_cast<int64_t>(x.policy_errors.size())) {
    r.Fail("policy_error_count", absl::StrCat("is smaller than the ", x.policy_errors.size(), " entries of policy_errors"));
  }
  if (r.ok() && !path_host.empty()) {
    if (x.host.empty()) x.host = path_host;
    else if (x.host != path_host) r.Fail("host", absl::StrCat("\"", x.host, "\" differs from the URL's \"", path_host, "\""));
  }
  CheckName(r, "host", x.host).IgnoreError();
  if (absl::Status s = r.Finish(); !s.ok()) return s;
  return x;
}

}  // namespace romana::api
