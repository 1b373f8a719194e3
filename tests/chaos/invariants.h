// invariants.h: what must hold once a chaos run has settled, as pure comparisons of what romanad
// and a node's kernel report with the pods the test knows to be alive (no I/O; thread-safe).
// Each function returns one line per problem found, empty when everything holds.
#ifndef ROMANA_TESTS_CHAOS_INVARIANTS_H_
#define ROMANA_TESTS_CHAOS_INVARIANTS_H_

#include <string>
#include <vector>

#include "api/types.h"

namespace romana::chaos {

// A pod whose CNI ADD succeeded and that has not been deleted.
struct LivePod {
  std::string address_name;  // "<container id>:eth0", the plugin's address name in romanad
  std::string ip;
  std::string node;          // node name ("node-2")
};

// romanad's IPAM against the live pods: no IP held by two pods or two addresses; every live pod's
// address exists under its name, with its IP, on its node (none missing); no other address
// exists (none leaked); every address lies in a block of its host, and each block's `allocated`
// equals the number of addresses in it.
std::vector<std::string> IpamProblems(const std::vector<api::Address>& addresses, const std::vector<api::Block>& blocks,
                                      const std::vector<LivePod>& live);

// One node's pod attachments against its live pods: the plugin's /32 routes (`ip -j route show
// table main proto 82 scope link`) and its host veths (`ip -j link show type veth`, names
// "romana<9 hex>"): one route per live pod, through one of those veths, and no route or veth
// left over from a deleted or rolled-back pod.
std::vector<std::string> AttachmentProblems(const std::string& routes_json, const std::string& links_json,
                                            const std::vector<LivePod>& pods_on_node);

}  // namespace romana::chaos

#endif  // ROMANA_TESTS_CHAOS_INVARIANTS_H_
