// lifecycle.h: what romana-agent does around the Agent loop: reading --node-labels, and --cleanup,
// which removes every kernel object the agent owns (VIPs, routes and rule, NAT table, policy table).
// Thread-compatible: call from one thread.
#ifndef ROMANA_AGENT_LIFECYCLE_H_
#define ROMANA_AGENT_LIFECYCLE_H_

#include <chrono>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agent/route_programmer.h"
#include "agent/route_syncer.h"
#include "agent/vip_programmer.h"
#include "api/types.h"
#include "base/clock.h"
#include "nft/runner.h"

namespace romana::agent {

// "k=v[,k=v...]" ("" = no labels). InvalidArgument naming --node-labels and the bad item.
absl::StatusOr<api::Labels> ParseNodeLabels(absl::string_view text);

// Removes the agent's VIPs (when `vips` is given; a missing VIP link is no error), its routes and
// rule (`routes.rule`), its NAT table and its policy table, in that order; objects it does not own
// are never touched. Idempotent. On error the steps before the failed one are done; the status
// keeps the failed step's code and its message names the step ("cleanup vips: ...", "cleanup
// routes: ...", "cleanup nat: ...", "cleanup policy: ..."). The arguments are used only during
// the call.
absl::Status RemoveAgentState(VipProgrammer* vips, RouteProgrammer& programmer, nft::Runner& nft,
                              const base::Clock& clock, const RouteSyncerOptions& routes);

}  // namespace romana::agent

#endif  // ROMANA_AGENT_LIFECYCLE_H_
