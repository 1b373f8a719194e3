#include "aws/srcdst/controller.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace romana::srcdst {

SourceDestController::SourceDestController(aws::Ec2Api& ec2, const base::Clock& clock,
                                           prometheus::Registry& registry, ControllerOptions options)
    : ec2_(ec2),
      clock_(clock),
      options_(options),
      enabled_(prometheus::BuildGauge()
                   .Name("romana_aws_source_dest_check_enabled")
                   .Help("1 while EC2 Source/Dest check is (still) on for a node's instance or primary ENI")
                   .Register(registry)),
      changes_(prometheus::BuildCounter()
                   .Name("romana_aws_source_dest_check_changes_total")
                   .Help("Times romana-aws switched Source/Dest check off, per node")
                   .Register(registry)),
      errors_(prometheus::BuildCounter()
                  .Name("romana_aws_errors_total")
                  .Help("Failed attempts to disable Source/Dest check, per node")
                  .Register(registry)),
      node_count_(prometheus::BuildGauge()
                      .Name("romana_aws_nodes")
                      .Help("Kubernetes nodes known to romana-aws")
                      .Register(registry)
                      .Add({})) {}

void SourceDestController::Upsert(const nlohmann::json& object) {
  absl::StatusOr<NodeInfo> info = NodeInfoFromJson(object);
  if (!info.ok()) {
    spdlog::warn("ignoring a node: {}", info.status().ToString());
    return;
  }
  auto it = nodes_.find(info->name);
  if (it != nodes_.end() && it->second.status.node == *info) return;  // nothing relevant changed
  Entry& e = nodes_[info->name];
  if (it == nodes_.end()) spdlog::info("node {}: new (providerID '{}', InternalIP {})", info->name, info->provider_id, info->internal_ip);
  e.status.node = *info;
  e.status.state = "pending";
  e.due = clock_.Now();
  node_count_.Set(static_cast<double>(nodes_.size()));
}

void SourceDestController::Forget(const std::string& name) {
  auto it = nodes_.find(name);
  if (it == nodes_.end()) return;
  enabled_.Remove(&enabled_.Add({{"node", name}}));
  nodes_.erase(it);
  node_count_.Set(static_cast<double>(nodes_.size()));
  spdlog::info("node {}: removed", name);
}

void SourceDestController::OnSync(std::vector<nlohmann::json> items) {
  std::lock_guard lock(mu_);
  std::set<std::string> seen;
  for (const auto& item : items) {
    Upsert(item);
    if (item.contains("metadata") && item["metadata"].contains("name")) seen.insert(item["metadata"]["name"]);
  }
  std::vector<std::string> gone;
  for (const auto& [name, e] : nodes_) {
    if (!seen.count(name)) gone.push_back(name);
  }
  for (const auto& name : gone) Forget(name);
}

void SourceDestController::OnEvent(const std::string& type, const nlohmann::json& object) {
  std::lock_guard lock(mu_);
  if (type == "DELETED") {
    if (object.contains("metadata") && object["metadata"].contains("name")) Forget(object["metadata"]["name"]);
    return;
  }
  Upsert(object);
}

std::map<std::string, NodeStatus> SourceDestController::Status() const {
  std::lock_guard lock(mu_);
  std::map<std::string, NodeStatus> out;
  for (const auto& [name, e] : nodes_) out[name] = e.status;
  return out;
}

absl::Status SourceDestController::Process(NodeStatus& n) {
  std::vector<aws::Instance> found;
  if (!n.node.instance_id.empty()) {
    absl::StatusOr<std::vector<aws::Instance>> r = ec2_.DescribeInstances({n.node.instance_id}, {});
    if (!r.ok()) return r.status();
    found = *std::move(r);
  } else if (!n.node.internal_ip.empty()) {
    absl::StatusOr<std::vector<aws::Instance>> r =
        ec2_.DescribeInstances({}, {{"private-ip-address", {n.node.internal_ip}}});
    if (!r.ok()) return r.status();
    for (auto& i : *r) {
      if (i.state != "terminated" && i.state != "shutting-down") found.push_back(std::move(i));
    }
  } else {
    return absl::FailedPreconditionError("node has neither an aws:// spec.providerID nor an InternalIP");
  }
  if (found.size() != 1) {
    return absl::NotFoundError(absl::StrCat(found.empty() ? "no" : std::to_string(found.size()), " EC2 instance(s) for ",
                                            n.node.instance_id.empty() ? "InternalIP " + n.node.internal_ip
                                                                       : n.node.instance_id));
  }
  const aws::Instance& inst = found[0];
  const aws::NetworkInterface* eni = inst.PrimaryInterface();
  n.instance_id = inst.id;
  n.eni_id = eni != nullptr ? eni->id : "";
  bool changed = false;
  if (inst.source_dest_check) {
    if (absl::Status s = ec2_.ModifyInstanceSourceDestCheck(inst.id, false); !s.ok()) return s;
    changed = true;
  }
  if (eni != nullptr && eni->source_dest_check) {
    if (absl::Status s = ec2_.ModifyNetworkInterfaceSourceDestCheck(eni->id, false); !s.ok()) return s;
    changed = true;
  }
  if (!changed) return absl::OkStatus();
  absl::StatusOr<std::vector<aws::Instance>> again = ec2_.DescribeInstances({inst.id}, {});
  if (!again.ok()) return again.status();
  if (again->size() != 1) return absl::NotFoundError(absl::StrCat("instance ", inst.id, " vanished while verifying"));
  const aws::Instance& v = (*again)[0];
  const aws::NetworkInterface* veni = v.PrimaryInterface();
  if (v.source_dest_check || (veni != nullptr && veni->source_dest_check)) {
    return absl::AbortedError(absl::StrCat("Source/Dest check still on for ", inst.id, " after the change"));
  }
  ++n.changes;
  changes_.Add({{"node", n.node.name}}).Increment();
  spdlog::info("node {}: Source/Dest check switched off on instance {} and ENI {}", n.node.name, inst.id, n.eni_id);
  return absl::OkStatus();
}

int SourceDestController::Tick() {
  const auto now = clock_.Now();
  std::vector<std::pair<std::string, NodeStatus>> due;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, e] : nodes_) {
      if (e.due <= now) due.emplace_back(name, e.status);
    }
  }
  for (auto& [name, status] : due) {
    absl::Status s = Process(status);
    std::lock_guard lock(mu_);
    auto it = nodes_.find(name);
    if (it == nodes_.end()) continue;  // deleted meanwhile
    Entry& e = it->second;
    if (!(e.status.node == status.node)) continue;  // changed meanwhile: it is due again anyway
    e.status = status;
    if (s.ok()) {
      e.status.state = "disabled";
      e.status.last_error.clear();
      e.status.failures = 0;
      e.due = now + options_.recheck_interval;
      enabled_.Add({{"node", name}}).Set(0);
    } else {
      ++e.status.failures;
      e.status.state = "error";
      e.status.last_error = s.ToString();
      const double r = std::uniform_real_distribution<double>(0.5, 1.0)(rng_);
      const auto delay = std::max(std::chrono::milliseconds(options_.backoff.base_delay / 2),
                                  http::BackoffDelay(options_.backoff, e.status.failures, r));
      e.due = now + delay;
      enabled_.Add({{"node", name}}).Set(1);
      errors_.Add({{"node", name}}).Increment();
      spdlog::error("node {}: cannot switch Source/Dest check off: {} (attempt {}, retrying in {} ms)", name,
                    s.ToString(), e.status.failures, delay.count());
    }
  }
  return static_cast<int>(due.size());
}

}  // namespace romana::srcdst
