// Tests of CurlClient against real servers on 127.0.0.1: plain HTTP, TLS (a CA made with the
// openssl command in a temp dir), client certificates, timeouts, streaming, retries and
// connection reuse. The servers are the project's http_server (src/http_server).
#include "http/curl_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "base/subprocess.h"
#include "base/testing/test_env.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http_server/http_server.h"

namespace romana::http {
namespace {

using romana::testing::ReadFile;
using ::testing::HasSubstr;

// A project http_server on 127.0.0.1: routes are added before Start(); streams opened by
// Stall() end when Release() is called (or at the end of the test).
class TestServer {
 public:
  explicit TestServer(romana::http_server::ServerOptions options = {}) : options_(std::move(options)) {}
  ~TestServer() { Stop(); }
  void Handle(const std::string& method, const std::string& path,
              std::function<void(const romana::http_server::Request&, romana::http_server::Response&)> fn) {
    routes_.push_back({method, path, [fn = std::move(fn)](const romana::http_server::Request& req) {
                         romana::http_server::Response res;
                         res.content_type = "text/plain";
                         fn(req, res);
                         return res;
                       }});
  }
  // GET `path`: a chunked answer that sends `first` and then stalls until Release().
  void Stall(const std::string& path, const std::string& content_type, const std::string& first) {
    stalls_.push_back({path, content_type, first});
  }
  void Start() {
    absl::StatusOr<std::unique_ptr<romana::http_server::HttpServer>> s =
        romana::http_server::HttpServer::Create(options_);
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = *std::move(s);
    for (auto& r : routes_) server_->Handle(r.method, r.path, r.handler);
    for (auto& st : stalls_) {
      server_->HandleAsync("GET", st.path, [this, st](const romana::http_server::Request&,
                                                      romana::http_server::Responder responder) {
        romana::http_server::Response head;
        head.content_type = st.content_type;
        std::shared_ptr<romana::http_server::Stream> stream = responder.StartStream(std::move(head));
        stream->Write(st.first);
        std::lock_guard lock(mu_);
        if (released_) stream->Finish();
        else streams_.push_back(std::move(stream));
      });
    }
    ASSERT_TRUE(server_->Start().ok());
    port_ = server_->port();
  }
  void Stop() {
    Release();
    if (server_) server_->Stop();
  }
  // Handlers that stall wait here until Release() (or the end of the test).
  void WaitForRelease() {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(30), [&] { return released_; });
  }
  void Release() {
    std::vector<std::shared_ptr<romana::http_server::Stream>> streams;
    {
      std::lock_guard lock(mu_);
      released_ = true;
      cv_.notify_all();
      streams.swap(streams_);
    }
    for (auto& st : streams) st->Finish();
  }
  int port() const { return port_; }
  std::string Url(const std::string& path, const std::string& scheme = "http") const {
    return absl::StrCat(scheme, "://127.0.0.1:", port_, path);
  }

 private:
  struct Route {
    std::string method, path;
    romana::http_server::HttpServer::Handler handler;
  };
  struct StallRoute {
    std::string path, content_type, first;
  };
  const romana::http_server::ServerOptions options_;
  std::vector<Route> routes_;
  std::vector<StallRoute> stalls_;
  std::unique_ptr<romana::http_server::HttpServer> server_;
  int port_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
  std::vector<std::shared_ptr<romana::http_server::Stream>> streams_;
};

TEST(CurlClientTest, SendsMethodHeadersAndBodyAndReturnsAnyStatusAsAResult) {
  TestServer s;
  s.Handle("POST", "/echo", [](const romana::http_server::Request& req, romana::http_server::Response& res) {
    res.status = 201;
    res.headers.emplace_back("X-Got", req.Header("X-Test"));
    res.body = req.body + "|" + req.Header("Content-Type");
  });
  s.Start();
  CurlClient client;
  absl::StatusOr<Response> r = client.Send({.method = "POST",
                                            .url = s.Url("/echo"),
                                            .headers = {{"X-Test", "yes"}, {"Content-Type", "application/json"}},
                                            .body = "{\"a\":1}"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "{\"a\":1}|application/json");
  EXPECT_EQ(r->Header("x-got"), "yes");

  absl::StatusOr<Response> missing = client.Send({.url = s.Url("/nothing-here")});
  ASSERT_TRUE(missing.ok()) << missing.status();
  EXPECT_EQ(missing->status, 404);
}

TEST(CurlClientTest, ConnectionRefusedIsUnavailableWithTheCurlText) {
  const int port = romana::testing::FreeLoopbackPort();
  CurlClient client;
  absl::StatusOr<Response> r = client.Send({.url = absl::StrCat("http://127.0.0.1:", port, "/")});
  ASSERT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("Couldn't connect"));
  EXPECT_EQ(client.Send({.url = "notascheme://x"}).status().code(), absl::StatusCode::kInvalidArgument);
}

// A peer that answers with `reply` and closes (raw socket: no HTTP server would send this).
class RawPeer {
 public:
  explicit RawPeer(std::string reply) : reply_(std::move(reply)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(listen(fd_, 4), 0);
    socklen_t len = sizeof(addr);
    EXPECT_EQ(getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      char buf[4096];
      (void)read(c, buf, sizeof(buf));
      (void)write(c, reply_.data(), reply_.size());
      close(c);
    });
  }
  ~RawPeer() {
    shutdown(fd_, SHUT_RDWR);
    thread_.join();
    close(fd_);
  }
  std::string Url() const { return absl::StrCat("http://127.0.0.1:", port_, "/"); }

