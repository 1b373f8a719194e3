#include "listener/vips.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "listener/vip_external_ips.h"
#include "listener/vip_plan.h"
#include "spdlog/spdlog.h"

namespace romana::listener {

using nlohmann::json;

bool VipController::ServiceHasVip(const std::string& key) const {
  std::optional<json> s = services_->Get(key);
  return s.has_value() && VipServiceOf(*s).annotation.has_value();
}

VipController::VipController(k8s::KubeClient& kube, api::Client& romanad, const base::Clock& clock,
                             prometheus::Registry& registry, VipControllerOptions options)
    : kube_(kube),
      romanad_(romanad),
      clock_(clock),
      options_(std::move(options)),
      service_marker_(std::make_unique<k8s::ChangeHandler>([this](const json&) { MarkDirty(); })),
      // The Endpoints of every other Service in the cluster are no concern of VIPs.
      endpoints_marker_(std::make_unique<k8s::ChangeHandler>([this](const json& o) {
        if (ServiceHasVip(k8s::Informer::KeyOf(o))) MarkDirty();
      })),
      writes_(prometheus::BuildCounter()
                  .Name("romana_listener_vip_writes_total")
                  .Help("VIP records written to romanad (puts and deletes)")
                  .Register(registry)
                  .Add({})),
      write_errors_(prometheus::BuildCounter()
                        .Name("romana_listener_vip_write_errors_total")
                        .Help("Failed VIP reads and writes to romanad")
                        .Register(registry)
                        .Add({})),
      vips_(prometheus::BuildGauge()
                .Name("romana_listener_vips")
                .Help("Services with a VIP (romanavip annotation) in the last plan")
                .Register(registry)
                .Add({})),
      errors_(prometheus::BuildGauge()
                  .Name("romana_listener_vip_errors")
                  .Help("Services whose romanavip annotation cannot be served (bad value, address taken, pool full)")
                  .Register(registry)
                  .Add({})),
      external_ip_patches_(prometheus::BuildCounter()
                               .Name("romana_listener_vip_external_ip_patches_total")
                               .Help("Services whose spec.externalIPs the listener patched (VIP added or removed)")
                               .Register(registry)
                               .Add({})) {
  auto make = [&](const char* path, std::function<json(json)> transform, k8s::ChangeHandler* marker) {
    k8s::InformerOptions io{.reflector = {.path = path,
                                          .watch_timeout_seconds = options_.watch_timeout_seconds,
                                          .min_backoff = options_.min_backoff,
                                          .max_backoff = options_.max_backoff},
                            .transform = std::move(transform)};
    auto informer = std::make_unique<k8s::Informer>(kube_, io);
    informer->AddHandler(marker);
    return informer;
  };
  services_ = make("/api/v1/services", [](json o) { return ReduceVipService(o); }, service_marker_.get());
  endpoints_ = make("/api/v1/endpoints", [](json o) { return ReduceVipEndpoints(o); }, endpoints_marker_.get());
}

VipController::~VipController() { Stop(); }

void VipController::Start() {
  services_->Start();
  endpoints_->Start();
  worker_ = std::thread([this] { Loop(); });
}

void VipController::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  services_->RequestStop();
  endpoints_->RequestStop();
  if (worker_.joinable()) worker_.join();
  services_->Stop();
  endpoints_->Stop();
}

void VipController::SetActive(bool active) {
  {
    std::lock_guard lock(mu_);
    if (active_.exchange(active) == active) return;
    actual_valid_ = false;
    in_sync_ = false;
  }
  cv_.notify_all();
}

bool VipController::Synced() const { return services_->HasSynced() && endpoints_->HasSynced(); }

bool VipController::Ready() const { return Synced() && (!active_ || in_sync_); }

json VipController::Status() const {
  std::lock_guard lock(mu_);
  json errors = json::object();
  for (const auto& [k, v] : errors_by_service_) errors[k] = v;
  return {{"services", services_->Size()}, {"endpoints", endpoints_->Size()}, {"vips", vip_count_},
          {"errors", std::move(errors)}};
}

void VipController::MarkDirty() {
  {
    std::lock_guard lock(mu_);
    dirty_ = true;
  }
  cv_.notify_all();
}

