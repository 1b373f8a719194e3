// store_ipam_service.h: IpamService on the store (see ipam_service.h for the contract).
//
// The keys, the single-transaction writes and the reload after an ambiguous write are
// ipam::IpamStore's (ipam/ipam_store.h, docs/store-layout.md). This adapter loads the state
// whenever the leadership term changes (a new leader continues from what the old one committed)
// and applies the initial topology when the store holds none. Concurrent calls are committed
// together (group commit, daemon/group_commit.h): one store transaction per batch. Every IPAM write goes through
// the store given here: romanad passes its FencedStore, so a deposed leader cannot write.
#ifndef ROMANA_DAEMON_STORE_IPAM_SERVICE_H_
#define ROMANA_DAEMON_STORE_IPAM_SERVICE_H_

#include <memory>
#include <optional>
#include <string>

#include "daemon/ipam_service.h"
#include "daemon/leadership.h"
#include "daemon/store_factory.h"
#include "store/store.h"

namespace romana::daemon {

// `store` and `leadership` must outlive the service. `initial` is applied when the store holds no
// topology. The state is reloaded whenever leadership.Term() changes.
std::unique_ptr<IpamService> CreateStoreIpamService(store::Store& store, const std::string& prefix,
                                                    std::optional<InitialTopology> initial,
                                                    const Leadership& leadership);

}  // namespace romana::daemon

#endif  // ROMANA_DAEMON_STORE_IPAM_SERVICE_H_
