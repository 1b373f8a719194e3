// Hosts: add (least-loaded eligible leaf), remove (frees blocks and addresses), relabel.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ipam/errors.h"
#include "ipam/internal.h"
#include "ipam/ipam.h"

namespace romana::ipam {

using internal::AV;

namespace {

absl::Status NoTopology() {
  return absl::FailedPreconditionError("no topology has been applied yet");
}

std::string LabelsText(const Labels& labels) {
  if (labels.empty()) return "{}";
  std::vector<std::string> kv;
  for (const auto& [k, v] : labels) kv.push_back(absl::StrCat(k, "=", v));
  return absl::StrCat("{", absl::StrJoin(kv, ", "), "}");
}

}  // namespace

absl::StatusOr<Planned<HostRecord>> Ipam::PlanAddHost(const AddHostRequest& req) const {
  if (!topology_) return NoTopology();
  if (!IsValidHostName(req.name)) {
    return InvalidField("name", req.name.empty() ? "required"
                                                 : "host names are 1..253 characters of [A-Za-z0-9_.-]");
  }
  if (req.ip.value() == 0) return InvalidField("ip", "required (0.0.0.0 is not a host address)");
  for (const auto& [k, v] : req.labels) {
    if (k.empty()) return InvalidField("labels", "label names must not be empty");
  }
  if (hosts_.contains(req.name)) {
    return FieldError(absl::StatusCode::kAlreadyExists, "name",
                      absl::StrCat("host \"", req.name, "\" already exists"));
  }
  if (auto it = host_by_ip_.find(req.ip.value()); it != host_by_ip_.end()) {
    return FieldError(absl::StatusCode::kAlreadyExists, "ip",
                      absl::StrCat("IP ", req.ip.ToString(), " already belongs to host \"", it->second, "\""));
  }
  for (const NetworkPlan& p : plans_) {
    if (p.network.cidr.Contains(req.ip)) {
      return InvalidField("ip", absl::StrCat("host IP ", req.ip.ToString(), " lies inside network \"",
                                             p.network.name, "\" (", p.network.cidr.ToString(), ")"));
    }
  }
  HostRecord h{req.name, req.ip, req.labels, {}, false};
  std::vector<std::string> reasons;
  for (size_t ni = 0; ni < plans_.size(); ++ni) {
    const NetworkPlan& p = plans_[ni];
    int best = -1;
    for (size_t gi = 0; gi < p.groups.size(); ++gi) {
      if (!p.groups[gi].leaf || p.groups[gi].padding) continue;
      std::string why = LeafRejection(p, gi, req.labels);
      if (!why.empty()) {
        if (reasons.size() < 6) reasons.push_back(why);
        continue;
      }
      if (best < 0 || states_[ni].groups[gi].hosts.size() < states_[ni].groups[best].hosts.size()) {
        best = static_cast<int>(gi);
      }
    }
    if (best >= 0) h.groups[p.network.name] = p.groups[best].path;
  }
  if (h.groups.empty()) {
    return InvalidField("labels", absl::StrCat("no group of any network accepts host \"", req.name,
                                               "\" with labels ", LabelsText(req.labels), ": ",
                                               absl::StrJoin(reasons, "; ")));
  }
  Planned<HostRecord> out{h, {}};
  out.change.put_hosts.push_back(h);
  return out;
}

absl::StatusOr<Planned<HostRecord>> Ipam::PlanRemoveHost(const std::string& name) const {
  auto it = hosts_.find(name);
  if (it == hosts_.end()) return absl::NotFoundError(absl::StrCat("host \"", name, "\" not found"));
  Planned<HostRecord> out{it->second, {}};
  out.change.deleted_hosts.push_back(name);
  if (auto hb = host_blocks_.find(name); hb != host_blocks_.end()) {
    for (const BlockKey& key : hb->second) {
      BlockRecord b = blocks_.at(key);
      b.host.clear();
      b.owner.clear();
      b.free = {b.cidr.range()};
      out.change.put_blocks.push_back(std::move(b));
    }
  }
  if (auto ha = host_addresses_.find(name); ha != host_addresses_.end()) {
    out.change.deleted_addresses.assign(ha->second.begin(), ha->second.end());
  }
  return out;
}

absl::StatusOr<Planned<HostRecord>> Ipam::PlanSetHostLabels(const std::string& name, const Labels& labels) const {
  auto it = hosts_.find(name);
  if (it == hosts_.end()) return absl::NotFoundError(absl::StrCat("host \"", name, "\" not found"));
  for (const auto& [k, v] : labels) {
    if (k.empty()) return InvalidField("labels", "label names must not be empty");
  }
  HostRecord h = it->second;
  Planned<HostRecord> out{h, {}};
  if (h.labels == labels) return out;
  if (!h.is_static) {
    // Static hosts were placed by the topology, not by their labels; they are not re-checked.
    for (const auto& [net, path] : h.groups) {
      int ni = NetworkIndex(net);
      int gi = GroupIndex(ni, path);
      std::string why = LeafRejection(plans_[ni], gi, labels);
      if (!why.empty()) {
        return FieldError(absl::StatusCode::kFailedPrecondition, "labels",
                          absl::StrCat("host \"", name, "\" cannot take labels ", LabelsText(labels),
                                       " without moving: ", why, " (hosts are never moved between groups; "
                                       "remove and re-add the host to move it)"));
      }
    }
  }
  h.labels = labels;
  out.result = h;
  out.change.put_hosts.push_back(h);
  return out;
}

absl::StatusOr<HostRecord> Ipam::AddHost(const AddHostRequest& request) {
  absl::StatusOr<Planned<HostRecord>> p = PlanAddHost(request);
  if (!p.ok()) return p.status();
  Apply(p->change);
  return p->result;
}

absl::StatusOr<HostRecord> Ipam::RemoveHost(const std::string& name) {
  absl::StatusOr<Planned<HostRecord>> p = PlanRemoveHost(name);
  if (!p.ok()) return p.status();
  Apply(p->change);
  return p->result;
}

absl::StatusOr<HostRecord> Ipam::SetHostLabels(const std::string& name, const Labels& labels) {
  absl::StatusOr<Planned<HostRecord>> p = PlanSetHostLabels(name, labels);
  if (!p.ok()) return p.status();
  Apply(p->change);
  return p->result;
}

}  // namespace romana::ipam
