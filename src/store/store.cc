#include "store/store.h"

#include <optional>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace romana::store {

Compare Compare::ValueEquals(std::string key, std::string value) {
  Compare c;
  c.key = std::move(key);
  c.target = Target::kValue;
  c.op = Op::kEqual;
  c.value = std::move(value);
  return c;
}

Compare Compare::ModRevisionEquals(std::string key, Revision revision) {
  Compare c;
  c.key = std::move(key);
  c.target = Target::kModRevision;
  c.op = Op::kEqual;
  c.number = revision;
  return c;
}

Compare Compare::Exists(std::string key) {
  Compare c;
  c.key = std::move(key);
  c.target = Target::kVersion;
  c.op = Op::kGreater;
  c.number = 0;
  return c;
}

Compare Compare::Absent(std::string key) {
  Compare c;
  c.key = std::move(key);
  c.target = Target::kVersion;
  c.op = Op::kEqual;
  c.number = 0;
  return c;
}

Op Op::Put(std::string key, std::string value, LeaseId lease) {
  Op op;
  op.kind = Kind::kPut;
  op.key = std::move(key);
  op.value = std::move(value);
  op.lease = lease;
  return op;
}

Op Op::Delete(std::string key) {
  Op op;
  op.kind = Kind::kDelete;
  op.key = std::move(key);
  return op;
}

Op Op::DeletePrefix(std::string prefix) {
  Op op;
  op.kind = Kind::kDeletePrefix;
  op.key = std::move(prefix);
  return op;
}

absl::StatusOr<Revision> Store::Put(const std::string& key, const std::string& value) {
  Txn txn;
  txn.success.push_back(Op::Put(key, value));
  absl::StatusOr<TxnResult> result = Commit(txn);
  if (!result.ok()) return result.status();
  return result->revision;
}

bool IsCompacted(const absl::Status& status) {
  return status.code() == absl::StatusCode::kOutOfRange;
}

namespace {
constexpr char kCompactRevisionPayload[] = "type.romana.io/store.compact_revision";
}  // namespace

absl::Status CompactedError(absl::string_view what, Revision asked, Revision compact_revision) {
  absl::Status s = absl::OutOfRangeError(
      absl::StrCat(what, " ", asked, ": compacted (history starts at revision ", compact_revision, ")"));
  s.SetPayload(kCompactRevisionPayload, absl::Cord(absl::StrCat(compact_revision)));
  return s;
}

Revision CompactRevisionOf(const absl::Status& status) {
  const auto payload = status.GetPayload(kCompactRevisionPayload);
  Revision r = 0;
  if (!payload.has_value() || !absl::SimpleAtoi(std::string(*payload), &r)) return 0;
  return r;
}

std::string PrefixEnd(const std::string& prefix) {
  std::string end = prefix;
  while (!end.empty()) {
    unsigned char last = static_cast<unsigned char>(end.back());
    if (last < 0xff) {
      end.back() = static_cast<char>(last + 1);
      return end;
    }
    end.pop_back();
  }
  // Every byte was 0xff (or the prefix was empty): no upper bound. etcd spells that "\0".
  return std::string(1, '\0');
}

}  // namespace romana::store
