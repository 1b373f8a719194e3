// The watch stream, in process: a real Server on loopback over a MemoryStore, the real client.
#include <prometheus/registry.h>

#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "api/client.h"
#include "api/field_error.h"
#include "base/clock.h"
#include "base/testing/test_env.h"
#include "chaos_proxy.h"
#include "daemon/keys.h"
#include "daemon/leadership.h"
#include "daemon/server.h"
#include "gtest/gtest.h"
#include "http_server/testing/raw_client.h"
#include "store/memory_store.h"

namespace romana::daemon {
namespace {

using romana::testing::WaitUntil;

struct Seen {
  std::string type;
  std::string key;
  int64_t revision;
  nlohmann::json object;
  bool operator==(const Seen&) const = default;
};

class WatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::MemoryStore::Create(clock_);
    ServerOptions o;
    o.port = 0;
    o.bookmark_interval = std::chrono::milliseconds(50);
    o.threads = 16;
    auto s = Server::Create(o, *store_, leader_, clock_, registry_, nullptr);
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = *std::move(s);
    ASSERT_TRUE(server_->Start().ok());
    server_->SetReady(true);
    client_ = Client(server_->port());
  }
  void TearDown() override { server_->Stop(); }

  std::unique_ptr<api::Client> Client(int port) {
    return *api::Client::Create({.server = absl::StrCat("http://127.0.0.1:", port)});
  }

  // What the store itself reports for revisions [from, to], streamable keys only.
  std::vector<Seen> History(int64_t from, int64_t to) {
    auto w = *store_->Watch("/romana/", from);
    std::vector<Seen> out;
    while (true) {  // every event is already in the store: read until nothing more comes
      auto events = w->Next(std::chrono::milliseconds(300));
      EXPECT_TRUE(events.ok());
      if (!events.ok() || events->empty()) break;
      for (const store::Event& e : *events) {
        if (e.kv.mod_revision > to) return out;
        if (Keys("/romana").KindOf(e.kv.key).empty()) continue;  // never streamed
        if (e.type == store::Event::Type::kPut) {
          out.push_back({"PUT", e.kv.key, e.kv.mod_revision, nlohmann::json::parse(e.kv.value)});
        } else {
          out.push_back({"DELETE", e.kv.key, e.kv.mod_revision, nullptr});
        }
      }
    }
    return out;
  }

  base::SystemClock clock_;
  std::unique_ptr<store::MemoryStore> store_;
  SoleLeader leader_;
  prometheus::Registry registry_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<api::Client> client_;
};

TEST_F(WatchTest, ClientBehindChaoticConnectionSeesExactlyTheStoreHistory) {
  const int64_t start = *store_->CurrentRevision() + 1;
  romana::testing::ChaosProxy proxy(server_->port(), 1500, 4242);
  auto via_proxy = Client(proxy.port());

  std::atomic<bool> writer_done{false};
  std::atomic<int64_t> final_revision{0};
  std::thread writer([&] {
    std::mt19937 rng(7);
    for (int i = 0; i < 200; ++i) {
      store::Txn txn;
      int ops = 1 + static_cast<int>(rng() % 4);
      for (int k = 0; k < ops; ++k) {
        std::string kind = std::vector<std::string>{"policies", "namespaces", "endpoints"}[rng() % 3];
        std::string key = absl::StrCat("/romana/", kind, "/k", rng() % 20, "-", k);
        if (rng() % 4 == 0) {
          txn.success.push_back(store::Op::Delete(key));
        } else {
          txn.success.push_back(store::Op::Put(key, nlohmann::json{{"i", i}, {"k", k}}.dump()));
        }
      }
      // Noise the stream must skip: a key that is not a watch kind.
      if (i % 10 == 0) txn.success.push_back(store::Op::Put("/romana/leader", "x"));
      auto r = store_->Commit(txn);
      ASSERT_TRUE(r.ok());
      final_revision = r->revision;
      if (i % 7 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));  // let the stream interleave
    }
    writer_done = true;
  });

  std::vector<Seen> seen;
  int64_t bookmark = 0;  // a bookmark at R: everything <= R was delivered
  absl::Status s = via_proxy->Watch(
      {.revision = start,
       .deliver_bookmarks = true,
       .stop = [&] { return writer_done && bookmark >= final_revision; },
       .bookmark_interval = std::chrono::milliseconds(20)},
      [&](const api::WatchEvent& e) {
        if (e.type == api::WatchEvent::Type::kBookmark) {
          bookmark = e.revision;
        } else {
          seen.push_back({e.type == api::WatchEvent::Type::kPut ? "PUT" : "DELETE", e.key, e.revision, e.object});
        }
        return absl::OkStatus();
      });
  writer.join();
  ASSERT_TRUE(s.ok()) << s;
  std::vector<Seen> want = History(start, final_revision);
  ASSERT_EQ(seen.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(seen[i], want[i]) << "event " << i << ": got " << seen[i].key << "@" << seen[i].revision << " want "
                                << want[i].key << "@" << want[i].revision;
  }
  EXPECT_GT(proxy.cuts(), 5) << "the proxy should have cut the stream several times";
}

TEST_F(WatchTest, KindsFilterAndBookmarks) {
  const int64_t start = *store_->CurrentRevision() + 1;
  ASSERT_TRUE(store_->Put("/romana/policies/a", "{}").ok());
  ASSERT_TRUE(store_->Put("/romana/namespaces/n", "{}").ok());
  const int64_t last = *store_->Put("/romana/policies/b", "{}");
  std::vector<std::string> keys;
  int64_t bookmark = 0;
  absl::Status s = client_->Watch({.revision = start, .kinds = {"policies"}, .deliver_bookmarks = true,
                                   .stop = [&] { return bookmark >= last; },
                                   .bookmark_interval = std::chrono::milliseconds(20)},
                                  [&](const api::WatchEvent& e) {
                                    if (e.type == api::WatchEvent::Type::kBookmark) bookmark = e.revision;
                                    else keys.push_back(e.key);
                                    return absl::OkStatus();
                                  });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(keys, (std::vector<std::string>{"/romana/policies/a", "/romana/policies/b"}));
}

