#include "store/txn_rules.h"

#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace romana::store {
namespace {

absl::Status CheckBranch(const std::vector<Op>& ops, const char* branch) {
  std::set<std::string> puts;
  for (size_t i = 0; i < ops.size(); ++i) {
    const Op& op = ops[i];
    const std::string field = absl::StrCat("txn.", branch, "[", i, "]");
    if (op.key.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, op.kind == Op::Kind::kDeletePrefix ? ".prefix" : ".key", ": must not be empty"));
    }
    if (op.kind == Op::Kind::kPut) {
      if (op.lease < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, ".lease: must not be negative (got ", op.lease, ")"));
      }
      if (!puts.insert(op.key).second) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, ".key: \"", op.key, "\" is put twice in one transaction"));
      }
    }
  }
  for (size_t i = 0; i < ops.size(); ++i) {
    const Op& op = ops[i];
    if (op.kind == Op::Kind::kPut) continue;
    for (const std::string& key : puts) {
      bool covered = op.kind == Op::Kind::kDelete ? key == op.key : HasPrefix(key, op.key);
      if (covered) {
        return absl::InvalidArgumentError(absl::StrCat("txn.", branch, "[", i, "]: deletes \"",
                                                       key, "\" which the same transaction puts"));
      }
    }
  }
  return absl::OkStatus();
}

template <typename T>
bool Apply(Compare::Op op, const T& have, const T& want) {
  switch (op) {
    case Compare::Op::kEqual:
      return have == want;
    case Compare::Op::kNotEqual:
      return have != want;
    case Compare::Op::kLess:
      return have < want;
    case Compare::Op::kGreater:
      return have > want;
  }
  return false;
}

}  // namespace

absl::Status ValidateTxn(const Txn& txn) {
  for (const auto& [name, size] : {std::pair<const char*, size_t>{"compares", txn.compares.size()},
                                   {"success", txn.success.size()},
                                   {"failure", txn.failure.size()}}) {
    if (size > kMaxTxnOps) {
      return absl::InvalidArgumentError(absl::StrCat("txn.", name, ": ", size,
                                                     " entries, more than the limit of ",
                                                     kMaxTxnOps, " (etcd's --max-txn-ops)"));
    }
  }
  size_t bytes = 0;
  for (const Compare& c : txn.compares) bytes += c.key.size() + c.value.size();
  for (const std::vector<Op>* ops : {&txn.success, &txn.failure}) {
    for (const Op& op : *ops) bytes += op.key.size() + op.value.size();
  }
  if (bytes > kMaxTxnBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "txn: ", bytes, " bytes of keys and values, more than the limit of ", kMaxTxnBytes,
        " (etcd's --max-request-bytes)"));
  }
  for (size_t i = 0; i < txn.compares.size(); ++i) {
    if (txn.compares[i].key.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("txn.compares[", i, "].key: must not be empty"));
    }
  }
  if (absl::Status s = CheckBranch(txn.success, "success"); !s.ok()) return s;
  return CheckBranch(txn.failure, "failure");
}

absl::Status ValidateRange(const RangeRequest& request) {
  if (request.prefix.empty()) {
    return absl::InvalidArgumentError("range.prefix: must not be empty");
  }
  if (request.limit < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("range.limit: must not be negative (got ", request.limit, ")"));
  }
  if (request.revision < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("range.revision: must not be negative (got ", request.revision, ")"));
  }
  if (!request.start_key.empty() && !HasPrefix(request.start_key, request.prefix)) {
    return absl::InvalidArgumentError(absl::StrCat("range.start_key: \"", request.start_key,
                                                   "\" does not start with the prefix \"",
                                                   request.prefix, "\""));
  }
  return absl::OkStatus();
}

absl::Status ValidateWatch(const std::string& prefix, Revision from) {
  if (prefix.empty()) return absl::InvalidArgumentError("watch.prefix: must not be empty");
  if (from < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("watch.from: must not be negative (got ", from, ")"));
  }
  return absl::OkStatus();
}

bool CompareHolds(const Compare& compare, const KeyValue* kv) {
  if (compare.target == Compare::Target::kValue) {
    if (kv == nullptr) return false;
    return Apply(compare.op, kv->value, compare.value);
  }
  int64_t have = 0;
  if (kv != nullptr) {
    switch (compare.target) {
      case Compare::Target::kVersion:
        have = kv->version;
        break;
      case Compare::Target::kCreateRevision:
        have = kv->create_revision;
        break;
      case Compare::Target::kModRevision:
        have = kv->mod_revision;
        break;
      case Compare::Target::kValue:
        break;
    }
  }
  return Apply(compare.op, have, compare.number);
}

bool KeyInRange(const std::string& key, const std::string& start, const std::string& end) {
  if (key < start) return false;
  if (end == std::string(1, '\0')) return true;
  return key < end;
}

bool HasPrefix(const std::string& key, const std::string& prefix) {
  return key.size() >= prefix.size() && key.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace romana::store