 private:
  std::string reply_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

TEST(CurlClientTest, APeerThatClosesMidAnswerIsUnavailable) {
  {
    RawPeer peer("HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Enc");
    EXPECT_EQ(CurlClient().Send({.url = peer.Url()}).status().code(), absl::StatusCode::kUnavailable);
  }
  {
    RawPeer peer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab");
    EXPECT_EQ(CurlClient().Send({.url = peer.Url()}).status().code(), absl::StatusCode::kUnavailable);
  }
}

TEST(CurlClientTest, ReusesOneConnectionForSequentialRequests) {
  TestServer s;
  std::mutex mu;
  std::set<std::string> client_ports;  // one per TCP connection
  s.Handle("GET", "/", [&](const romana::http_server::Request& req, romana::http_server::Response& res) {
    std::lock_guard lock(mu);
    client_ports.insert(req.remote_address);
    res.body = "ok";
  });
  s.Start();
  CurlClient client;
  for (int i = 0; i < 5; ++i) {
    absl::StatusOr<Response> r = client.Send({.url = s.Url("/")});
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->status, 200);
  }
  std::lock_guard lock(mu);
  EXPECT_EQ(client_ports.size(), 1u);
}

TEST(CurlClientTest, RetriesIdempotentRequestsOn503WithBackoffThenSucceeds) {
  TestServer s;
  std::atomic<int> attempts{0};
  s.Handle("GET", "/flaky", [&](const romana::http_server::Request&, romana::http_server::Response& res) {
    res.status = ++attempts < 3 ? 503 : 200;
    res.body = "x";
  });
  s.Handle("POST", "/flaky", [&](const romana::http_server::Request&, romana::http_server::Response& res) {
    ++attempts;
    res.status = 503;
  });
  s.Start();
  std::vector<std::chrono::milliseconds> sleeps;
  CurlClient client({.retry = {.max_attempts = 4, .base_delay = std::chrono::milliseconds(100),
                               .max_delay = std::chrono::milliseconds(150)},
                     .sleep = [&](std::chrono::milliseconds d) { sleeps.push_back(d); },
                     .random = [] { return 0.999; }});
  absl::StatusOr<Response> r = client.Send({.url = s.Url("/flaky")});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(attempts.load(), 3);
  // Full jitter near the top of [0, min(max, base * 2^(n-1))]: 99 ms, then capped at 149 ms.
  EXPECT_THAT(sleeps, ::testing::ElementsAre(std::chrono::milliseconds(99), std::chrono::milliseconds(149)));

  // POST is not idempotent: one try, and the 503 is the result.
  attempts = 0;
  absl::StatusOr<Response> post = client.Send({.method = "POST", .url = s.Url("/flaky"), .body = "b"});
  ASSERT_TRUE(post.ok()) << post.status();
  EXPECT_EQ(post->status, 503);
  EXPECT_EQ(attempts.load(), 1);
}

TEST(CurlClientTest, RetriesConnectionErrorsAndReturnsTheLastError) {
  const int port = romana::testing::FreeLoopbackPort();
  int sleeps = 0;
  CurlClient client({.retry = {.max_attempts = 3}, .sleep = [&](std::chrono::milliseconds) { ++sleeps; }});
  absl::StatusOr<Response> r = client.Send({.url = absl::StrCat("http://127.0.0.1:", port, "/")});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(sleeps, 2);
}

