#include "listener/listener.h"

#include <malloc.h>

#include <semaphore>

#include "absl/strings/str_cat.h"
#include "listener/translate.h"
#include "spdlog/spdlog.h"

namespace romana::listener {

using nlohmann::json;

Listener::Listener(k8s::KubeClient& kube, api::Client& romanad, const base::Clock& clock,
                   prometheus::Registry& registry, ListenerOptions options)
    : kube_(kube),
      romanad_(romanad),
      clock_(clock),
      options_(std::move(options)),
      gc_(options_.address_gc_grace),
      events_(prometheus::BuildCounter()
                  .Name("romana_listener_events_total")
                  .Help("Kubernetes changes seen (add, update, delete), per resource")
                  .Register(registry)),
      writes_(prometheus::BuildCounter()
                  .Name("romana_listener_romanad_writes_total")
                  .Help("Writes to romanad that succeeded, per kind and operation")
                  .Register(registry)),
      errors_(prometheus::BuildCounter()
                  .Name("romana_listener_romanad_errors_total")
                  .Help("Failed romanad reads and writes, per kind")
                  .Register(registry)),
      leader_(prometheus::BuildGauge()
                  .Name("romana_listener_leader")
                  .Help("1 while this replica holds the Lease and writes to romanad")
                  .Register(registry)
                  .Add({})),
      reconciles_(prometheus::BuildCounter()
                      .Name("romana_listener_full_reconciles_total")
                      .Help("Full reconciles (romanad's state re-read and diffed with the cluster)")
                      .Register(registry)
                      .Add({})),
      reconcile_seconds_(prometheus::BuildGauge()
                             .Name("romana_listener_full_reconcile_seconds")
                             .Help("Duration of the last full reconcile")
                             .Register(registry)
                             .Add({})),
      addresses_released_(prometheus::BuildCounter()
                              .Name("romana_listener_addresses_released_total")
                              .Help("Addresses released because no pod held them for the grace period "
                                    "(a CNI DEL that never came)")
                              .Register(registry)
                              .Add({})),
      address_orphans_(prometheus::BuildGauge()
                           .Name("romana_listener_address_orphans")
                           .Help("Addresses that belong to no pod, waiting out the grace period")
                           .Register(registry)
                           .Add({})) {
  struct Spec {
    Kind kind;
    const char* resource;
    const char* path;
    std::function<json(json)> transform;
  };
  const Spec specs[] = {
      {Kind::kHost, "nodes", "/api/v1/nodes", [](json o) { return ReduceNode(o); }},
      {Kind::kNamespace, "namespaces", "/api/v1/namespaces", nullptr},
      {Kind::kEndpoint, "pods", "/api/v1/pods", [](json o) { return ReducePod(std::move(o)); }},
      {Kind::kNetworkPolicy, "networkpolicies", "/apis/networking.k8s.io/v1/networkpolicies", nullptr},
  };
  for (const Spec& s : specs) {
    k8s::InformerOptions io{.reflector = {.path = s.path,
                                          .watch_timeout_seconds = options_.watch_timeout_seconds,
                                          .min_backoff = options_.min_backoff,
                                          .max_backoff = options_.max_backoff},
                            .transform = s.transform};
    if (s.kind == Kind::kEndpoint) {
      io.reflector.on_list_page = [this](std::span<const json> pods) { OnFirstPodListPage(pods); };
    }
    Source src{.kind = s.kind, .resource = s.resource, .informer = std::make_unique<k8s::Informer>(kube_, io)};
    prometheus::Counter& events = events_.Add({{"resource", s.resource}});
    src.marker = std::make_unique<k8s::ChangeHandler>([this, kind = s.kind, &events](const json& o) {
      events.Increment();
      MarkDirty(kind, k8s::Informer::KeyOf(o));
    });
    src.informer->AddHandler(src.marker.get());
    sources_.push_back(std::move(src));
  }
}

Listener::~Listener() { Stop(); }

void Listener::Start() {
  for (Source& s : sources_) s.informer->Start();
  worker_ = std::thread([this] { Loop(); });
  gc_worker_ = std::thread([this] { GcLoop(); });
}

void Listener::Stop() {
  stopping_ = true;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  // All watches are told first: each notices within about a second, and one after another
  // they outlasted a 5 s shutdown grace period.
  for (Source& s : sources_) s.informer->RequestStop();
  if (worker_.joinable()) worker_.join();
  if (gc_worker_.joinable()) gc_worker_.join();
  for (Source& s : sources_) s.informer->Stop();
}

void Listener::SetActive(bool active) {
  {
    std::lock_guard lock(mu_);
    if (active_.exchange(active) == active) return;
    valid_kinds_.clear();  // re-read romanad's state before the first write
    attempted_kinds_.clear();
    early_.clear();
    early_endpoints_read_ = false;
    ++activations_;
    reconciled_ = false;
  }
  leader_.Set(active ? 1 : 0);
  spdlog::info("listener: {}", active ? "active: reconciling romanad with the cluster" : "standby: not writing");
  cv_.notify_all();
}

bool Listener::Synced() const {
  for (const Source& s : sources_) {
    if (!s.informer->HasSynced()) return false;
  }
  return true;
}

std::set<Kind> Listener::SyncedKinds() const {
  std::set<Kind> out;
  for (const Source& s : sources_) {
    if (s.informer->HasSynced()) out.insert(s.kind);
  }
  return out;
}

bool Listener::Ready() const { return Synced() && (!active_ || reconciled_); }

json Listener::Status() const {
  json out = {{"active", active_.load()}, {"synced", Synced()}, {"reconciled", reconciled_.load()},
              {"full_reconciles", full_reconciles_.load()}, {"addresses_released", released_.load()}};
  for (const Source& s : sources_) out["objects"][s.resource] = s.informer->Size();
  return out;
}

void Listener::OnFirstPodListPage(std::span<const json> pods) {
  if (!active_ || InformerOf(Kind::kEndpoint).HasSynced()) return;  // re-lists: the informer's events
  DesiredState page;
  for (const json& pod : pods) AddDesired(Kind::kEndpoint, pod, page);
  {
    std::lock_guard lock(mu_);
    for (auto& [key, endpoint] : page.endpoints) early_.push_back(std::move(endpoint));
  }
  cv_.notify_all();
}

bool Listener::EveryKindButEndpointsValid() const {
  for (const Source& s : sources_) {
    if (s.kind != Kind::kEndpoint && !valid_kinds_.count(s.kind)) return false;
  }
  return true;
}

absl::Status Listener::ApplyEarly(std::vector<api::Endpoint> endpoints) {
  bool read;
  int64_t activation;
  {
    std::lock_guard lock(mu_);
    read = early_endpoints_read_;
    activation = activations_;
  }
  if (!read) {
    absl::StatusOr<api::StateSnapshot> snap = romanad_.Snapshot({PluralOf(Kind::kEndpoint)});
    if (!snap.ok()) {
      errors_.Add({{"kind", "snapshot"}}).Increment();
      return snap.status();
    }
    spdlog::info("pods still being listed: putting the endpoints of the listed ones (romanad holds {})",
                 snap->endpoints.size());
    std::map<std::string, api::Endpoint> actual;
    for (api::Endpoint& e : snap->endpoints) actual[e.namespace_name + "/" + e.name] = std::move(e);
    {
      std::lock_guard lock(actual_mu_);
      actual_.endpoints = std::move(actual);
    }
    std::lock_guard lock(mu_);
    early_endpoints_read_ = activations_ == activation;  // not if the replica went standby meanwhile
  }
  std::vector<Op> ops;
  {
    std::lock_guard lock(actual_mu_);
    for (api::Endpoint& e : endpoints) {
      std::string key = e.namespace_name + "/" + e.name;
      auto a = actual_.endpoints.find(key);
      if (a != actual_.endpoints.end() && a->second == e) continue;
      ops.push_back({.kind = Kind::kEndpoint, .type = Op::Type::kPut, .key = std::move(key), .endpoint = std::move(e)});
    }
  }
  absl::Status s = Apply(ops);
  if (!s.ok()) {
    std::lock_guard lock(mu_);
    early_endpoints_read_ = false;  // what romanad holds is uncertain: the full reconcile re-reads it
  }
  return s;
}

void Listener::MarkDirty(Kind kind, const std::string& key) {
  {
    std::lock_guard lock(mu_);
    dirty_.emplace(kind, key);
  }
  cv_.notify_all();
}

const char* Listener::PluralOf(Kind kind) {
  switch (kind) {
    case Kind::kHost: return "hosts";
    case Kind::kNamespace: return "namespaces";
    case Kind::kEndpoint: return "endpoints";
    case Kind::kNetworkPolicy: return "networkpolicies";
  }
  std::abort();
}

const k8s::Informer& Listener::InformerOf(Kind kind) const {
  for (const Source& s : sources_) {
    if (s.kind == kind) return *s.informer;
  }
  std::abort();  // every Kind has a source
}

void Listener::AddDesired(Kind kind, const json& object, DesiredState& out) const {
  const std::string key = k8s::Informer::KeyOf(object);
  switch (kind) {
    case Kind::kHost: {
      absl::StatusOr<api::HostRequest> h = HostFromNode(object);
      if (h.ok()) {
        out.hosts[key] = *std::move(h);
      } else {
        out.untranslatable_nodes.insert(key);
        spdlog::debug("node {}: {}", key, h.status().ToString());
      }
      break;
    }
    case Kind::kNamespace: {
      absl::StatusOr<api::Namespace> ns = NamespaceFromObject(object);
      if (ns.ok()) out.namespaces[key] = *std::move(ns);
      else Rejected(kind, object, ns.status());
      break;
    }
    case Kind::kEndpoint: {
      absl::StatusOr<std::optional<api::Endpoint>> e = EndpointFromPod(object);
      if (!e.ok()) Rejected(kind, object, e.status());
      else if (*e) out.endpoints[key] = **std::move(e);
      break;
    }
    case Kind::kNetworkPolicy: {
      absl::StatusOr<json> p = NetworkPolicyForRomanad(object);
      if (p.ok()) out.network_policies[key] = *std::move(p);
      else Rejected(kind, object, p.status());
      break;
    }
  }
}

void Listener::Rejected(Kind kind, const json& object, const absl::Status& why) const {
  spdlog::warn("{} {}: {}", kind == Kind::kEndpoint ? "pod" : KindName(kind), k8s::Informer::KeyOf(object),
               why.ToString());
  if (options_.on_rejected) options_.on_rejected(kind, object, why);
}

DesiredState Listener::DesiredFor(Kind kind, const std::string& key) const {
  DesiredState out;
  if (std::optional<json> o = InformerOf(kind).Get(key)) AddDesired(kind, *o, out);
  return out;
}

DesiredState Listener::DesiredOf(const std::set<Kind>& kinds) const {
  DesiredState out;
  for (const Source& s : sources_) {
    if (kinds.count(s.kind)) ForEachObject(*s.informer, [&](const json& o) { AddDesired(s.kind, o, out); });
  }
  return out;
}

void Listener::ForEachObject(const k8s::Informer& informer, const std::function<void(const json&)>& fn) {
  // The cache's own objects, shared: neither copied (150,000 pods) nor walked under its lock.
  for (const std::shared_ptr<const json>& o : informer.Snapshot()) fn(*o);
}

absl::Status Listener::Execute(const Op& op) {
  const bool del = op.type == Op::Type::kDelete;
  const auto slash = op.key.find('/');
  const std::string ns = slash == std::string::npos ? "" : op.key.substr(0, slash);
  const std::string name = slash == std::string::npos ? op.key : op.key.substr(slash + 1);
  absl::Status s;
  switch (op.kind) {
    case Kind::kHost:
      if (del) s = romanad_.RemoveHost(op.key);
      else if (op.type == Op::Type::kRelabel) s = romanad_.RelabelHost(op.key, op.host.labels).status();
      else s = romanad_.AddHost(op.host).status();
      break;
    case Kind::kNamespace:
      s = del ? romanad_.DeleteNamespace(op.key) : romanad_.PutNamespace(op.ns);
      break;
    case Kind::kEndpoint:
      s = del ? romanad_.DeleteEndpoint(ns, name) : romanad_.PutEndpoint(op.endpoint);
      break;
    case Kind::kNetworkPolicy:
      s = del ? romanad_.DeleteNetworkPolicy(ns, name) : romanad_.PutNetworkPolicy(ns, name, op.policy).status();
      break;
  }
  if (del && absl::IsNotFound(s)) s = absl::OkStatus();  // already gone: the goal is met
  return s;
}

absl::Status Listener::Apply(const std::vector<Op>& ops) {
  std::mutex err_mu;
  absl::Status first;
  int failures = 0;
  auto record = [&](const Op& op, const absl::Status& s) {
    const char* verb = op.type == Op::Type::kPut ? "put" : op.type == Op::Type::kDelete ? "delete" : "relabel";
    if (s.ok()) {
      writes_.Add({{"kind", KindName(op.kind)}, {"op", verb}}).Increment();
      std::lock_guard lock(actual_mu_);
      ApplyToActual(op, actual_);
      return;
    }
    errors_.Add({{"kind", KindName(op.kind)}}).Increment();
    if (absl::IsInvalidArgument(s) && op.type == Op::Type::kPut && options_.on_rejected) {
      // romanad refuses the object itself (a 400 naming the field): tell its owner.
      if (std::optional<json> o = InformerOf(op.kind).Get(op.key)) options_.on_rejected(op.kind, *o, s);
    }
    std::lock_guard lock(err_mu);
    if (++failures <= 5) spdlog::warn("romanad: {}: {}", Describe(op), s.ToString());
    if (first.ok()) first = absl::Status(s.code(), absl::StrCat(Describe(op), ": ", s.message()));
  };
  auto may_write = [&]() -> absl::Status {
    if (options_.may_write && !options_.may_write()) return absl::FailedPreconditionError("not the leader (Lease not renewed)");
    return absl::OkStatus();
  };
  auto run = [&](const Op& op) {
    if (stopping_) return;  // shutting down: the next active replica reconciles
    absl::Status s = may_write();
    record(op, s.ok() ? Execute(op) : s);
  };
  // Several endpoint writes: POST /endpoints:batch. A batch that romanad refuses as invalid is
  // written one endpoint at a time, so one bad endpoint never holds back the others; so is one
  // that a romanad without the route (404) refuses.
  std::counting_semaphore<kEndpointBatchesInFlight> batch_slots(kEndpointBatchesInFlight);
  auto run_batch = [&](const std::vector<const Op*>& batch) {
    if (stopping_) return;
    absl::Status s = may_write();
    if (s.ok()) {
      batch_slots.acquire();
      s = ExecuteEndpointBatch(batch);
      batch_slots.release();
    }
    if (absl::IsInvalidArgument(s) || absl::IsNotFound(s)) {
      for (const Op* op : batch) run(*op);
      return;
    }
    for (const Op* op : batch) record(*op, s);
  };
  // Deletes, then puts: a host whose IP changed is removed before it is added again.
  for (bool deletes : {true, false}) {
    std::vector<std::function<void()>> tasks;
    std::vector<const Op*> endpoints;
    for (const Op& op : ops) {
      if ((op.type == Op::Type::kDelete) != deletes) continue;
      if (op.kind == Kind::kEndpoint) endpoints.push_back(&op);
      else tasks.push_back([&run, &op] { run(op); });
    }
    if (endpoints.size() == 1) tasks.push_back([&run, op = endpoints[0]] { run(*op); });
    for (size_t i = 0; endpoints.size() > 1 && i < endpoints.size(); i += kEndpointBatch) {
      std::vector<const Op*> batch(endpoints.begin() + i,
                                   endpoints.begin() + std::min(endpoints.size(), i + kEndpointBatch));
      tasks.push_back([&run_batch, batch = std::move(batch)] { run_batch(batch); });
    }
    const size_t workers = std::min<size_t>(std::max(1, options_.parallelism), tasks.size());
    if (workers <= 1) {
      for (const auto& task : tasks) task();
      continue;
    }
    std::atomic<size_t> next{0};
    std::vector<std::thread> pool;
    for (size_t i = 0; i < workers; ++i) {
      pool.emplace_back([&] {
        for (size_t j = next++; j < tasks.size(); j = next++) tasks[j]();
      });
    }
    for (std::thread& t : pool) t.join();
  }
  if (failures > 5) spdlog::warn("romanad: {} writes failed in all", failures);
  return first;
}

absl::Status Listener::ExecuteEndpointBatch(const std::vector<const Op*>& batch) {
  api::EndpointBatch request;
  for (const Op* op : batch) {
    if (op->type != Op::Type::kDelete) {
      request.put.push_back(op->endpoint);
      continue;
    }
    const auto slash = op->key.find('/');
    request.remove.push_back({op->key.substr(0, slash), op->key.substr(slash + 1)});
  }
  absl::StatusOr<api::EndpointBatchResult> r = romanad_.WriteEndpoints(request);
  if (r.ok()) return absl::OkStatus();
  return absl::Status(r.status().code(), absl::StrCat("batch of ", batch.size(), " endpoints: ", r.status().message()));
}

absl::Status Listener::FullReconcile(const std::set<Kind>& kinds, bool endpoints_known) {
  const auto start = clock_.Now();
  std::vector<std::string> plurals;
  for (Kind kind : kinds) {
    if (!(kind == Kind::kEndpoint && endpoints_known)) plurals.push_back(PluralOf(kind));
  }
  absl::StatusOr<api::StateSnapshot> snap = romanad_.Snapshot(plurals);
  if (!snap.ok()) {
    errors_.Add({{"kind", "snapshot"}}).Increment();
    return snap.status();
  }
  // Desired and actual both hold exactly `kinds`, so the diff never touches another kind.
  ActualState actual;
  if (kinds.count(Kind::kEndpoint) && endpoints_known) {
    std::lock_guard lock(actual_mu_);
    actual.endpoints = std::move(actual_.endpoints);
  }
  for (api::Host& h : snap->hosts) actual.hosts[h.name] = std::move(h);
  for (api::Namespace& n : snap->namespaces) actual.namespaces[n.name] = std::move(n);
  for (api::Endpoint& e : snap->endpoints) actual.endpoints[e.namespace_name + "/" + e.name] = std::move(e);
  for (json& p : snap->network_policies) {
    std::string key = k8s::Informer::KeyOf(p);
    actual.network_policies[std::move(key)] = std::move(p);
  }
  *snap = {};  // the parsed answer: freed before the desired state is built
  std::vector<Op> ops;
  {
    const DesiredState desired = DesiredOf(kinds);  // freed before the writes
    ops = Diff(desired, actual);
  }
  {
    std::lock_guard lock(actual_mu_);
    if (kinds.count(Kind::kHost)) actual_.hosts = std::move(actual.hosts);
    if (kinds.count(Kind::kNamespace)) actual_.namespaces = std::move(actual.namespaces);
    if (kinds.count(Kind::kEndpoint)) actual_.endpoints = std::move(actual.endpoints);
    if (kinds.count(Kind::kNetworkPolicy)) actual_.network_policies = std::move(actual.network_policies);
  }
  const auto diffed = clock_.Now();
  if (spdlog::should_log(spdlog::level::debug)) {
    for (const Op& op : ops) spdlog::debug("romanad: {}", Describe(op));
  }
  absl::Status s = Apply(ops);
  if (!ops.empty()) {
    auto seconds = [](auto d) { return std::chrono::duration<double>(d).count(); };
    spdlog::info("full reconcile: {} changes to romanad written in {:.1f} s (read and diff {:.1f} s)", ops.size(),
                 seconds(clock_.Now() - diffed), seconds(diffed - start));
  }
  ops = {};
  // The snapshot, the desired state and the ops of a cold start are hundreds of MB at 150,000
  // pods; give the freed pages back instead of keeping them as the process's RSS.
  malloc_trim(0);
  ++full_reconciles_;
  reconciles_.Increment();
  reconcile_seconds_.Set(std::chrono::duration<double>(clock_.Now() - start).count());
  return s;
}

absl::Status Listener::ApplyDirty(std::set<std::pair<Kind, std::string>> dirty) {
  std::vector<Op> ops;
  {
    std::lock_guard lock(actual_mu_);
    for (const auto& [kind, key] : dirty) {
      for (Op& op : DiffKey(kind, key, DesiredFor(kind, key), actual_)) ops.push_back(std::move(op));
    }
  }
  if (spdlog::should_log(spdlog::level::debug)) {
    for (const Op& op : ops) spdlog::debug("romanad: {}", Describe(op));
  }
  return Apply(ops);
}

absl::Status Listener::CollectAddresses() {
  absl::StatusOr<api::List<api::Address>> addresses = romanad_.ListAddresses();
  if (!addresses.ok()) {
    errors_.Add({{"kind", "address"}}).Increment();
    return addresses.status();
  }
  // Pods listed after the addresses: an address allocated for a pod in between is young and
  // protected by the grace period.
  std::set<std::string> pod_ips;
  ForEachObject(InformerOf(Kind::kEndpoint), [&](const json& pod) {
    std::string ip = PodNetworkIp(pod);
    if (!ip.empty()) pod_ips.insert(std::move(ip));
  });
  absl::Status first;
  for (const std::string& name : gc_.Collect(addresses->items, pod_ips, clock_.Now())) {
    absl::StatusOr<api::Address> released = romanad_.ReleaseAddress(name);
    if (released.ok()) {
      spdlog::info("address {} ({}) released: no pod has held it for {} s", name, released->ip,
                   options_.address_gc_grace.count() / 1000);
      addresses_released_.Increment();
      ++released_;
    } else if (!absl::IsNotFound(released.status())) {
      errors_.Add({{"kind", "address"}}).Increment();
      if (first.ok()) first = released.status();
    }
  }
  address_orphans_.Set(static_cast<double>(gc_.orphans()));
  return first;
}

void Listener::GcLoop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    const auto now = clock_.Now();
    if (!active_ || !valid_kinds_.count(Kind::kEndpoint) || now < next_gc_) {
      const auto wait = active_ && valid_kinds_.count(Kind::kEndpoint) ? next_gc_ - now : std::chrono::milliseconds(50);
      cv_.wait_for(lock, std::chrono::duration_cast<std::chrono::milliseconds>(wait) + std::chrono::milliseconds(1));
      continue;
    }
    lock.unlock();
    absl::Status s = CollectAddresses();
    lock.lock();
    next_gc_ = clock_.Now() + options_.address_gc_interval;
    if (!s.ok()) spdlog::warn("address garbage collection: {}", s.ToString());
  }
}

