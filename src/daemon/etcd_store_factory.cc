// --etcd-endpoints: the etcd v3 store.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "api/field_error.h"
#include "daemon/store_factory.h"
#include "spdlog/spdlog.h"
#include "store/etcd_store.h"

namespace romana::daemon {

absl::StatusOr<std::unique_ptr<store::Store>> OpenEtcdStore(const DaemonConfig& c, const base::Clock&) {
  store::EtcdStoreOptions o;
  for (absl::string_view e : absl::StrSplit(c.etcd_endpoints, ',', absl::SkipEmpty())) o.endpoints.emplace_back(e);
  if (o.endpoints.empty()) return api::FieldError("--etcd-endpoints", "lists no endpoint");
  o.ca_file = c.etcd_ca_file;
  o.cert_file = c.etcd_cert_file;
  o.key_file = c.etcd_key_file;
  absl::StatusOr<std::unique_ptr<store::EtcdStore>> s = store::EtcdStore::Create(o);
  if (!s.ok()) return absl::Status(s.status().code(), absl::StrCat("--etcd-endpoints: ", s.status().message()));
  spdlog::info("romanad: etcd store at {} (prefix {})", c.etcd_endpoints, c.prefix);
  return std::unique_ptr<store::Store>(*std::move(s));
}

}  // namespace romana::daemon