TEST(CurlClientTest, StreamsLinesAndStopsWhenTheCallbackSaysSo) {
  TestServer s;
  s.Handle("GET", "/lines", [](const romana::http_server::Request&, romana::http_server::Response& res) {
    res.content_type = "application/x-ndjson";
    res.body = "one\r\ntwo\n\nthree\nunterminated";
  });
  s.Handle("GET", "/missing", [](const romana::http_server::Request&, romana::http_server::Response& res) {
    res.status = 404;
    res.body = "no such thing\n";
  });
  s.Start();
  CurlClient client;
  std::vector<std::string> lines;
  int header_status = 0;
  Request req{.url = s.Url("/lines"),
              .on_line = [&](absl::string_view l) {
                lines.emplace_back(l);
                return true;
              },
              .on_headers = [&](int status, const Headers&) { header_status = status; }};
  absl::StatusOr<Response> r = client.Send(req);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(header_status, 200);
  EXPECT_THAT(lines, ::testing::ElementsAre("one", "two", "", "three"));
  EXPECT_EQ(r->body, "");

  lines.clear();
  req.on_line = [&](absl::string_view l) {
    lines.emplace_back(l);
    return false;
  };
  r = client.Send(req);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(lines, ::testing::ElementsAre("one"));

  // A non-2xx body is collected, not streamed.
  lines.clear();
  req.url = s.Url("/missing");
  r = client.Send(req);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body, "no such thing\n");
  EXPECT_TRUE(lines.empty());
}

TEST(CurlClientTest, ALineLongerThanTheBoundIsResourceExhausted) {
  TestServer s;
  s.Handle("GET", "/long", [](const romana::http_server::Request&, romana::http_server::Response& res) {
    res.content_type = "application/x-ndjson";
    res.body = "short\n" + std::string(100000, 'x') + "\n";
  });
  s.Start();
  CurlClient client;
  int lines = 0;
  absl::StatusOr<Response> r = client.Send({.url = s.Url("/long"),
                                            .on_line = [&](absl::string_view) {
                                              ++lines;
                                              return true;
                                            },
                                            .max_line_bytes = 4096});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(lines, 1);
  // The same bound for a collected body.
  EXPECT_EQ(client.Send({.url = s.Url("/long"), .max_body_bytes = 1000}).status().code(),
            absl::StatusCode::kResourceExhausted);
}

TEST(CurlClientTest, TotalTimeoutIsUnavailable) {
  TestServer s;
  s.Handle("GET", "/slow", [&](const romana::http_server::Request&, romana::http_server::Response& res) {
    s.WaitForRelease();
    res.body = "late";
  });
  s.Start();
  CurlClient client;
  absl::StatusOr<Response> r = client.Send({.url = s.Url("/slow"), .timeout = std::chrono::milliseconds(300)});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("imeout"));
}

TEST(CurlClientTest, IdleTimeoutEndsAStreamThatStalledAfterItsHeaders) {
  TestServer s;
  s.Stall("/stall", "application/x-ndjson", "first\n");
  s.Start();
  CurlClient client;
  std::vector<std::string> lines;
  absl::StatusOr<Response> r = client.Send({.url = s.Url("/stall"),
                                            .timeout = std::chrono::milliseconds(0),
                                            .idle_timeout = std::chrono::milliseconds(500),
                                            .on_line = [&](absl::string_view l) {
                                              lines.emplace_back(l);
                                              return true;
                                            }});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("idle timeout"));
  EXPECT_THAT(lines, ::testing::ElementsAre("first"));
}

TEST(CurlClientTest, ConnectTimeoutIsUnavailable) {
  // A listener that never accepts, with its accept queue filled: the kernel drops further SYNs.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(fd, 0), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    (void)connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    fillers.push_back(c);
  }
  CurlClient client;
  absl::StatusOr<Response> r = client.Send({.url = absl::StrCat("http://127.0.0.1:", ntohs(addr.sin_port), "/"),
                                            .connect_timeout = std::chrono::milliseconds(300)});
  for (int c : fillers) close(c);
  close(fd);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("imeout"));
}

