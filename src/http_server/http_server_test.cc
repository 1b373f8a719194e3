// The HTTP server on loopback: real sockets, raw where the test needs to control the bytes
// (keep-alive, slow and idle clients, the connection cap), the project's curl client elsewhere.
#include "http_server/http_server.h"
#include "http_server/testing/raw_client.h"

#include <sys/resource.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "base/subprocess.h"
#include "base/testing/test_env.h"
#include "gtest/gtest.h"
#include "http/curl_client.h"
#include "nlohmann/json.hpp"

namespace romana::http_server {
namespace {

using romana::testing::WaitUntil;
using testing::RawClient;

Response Text(const std::string& s) {
  Response r;
  r.content_type = "text/plain";
  r.body = s;
  return r;
}

// One request by the project's libcurl client; `on_data` streams the body.
absl::StatusOr<http::Response> Fetch(http::CurlClient& c, const std::string& url, const std::string& method = "GET",
                                     std::string body = "",
                                     std::function<bool(absl::string_view)> on_data = nullptr,
                                     std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) {
  http::Request r;
  r.method = method;
  r.url = url;
  r.body = std::move(body);
  if (!r.body.empty()) r.headers.emplace_back("Content-Type", "text/plain");
  r.on_data = std::move(on_data);
  r.timeout = timeout;
  return c.Send(r);
}

class HttpServerTest : public ::testing::Test {
 protected:
  // Starts a server with `o` and the test routes.
  void StartServer(ServerOptions o) {
    absl::StatusOr<std::unique_ptr<HttpServer>> s = HttpServer::Create(std::move(o));
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = *std::move(s);
    server_->Handle("GET", "/ping", [](const Request&) { return Text("pong"); }, HttpServer::Run::kInline);
    server_->Handle("GET", "/peer", [](const Request& r) { return Text(r.remote_address); });
    server_->Handle("POST", "/echo", [](const Request& r) { return Text(r.body); });
    server_->Handle("GET", R"(/items/([^/]+))", [](const Request& r) {
      nlohmann::json j = {{"item", r.matches[1]}, {"x", r.Param("x")}, {"y", r.Param("y")}, {"h", r.Header("x-test")}};
      Response res;
      res.body = j.dump();
      return res;
    });
    server_->Handle("GET", "/block", [this](const Request&) {
      std::unique_lock<std::mutex> lock(mu_);
      blocked_ = true;
      cv_.notify_all();
      cv_.wait(lock, [this] { return released_; });
      return Text("released");
    });
    server_->HandleAsync("GET", "/stream", [this](const Request& r, Responder responder) {
      Response head;
      head.content_type = "application/x-ndjson";
      std::shared_ptr<Stream> st = responder.StartStream(std::move(head));
      st->OnClose([this] { closed_streams_++; });
      std::lock_guard<std::mutex> lock(mu_);
      streams_.push_back(st);
      cv_.notify_all();
    });
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      released_ = true;
      cv_.notify_all();
    }
    if (server_) server_->Stop();
  }
  std::shared_ptr<Stream> WaitStream(size_t i) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [&] { return streams_.size() > i; });
    return streams_.size() > i ? streams_[i] : nullptr;
  }
  int port() const { return server_->port(); }

  std::unique_ptr<HttpServer> server_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool blocked_ = false;
  bool released_ = false;
  std::vector<std::shared_ptr<Stream>> streams_;
  std::atomic<int> closed_streams_{0};
};

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  StartServer({});
  RawClient c(port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send("GET /peer HTTP/1.1\r\nHost: x\r\n\r\n"));
  RawClient::Answer a = c.Read();
  ASSERT_EQ(a.status, 200);
  // Two pipelined requests on the same connection, answered in order.
  ASSERT_TRUE(c.Send("GET /peer HTTP/1.1\r\nHost: x\r\n\r\nPOST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"));
  RawClient::Answer b = c.Read();
  RawClient::Answer e = c.Read();
  EXPECT_EQ(b.status, 200);
  EXPECT_EQ(b.body, a.body);  // same peer address and port: the same connection
  EXPECT_EQ(e.status, 200);
  EXPECT_EQ(e.body, "hello");
  EXPECT_EQ(server_->open_connections(), 1u);
  // Connection: close is honoured.
  ASSERT_TRUE(c.Send("GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  std::string rest;
  ASSERT_TRUE(c.ReadToEnd(rest));
  EXPECT_NE(rest.find("pong"), std::string::npos);
}

TEST_F(HttpServerTest, RoutesWithCapturesQueryAndErrors) {
  StartServer({});
  http::CurlClient c;
  const std::string base = absl::StrCat("http://127.0.0.1:", port());
  {
    RawClient raw(port());  // exact bytes: a client library would re-encode the query
    ASSERT_TRUE(raw.Send("GET /items/a%20b?x=1&y=c+d%2B HTTP/1.1\r\nHost: x\r\nX-Test: v\r\n\r\n"));
    RawClient::Answer r = raw.Read();
    ASSERT_EQ(r.status, 200);
    nlohmann::json j = nlohmann::json::parse(r.body);
    EXPECT_EQ(j["item"], "a b");
    EXPECT_EQ(j["x"], "1");
    EXPECT_EQ(j["y"], "c d+");
    EXPECT_EQ(j["h"], "v");
  }
  auto missing = Fetch(c, base + "/items/a/b");
  ASSERT_TRUE(missing.ok()) << missing.status();
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(nlohmann::json::parse(missing->body)["error"]["code"], "not_found");
  auto wrong_method = Fetch(c, base + "/ping", "DELETE");
  ASSERT_TRUE(wrong_method.ok()) << wrong_method.status();
  EXPECT_EQ(wrong_method->status, 404);
  RawClient raw(port());
  ASSERT_TRUE(raw.Send("NONSENSE\r\n\r\n"));
  RawClient::Answer bad = raw.Read();
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(nlohmann::json::parse(bad.body)["error"]["code"], "invalid_argument");
}

TEST_F(HttpServerTest, ChunkedStreamFromAnotherThreadAndClientGoneIsNoticed) {
  StartServer({});
  std::string got;
  std::thread producer([&] {
    std::shared_ptr<Stream> st = WaitStream(0);
    ASSERT_NE(st, nullptr);
    for (int i = 0; i < 100; ++i) EXPECT_TRUE(st->Write(absl::StrCat(i, "\n")));
    st->Finish();
    EXPECT_FALSE(st->Write("late\n"));
  });
  http::CurlClient c;
  auto r = Fetch(c, absl::StrCat("http://127.0.0.1:", port(), "/stream"), "GET", "", [&](absl::string_view data) {
    got.append(data.data(), data.size());
    return true;
  });
  producer.join();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("Transfer-Encoding"), "chunked");
  EXPECT_EQ(r->Header("Content-Type"), "application/x-ndjson");
  std::string want;
  for (int i = 0; i < 100; ++i) want += absl::StrCat(i, "\n");
  EXPECT_EQ(got, want);

  // A client that leaves: the stream closes and its OnClose runs.
  RawClient raw(port());
  ASSERT_TRUE(raw.Send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::shared_ptr<Stream> st = WaitStream(1);
  ASSERT_NE(st, nullptr);
  ASSERT_TRUE(st->Write("x\n"));
  raw.Close();
  EXPECT_TRUE(WaitUntil([&] { return !st->open(); }));
  EXPECT_FALSE(st->Write("y\n"));
  EXPECT_TRUE(WaitUntil([&] { return closed_streams_ == 2; }));
}

// A producer told "more is ready" on a thread that must not do the work (romanad's watch
// cache) schedules it on the stream's io thread: at once, or after a delay (bookmarks).
TEST_F(HttpServerTest, PostAndPostAfterRunOnTheStreamsIoThreadInOrder) {
  StartServer({});
  RawClient raw(port());
  ASSERT_TRUE(raw.Send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::shared_ptr<Stream> st = WaitStream(0);
  ASSERT_NE(st, nullptr);
  const std::thread::id caller = std::this_thread::get_id();
  std::atomic<bool> other_thread{true};
  const auto posted_at = std::chrono::steady_clock::now();
  std::atomic<int64_t> delayed_ms{-1};
  st->PostAfter(std::chrono::milliseconds(200), [&, st] {
    delayed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - posted_at)
                     .count();
    st->Write("later\n");
    st->Finish();
  });
  st->Post([&, st] {
    if (std::this_thread::get_id() == caller) other_thread = false;
    st->Write("now\n");
  });
  std::string body;
  ASSERT_TRUE(raw.ReadToEnd(body));
  EXPECT_NE(body.find("now\n"), std::string::npos) << body;
  EXPECT_LT(body.find("now\n"), body.find("later\n")) << body;
  EXPECT_TRUE(other_thread);
  EXPECT_GE(delayed_ms.load(), 200);
  EXPECT_TRUE(WaitUntil([&] { return closed_streams_ == 1; }));
}

// Streams have their own io threads: with the only one of them stuck, requests are still answered.
TEST_F(HttpServerTest, RequestsAreAnsweredWhileTheStreamIoThreadIsBusy) {
  EXPECT_FALSE(HttpServer::Create({.stream_nice = 20}).ok());
  StartServer({.io_threads = 1, .stream_io_threads = 1, .stream_nice = 5});
  RawClient raw(port());
  ASSERT_TRUE(raw.Send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::shared_ptr<Stream> st = WaitStream(0);
  ASSERT_NE(st, nullptr);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> busy{false};
  st->Post([&busy, released] {
    busy = true;
    released.wait();
  });
  ASSERT_TRUE(WaitUntil([&] { return busy.load(); }));
  http::CurlClient c;
  absl::StatusOr<http::Response> r = Fetch(c, absl::StrCat("http://127.0.0.1:", port(), "/ping"));
  release.set_value();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "pong");
  st->Write("after\n");
  st->Finish();
  std::string body;
  ASSERT_TRUE(raw.ReadToEnd(body));
  EXPECT_NE(body.find("after\n"), std::string::npos) << body;
}

TEST_F(HttpServerTest, StreamBufferIsBoundedForAClientThatDoesNotRead) {
  StartServer({.max_stream_buffer_bytes = 64 << 10});
  RawClient raw(port());
  ASSERT_TRUE(raw.Send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::shared_ptr<Stream> st = WaitStream(0);
  ASSERT_NE(st, nullptr);
  const std::string chunk(4096, 'x');
  size_t written = 0;
  bool refused = false;
  // The socket buffers take a few MiB at most; past them the queue fills and the stream ends.
  // WhenDrained paces the producer while the kernel still takes data.
  for (int i = 0; i < 100000 && !refused; ++i) {
    if (st->buffered_bytes() > (32 << 10)) {
      std::atomic<bool> drained{false};
      st->WhenDrained([&] { drained = true; });
      if (!WaitUntil([&] { return drained.load(); }, std::chrono::milliseconds(500))) {
        // The client takes nothing any more: writing on must overflow, not grow.
        while (st->Write(chunk)) written += chunk.size();
        refused = true;
      }
      continue;
    }
    if (!st->Write(chunk)) refused = true;
    else written += chunk.size();
  }
  EXPECT_TRUE(refused);
  EXPECT_FALSE(st->open());
  EXPECT_LE(st->buffered_bytes(), 64u << 10);
  EXPECT_TRUE(WaitUntil([&] { return closed_streams_ == 1; }));
}

// Writes lines numbered from 0 until the client's socket is full (the queue does not drain for
// 500 ms) or the stream closes; the number of lines written.
int WriteUntilStalled(Stream& st) {
  int n = 0;
  while (st.open()) {
    if (st.buffered_bytes() > 0) {
      auto drained = std::make_shared<std::atomic<bool>>(false);
      st.WhenDrained([drained] { *drained = true; });
      if (!WaitUntil([&] { return drained->load(); }, std::chrono::milliseconds(500))) break;
      continue;
    }
    if (st.Write(absl::StrCat(n, " ", std::string(16000, 'x'), "\n"))) ++n;
  }
  return n;
}

// A client that stops reading fills its socket; the stream then waits until the socket is
// writable again and sends the rest, in order, once the client reads.
TEST_F(HttpServerTest, AStreamWaitsForAFullSocketAndResumesWhenTheClientReads) {
  StartServer({});
  std::promise<void> stalled;
  std::shared_future<void> stalled_seen = stalled.get_future().share();
  std::atomic<int> lines{0};
  std::thread producer([&] {
    std::shared_ptr<Stream> st = WaitStream(0);
    ASSERT_NE(st, nullptr);
    lines = WriteUntilStalled(*st);
    EXPECT_TRUE(st->open());
    stalled.set_value();
    st->Finish();
  });
  std::string got;
  http::CurlClient c;
  auto r = Fetch(
      c, absl::StrCat("http://127.0.0.1:", port(), "/stream"), "GET", "",
      [&](absl::string_view data) {
        stalled_seen.wait();  // the client reads nothing until the server's side is full
        got.append(data.data(), data.size());
        return true;
      },
      std::chrono::seconds(60));
  producer.join();
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_GT(lines.load(), 0);
  std::string want;
  for (int i = 0; i < lines; ++i) absl::StrAppend(&want, i, " ", std::string(16000, 'x'), "\n");
  EXPECT_EQ(got.size(), want.size());
  EXPECT_TRUE(got == want);
}

// A client that takes nothing for the write timeout is cut off (its stream closes), well before
// the stream's buffer limit is reached.
TEST_F(HttpServerTest, AStreamWhoseClientTakesNothingEndsAfterTheWriteTimeout) {
  StartServer({.write_timeout = std::chrono::milliseconds(300), .max_stream_buffer_bytes = 64 << 20});
  RawClient raw(port());
  ASSERT_TRUE(raw.Send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::shared_ptr<Stream> st = WaitStream(0);
  ASSERT_NE(st, nullptr);
  WriteUntilStalled(*st);
  EXPECT_TRUE(WaitUntil([&] { return closed_streams_ == 1; }));
  EXPECT_FALSE(st->open());
  EXPECT_FALSE(st->Write("late\n"));
}

TEST_F(HttpServerTest, Tls) {
  romana::testing::TempDir dir;
  auto gen = base::RunCommand({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                               "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", dir.File("key.pem"),
                               "-out", dir.File("cert.pem")});
  ASSERT_TRUE(gen.ok() && gen->exit_code == 0) << (gen.ok() ? gen->output : gen.status().ToString());
  EXPECT_FALSE(HttpServer::Create({.tls_cert_file = dir.File("cert.pem"), .tls_key_file = dir.File("nope.pem")}).ok());
  StartServer({.tls_cert_file = dir.File("cert.pem"), .tls_key_file = dir.File("key.pem")});
  http::CurlClient c({.tls = {.verify = false}});  // a self-signed certificate
  const std::string base = absl::StrCat("https://127.0.0.1:", port());
  for (int i = 0; i < 3; ++i) {  // keep-alive over TLS
    auto r = Fetch(c, base + "/ping");
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "pong");
  }
  EXPECT_EQ(server_->open_connections(), 1u);
  std::string got;
  std::thread producer([&] {
    std::shared_ptr<Stream> st = WaitStream(0);
    ASSERT_NE(st, nullptr);
    st->Write("over tls\n");
    st->Finish();
  });
  auto s = Fetch(c, base + "/stream", "GET", "", [&](absl::string_view data) {
    got.append(data.data(), data.size());
    return true;
  });
  producer.join();
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(got, "over tls\n");
  // Plain HTTP to the TLS port gets no answer.
  http::CurlClient plain;
  auto p = Fetch(plain, absl::StrCat("http://127.0.0.1:", port(), "/ping"), "GET", "", nullptr,
                 std::chrono::milliseconds(5000));
  EXPECT_TRUE(!p.ok() || p->status != 200);
}

TEST_F(HttpServerTest, ListenAddresses) {
  StartServer({});
  auto busy = HttpServer::Create({.port = port()});
  ASSERT_TRUE(busy.ok());
  EXPECT_EQ((*busy)->Start().code(), absl::StatusCode::kUnavailable);  // no SO_REUSEPORT
  auto bad = HttpServer::Create({.host = "no-such-host.invalid"});
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ((*bad)->Start().code(), absl::StatusCode::kUnavailable);
  auto named = HttpServer::Create({.host = "localhost"});
  ASSERT_TRUE(named.ok());
  EXPECT_TRUE((*named)->Start().ok());
  EXPECT_GT((*named)->port(), 0);
}

TEST_F(HttpServerTest, BodyAboveTheLimitGets413) {
  StartServer({.max_body_bytes = 1024});
  http::CurlClient c;
  const std::string echo = absl::StrCat("http://127.0.0.1:", port(), "/echo");
  auto ok = Fetch(c, echo, "POST", std::string(1024, 'a'));
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->status, 200);
  auto big = Fetch(c, echo, "POST", std::string(200000, 'a'));
  ASSERT_TRUE(big.ok()) << big.status();
  EXPECT_EQ(big->status, 413);
  EXPECT_EQ(nlohmann::json::parse(big->body)["error"]["code"], "too_large");
  // Expect: 100-continue (curl sends it for large bodies): the interim answer, then the real one.
  {
    RawClient cont(port());
    ASSERT_TRUE(cont.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"));
    EXPECT_EQ(cont.ReadHead().status, 100);
    ASSERT_TRUE(cont.Send("abc"));
    RawClient::Answer a = cont.Read();
    EXPECT_EQ(a.status, 200);
    EXPECT_EQ(a.body, "abc");
  }
  // Without a Content-Length (chunked), the limit applies as the body arrives.
  RawClient raw(port());
  ASSERT_TRUE(raw.Send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" +
                       std::string(2048, 'b') + "\r\n0\r\n\r\n"));
  EXPECT_EQ(raw.Read().status, 413);
}

TEST_F(HttpServerTest, SlowHeaderIsCutOffAtTheHeaderTimeout) {
  StartServer({.header_timeout = std::chrono::milliseconds(300)});
  // Nothing at all.
  RawClient silent(port());
  EXPECT_TRUE(silent.ClosedSilently());
  // A header that never ends, one byte at a time (slowloris): the trickle does not extend it.
  RawClient slow(port());
  ASSERT_TRUE(slow.Send("GET /ping HTTP/1.1\r\n"));
  bool closed = false;
  for (int i = 0; i < 200 && !closed; ++i) {  // the header would take 20 s
    if (!slow.Send("X")) closed = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the client's own pace, not a wait
  }
  EXPECT_TRUE(closed || slow.ClosedSilently());
  EXPECT_TRUE(WaitUntil([&] { return server_->open_connections() == 0; }));
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosed) {
  StartServer({.idle_timeout = std::chrono::milliseconds(300)});
  RawClient c(port());
  ASSERT_TRUE(c.Send("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(c.Read().status, 200);
  EXPECT_TRUE(c.ClosedSilently());
  EXPECT_TRUE(WaitUntil([&] { return server_->open_connections() == 0; }));
}

TEST_F(HttpServerTest, ConnectionsBeyondTheCapGet503) {
  StartServer({.max_connections = 3});
  std::vector<std::unique_ptr<RawClient>> held;
  for (int i = 0; i < 3; ++i) held.push_back(std::make_unique<RawClient>(port()));
  ASSERT_TRUE(WaitUntil([&] { return server_->open_connections() == 3; }));
  RawClient extra(port());
  ASSERT_TRUE(extra.Send("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n"));
  RawClient::Answer a = extra.Read();
  EXPECT_EQ(a.status, 503);
  EXPECT_EQ(nlohmann::json::parse(a.body)["error"]["code"], "unavailable");
  EXPECT_TRUE(extra.ClosedSilently());
  held.pop_back();
  ASSERT_TRUE(WaitUntil([&] { return server_->open_connections() == 2; }));
  RawClient again(port());
  ASSERT_TRUE(again.Send("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(again.Read().status, 200);
}

TEST_F(HttpServerTest, ThousandIdleConnectionsAndABlockedHandlerDoNotStopOtherRequests) {
  rlimit nofile{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &nofile), 0);
  if (nofile.rlim_max < 2100) GTEST_SKIP() << "needs 2100 file descriptors, the hard limit is " << nofile.rlim_max;
  nofile.rlim_cur = std::max<rlim_t>(nofile.rlim_cur, 2100);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &nofile), 0);
  StartServer({.io_threads = 2, .worker_threads = 2, .header_timeout = std::chrono::seconds(60)});
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < 1000; ++i) {
    idle.push_back(std::make_unique<RawClient>(port()));
    ASSERT_TRUE(idle.back()->connected());
  }
  ASSERT_TRUE(WaitUntil([&] { return server_->open_connections() == 1000; }, std::chrono::seconds(30)));
  // A handler blocked on a worker holds neither the io threads nor the other worker.
  std::thread blocked([&] {
    http::CurlClient c;
    auto r = Fetch(c, absl::StrCat("http://127.0.0.1:", port(), "/block"), "GET", "", nullptr,
                   std::chrono::milliseconds(30000));
    EXPECT_TRUE(r.ok() && r->body == "released");
  });
  {
    std::unique_lock<std::mutex> lock(mu_);
    ASSERT_TRUE(cv_.wait_for(lock, std::chrono::seconds(10), [this] { return blocked_; }));
  }
  http::CurlClient c;
  auto ping = Fetch(c, absl::StrCat("http://127.0.0.1:", port(), "/ping"));
  ASSERT_TRUE(ping.ok()) << ping.status();
  EXPECT_EQ(ping->body, "pong");
  auto peer = Fetch(c, absl::StrCat("http://127.0.0.1:", port(), "/peer"));  // a worker handler
  ASSERT_TRUE(peer.ok()) << peer.status();
  EXPECT_EQ(peer->status, 200);
  {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  blocked.join();
}

TEST_F(HttpServerTest, StopEndsOpenStreamsAndClosesIdleConnections) {
  StartServer({});
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(std::make_unique<RawClient>(port()));
    ASSERT_TRUE(clients.back()->Send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"));
    std::shared_ptr<Stream> st = WaitStream(static_cast<size_t>(i));
    ASSERT_NE(st, nullptr);
    ASSERT_TRUE(st->Write(absl::StrCat("stream ", i, "\n")));
  }
  RawClient idle(port());
  ASSERT_TRUE(WaitUntil([&] { return server_->open_connections() == 4; }));
  server_->Stop();
  EXPECT_EQ(closed_streams_, 3);
  for (int i = 0; i < 3; ++i) {
    std::string all;
    ASSERT_TRUE(clients[i]->ReadToEnd(all));
    EXPECT_NE(all.find(absl::StrCat("stream ", i, "\n")), std::string::npos);
    EXPECT_TRUE(all.ends_with("0\r\n\r\n")) << all;  // the terminating chunk: a clean end
    EXPECT_FALSE(streams_[i]->open());
  }
  EXPECT_TRUE(idle.ClosedSilently());
  EXPECT_EQ(server_->open_connections(), 0u);
}

}  // namespace
}  // namespace romana::http_server
