#include "cli/topology_plan.h"

#include <optional>

#include "ipam/plan_report.h"

namespace romana::cli {

absl::StatusOr<std::string> TopologyPlan(const std::string& topology_json, const std::string& builtin,
                                         const std::string& overrides, bool json) {
  absl::StatusOr<ipam::PlanReport> report = ipam::BuildPlanReportFor(
      topology_json.empty() ? std::nullopt : std::optional<std::string>(topology_json), builtin, overrides);
  if (!report.ok()) return report.status();
  return json ? ipam::PlanReportToJson(*report) + "\n" : ipam::FormatPlanTable(*report);
}

}  // namespace romana::cli
