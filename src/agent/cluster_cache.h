// cluster_cache.h: the agent's local copy of the cluster state it routes by (hosts, blocks,
// networks), fed by romanad's lists and watch events.
//
// Objects are keyed by identity (host name, network name, block network+CIDR, group
// network+path). A watch PUT
// carries the object and its store key; a DELETE carries the key and the deleted object
// (prev_object), whose identity says what to remove. A DELETE without prev_object (an older
// romanad) is resolved through the key of a PUT seen earlier; one that neither resolves (the
// object came from a list, which has no keys) answers kNeedRelist and the caller re-lists.
// No I/O. Not thread-safe (the agent guards it).
#ifndef ROMANA_AGENT_CLUSTER_CACHE_H_
#define ROMANA_AGENT_CLUSTER_CACHE_H_

#include <map>
#include <string>
#include <vector>

#include "agent/route_calc.h"
#include "api/types.h"

namespace romana::agent {

class ClusterCache {
 public:
  enum class EventResult { kIgnored, kChanged, kNeedRelist };

  // Replaces everything of that kind.
  void ReplaceHosts(const std::vector<api::Host>& hosts);
  void ReplaceBlocks(const std::vector<api::Block>& blocks);
  void ReplaceNetworks(const std::vector<api::Network>& networks);
  void ReplaceGroups(const std::vector<api::Group>& groups);

  // Applies one watch event (kinds host, block, network, group; others are ignored).
  EventResult ApplyEvent(const api::WatchEvent& event);

  ClusterSnapshot Snapshot() const;
  const std::map<std::string, api::Host>& hosts() const { return hosts_; }
  const std::map<std::string, api::Block>& blocks() const { return blocks_; }
  const std::map<std::string, api::Network>& networks() const { return networks_; }

 private:
  std::map<std::string, api::Host> hosts_;        // by name
  std::map<std::string, api::Block> blocks_;      // by "network|cidr"
  std::map<std::string, api::Network> networks_;  // by name
  std::map<std::string, api::Group> groups_;      // by "network|path"
  std::map<std::string, std::pair<std::string, std::string>> key_to_id_;  // key -> (kind, id)
};

}  // namespace romana::agent

#endif  // ROMANA_AGENT_CLUSTER_CACHE_H_
