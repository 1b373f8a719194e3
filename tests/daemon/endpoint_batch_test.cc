// POST /endpoints:batch, in process: a real Server on loopback over a MemoryStore (behind a
// wrapper that can fail one commit, like leveldb's ErrorEnv), the real client.
#include <prometheus/registry.h>

#include <atomic>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "api/client.h"
#include "api/field_error.h"
#include "base/clock.h"
#include "daemon/leadership.h"
#include "daemon/server.h"
#include "gtest/gtest.h"
#include "store/forwarding_store.h"
#include "store/memory_store.h"

namespace romana::daemon {
namespace {

// The memory store, except that the commit numbered `fail_commit` (1 = the next one) answers
// Unavailable without applying anything.
class FailingStore final : public store::ForwardingStore {
 public:
  explicit FailingStore(store::Store& s) : store::ForwardingStore(s) {}
  std::atomic<int> fail_commit{0};

  absl::StatusOr<store::TxnResult> Commit(const store::Txn& txn) override {
    if (fail_commit > 0 && --fail_commit == 0) return absl::UnavailableError("injected store failure");
    return inner().Commit(txn);
  }
};

api::Endpoint Ep(int i, const std::string& version = "v1") {
  return {.namespace_name = absl::StrCat("ns-", i % 3), .name = absl::StrCat("pod-", i), .node = "node-1",
          .ip = absl::StrCat("10.1.", i / 250, ".", i % 250), .labels = {{"app", "a"}, {"version", version}},
          .ports = {{.name = "http", .port = 8080}}};
}

class EndpointBatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    memory_ = store::MemoryStore::Create(clock_);
    store_ = std::make_unique<FailingStore>(*memory_);
    ServerOptions o;
    o.port = 0;
    o.bookmark_interval = std::chrono::milliseconds(50);
    o.threads = 8;
    auto s = Server::Create(o, *store_, leader_, clock_, registry_, nullptr);
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = *std::move(s);
    ASSERT_TRUE(server_->Start().ok());
    server_->SetReady(true);
    client_ = *api::Client::Create({.server = absl::StrCat("http://127.0.0.1:", server_->port())});
  }
  void TearDown() override { server_->Stop(); }

  // Endpoint keys ("ns/name") the store holds, with their stored "version" label.
  std::map<std::string, std::string> Stored() {
    auto r = memory_->Range({.prefix = "/romana/endpoints/"});
    EXPECT_TRUE(r.ok());
    std::map<std::string, std::string> out;
    for (const store::KeyValue& kv : r->kvs) {
      nlohmann::json j = nlohmann::json::parse(kv.value);
      out[absl::StrCat(j["namespace"].get<std::string>(), "/", j["name"].get<std::string>())] = j["labels"]["version"];
    }
    return out;
  }

  // The endpoint events of revisions [from, to] as a client's watch delivers them.
  std::vector<api::WatchEvent> Events(store::Revision from, store::Revision to) {
    std::vector<api::WatchEvent> out;
    absl::Status s = client_->Watch({.revision = from, .kinds = {"endpoints"}, .deliver_bookmarks = true,
                                     .bookmark_interval = std::chrono::milliseconds(20)},
                                    [&](const api::WatchEvent& e) {
                                      if (e.type == api::WatchEvent::Type::kBookmark) {
                                        return e.revision >= to ? absl::CancelledError("done") : absl::OkStatus();
                                      }
                                      out.push_back(e);
                                      return absl::OkStatus();
                                    });
    EXPECT_TRUE(absl::IsCancelled(s)) << s;
    return out;
  }

  base::SystemClock clock_;
  std::unique_ptr<store::MemoryStore> memory_;
  std::unique_ptr<FailingStore> store_;
  SoleLeader leader_;
  prometheus::Registry registry_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<api::Client> client_;
};

