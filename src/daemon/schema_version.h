// schema_version.h: the version of the store layout (docs/store-layout.md) that romanad keeps in
// `<prefix>/schema-version`, so that an older romanad never reads or rewrites a store a newer
// one has laid out differently (a rollback after an upgrade, or a mixed-version HA set).
//
// Thread-safe (holds no state); talks to the store only through the Store interface.
#ifndef ROMANA_DAEMON_SCHEMA_VERSION_H_
#define ROMANA_DAEMON_SCHEMA_VERSION_H_

#include <string>

#include "absl/status/status.h"
#include "store/store.h"

namespace romana::daemon {

// The layout this romanad reads and writes. Raise it with any change an older romanad would
// misread, together with the migration of the older layouts.
inline constexpr int kSchemaVersion = 1;

// Reads `key`. Absent (a new store, or one written before versions were recorded): writes
// `ours` (only if still absent: concurrent replicas agree) and returns OK. A version <= `ours`:
// OK. A newer version: FailedPrecondition naming the key and both versions. A value that is not
// a positive integer: FailedPrecondition naming the key. Store errors are returned as they are.
// Idempotent.
absl::Status CheckSchemaVersion(store::Store& store, const std::string& key, int ours = kSchemaVersion);

}  // namespace romana::daemon

#endif  // ROMANA_DAEMON_SCHEMA_VERSION_H_
