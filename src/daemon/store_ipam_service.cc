#include "daemon/store_ipam_service.h"

#include "absl/strings/str_cat.h"
#include "api/field_error.h"
#include "daemon/group_commit.h"
#include "ipam/errors.h"
#include "ipam/ipam.h"
#include "ipam/ipam_store.h"
#include "ipam/records.h"
#include "spdlog/spdlog.h"

namespace romana::daemon {
namespace {

nlohmann::json J(const std::string& s) { return nlohmann::json::parse(s, nullptr, false); }

// IpamService over ipam::IpamStore (which owns the key layout, the single-transaction writes and
// the reload after ambiguous writes). The store given here is romanad's FencedStore, so every
// IPAM transaction also carries the leadership fence. IPAM's statuses carry the field and the
// conflicts under their own payload URLs; http_error.cc reads those, so they pass through.
//
// Every call is a plan handed to the group commit: plans that arrive while a transaction is in
// flight are committed together in the next one (IpamStore::MutateBatch).
class StoreIpamService final : public IpamService {
 public:
  StoreIpamService(store::Store& store, const std::string& prefix, std::optional<InitialTopology> initial,
                   const Leadership& leadership)
      : store_(store),
        prefix_(prefix),
        initial_(std::move(initial)),
        leadership_(leadership),
        commits_(kMaxBatch, kGather, [this](std::vector<ipam::IpamStore::Plan>& plans) { return Commit(plans); }) {}

  absl::Status EnsureLoaded() override {
    return commits_.Submit([](const ipam::Ipam&) -> absl::StatusOr<ipam::Change> { return ipam::Change{}; });
  }

  absl::StatusOr<nlohmann::json> SetTopology(const nlohmann::json& topology) override {
    absl::StatusOr<ipam::TopologySpec> spec = ipam::ParseTopology(topology.dump());
    if (!spec.ok()) return spec.status();
    std::optional<std::string> applied;
    absl::Status s = commits_.Submit([&](const ipam::Ipam& state) -> absl::StatusOr<ipam::Change> {
      absl::StatusOr<ipam::Change> c = state.PlanSetTopology(*spec);
      if (!c.ok()) return c;
      applied = ipam::TopologyToJson(c->topology ? *c->topology : *state.topology());
      return c;
    });
    if (!s.ok()) return s;
    return J(*applied);
  }

  absl::StatusOr<nlohmann::json> AddHost(const api::HostRequest& host) override {
    absl::StatusOr<net::Ipv4Address> ip = net::Ipv4Address::Parse(host.ip);
    if (!ip.ok()) return api::FieldError("ip", ip.status().message());
    return Json(Mutate<ipam::HostRecord>(
        [&](const ipam::Ipam& state) { return state.PlanAddHost({host.name, *ip, host.labels}); }));
  }

  absl::StatusOr<nlohmann::json> RelabelHost(const std::string& name, const api::Labels& labels) override {
    return Json(Mutate<ipam::HostRecord>([&](const ipam::Ipam& state) { return state.PlanSetHostLabels(name, labels); }));
  }

  absl::StatusOr<nlohmann::json> RemoveHost(const std::string& name) override {
    return Json(Mutate<ipam::HostRecord>([&](const ipam::Ipam& state) { return state.PlanRemoveHost(name); }));
  }

  absl::StatusOr<std::pair<nlohmann::json, bool>> Allocate(const api::AddressRequest& r) override {
    absl::StatusOr<ipam::AllocateResult> a = Mutate<ipam::AllocateResult>([&](const ipam::Ipam& state) {
      return state.PlanAllocate({r.name, r.host, r.namespace_name, r.segment});
    });
    if (!a.ok()) return a.status();
    return std::make_pair(J(ipam::ToJson(a->address)), a->created);
  }

  absl::StatusOr<nlohmann::json> Release(const std::string& name) override {
    return Json(Mutate<ipam::AddressRecord>([&](const ipam::Ipam& state) { return state.PlanRelease(name); }));
  }

  absl::StatusOr<nlohmann::json> ReleaseIp(const std::string& ip) override {
    absl::StatusOr<net::Ipv4Address> a = net::Ipv4Address::Parse(ip);
    if (!a.ok()) return api::FieldError("ip", a.status().message());
    return Json(Mutate<ipam::AddressRecord>([&](const ipam::Ipam& state) { return state.PlanReleaseIp(*a); }));
  }

 private:
  // Allocations write about three keys each; 32 of them stay well inside one etcd transaction.
  static constexpr size_t kMaxBatch = 32;
  // How long a batch may wait for the writers of the previous one to come back (a loopback
  // HTTP round trip plus planning is ~0.3 ms; an etcd commit ~1 ms).
  static constexpr std::chrono::microseconds kGather{500};

  template <typename T>
  absl::StatusOr<T> Mutate(std::function<absl::StatusOr<ipam::Planned<T>>(const ipam::Ipam&)> plan) {
    std::optional<T> result;
    if (absl::Status s = commits_.Submit(ipam::IpamStore::Recording<T>(std::move(plan), result)); !s.ok()) return s;
    return *std::move(result);
  }

  template <typename T>
  static absl::StatusOr<nlohmann::json> Json(const absl::StatusOr<T>& r) {
    if (!r.ok()) return r.status();
    return J(ipam::ToJson(*r));
  }

  // Runs on one thread at a time (the group commit's).
  std::vector<absl::Status> Commit(const std::vector<ipam::IpamStore::Plan>& plans) {
    if (absl::Status s = LoadForTerm(leadership_.Term()); !s.ok()) return std::vector<absl::Status>(plans.size(), s);
    return ipam_->MutateBatch(plans);
  }

  // Loads the state unless it was loaded for this leadership term (a new leader continues from
  // what the old one committed).
  absl::Status LoadForTerm(uint64_t term) {
    if (ipam_ != nullptr && loaded_term_ == term) return absl::OkStatus();
    absl::StatusOr<std::unique_ptr<ipam::IpamStore>> s = ipam::IpamStore::Open(store_, {.prefix = prefix_});
    if (!s.ok()) {
      ipam_.reset();
      return s.status();
    }
    ipam_ = *std::move(s);
    loaded_term_ = term;
    const ipam::Ipam& st = ipam_->ipam();
    spdlog::info("ipam: loaded {} hosts, {} blocks, {} addresses from the store (term {})", st.host_count(),
                 st.block_count(), st.address_count(), term);
    if (st.topology() == nullptr && initial_.has_value()) {
      spdlog::info("ipam: the store holds no topology; applying the initial one ({})", initial_->source);
      if (absl::Status t = ipam_->SetTopology(initial_->spec); !t.ok()) return t;
    }
    return absl::OkStatus();
  }

  store::Store& store_;
  const std::string prefix_;
  const std::optional<InitialTopology> initial_;
  const Leadership& leadership_;
  std::unique_ptr<ipam::IpamStore> ipam_;  // used by Commit only
  uint64_t loaded_term_ = 0;
  GroupCommit<ipam::IpamStore::Plan> commits_;
};

}  // namespace

std::unique_ptr<IpamService> CreateStoreIpamService(store::Store& store, const std::string& prefix,
                                                    std::optional<InitialTopology> initial,
                                                    const Leadership& leadership) {
  return std::make_unique<StoreIpamService>(store, prefix, std::move(initial), leadership);
}

}  // namespace romana::daemon