TEST_F(EndpointBatchTest, OneWatchEventPerEndpointInTransactionsOfAtMostAHundred) {
  const store::Revision start = *memory_->CurrentRevision() + 1;
  api::EndpointBatch batch;
  for (int i = 0; i < 250; ++i) batch.put.push_back(Ep(i));
  absl::StatusOr<api::EndpointBatchResult> r = client_->WriteEndpoints(batch);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->put, 250u);
  EXPECT_EQ(Stored().size(), 250u);
  absl::StatusOr<api::List<api::Endpoint>> listed = client_->ListEndpoints();  // reads see the batch at once
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->items.size(), 250u);

  // Change ten, delete a hundred (and one that does not exist): one request.
  const store::Revision second = *memory_->CurrentRevision() + 1;
  api::EndpointBatch change;
  for (int i = 0; i < 10; ++i) change.put.push_back(Ep(i, "v2"));
  for (int i = 100; i < 200; ++i) change.remove.push_back({Ep(i).namespace_name, Ep(i).name});
  change.remove.push_back({"ns-0", "never-existed"});
  r = client_->WriteEndpoints(change);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->put, 10u);
  EXPECT_EQ(r->deleted, 101u);
  const store::Revision end = *memory_->CurrentRevision();

  std::vector<api::WatchEvent> events = Events(start, end);
  std::map<store::Revision, int> per_revision;
  std::set<std::string> put_keys, deleted_keys;
  int puts = 0, deletes = 0;
  for (const api::WatchEvent& e : events) {
    ++per_revision[e.revision];
    if (e.type == api::WatchEvent::Type::kPut) {
      ++puts;
      if (e.revision < second) put_keys.insert(e.key);
      absl::StatusOr<api::Endpoint> ep = api::ParseEndpoint(e.object);
      ASSERT_TRUE(ep.ok()) << e.object;
      EXPECT_EQ(ep->labels.at("version"), e.revision < second ? "v1" : "v2");
    } else {
      ++deletes;
      deleted_keys.insert(e.key);
      EXPECT_EQ(e.prev_object.value("labels", nlohmann::json::object()).value("version", ""), "v1");
    }
  }
  EXPECT_EQ(puts, 260);
  EXPECT_EQ(put_keys.size(), 250u) << "one PUT per endpoint";
  EXPECT_EQ(deletes, 100);
  EXPECT_EQ(deleted_keys.size(), 100u);
  for (const auto& [revision, n] : per_revision) EXPECT_LE(n, 100) << "revision " << revision;
  EXPECT_GE(per_revision.size(), 5u) << "250 puts take 3 transactions, 10 puts + 100 deletes 2";

  std::map<std::string, std::string> stored = Stored();
  EXPECT_EQ(stored.size(), 150u);
  EXPECT_EQ(stored["ns-0/pod-0"], "v2");
  EXPECT_EQ(stored.count("ns-1/pod-100"), 0u);
  EXPECT_EQ(stored["ns-2/pod-200"], "v1");
}

TEST_F(EndpointBatchTest, AnInvalidItemIsNamedAndNothingOfItsRequestIsWritten) {
  const store::Revision before = *memory_->CurrentRevision();
  api::EndpointBatch batch;
  for (int i = 0; i < 300; ++i) batch.put.push_back(Ep(i));
  batch.put[299].ports[0].name = "Not A Port Name";
  absl::StatusOr<api::EndpointBatchResult> r = client_->WriteEndpoints(batch);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(api::FieldOf(r.status()).value_or(""), "put[299].ports[0].name") << r.status();
  EXPECT_TRUE(Stored().empty());
  EXPECT_EQ(*memory_->CurrentRevision(), before);

  // Split over several requests, an index names the caller's item; the requests before it
  // were written, the failing one not at all.
  batch.put.clear();
  for (int i = 0; i < 4000; ++i) batch.put.push_back(Ep(i));  // about 600 KB: two requests
  batch.put[3990].ip = "10.1.2";
  r = client_->WriteEndpoints(batch);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(api::FieldOf(r.status()).value_or(""), "put[3990].ip") << r.status();
  EXPECT_EQ(std::string(r.status().message()).rfind("put[3990].ip", 0), 0u) << r.status();
  std::map<std::string, std::string> stored = Stored();
  EXPECT_GT(stored.size(), 0u);
  EXPECT_LT(stored.size(), 3990u);
  for (size_t i = 0; i < stored.size(); ++i) {  // whole requests, in order
    ASSERT_EQ(stored.count(absl::StrCat(Ep(i).namespace_name, "/", Ep(i).name)), 1u) << i;
  }
}

TEST_F(EndpointBatchTest, AStoreFailureLeavesWholeChunksAndTheBatchCanBeSentAgain) {
  api::EndpointBatch batch;
  for (int i = 0; i < 250; ++i) batch.put.push_back(Ep(i));
  store_->fail_commit = 2;  // the second transaction of the batch
  absl::StatusOr<api::EndpointBatchResult> r = client_->WriteEndpoints(batch);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
  EXPECT_EQ(api::DetailOf(r.status(), "applied").value_or(""), "100");
  std::map<std::string, std::string> stored = Stored();
  EXPECT_EQ(stored.size(), 100u) << "the first chunk, nothing of the second";
  for (int i = 0; i < 100; ++i) EXPECT_EQ(stored.count(absl::StrCat(Ep(i).namespace_name, "/", Ep(i).name)), 1u) << i;

  r = client_->WriteEndpoints(batch);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Stored().size(), 250u);
}

}  // namespace
}  // namespace romana::daemon