absl::Status VipController::Pass(bool reread) {
  if (reread) {
    absl::StatusOr<api::List<api::Vip>> listed = romanad_.ListVips();
    if (!listed.ok()) {
      write_errors_.Increment();
      return listed.status();
    }
    actual_.clear();
    for (api::Vip& v : listed->items) actual_[absl::StrCat(v.namespace_name, "/", v.name)] = std::move(v);
    absl::StatusOr<api::List<api::Host>> hosts = romanad_.ListHosts();
    if (!hosts.ok()) {
      write_errors_.Increment();
      return hosts.status();
    }
    hosts_.clear();
    for (const api::Host& h : hosts->items) hosts_.insert(h.name);
  }
  VipInputs in{.current = actual_, .pool = options_.vip_cidr, .hosts = hosts_};
  for (const json& s : services_->List()) in.services.push_back(VipServiceOf(s));
  for (const json& e : endpoints_->List()) in.ready_nodes[k8s::Informer::KeyOf(e)] = ReadyNodesOf(e);
  VipPlan plan = PlanVips(in);
  // An endpoint on a node that is no host (yet: the listener registers nodes concurrently):
  // re-read the hosts soon rather than at the next resync.
  unknown_node_ = false;
  for (const auto& [key, v] : plan.vips) {
    auto ready = in.ready_nodes.find(key);
    if (ready == in.ready_nodes.end()) continue;
    for (const std::string& n : ready->second) unknown_node_ = unknown_node_ || !hosts_.contains(n);
  }
  std::vector<std::pair<std::string, std::string>> new_errors;
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, why] : plan.errors) {
      auto it = errors_by_service_.find(key);
      if (it == errors_by_service_.end() || it->second != why) new_errors.emplace_back(key, why);
    }
    errors_by_service_ = plan.errors;
    vip_count_ = plan.vips.size();
  }
  for (const auto& [key, why] : new_errors) {
    spdlog::warn("service {}: no VIP: {}", key, why);
    std::optional<json> svc = services_->Get(key);
    if (options_.events != nullptr && svc.has_value()) {
      options_.events->Warning(ObjectRefOf("Service", "v1", *svc), kReasonInvalidVip, absl::StrCat("no VIP: ", why));
    }
  }
  vips_.Set(static_cast<double>(plan.vips.size()));
  errors_.Set(static_cast<double>(plan.errors.size()));

  absl::Status first;
  auto record = [&](const absl::Status& s, const std::string& what) {
    if (s.ok()) {
      writes_.Increment();
      return true;
    }
    write_errors_.Increment();
    spdlog::warn("romanad: {}: {}", what, s.ToString());
    if (first.ok()) first = absl::Status(s.code(), absl::StrCat(what, ": ", s.message()));
    return false;
  };
  auto may_write = [&] { return !options_.may_write || options_.may_write(); };
  std::vector<std::string> gone;
  for (const auto& [key, v] : actual_) {
    if (!plan.vips.contains(key)) gone.push_back(key);
  }
  for (const std::string& key : gone) {
    if (!may_write()) return absl::FailedPreconditionError("not the leader (Lease not renewed)");
    const api::Vip& v = actual_.at(key);
    absl::Status s = romanad_.DeleteVip(v.namespace_name, v.name);
    if (absl::IsNotFound(s)) s = absl::OkStatus();
    if (record(s, absl::StrCat("delete vip ", key))) {
      spdlog::info("vip {} ({}) removed", key, v.ip);
      actual_.erase(key);
    }
  }
  for (const auto& [key, v] : plan.vips) {
    auto it = actual_.find(key);
    if (it != actual_.end() && it->second == v) continue;
    if (!may_write()) return absl::FailedPreconditionError("not the leader (Lease not renewed)");
    if (record(romanad_.PutVip(v), absl::StrCat("put vip ", key))) {
      spdlog::info("vip {} = {} on node {}", key, v.ip, v.node.empty() ? "(none: no ready endpoint)" : v.node);
      actual_[key] = v;
    }
  }
  // A failed patch does not fail the pass (romanad holds the plan; readiness is about that): it
  // is logged, counted, reported as an Event and tried again after retry_interval.
  if (reread) refused_at_.clear();  // every resync_interval: try refused patches again
  external_ips_failed_ = options_.external_ips && !SyncExternalIps(plan.vips).ok();
  return first;
}

