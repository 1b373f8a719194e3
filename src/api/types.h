// types.h: the JSON objects of the romanad REST API (docs/api.md), as C++ structs.
//
// Two kinds of parsers:
//  - Parse<Request>(json): strict, for request bodies the daemon receives. Unknown keys and
//    wrong types are InvalidArgument naming the field (api/field_error.h).
//  - Parse<Object>(json): lenient, for objects a client receives (unknown keys ignored, so a
//    newer daemon can add fields). Missing required keys are still errors.
// ToJson(x) produces exactly the documented JSON. Pure; thread-safe.
#ifndef ROMANA_API_TYPES_H_
#define ROMANA_API_TYPES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "api/k8s_names.h"

namespace romana::api {

using Labels = std::map<std::string, std::string>;
using Revision = int64_t;

struct Network {
  std::string name;
  std::string cidr;
  int block_mask = 29;
  bool operator==(const Network&) const = default;
};

struct Group {
  std::string network;
  std::string path;  // "/0/1" = 2nd child of the 1st top-level group
  std::string name;
  std::string cidr;
  Labels assignment;
  bool leaf = false;
  bool padding = false;
  // No member list: a group's hosts are the hosts whose `groups` name it (HostsByGroup).
  bool operator==(const Group&) const = default;
};

struct Host {
  std::string name;
  std::string ip;
  Labels labels;
  std::map<std::string, std::string> groups;  // network name -> group path
  bool is_static = false;  // JSON "static": listed in the topology file (romana-listener never removes it)
  bool operator==(const Host&) const = default;
};

struct Block {
  std::string network;
  std::string cidr;
  std::string group;
  std::string host;
  std::string owner;  // "namespace:segment"
  int64_t allocated = 0;
  bool operator==(const Block&) const = default;
};

struct Address {
  std::string name;
  std::string ip;
  std::string host;
  std::string network;
  std::string block;
  std::string namespace_name;  // JSON "namespace"
  std::string segment;
  bool operator==(const Address&) const = default;
};

struct Namespace {
  std::string name;
  Labels labels;  // always holds kNamespaceNameLabel=name once parsed
  bool isolated = false;
  bool operator==(const Namespace&) const = default;
};

// A container port of a pod, as in the pod spec: a NetworkPolicy's named port ("http")
// resolves to `port`/`protocol` on the pod that declares it.
struct EndpointPort {
  std::string name;  // IANA_SVC_NAME (CheckPortName), or "" for an unnamed port
  int port = 0;      // 1..65535
  std::string protocol = "TCP";  // "TCP" | "UDP" | "SCTP"
  bool operator==(const EndpointPort&) const = default;
};

struct Endpoint {
  std::string namespace_name;  // JSON "namespace"
  std::string name;
  std::string node;
  std::string ip;
  Labels labels;
  std::vector<EndpointPort> ports;  // names are unique among the named ones
  bool operator==(const Endpoint&) const = default;
};

// What a node's agent last reported (PUT /hosts/{name}/status): the policy records it left out
// of enforcement and why. A record that fails to decode or compile is skipped, never blocks the
// others; this is where an operator sees it without reading every agent's log.
struct HostStatus {
  static constexpr size_t kMaxErrors = 100;            // policy_errors beyond this are only counted
  static constexpr size_t kMaxErrorLength = 1024;      // bytes per entry
  std::string host;
  std::vector<std::string> policy_errors;  // "<record>: <reason>", at most kMaxErrors
  int64_t policy_error_count = 0;          // all of them, >= policy_errors.size()
  std::string updated;                     // RFC 3339 UTC; set by romanad when it stores the report
  bool operator==(const HostStatus&) const = default;
};

// POST /hosts
struct HostRequest {
  std::string name;
  std::string ip;
  Labels labels;
};

// POST /address. namespace and segment default to "default" on the server when empty.
struct AddressRequest {
  std::string name;
  std::string host;
  std::string namespace_name;
  std::string segment;
};

struct VersionInfo {
  std::string version;
  std::string api;
};

// A list answer: the items plus the store revision they reflect (watch from revision + 1).
template <typename T>
struct List {
  std::vector<T> items;
  Revision revision = 0;
};

// One line of the watch stream.
struct WatchEvent {
  enum class Type { kPut, kDelete, kBookmark, kError };
  Type type = Type::kPut;
  std::string kind;  // singular: "host", "block", "policy", ... (empty for BOOKMARK/ERROR)
  std::string key;   // the store key
  Revision revision = 0;
  nlohmann::json object;  // the stored object for PUT; null otherwise
  std::string error_code;  // for ERROR
  std::string message;     // for ERROR
  // For DELETE: the object as it was just before the delete (null when romanad did not know
  // it, e.g. an older romanad), so a client can resolve the delete without a key map or a re-list.
  nlohmann::json prev_object;
};

// The kinds a watch can ask for (plural, as in ?kinds=) and the singular used in events.
const std::vector<std::string>& AllWatchKinds();
// "hosts" -> "host"; "" when unknown.
std::string SingularKind(const std::string& plural);

// Group membership is stored in the host records (Host::groups: network -> group path), so that
// a host add writes one host record whatever its group's size. The names of the hosts of every
// group that has any, by (network, path), sorted.
using GroupHosts = std::map<std::pair<std::string, std::string>, std::vector<std::string>>;
GroupHosts HostsByGroup(const std::vector<Host>& hosts);

// --- JSON ---
nlohmann::json ToJson(const Network& x);
nlohmann::json ToJson(const Group& x);
nlohmann::json ToJson(const Host& x);
nlohmann::json ToJson(const Block& x);
nlohmann::json ToJson(const Address& x);
nlohmann::json ToJson(const Namespace& x);
nlohmann::json ToJson(const Endpoint& x);
nlohmann::json ToJson(const HostStatus& x);
nlohmann::json ToJson(const HostRequest& x);
nlohmann::json ToJson(const AddressRequest& x);
nlohmann::json ToJson(const WatchEvent& x);

// Lenient object parsers (client side).
absl::StatusOr<Network> ParseNetwork(const nlohmann::json& j);
absl::StatusOr<Group> ParseGroup(const nlohmann::json& j);
absl::StatusOr<Host> ParseHost(const nlohmann::json& j);
absl::StatusOr<Block> ParseBlock(const nlohmann::json& j);
absl::StatusOr<Address> ParseAddress(const nlohmann::json& j);
absl::StatusOr<WatchEvent> ParseWatchEvent(const nlohmann::json& j);

// Strict request parsers (server side). Names are validated with IsValidName.
absl::StatusOr<HostRequest> ParseHostRequest(const nlohmann::json& j);
absl::StatusOr<AddressRequest> ParseAddressRequest(const nlohmann::json& j);
absl::StatusOr<Labels> ParseLabelsRequest(const nlohmann::json& j);  // {"labels": {...}}
// `path_name` is the name from the URL; the body's "name", when present, must equal it. Sets
// labels[kNamespaceNameLabel] = name; a body that gives that label another value is an error
// naming "labels".
absl::StatusOr<Namespace> ParseNamespace(const nlohmann::json& j, const std::string& path_name = "");
// `path_namespace`/`path_name` from the URL; the body's values, when present, must equal them.
// "ports" (optional) is [{"name", "port", "protocol"}]: name optional (CheckPortName, unique
// among the endpoint's named ports), port 1..65535, protocol TCP (default), UDP or SCTP.
absl::StatusOr<Endpoint> ParseEndpoint(const nlohmann::json& j, const std::string& path_namespace = "",
                                       const std::string& path_name = "");
// `path_host` from the URL; the body's "host", when present, must equal it. romanad overwrites
// "updated" with the time it stores the report. At most
// kMaxErrors entries of at most kMaxErrorLength bytes; policy_error_count defaults to the
// number of entries and may not be smaller.
absl::StatusOr<HostStatus> ParseHostStatus(const nlohmann::json& j, const std::string& path_host = "");

// Object names that become store keys and URL path segments: 1..253 characters of
// [A-Za-z0-9._:-], not "." or "..". (CNI address names such as "<container-id>:eth0" fit.)
bool IsValidName(const std::string& name);

}  // namespace romana::api

#endif  // ROMANA_API_TYPES_H_
