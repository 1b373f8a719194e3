// store_factory.h: the store and initial topology romanad's flags select. Used only by
// Daemon::Start; split out so that the backends and the ipam library stay out of server code.
#ifndef ROMANA_DAEMON_STORE_FACTORY_H_
#define ROMANA_DAEMON_STORE_FACTORY_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "base/clock.h"
#include "daemon/daemon.h"
#include "ipam/topology.h"
#include "store/store.h"

namespace romana::daemon {

struct InitialTopology {
  ipam::TopologySpec spec;
  std::string source;  // "file", "kubeadm", "aws-us-east-1", ...
};

// etcd when etcd_endpoints is set; else ":memory:" = MemoryStore; else SqliteStore at store_path.
absl::StatusOr<std::unique_ptr<store::Store>> OpenStore(const DaemonConfig& config, const base::Clock& clock);

// The topology to apply when the store holds none (ipam::SelectInitialTopology). nullopt when
// nothing selects one (no file, no --cloud, no known service IP): romanad then waits for
// PUT /topology. InvalidArgument for a bad file or bad overrides.
absl::StatusOr<std::optional<InitialTopology>> SelectTopology(const DaemonConfig& config);

// The etcd backend (etcd_store_factory.cc): endpoints, prefix-independent, TLS files.
absl::StatusOr<std::unique_ptr<store::Store>> OpenEtcdStore(const DaemonConfig& config, const base::Clock& clock);

}  // namespace romana::daemon

#endif  // ROMANA_DAEMON_STORE_FACTORY_H_
