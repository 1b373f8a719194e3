#include "daemon/schema_version.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace romana::daemon {

absl::Status CheckSchemaVersion(store::Store& store, const std::string& key, int ours) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    absl::StatusOr<std::optional<store::KeyValue>> kv = store.Get(key);
    if (!kv.ok()) return kv.status();
    if (kv->has_value()) {
      const std::string text(absl::StripAsciiWhitespace((*kv)->value));
      int theirs = 0;
      if (!absl::SimpleAtoi(text, &theirs) || theirs < 1) {
        return absl::FailedPreconditionError(absl::StrCat(
            "the store's schema version at ", key, " is '", text, "', not a positive integer: this is not a "
            "store romanad wrote (check --prefix)"));
      }
      if (theirs > ours) {
        return absl::FailedPreconditionError(absl::StrCat(
            "the store holds schema version ", theirs, " (", key, "), newer than version ", ours,
            " that this romanad understands: run a romanad at least as new as the one that wrote it, or restore "
            "a backup taken before the upgrade"));
      }
      return absl::OkStatus();
    }
    store::Txn txn;
    txn.compares.push_back(store::Compare::Absent(key));
    txn.success.push_back(store::Op::Put(key, std::to_string(ours)));
    absl::StatusOr<store::TxnResult> r = store.Commit(txn);
    if (!r.ok()) return r.status();
    if (r->succeeded) return absl::OkStatus();
    // Another replica wrote it first: check what it wrote.
  }
  return absl::AbortedError(absl::StrCat(key, " kept changing while romanad read it"));
}

}  // namespace romana::daemon
