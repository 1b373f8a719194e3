#include "agent/lifecycle.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent/nat.h"
#include "agent/policy_render.h"
#include "agent/vip_syncer.h"
#include "nft/table_syncer.h"

namespace romana::agent {
namespace {

absl::Status Step(absl::string_view step, const absl::Status& status) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(step, ": ", status.message()));
}

}  // namespace

absl::StatusOr<api::Labels> ParseNodeLabels(absl::string_view text) {
  api::Labels labels;
  if (text.empty()) return labels;
  for (absl::string_view kv : absl::StrSplit(text, ',')) {
    std::vector<std::string> parts = absl::StrSplit(kv, absl::MaxSplits('=', 1));
    if (parts.size() != 2 || parts[0].empty()) {
      return absl::InvalidArgumentError(absl::StrCat("--node-labels: expected k=v[,k=v...], got '", kv, "'"));
    }
    labels[parts[0]] = parts[1];
  }
  return labels;
}

absl::Status RemoveAgentState(VipProgrammer* vips, RouteProgrammer& programmer, nft::Runner& nft,
                              const base::Clock& clock, const RouteSyncerOptions& routes) {
  if (vips != nullptr) {
    VipSyncer vip_syncer(*vips, clock, routes.resync_interval);
    absl::Status s = vip_syncer.RemoveAll();
    if (!s.ok() && !absl::IsNotFound(s)) return Step("cleanup vips", s);
  }
  RouteSyncer syncer(programmer, clock, routes);
  if (absl::Status s = Step("cleanup routes", syncer.RemoveAll()); !s.ok()) return s;
  NatSyncer nat_syncer(nft, clock, routes.resync_interval);
  if (absl::Status s = Step("cleanup nat", nat_syncer.RemoveAll()); !s.ok()) return s;
  nft::TableSyncer policy_syncer(nft, clock, {.family = kPolicyFamily, .name = kPolicyTable});
  return Step("cleanup policy", policy_syncer.Remove());
}

}  // namespace romana::agent