TEST(CurlClientTest, CancelEndsAStream) {
  TestServer s;
  s.Stall("/stall", "text/plain", "x\n");
  s.Start();
  CurlClient client;
  std::atomic<bool> cancel{false};
  absl::StatusOr<Response> r = client.Send({.url = s.Url("/stall"),
                                            .timeout = std::chrono::milliseconds(0),
                                            .on_line = [&](absl::string_view) {
                                              cancel = true;
                                              return true;
                                            },
                                            .cancel = &cancel});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kCancelled);
}

// A CA, a server certificate for DNS name romana.test only (so 127.0.0.1 does not match it), and
// a client certificate, made with the openssl command.
class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto run = [](const std::vector<std::string>& argv) {
      absl::StatusOr<base::CommandResult> r = base::RunCommand(argv);
      ASSERT_TRUE(r.ok()) << r.status();
      ASSERT_EQ(r->exit_code, 0) << r->output;
    };
    auto f = [&](const char* name) { return dir_.File(name); };
    run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days",
         "2", "-subj", "/CN=romana test CA", "-keyout", f("ca.key"), "-out", f("ca.crt")});
    for (const char* who : {"server", "client"}) {
      run({"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj",
           absl::StrCat("/CN=romana-", who), "-keyout", f(absl::StrCat(who, ".key").c_str()), "-out",
           f(absl::StrCat(who, ".csr").c_str())});
      std::ofstream(f("ext.cnf")) << (std::string(who) == "server" ? "subjectAltName=DNS:romana.test\n"
                                                                   : "extendedKeyUsage=clientAuth\n");
      run({"openssl", "x509", "-req", "-in", f(absl::StrCat(who, ".csr").c_str()), "-CA", f("ca.crt"), "-CAkey",
           f("ca.key"), "-CAcreateserial", "-days", "2", "-extfile", f("ext.cnf"), "-out",
           f(absl::StrCat(who, ".crt").c_str())});
    }
  }
  void StartServer(bool require_client_cert) {
    server_ = std::make_unique<TestServer>(romana::http_server::ServerOptions{
        .tls_cert_file = dir_.File("server.crt"),
        .tls_key_file = dir_.File("server.key"),
        .tls_client_ca_file = require_client_cert ? dir_.File("ca.crt") : ""});
    server_->Handle("GET", "/", [](const romana::http_server::Request&, romana::http_server::Response& res) {
      res.body = "secret";
    });
    server_->Start();
  }
  absl::StatusOr<Response> Get(TlsOptions tls) {
    CurlClient client({.tls = std::move(tls)});
    return client.Send({.url = server_->Url("/", "https")});
  }

  romana::testing::TempDir dir_;
  std::unique_ptr<TestServer> server_;
};

TEST_F(TlsTest, VerifiesTheServerAgainstTheCaFromAFileOrMemory) {
  StartServer(false);
  absl::StatusOr<Response> r = Get({.ca_file = dir_.File("ca.crt"), .server_name = "romana.test"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "secret");
  r = Get({.ca_pem = ReadFile(dir_.File("ca.crt")), .server_name = "romana.test"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "secret");
}

TEST_F(TlsTest, RejectsAnUntrustedServerOrAWrongName) {
  StartServer(false);
  // Not signed by a CA of the system bundle.
  absl::StatusOr<Response> r = Get({.server_name = "romana.test"});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("certificate"));
  // Trusted CA, but the certificate is not for 127.0.0.1.
  r = Get({.ca_file = dir_.File("ca.crt")});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  // Verification off (explicitly).
  r = Get({.verify = false});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "secret");
  // A CA file that does not exist is the caller's mistake.
  EXPECT_EQ(Get({.ca_file = dir_.File("absent.crt")}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(TlsTest, PresentsAClientCertificateFromFilesOrMemory) {
  StartServer(true);
  const TlsOptions base{.ca_file = dir_.File("ca.crt"), .server_name = "romana.test"};
  absl::StatusOr<Response> r = Get(base);
  EXPECT_FALSE(r.ok() && r->status == 200) << "the server must refuse a client without a certificate";

  TlsOptions files = base;
  files.client_cert_file = dir_.File("client.crt");
  files.client_key_file = dir_.File("client.key");
  r = Get(files);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "secret");

  TlsOptions memory = base;
  memory.client_cert_pem = ReadFile(dir_.File("client.crt"));
  memory.client_key_pem = ReadFile(dir_.File("client.key"));
  r = Get(memory);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "secret");
}

}  // namespace
}  // namespace romana::http