absl::Status VipController::SyncExternalIps(const std::map<std::string, api::Vip>& vips) {
  absl::Status first;
  std::map<std::string, std::string> patched_from;
  for (const json& svc : services_->List()) {
    const std::string key = k8s::Informer::KeyOf(svc);
    const ServiceExternalIps now = ServiceExternalIpsOf(svc);
    if (auto it = patched_from_.find(key); it != patched_from_.end() && it->second == now.resource_version) {
      patched_from[key] = it->second;  // our patch's watch event has not arrived yet
      continue;
    }
    if (auto it = refused_at_.find(key); it != refused_at_.end() && it->second == now.resource_version) continue;
    auto vip = vips.find(key);
    std::optional<json> patch = ExternalIpsPatch(now, vip == vips.end() ? "" : vip->second.ip);
    if (!patch.has_value()) continue;
    if (options_.may_write && !options_.may_write()) {
      return absl::FailedPreconditionError("not the leader (Lease not renewed)");
    }
    const VipService s = VipServiceOf(svc);
    absl::StatusOr<json> patched = kube_.MergePatch(
        absl::StrCat("/api/v1/namespaces/", s.namespace_name, "/services/", s.name), *patch);
    if (patched.ok()) {
      external_ip_patches_.Increment();
      patched_from[key] = now.resource_version;
      spdlog::info("service {}: externalIPs {}", key, (*patch)["spec"]["externalIPs"].dump());
      continue;
    }
    // 409: the Service changed since the informer's copy; its watch event brings the new
    // version and another pass. 404: deleted meanwhile.
    if (absl::IsAborted(patched.status()) || absl::IsNotFound(patched.status())) continue;
    write_errors_.Increment();
    spdlog::warn("service {}: externalIPs: {}", key, patched.status().ToString());
    if (options_.events != nullptr) {
      options_.events->Warning(
          ObjectRefOf("Service", "v1", svc), kReasonExternalIpsFailed,
          absl::StrCat("spec.externalIPs: cannot add or remove the VIP: ", patched.status().message()));
    }
    if (absl::IsInvalidArgument(patched.status()) || absl::IsPermissionDenied(patched.status())) {
      // Refused (no RBAC, an admission policy denying externalIPs): not again for this version
      // before the next resync, rather than every retry_interval.
      refused_at_[key] = now.resource_version;
      continue;
    }
    if (first.ok()) {
      first = absl::Status(patched.status().code(),
                           absl::StrCat("patch service ", key, ": ", patched.status().message()));
    }
  }
  patched_from_ = std::move(patched_from);
  return first;
}

void VipController::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (!active_ || !Synced()) {
      cv_.wait_for(lock, std::chrono::milliseconds(50));
      continue;
    }
    const auto now = clock_.Now();
    const bool reread = !actual_valid_ || now >= next_read_;
    if (!reread && !dirty_) {
      cv_.wait_for(lock, std::chrono::duration_cast<std::chrono::milliseconds>(next_read_ - now) +
                             std::chrono::milliseconds(1));
      continue;
    }
    dirty_ = false;
    lock.unlock();
    absl::Status s = Pass(reread);
    lock.lock();
    if (s.ok() && reread) next_read_ = clock_.Now() + options_.resync_interval;
    if (s.ok() && (unknown_node_ || external_ips_failed_)) {
      next_read_ = std::min(next_read_, clock_.Now() + options_.retry_interval);
    }
    if (!s.ok()) {  // our copy of romanad's VIPs may be wrong: re-read it soon
      actual_valid_ = false;
      next_read_ = clock_.Now() + options_.retry_interval;
      in_sync_ = false;
      spdlog::warn("vips: {} (again in {} ms)", s.ToString(), options_.retry_interval.count());
      // Wait out the retry interval (woken early only by Stop()).
      cv_.wait_for(lock, options_.retry_interval, [&] { return stop_; });
      continue;
    }
    actual_valid_ = true;
    in_sync_ = true;
  }
}

}  // namespace romana::listener
