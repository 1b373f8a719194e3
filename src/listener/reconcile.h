// reconcile.h: desired state vs romanad's state -> operations (the listener's calculation layer,
// part 2). Pure: no I/O, no clock. Thread-compatible values.
//
// Ownership rules the diff enforces:
//  - hosts: a node becomes a host; a host whose node is gone is removed, but never a static host
//    (listed in the topology file), and never a host whose node exists but cannot be translated
//    yet (no InternalIP: it is left as it is). A node whose IP changed is removed and added again.
//  - namespaces, endpoints, network policies: romanad holds exactly the desired set (the
//    listener is their only writer).
#ifndef ROMANA_LISTENER_RECONCILE_H_
#define ROMANA_LISTENER_RECONCILE_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/types.h"
#include "nlohmann/json.hpp"

namespace romana::listener {

enum class Kind { kHost, kNamespace, kEndpoint, kNetworkPolicy };
const char* KindName(Kind kind);  // "host", "namespace", "endpoint", "networkpolicy"

struct DesiredState {
  std::map<std::string, api::HostRequest> hosts;  // node name ->
  std::set<std::string> untranslatable_nodes;     // nodes that exist but have no host form yet
  std::map<std::string, api::Namespace> namespaces;
  std::map<std::string, api::Endpoint> endpoints;               // "namespace/name" ->
  std::map<std::string, nlohmann::json> network_policies;       // "namespace/name" -> stored form
};

struct ActualState {
  std::map<std::string, api::Host> hosts;
  std::map<std::string, api::Namespace> namespaces;
  std::map<std::string, api::Endpoint> endpoints;
  std::map<std::string, nlohmann::json> network_policies;
};

struct Op {
  enum class Type { kPut, kDelete, kRelabel };  // kRelabel: hosts only
  Kind kind = Kind::kHost;
  Type type = Type::kPut;
  std::string key;  // host/namespace name, or "namespace/name"
  api::HostRequest host;
  api::Namespace ns;
  api::Endpoint endpoint;
  nlohmann::json policy;
};
std::string Describe(const Op& op);  // "put endpoint ns/a", for logs

// Every operation that makes `actual` hold `desired`: deletes first, then puts (a host whose IP
// changed: its delete, then its put).
std::vector<Op> Diff(const DesiredState& desired, const ActualState& actual);
// The same for one key of one kind (the incremental path).
std::vector<Op> DiffKey(Kind kind, const std::string& key, const DesiredState& desired, const ActualState& actual);
// Records a successful `op` in `actual` (so the next diff does not repeat it).
void ApplyToActual(const Op& op, ActualState& actual);

}  // namespace romana::listener

#endif  // ROMANA_LISTENER_RECONCILE_H_
