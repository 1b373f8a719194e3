// cluster_cache.h: the agent's local copy of the cluster state it routes by (hosts, blocks,
// networks, groups) and enforces policy by (namespaces, endpoints, Romana policies, Kubernetes
// NetworkPolicies), fed by romanad's snapshots and watch events.
//
// Objects are keyed by identity (host name, network name, block network+CIDR, group
// network+path, namespace name, endpoint namespace/name, policy id, NetworkPolicy
// namespace/name). A watch PUT carries the object and its store key; a DELETE carries the key
// and the deleted object (prev_object), whose identity says what to remove. A DELETE without
// prev_object (an older romanad) is resolved through the key of a PUT seen earlier; one that
// neither resolves (the object came from a list, which has no keys) answers kNeedRelist and the
// caller re-lists. No I/O. Not thread-safe (the agent guards it).
#ifndef ROMANA_AGENT_CLUSTER_CACHE_H_
#define ROMANA_AGENT_CLUSTER_CACHE_H_

#include <map>
#include <string>
#include <vector>

#include "agent/route_calc.h"
#include "api/types.h"
#include "api/vip.h"
#include "policy/cluster.h"
#include "policy/policy.h"

namespace romana::agent {

class ClusterCache {
 public:
  enum class EventResult { kIgnored, kChanged, kNeedRelist };

  // Replaces everything of that kind.
  void ReplaceHosts(const std::vector<api::Host>& hosts);
  void ReplaceBlocks(const std::vector<api::Block>& blocks);
  void ReplaceNetworks(const std::vector<api::Network>& networks);
  void ReplaceGroups(const std::vector<api::Group>& groups);
  void ReplaceNamespaces(const std::vector<api::Namespace>& namespaces);
  void ReplaceEndpoints(const std::vector<api::Endpoint>& endpoints);
  void ReplacePolicies(const std::vector<policy::Policy>& policies);
  // NetworkPolicies as romanad stores them (JSON); each is decoded here, and one that does not
  // decode is reported by PolicyInputsSnapshot instead of stored.
  void ReplaceNetworkPolicies(const std::vector<nlohmann::json>& network_policies);
  void ReplaceVips(const std::vector<api::Vip>& vips);

  // Applies one watch event (kinds host, block, network, group, namespace, endpoint, policy,
  // networkpolicy, vip; others are ignored). A policy or NetworkPolicy object that does not decode
  // is not stored; its key is remembered with the error (PolicyInputs reports it) so that one
  // bad record never forces a re-list.
  EventResult ApplyEvent(const api::WatchEvent& event);

  ClusterSnapshot Snapshot() const;

  // The policy compiler's inputs: namespaces, endpoints with a valid IPv4 address as pods, and
  // the policies. `errors` receives one line per record left out (endpoint without a usable
  // address, undecodable policy).
  struct PolicyInputs {
    policy::Cluster cluster;
    policy::PolicySet policies;
    std::vector<std::string> errors;
  };
  PolicyInputs PolicyInputsSnapshot() const;
  const std::map<std::string, api::Host>& hosts() const { return hosts_; }
  const std::map<std::string, api::Block>& blocks() const { return blocks_; }
  const std::map<std::string, api::Network>& networks() const { return networks_; }
  const std::map<std::string, api::Vip>& vips() const { return vips_; }  // by "namespace/name"

 private:
  std::map<std::string, api::Host> hosts_;        // by name
  std::map<std::string, api::Block> blocks_;      // by "network|cidr"
  std::map<std::string, api::Network> networks_;  // by name
  std::map<std::string, api::Group> groups_;      // by "network|path"
  std::map<std::string, api::Namespace> namespaces_;  // by name
  std::map<std::string, api::Endpoint> endpoints_;    // by "namespace/name"
  std::map<std::string, policy::Policy> policies_;    // by id
  std::map<std::string, policy::NetworkPolicy> network_policies_;  // by "namespace/name"
  std::map<std::string, api::Vip> vips_;              // by "namespace/name"
  std::map<std::string, std::string> bad_policies_;   // store key (or list position) -> decode error
  std::map<std::string, std::pair<std::string, std::string>> key_to_id_;  // key -> (kind, id)
};

}  // namespace romana::agent

#endif  // ROMANA_AGENT_CLUSTER_CACHE_H_
