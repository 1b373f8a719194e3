// A write that loses a race with another writer is a retryable failure end to end: romanad
// answers 503 with Retry-After (code "retry"), the API client reports Unavailable (the retry
// class), and the CNI plugin turns that into CNI error 11 (try again later), not a hard failure.
// In process: a real Server over a MemoryStore in which "another writer" rewrites every key a
// transaction compares, just before the transaction commits.
#include <atomic>

#include <prometheus/registry.h>

#include "absl/strings/str_cat.h"
#include "api/client.h"
#include "base/clock.h"
#include "cni/spec.h"
#include "cni/verbs.h"
#include "daemon/leadership.h"
#include "daemon/server.h"
#include "gtest/gtest.h"
#include "http/curl_client.h"
#include "nlohmann/json.hpp"
#include "store/forwarding_store.h"
#include "store/memory_store.h"

namespace romana::daemon {
namespace {

// Forwards to a MemoryStore; while `race` is set, every Commit with a compare on a key's mod
// revision first rewrites that key (same value, new revision), as a competing writer would.
class RacingStore final : public store::ForwardingStore {
 public:
  explicit RacingStore(store::Store& inner) : store::ForwardingStore(inner) {}
  std::atomic<bool> race{false};
  std::atomic<int> lost{0};

  absl::StatusOr<store::TxnResult> Commit(const store::Txn& txn) override {
    if (race) {
      for (const store::Compare& c : txn.compares) {
        if (c.target != store::Compare::Target::kModRevision) continue;
        absl::StatusOr<std::optional<store::KeyValue>> kv = inner().Get(c.key);
        if (kv.ok() && kv->has_value() && inner().Put(c.key, (*kv)->value).ok()) ++lost;
      }
    }
    return inner().Commit(txn);
  }
};

TEST(RetryableWriteTest, LostRaceIs503WithRetryAfterUnavailableInTheClientAndCni11) {
  base::SystemClock clock;
  std::unique_ptr<store::MemoryStore> memory = store::MemoryStore::Create(clock);
  RacingStore store(*memory);
  SoleLeader leader;
  prometheus::Registry registry;
  ServerOptions o;
  o.port = 0;
  o.threads = 4;
  auto server = Server::Create(o, store, leader, clock, registry, nullptr);
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_TRUE((*server)->Start().ok());
  (*server)->SetReady(true);
  const std::string base = absl::StrCat("http://127.0.0.1:", (*server)->port());
  http::CurlClient http;
  auto send = [&](const std::string& method, const std::string& path, const std::string& body = "") {
    http::Request r{.method = method, .url = base + path, .body = body};
    if (!body.empty()) r.headers.emplace_back("Content-Type", "application/json");
    return http.Send(r);
  };
  auto put = send("PUT", "/namespaces/team-a", R"({"name": "team-a", "isolated": true})");
  ASSERT_TRUE(put.ok()) << put.status();
  ASSERT_EQ(put->status, 200) << put->body;

  store.race = true;
  auto del = send("DELETE", "/namespaces/team-a");
  ASSERT_TRUE(del.ok()) << del.status();
  EXPECT_GT(store.lost.load(), 0);
  EXPECT_EQ(del->status, 503) << del->body;
  EXPECT_EQ(del->Header("Retry-After"), "1");
  nlohmann::json body = nlohmann::json::parse(del->body, nullptr, false);
  EXPECT_EQ(body["error"]["code"], "retry") << del->body;

  // The client classifies it as retryable; a client that retries gets through once the race ends.
  auto client = api::Client::Create({.server = base});
  ASSERT_TRUE(client.ok());
  absl::Status lost = (*client)->DeleteNamespace("team-a");
  EXPECT_TRUE(absl::IsUnavailable(lost)) << lost;
  // The CNI plugin reports a romanad Unavailable as "try again later".
  cni::Invocation inv;
  inv.conf.romanad = base;
  cni::VerbOutcome outcome = cni::RomanadFailure(inv, "release an address", lost);
  ASSERT_TRUE(outcome.error.has_value());
  EXPECT_EQ(outcome.error->code, cni::kErrTryAgainLater);

  store.race = false;
  EXPECT_TRUE((*client)->DeleteNamespace("team-a").ok());
  (*server)->Stop();
}

}  // namespace
}  // namespace romana::daemon
