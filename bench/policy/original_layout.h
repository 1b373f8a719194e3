// original_layout.h: a node's policy plan rendered the way the original Romana agent enforced
// policy (reference §5.4): ipsets (hash:net per peer set, hash:ip,port per named-port set, and
// hash:ip target sets per policy chain) and one iptables-restore script for the filter table
// with ROMANA-FORWARD-IN/OUT base chains, a ROMANA-P-<chain> per policy that matches its
// targets and jumps to ROMANA-P-<chain>_R, one rule per peer x port range. The original
// re-rendered and re-applied all of it on every change; the benchmark does the same, as the
// anchor its nftables figures are compared with. Pure; thread-safe.
#ifndef ROMANA_BENCH_POLICY_ORIGINAL_LAYOUT_H_
#define ROMANA_BENCH_POLICY_ORIGINAL_LAYOUT_H_

#include <string>

#include "policy/node_plan.h"

namespace romana::policy::bench {

struct OriginalLayout {
  std::string ipset_restore;     // for `ipset restore -exist`: create + add lines
  std::string iptables_restore;  // for `iptables-restore --noflush`: *filter ... COMMIT
  // Applied once after the first script: the jumps from FORWARD into the base chains (the
  // original's CNI plugin added them per pod veth).
  std::string iptables_divert;
  int ipset_lines = 0;
  int iptables_rules = 0;
};

OriginalLayout RenderOriginalLayout(const NodePlan& plan);

}  // namespace romana::policy::bench

#endif  // ROMANA_BENCH_POLICY_ORIGINAL_LAYOUT_H_