void Listener::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    const auto now = clock_.Now();
    // Each kind is written as soon as its informer has listed: hosts, namespaces and policies
    // need not wait for 150,000 pods to be listed. A kind whose informer has not listed yet is
    // never diffed (an empty cache must not read as "everything was deleted").
    const std::set<Kind> synced = SyncedKinds();
    if (!active_ || synced.empty()) {
      dirty_.clear();  // a full reconcile covers them when this replica becomes active
      cv_.wait_for(lock, std::chrono::milliseconds(50));
      continue;
    }
    if (synced != attempted_kinds_ || now >= next_full_) {
      dirty_.clear();  // the full reconcile reads every object of `synced` after this point
      valid_kinds_.clear();
      attempted_kinds_ = synced;
      const bool endpoints_known = synced.count(Kind::kEndpoint) && early_endpoints_read_;
      if (synced.count(Kind::kEndpoint)) {
        early_.clear();  // the full reconcile covers them
        early_endpoints_read_ = false;
      }
      lock.unlock();
      absl::Status s = FullReconcile(synced, endpoints_known);
      lock.lock();
      if (s.ok()) valid_kinds_ = synced;
      reconciled_ = s.ok() && synced.size() == sources_.size();
      next_full_ = clock_.Now() + (s.ok() ? options_.resync_interval : options_.retry_interval);
      if (!s.ok()) spdlog::warn("full reconcile: {} (again in {} ms)", s.ToString(), options_.retry_interval.count());
      continue;
    }
    // Early puts go in rounds of a full set of batches in flight: a round of a page or two would
    // keep one batch in flight at a time. What is left when the list ends goes to the full reconcile.
    if (early_.size() >= kEarlyRound && EveryKindButEndpointsValid()) {
      std::vector<api::Endpoint> early(std::make_move_iterator(early_.end() - kEarlyRound),
                                       std::make_move_iterator(early_.end()));
      early_.resize(early_.size() - kEarlyRound);
      lock.unlock();
      absl::Status s = ApplyEarly(std::move(early));
      lock.lock();
      if (!s.ok()) spdlog::warn("endpoints of listed pods: {} (the full reconcile after the list repairs it)", s.ToString());
      continue;
    }
    if (!dirty_.empty()) {
      std::set<std::pair<Kind, std::string>> batch;
      for (auto& entry : dirty_) {
        if (valid_kinds_.count(entry.first)) batch.insert(entry);  // others: their next full reconcile
      }
      dirty_.clear();
      lock.unlock();
      absl::Status s = ApplyDirty(std::move(batch));
      lock.lock();
      if (!s.ok()) {  // our copy of romanad's state may be wrong: re-read it soon
        next_full_ = std::min(next_full_, clock_.Now() + options_.retry_interval);
      }
      continue;
    }
    auto wake = next_full_;
    if (synced.size() < sources_.size()) wake = std::min(wake, now + std::chrono::milliseconds(50));  // watch for syncs
    cv_.wait_for(lock, std::chrono::duration_cast<std::chrono::milliseconds>(wake - now) + std::chrono::milliseconds(1));
  }
}

}  // namespace romana::listener
