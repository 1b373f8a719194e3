// route_diff.h: the pure "diff" layer of the agent's route reconciler.
//
// Compares the desired routes with the (cached) actual routes of the agent's own table and
// returns the smallest list of operations that turns actual into desired. No I/O. Thread-safe.
#ifndef ROMANA_AGENT_ROUTE_DIFF_H_
#define ROMANA_AGENT_ROUTE_DIFF_H_

#include <vector>

#include "agent/route_types.h"

namespace romana::agent {

// Returns the operations that make `actual` equal to `desired`, in a stable order: deletions
// first (so a freed prefix never overlaps a new one for long), then adds, then replaces (a
// destination whose gateway changed). Each list is sorted by destination. Equal inputs give an
// empty result.
std::vector<RouteOp> DiffRoutes(const RouteMap& desired, const RouteMap& actual);

// Applies `ops` to `routes` as the kernel would (used to update the apply layer's cache).
void ApplyOpsToMap(const std::vector<RouteOp>& ops, RouteMap& routes);

}  // namespace romana::agent

#endif  // ROMANA_AGENT_ROUTE_DIFF_H_