TEST_F(WatchTest, CompactedRevisionGets410AndTheClientSaysSo) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(store_->Put(absl::StrCat("/romana/policies/p", i), "{}").ok());
  const int64_t rev = *store_->CurrentRevision();
  ASSERT_TRUE(store_->Compact(rev).ok());
  auto raw = client_->Do("GET", "/watch?revision=1");
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->status, 410);
  nlohmann::json body = nlohmann::json::parse(raw->body);
  EXPECT_EQ(body["error"]["code"], "compacted");
  EXPECT_EQ(body["error"]["compact_revision"], rev);
  absl::Status s = client_->Watch({.revision = 1}, [](const api::WatchEvent&) { return absl::OkStatus(); });
  EXPECT_TRUE(api::IsCompacted(s)) << s;
  EXPECT_EQ(api::CompactRevisionOf(s), rev);
  // Watching from the compaction point works.
  int64_t got = 0;
  ASSERT_TRUE(store_->Put("/romana/policies/after", "{}").ok());
  s = client_->Watch({.revision = rev, .stop = [&] { return got != 0; }}, [&](const api::WatchEvent& e) {
    got = e.revision;
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_GE(got, rev);
}

// A client that stops reading: its stream stops taking events at the high-water mark (memory
// stays bounded), the window moves on, and when the client reads again its stream ends with the
// documented "compacted" ERROR line; a new stream is served normally.
TEST_F(WatchTest, ClientThatStopsReadingFallsOutOfTheWindowAndGetsCompacted) {
  ServerOptions o;
  o.port = 0;
  o.threads = 4;
  o.watch_cache_events = 100;
  o.watch_cache_bytes = size_t{1} << 16;
  prometheus::Registry registry;
  auto small = Server::Create(o, *store_, leader_, clock_, registry, nullptr);
  ASSERT_TRUE(small.ok()) << small.status();
  ASSERT_TRUE((*small)->Start().ok());
  (*small)->SetReady(true);

  http_server::testing::RawClient slow((*small)->port());
  ASSERT_TRUE(slow.Send("GET /watch?kinds=namespaces HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(slow.ReadHead().status, 200);
  ASSERT_TRUE(slow.ReadUntil("BOOKMARK"));
  // ~16 MiB of events: far more than the stream's high-water mark plus the socket buffers.
  const std::string pad(4096, 'x');
  for (int i = 0; i < 4000; ++i) {
    ASSERT_TRUE(store_->Commit({{}, {store::Op::Put(absl::StrCat("/romana/namespaces/n", i),
                                                    nlohmann::json{{"name", absl::StrCat("n", i)}, {"pad", pad}}.dump())},
                                {}})
                    .ok());
  }
  EXPECT_TRUE(slow.ReadUntil("\"compacted\""));

  // A new stream starts at the cache's revision: once the cache applied every write, it is
  // inside the window and follows. (The slow stream can see `compacted` while the cache still has
  // thousands of 4 KiB events to decode: on a loaded sanitizer build that takes longer than the
  // default wait.)
  const int64_t written = *store_->CurrentRevision();
  ASSERT_TRUE(WaitUntil([&] { return (*small)->watch_cache().revision() >= written; }, std::chrono::seconds(90)));
  http_server::testing::RawClient fresh((*small)->port());
  ASSERT_TRUE(fresh.Send("GET /watch?kinds=namespaces HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(fresh.ReadHead().status, 200);
  ASSERT_TRUE(fresh.ReadUntil("BOOKMARK"));
  ASSERT_TRUE(store_->Commit({{}, {store::Op::Put("/romana/namespaces/last", R"({"name": "last"})")}, {}}).ok());
  EXPECT_TRUE(fresh.ReadUntil("\"last\""));
  slow.Close();
  fresh.Close();
  (*small)->Stop();
}

TEST_F(WatchTest, BadParameters) {
  for (const auto& [query, field] : std::vector<std::pair<std::string, std::string>>{
           {"revision=-1", "revision"}, {"revision=abc", "revision"}, {"kinds=hosts,bogus", "kinds"},
           {"bookmark_ms=1", "bookmark_ms"}}) {
    auto raw = client_->Do("GET", "/watch?" + query);
    ASSERT_TRUE(raw.ok());
    EXPECT_EQ(raw->status, 400) << query;
    EXPECT_EQ(nlohmann::json::parse(raw->body)["error"]["field"], field) << query;
  }
}

TEST_F(WatchTest, StreamStopsWorkingWhenTheClientLeaves) {
  auto streams = [&] {
    auto m = client_->Do("GET", "/metrics");
    return m.ok() && m->body.find("romanad_watch_streams 1") != std::string::npos;
  };
  std::atomic<bool> stop{false};
  std::thread t([&] {
    (void)client_->Watch({.stop = [&] { return stop.load(); }, .bookmark_interval = std::chrono::milliseconds(20)},
                         [](const api::WatchEvent&) { return absl::OkStatus(); });
  });
  EXPECT_TRUE(WaitUntil(streams));
  stop = true;
  t.join();
  EXPECT_TRUE(WaitUntil([&] {
    auto m = client_->Do("GET", "/metrics");
    return m.ok() && m->body.find("romanad_watch_streams 0") != std::string::npos;
  }));
}

}  // namespace
}  // namespace romana::daemon
