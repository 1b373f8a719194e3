// vip_calc.h: the "calc" layer of the agent's VIP reconciler (docs/agent.md, "VIPs"): which VIP
// addresses this node must hold, from romanad's VIP records. Pure: no I/O; thread-safe.
#ifndef ROMANA_AGENT_VIP_CALC_H_
#define ROMANA_AGENT_VIP_CALC_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "api/vip.h"

namespace romana::agent {

struct VipCalcResult {
  std::set<std::string> addresses;  // dotted-quad IPv4, each added as a /32
  std::vector<std::string> errors;  // records left out, "<namespace>/<name>: <reason>"
};

// The addresses of the records whose node is `node` (records with another node or none are
// someone else's). A record whose address is not a usable VIP (api::CheckVipAddress; romanad
// never stores one) is left out and reported. Two records with one address yield it once.
VipCalcResult ComputeVips(const std::map<std::string, api::Vip>& vips, const std::string& node);

}  // namespace romana::agent

#endif  // ROMANA_AGENT_VIP_CALC_H_
