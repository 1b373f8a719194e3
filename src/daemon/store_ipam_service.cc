#include "daemon/store_ipam_service.h"

#include "absl/strings/str_cat.h"
#include "api/field_error.h"
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
class StoreIpamService final : public IpamService {
 public:
  StoreIpamService(store::Store& store, const std::string& prefix, std::optional<InitialTopology> initial)
      : store_(store), prefix_(prefix), initial_(std::move(initial)) {}

  absl::Status EnsureLoaded(uint64_t term) override {
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

  absl::StatusOr<nlohmann::json> SetTopology(const nlohmann::json& topology) override {
    absl::StatusOr<ipam::TopologySpec> spec = ipam::ParseTopology(topology.dump());
    if (!spec.ok()) return spec.status();
    if (absl::Status s = ipam_->SetTopology(*spec); !s.ok()) return s;
    return J(ipam::TopologyToJson(*ipam_->ipam().topology()));
  }

  absl::StatusOr<nlohmann::json> AddHost(const api::HostRequest& host) override {
    absl::StatusOr<net::Ipv4Address> ip = net::Ipv4Address::Parse(host.ip);
    if (!ip.ok()) return api::FieldError("ip", ip.status().message());
    return Json(ipam_->AddHost({host.name, *ip, host.labels}));
  }

  absl::StatusOr<nlohmann::json> RelabelHost(const std::string& name, const api::Labels& labels) override {
    return Json(ipam_->SetHostLabels(name, labels));
  }

  absl::StatusOr<nlohmann::json> RemoveHost(const std::string& name) override { return Json(ipam_->RemoveHost(name)); }

  absl::StatusOr<std::pair<nlohmann::json, bool>> Allocate(const api::AddressRequest& r) override {
    absl::StatusOr<ipam::AllocateResult> a = ipam_->Allocate({r.name, r.host, r.namespace_name, r.segment});
    if (!a.ok()) return a.status();
    return std::make_pair(J(ipam::ToJson(a->address)), a->created);
  }

  absl::StatusOr<nlohmann::json> Release(const std::string& name) override { return Json(ipam_->Release(name)); }

  absl::StatusOr<nlohmann::json> ReleaseIp(const std::string& ip) override {
    absl::StatusOr<net::Ipv4Address> a = net::Ipv4Address::Parse(ip);
    if (!a.ok()) return api::FieldError("ip", a.status().message());
    return Json(ipam_->ReleaseIp(*a));
  }

 private:
  template <typename T>
  static absl::StatusOr<nlohmann::json> Json(const absl::StatusOr<T>& r) {
    if (!r.ok()) return r.status();
    return J(ipam::ToJson(*r));
  }

  store::Store& store_;
  const std::string prefix_;
  const std::optional<InitialTopology> initial_;
  std::unique_ptr<ipam::IpamStore> ipam_;
  uint64_t loaded_term_ = 0;
};

}  // namespace

std::unique_ptr<IpamService> CreateStoreIpamService(store::Store& store, const std::string& prefix,
                                                    std::optional<InitialTopology> initial) {
  return std::make_unique<StoreIpamService>(store, prefix, std::move(initial));
}

}  // namespace romana::daemon
