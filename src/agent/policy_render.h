// policy_render.h: renders a node's policy plan (policy/node_plan.h) into the agent's own
// nftables table `inet romana`. Pure; thread-safe.
//
// Layout (docs/agent.md, "The policy table"):
//   set  a-<hash>        ipv4_addr, interval             one per AddressSet (peer selection/ipBlock)
//   set  n-<hash>        ipv4_addr . inet_proto . inet_service  one per AddressPortSet (named ports)
//   set  self            ipv4_addr . ipv4_addr           (pod, pod) for every local pod
//   map  egress-pods     ipv4_addr : verdict             local pod IP -> jump egress-<combination>
//   map  ingress-pods    ipv4_addr : verdict             local pod IP -> jump ingress-<combination>
//   chain forward-egress   hook forward, priority 0:  ct established,related accept;
//                          ip saddr . ip daddr @self accept; ip saddr vmap @egress-pods
//   chain forward-ingress  hook forward, priority 1:  the same with ip daddr vmap @ingress-pods
//   chain egress-<hash> / ingress-<hash>   one per distinct list of policy chains a local pod
//                          has (hash of the list): jump to each policy chain, then drop
//   chain in-<hash> / out-<hash>   the plan's per-policy chains: one rule per allowance, accept
// Accept in one base chain ends only that chain, so a packet must pass both forward chains: the
// source's egress and the destination's ingress policies. Pods that are not isolated in a
// direction have no map element and pass. Only the forward hook is filtered, after prerouting,
// so kube-proxy's DNAT (prerouting, priority -100) has already put the real pod address and
// port in the packet; traffic between the host and its own pods (input/output hooks: kubelet
// probes) is never filtered.
//
// A membership change changes only set and map elements; editing a policy changes only its own
// chains (the plan's names are stable); a pod whose set of policies changes moves to another
// dispatch chain (one map element).
#ifndef ROMANA_AGENT_POLICY_RENDER_H_
#define ROMANA_AGENT_POLICY_RENDER_H_

#include "nft/table.h"
#include "policy/node_plan.h"

namespace romana::agent {

inline constexpr char kPolicyFamily[] = "inet";
inline constexpr char kPolicyTable[] = "romana";
inline constexpr int kEgressPriority = 0;   // filter
inline constexpr int kIngressPriority = 1;  // right after

nft::Table RenderPolicyTable(const policy::NodePlan& plan);

}  // namespace romana::agent

#endif  // ROMANA_AGENT_POLICY_RENDER_H_
