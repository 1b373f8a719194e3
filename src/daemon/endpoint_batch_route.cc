// POST /endpoints:batch (docs/api.md, "Endpoint batches"): many endpoint puts and deletes in
// one request, written in store transactions of at most kChunkItems endpoints.
//
// What is atomic: the whole batch is validated before anything is written (a bad item: 400
// naming it, nothing stored). The items are then written in order, puts first, in chunks; each
// chunk is one store transaction (all of it or none of it), and each written endpoint is one
// key, so watchers see exactly the events the single writes would have made (one PUT or DELETE
// per endpoint; the events of a chunk share a revision, as those of any transaction do). A
// store failure in chunk k leaves chunks before k written and answers the error with
// "applied": the number of items written; sending the same batch again is safe (puts replace,
// deletes of absent endpoints are no-ops).
#include <optional>

#include "absl/strings/str_cat.h"
#include "api/endpoint_batch.h"
#include "api/field_error.h"
#include "daemon/server.h"
#include "http_server/request.h"
#include "store/txn_rules.h"

namespace romana::daemon {
namespace {

// Endpoints per transaction: within etcd's 128 operations (and 128 compares, one of them the
// leader fence).
constexpr size_t kChunkItems = 100;
// Keys and values per transaction, under etcd's request limit (store::kMaxTxnBytes).
constexpr size_t kChunkBytes = size_t{1} << 20;

struct Write {
  store::Op op;
  std::optional<store::Compare> compare;  // deletes: the key is still what was read
  bool is_put = true;
  size_t bytes() const { return op.key.size() + op.value.size(); }
};

}  // namespace

void Server::RegisterEndpointBatchRoute() {
  Route("POST", "/endpoints:batch", "endpoints_batch", Access::kWrite,
        [this](const http_server::Request&, const nlohmann::json& body) -> absl::StatusOr<Reply> {
          absl::StatusOr<api::EndpointBatch> batch = api::ParseEndpointBatch(body);
          if (!batch.ok()) return batch.status();
          std::vector<Write> writes;
          writes.reserve(batch->size());
          for (size_t i = 0; i < batch->put.size(); ++i) {
            const api::Endpoint& e = batch->put[i];
            Write w{.op = store::Op::Put(keys_.Endpoint(e.namespace_name, e.name), api::ToJson(e).dump())};
            if (w.bytes() > kChunkBytes) {
              return api::FieldError(absl::StrCat("put[", i, "]"),
                                     absl::StrCat("the endpoint takes ", w.bytes(), " bytes; at most ", kChunkBytes));
            }
            writes.push_back(std::move(w));
          }
          size_t absent = 0;
          for (const api::EndpointKey& k : batch->remove) {
            const std::string key = keys_.Endpoint(k.namespace_name, k.name);
            absl::StatusOr<std::optional<store::KeyValue>> kv = store_.Get(key);
            if (!kv.ok()) return kv.status();
            if (!kv->has_value()) {
              ++absent;  // already gone: the goal is met
              continue;
            }
            writes.push_back({.op = store::Op::Delete(key),
                              .compare = store::Compare::ModRevisionEquals(key, (*kv)->mod_revision),
                              .is_put = false});
          }
          size_t put = 0, deleted = 0;
          auto failed = [&](absl::Status s) {
            return api::WithDetail(std::move(s), "applied", absl::StrCat(put + deleted));
          };
          for (size_t i = 0; i < writes.size();) {
            store::Txn txn;
            size_t bytes = 0, puts = 0;
            for (; i < writes.size() && txn.success.size() < kChunkItems; ++i) {
              if (!txn.success.empty() && bytes + writes[i].bytes() > kChunkBytes) break;
              bytes += writes[i].bytes();
              if (writes[i].compare) txn.compares.push_back(*writes[i].compare);
              if (writes[i].is_put) ++puts;
              txn.success.push_back(std::move(writes[i].op));
            }
            absl::StatusOr<store::TxnResult> r = store_.Commit(txn);
            if (!r.ok()) return failed(r.status());
            if (!r->succeeded) {
              return failed(absl::AbortedError("an endpoint to delete changed while the batch ran; send it again"));
            }
            put += puts;
            deleted += txn.success.size() - puts;
          }
          return Reply{200, {{"put", put}, {"deleted", deleted + absent}}};
        });
}

}  // namespace romana::daemon
