#include "store/etcd_store.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "store/etcd_connection.h"
#include "store/etcd_watcher.h"
#include "store/lease_table.h"
#include "store/txn_rules.h"

namespace romana::store {
namespace {

using Kind = EtcdConnection::Kind;

KeyValue FromProto(const mvccpb::KeyValue& kv) {
  return KeyValue{kv.key(), kv.value(), kv.create_revision(), kv.mod_revision(), kv.version(),
                  kv.lease()};
}

void ToProto(const Compare& c, etcdserverpb::Compare* out) {
  out->set_key(c.key);
  switch (c.op) {
    case Compare::Op::kEqual:
      out->set_result(etcdserverpb::Compare::EQUAL);
      break;
    case Compare::Op::kNotEqual:
      out->set_result(etcdserverpb::Compare::NOT_EQUAL);
      break;
    case Compare::Op::kLess:
      out->set_result(etcdserverpb::Compare::LESS);
      break;
    case Compare::Op::kGreater:
      out->set_result(etcdserverpb::Compare::GREATER);
      break;
  }
  switch (c.target) {
    case Compare::Target::kValue:
      out->set_target(etcdserverpb::Compare::VALUE);
      out->set_value(c.value);
      break;
    case Compare::Target::kVersion:
      out->set_target(etcdserverpb::Compare::VERSION);
      out->set_version(c.number);
      break;
    case Compare::Target::kCreateRevision:
      out->set_target(etcdserverpb::Compare::CREATE);
      out->set_create_revision(c.number);
      break;
    case Compare::Target::kModRevision:
      out->set_target(etcdserverpb::Compare::MOD);
      out->set_mod_revision(c.number);
      break;
  }
}

void ToProto(const Op& op, etcdserverpb::RequestOp* out) {
  switch (op.kind) {
    case Op::Kind::kPut: {
      auto* put = out->mutable_request_put();
      put->set_key(op.key);
      put->set_value(op.value);
      put->set_lease(op.lease);
      break;
    }
    case Op::Kind::kDelete:
      out->mutable_request_delete_range()->set_key(op.key);
      break;
    case Op::Kind::kDeletePrefix: {
      auto* del = out->mutable_request_delete_range();
      del->set_key(op.key);
      del->set_range_end(PrefixEnd(op.key));
      break;
    }
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<EtcdStore>> EtcdStore::Create(const EtcdStoreOptions& options) {
  absl::StatusOr<std::unique_ptr<EtcdConnection>> connection = EtcdConnection::Create(options);
  if (!connection.ok()) return connection.status();
  return std::unique_ptr<EtcdStore>(new EtcdStore(*std::move(connection)));
}

EtcdStore::EtcdStore(std::unique_ptr<EtcdConnection> connection)
    : connection_(std::move(connection)) {}

EtcdStore::~EtcdStore() = default;

absl::StatusOr<std::optional<KeyValue>> EtcdStore::Get(const std::string& key) {
  if (key.empty()) return absl::InvalidArgumentError("get.key: must not be empty");
  etcdserverpb::RangeRequest request;
  request.set_key(key);
  etcdserverpb::RangeResponse response;
  absl::Status status = connection_->Call(
      "Range", Kind::kRead, [&](EtcdConnection::Endpoint& e, grpc::ClientContext& ctx) {
        return e.kv->Range(&ctx, request, &response);
      });
  if (!status.ok()) return status;
  if (response.kvs_size() == 0) return std::optional<KeyValue>();
  return std::optional<KeyValue>(FromProto(response.kvs(0)));
}

absl::StatusOr<RangeResult> EtcdStore::Range(const RangeRequest& request) {
  if (absl::Status s = ValidateRange(request); !s.ok()) return s;
  etcdserverpb::RangeRequest proto;
  proto.set_key(std::max(request.prefix, request.start_key));
  proto.set_range_end(PrefixEnd(request.prefix));
  proto.set_limit(request.limit);
  proto.set_revision(request.revision);
  etcdserverpb::RangeResponse response;
  absl::Status status = connection_->Call(
      "Range", Kind::kRead, [&](EtcdConnection::Endpoint& e, grpc::ClientContext& ctx) {
        return e.kv->Range(&ctx, proto, &response);
      });
  if (!status.ok()) return status;
  RangeResult result;
  result.kvs.reserve(response.kvs_size());
  for (const mvccpb::KeyValue& kv : response.kvs()) result.kvs.push_back(FromProto(kv));
  result.more = response.more();
  result.revision = response.header().revision();
  return result;
}

absl::StatusOr<TxnResult> EtcdStore::Commit(const Txn& txn) {
  if (absl::Status s = ValidateTxn(txn); !s.ok()) return s;
  etcdserverpb::TxnRequest request;
  for (const Compare& c : txn.compares) ToProto(c, request.add_compare());
  for (const Op& op : txn.success) ToProto(op, request.add_success());
  for (const Op& op : txn.failure) ToProto(op, request.add_failure());
  etcdserverpb::TxnResponse response;
  absl::Status status = connection_->Call(
      "Txn", Kind::kWrite, [&](EtcdConnection::Endpoint& e, grpc::ClientContext& ctx) {
        return e.kv->Txn(&ctx, request, &response);
      });
  if (!status.ok()) return status;
  return TxnResult{response.succeeded(), response.header().revision()};
}

absl::StatusOr<Revision> EtcdStore::CurrentRevision() {
  etcdserverpb::RangeRequest request;
  request.set_key(std::string(1, '\0'));
  request.set_count_only(true);
  etcdserverpb::RangeResponse response;
  absl::Status status = connection_->Call(
      "Range", Kind::kRead, [&](EtcdConnection::Endpoint& e, grpc::ClientContext& ctx) {
        return e.kv->Range(&ctx, request, &response);
      });
  if (!status.ok()) return status;
  return response.header().revision();
}

absl::StatusOr<std::unique_ptr<Watcher>> EtcdStore::Watch(const std::string& prefix,
                                                          Revision from) {
  if (absl::Status s = ValidateWatch(prefix, from); !s.ok()) return s;
  if (from == 0) {
    // "After now", pinned to a revision so that a reconnect resumes exactly there.
    absl::StatusOr<Revision> now = CurrentRevision();
    if (!now.ok()) return now.status();
    from = *now + 1;
  }
  return std::unique_ptr<Watcher>(new EtcdWatcher(*connection_, prefix, from));
}

absl::Status EtcdStore::Compact(Revision revision) {
  etcdserverpb::CompactionRequest request;
  request.set_revision(revision);
  request.set_physical(true);
  etcdserverpb::CompactionResponse response;
  absl::Status status = connection_->Call(
      "Compact", Kind::kWrite, [&](EtcdConnection::Endpoint& e, grpc::ClientContext& ctx) {
        return e.kv->Compact(&ctx, request, &response);
      });
  if (IsCompacted(status)) return absl::OkStatus();  // already compacted: idempotent
  return status;
}

absl::StatusOr<LeaseId> EtcdStore::GrantLease(std::chrono::seconds ttl) {
  if (absl::Status s = LeaseTable::ValidateTtl(ttl); !s.ok()) return s;
  etcdserverpb::LeaseGrantRequest request;
  request.set_ttl(ttl.count());
  etcdserverpb::LeaseGrantResponse response;
  // A grant repeated after an ambiguous failure only leaks a lease that expires by itself.
  absl::Status status = connection_->Call(
      "LeaseGrant", Kind::kRead, [&](EtcdConnection::Endpoint& e, grpc::ClientContext& ctx) {
        return e.lease->LeaseGrant(&ctx, request, &response);
      });
  if (!status.ok()) return status;
  if (!response.error().empty()) {
    return absl::InternalError(absl::StrCat("etcd LeaseGrant: ", response.error()));
  }
  return response.id();
}

absl::Status EtcdStore::KeepAlive(LeaseId lease) {
  etcdserverpb::LeaseKeepAliveResponse response;
  bool answered = false;
  absl::Status status = connection_->Call(
      "LeaseKeepAlive", Kind::kRead, [&](EtcdConnection::Endpoint& e, grpc::ClientContext& ctx) {
        auto stream = e.lease->LeaseKeepAlive(&ctx);
        etcdserverpb::LeaseKeepAliveRequest request;
        request.set_id(lease);
        answered = stream->Write(request) && stream->Read(&response);
        stream->WritesDone();
        grpc::Status finish = stream->Finish();
        if (answered) return grpc::Status::OK;
        if (!finish.ok()) return finish;
        return grpc::Status(grpc::StatusCode::UNAVAILABLE, "keep-alive stream closed unanswered");
      });
  if (!status.ok()) return status;
  if (response.ttl() <= 0) {
    return absl::NotFoundError(absl::StrCat("lease ", lease, ": not found or expired"));
  }
  return absl::OkStatus();
}

absl::Status EtcdStore::RevokeLease(LeaseId lease) {
  etcdserverpb::LeaseRevokeRequest request;
  request.set_id(lease);
  etcdserverpb::LeaseRevokeResponse response;
  return connection_->Call(
      "LeaseRevoke", Kind::kRead, [&](EtcdConnection::Endpoint& e, grpc::ClientContext& ctx) {
        return e.lease->LeaseRevoke(&ctx, request, &response);
      });
}

}  // namespace romana::store
