// state_index.h: romanad's in-memory copy of every streamed record (one store key each: key ->
// value and revision), grouped by watch kind, with the secondary indexes that answer the
// filtered lists of docs/api.md without looking at every record.
//
// Indexed fields (string fields of the stored JSON object; see IsIndexed):
//   addresses: host, ip      blocks: host, network      endpoints: node, namespace
//   groups: network          networkpolicies: namespace (their metadata.namespace)
//   vips: node, namespace, ip
// A record whose field is missing or not a string is in no index for that field, exactly as
// the old scan (`j.value(field, "") == wanted` with a non-empty `wanted`) never matched it.
//
// Values are kept as the stored text (shared, immutable), parsed once when they arrive (for the
// indexes and to know whether they are JSON); lists hand out the shared text so a caller can
// render an answer after releasing its lock, without parsing or copying records.
//
// Pure: no I/O, no clock. Not thread-safe (WatchCache guards it).
#ifndef ROMANA_DAEMON_STATE_INDEX_H_
#define ROMANA_DAEMON_STATE_INDEX_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "daemon/keys.h"
#include "store/store.h"

namespace romana::daemon {

class StateIndex {
 public:
  using Value = std::shared_ptr<const std::string>;

  explicit StateIndex(Keys keys);

  // Stores `value` at `key` (a streamed key: Keys::KindOf(key) non-empty; others are ignored and
  // return nullptr). Returns the previous value of the key, or nullptr.
  Value Put(const std::string& key, std::string value, store::Revision mod_revision);
  // Removes `key`; returns its previous value, or nullptr when it was absent.
  Value Delete(const std::string& key);

  // The value at `key`, or nullptr. DataLoss when it is not JSON.
  absl::StatusOr<Value> Get(const std::string& key) const;

  // The values of kind `plural` ("hosts"), sorted by key; when `field` is non-empty only those
  // whose string `field` equals `value` (REQUIRES: IsIndexed(plural, field)). DataLoss naming
  // the key when one of them is not JSON (as the store scan answered). InvalidArgument for an
  // unknown kind.
  absl::StatusOr<std::vector<Value>> List(const std::string& plural, const std::string& field = "",
                                          const std::string& value = "") const;

  static bool IsIndexed(const std::string& plural, const std::string& field);

  size_t size() const { return size_; }
  const Keys& keys() const { return keys_; }

 private:
  struct Record {
    Value value;
    store::Revision mod_revision = 0;
    bool is_json = true;
    std::vector<std::string> index_keys;  // the index entries this record is in
  };

  static std::string IndexKey(const std::string& plural, const std::string& field, const std::string& value);
  void Unindex(const std::string& key, const Record& r);

  Keys keys_;
  std::map<std::string, std::map<std::string, Record>> by_kind_;  // plural -> key -> record
  std::map<std::string, std::set<std::string>> index_;            // IndexKey -> keys
  size_t size_ = 0;
};

}  // namespace romana::daemon

#endif  // ROMANA_DAEMON_STATE_INDEX_H_
