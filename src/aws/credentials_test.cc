#include "aws/credentials.h"


#include <atomic>
#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/testing/test_env.h"
#include "gtest/gtest.h"
#include "http/curl_client.h"
#include "http_server/http_server.h"

namespace romana::aws {
namespace {

TEST(EnvironmentCredentialsTest, ReadsKeysAndToken) {
  EnvironmentCredentialsProvider p(
      {{"AWS_ACCESS_KEY_ID", "AKID"}, {"AWS_SECRET_ACCESS_KEY", "S"}, {"AWS_SESSION_TOKEN", "T"}});
  auto c = p.GetCredentials();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->access_key_id, "AKID");
  EXPECT_EQ(c->secret_access_key, "S");
  EXPECT_EQ(c->session_token, "T");
  EXPECT_EQ(EnvironmentCredentialsProvider(Environment{}).GetCredentials().status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(EnvironmentCredentialsProvider(Environment{{"AWS_ACCESS_KEY_ID", "A"}}).GetCredentials().status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ProfileCredentialsTest, CredentialsFileThenConfigFile) {
  romana::testing::TempDir dir;
  std::ofstream(dir.File("credentials")) << "# comment\n[default]\naws_access_key_id = DEF\n"
                                            "aws_secret_access_key=DEFS\n\n[prod]\n aws_access_key_id=PROD\n"
                                            "aws_secret_access_key = PRODS\naws_session_token=PT\n";
  std::ofstream(dir.File("config")) << "[profile other]\nregion=us-west-2\naws_access_key_id=OTH\n"
                                       "aws_secret_access_key=OTHS\n[profile half]\naws_access_key_id=H\n";
  auto def = ProfileCredentialsProvider(dir.File("credentials"), dir.File("config"), "default").GetCredentials();
  ASSERT_TRUE(def.ok()) << def.status();
  EXPECT_EQ(def->access_key_id, "DEF");
  auto prod = ProfileCredentialsProvider(dir.File("credentials"), dir.File("config"), "prod").GetCredentials();
  ASSERT_TRUE(prod.ok());
  EXPECT_EQ(prod->secret_access_key, "PRODS");
  EXPECT_EQ(prod->session_token, "PT");
  auto other = ProfileCredentialsProvider(dir.File("credentials"), dir.File("config"), "other").GetCredentials();
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->access_key_id, "OTH");
  auto half = ProfileCredentialsProvider(dir.File("credentials"), dir.File("config"), "half").GetCredentials();
  EXPECT_EQ(half.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(half.status().message().find("[profile half]"), std::string::npos);
  auto none = ProfileCredentialsProvider(dir.File("credentials"), dir.File("config"), "nope").GetCredentials();
  EXPECT_EQ(none.status().code(), absl::StatusCode::kNotFound);
  auto missing = ProfileCredentialsProvider(dir.File("x"), dir.File("y"), "default").GetCredentials();
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
}

// A loopback IMDSv2: tokens required, one role, credentials that change on every fetch.
class FakeImds {
 public:
  explicit FakeImds(const base::Clock& clock) : clock_(clock) {
    server_ = *http_server::HttpServer::Create({});
    server_->Handle("PUT", "/latest/api/token", [this](const http_server::Request& req) {
      http_server::Response res;
      res.content_type = "text/plain";
      if (!req.HasHeader("X-aws-ec2-metadata-token-ttl-seconds")) {
        res.status = 400;
        return res;
      }
      ++token_requests_;
      res.body = absl::StrCat("token-", token_requests_.load());
      return res;
    });
    server_->Handle("GET", R"(/latest/meta-data/(.*))", [this](const http_server::Request& req) {
      http_server::Response res;
      res.content_type = "text/plain";
      std::string token = req.Header("X-aws-ec2-metadata-token");
      if (token.empty() || token != absl::StrCat("token-", token_requests_.load()) || revoke_) {
        revoke_ = false;
        res.status = 401;
        return res;
      }
      const std::string path = req.matches[1];
      if (path == "iam/security-credentials/") {
        res.body = "romana-master-role\n";
      } else if (path == "iam/security-credentials/romana-master-role") {
        ++credential_fetches_;
        absl::Time expiry = absl::FromChrono(clock_.WallNow()) + absl::Hours(1);
        res.content_type = "application/json";
        res.body = absl::StrCat(R"({"Code":"Success","Type":"AWS-HMAC","AccessKeyId":"ASIA)",
                                credential_fetches_.load(), R"(","SecretAccessKey":"secret","Token":"tok",)",
                                R"("Expiration":")", absl::FormatTime(absl::RFC3339_sec, expiry, absl::UTCTimeZone()),
                                R"("})");
      } else if (path == "placement/availability-zone") {
        res.body = "us-west-2c";
      } else if (path == "network/interfaces/macs/") {
        res.body = "0e:11:22:33:44:55/\n0e:aa:bb:cc:dd:ee/";
      } else if (path == "network/interfaces/macs/0e:11:22:33:44:55/vpc-id") {
        res.body = "vpc-0123";
      } else {
        res.status = 404;
      }
      return res;
    });
    absl::Status started = server_->Start();
    EXPECT_TRUE(started.ok()) << started;
    port_ = server_->port();
  }
  ~FakeImds() { server_->Stop(); }
  std::string endpoint() const { return absl::StrCat("http://127.0.0.1:", port_); }
  int token_requests() const { return token_requests_; }
  int credential_fetches() const { return credential_fetches_; }
  void RevokeTokenOnce() { revoke_ = true; }

 private:
  const base::Clock& clock_;
  std::unique_ptr<http_server::HttpServer> server_;
  int port_ = 0;
  std::atomic<int> token_requests_{0};
  std::atomic<int> credential_fetches_{0};
  std::atomic<bool> revoke_{false};
};

TEST(InstanceRoleCredentialsTest, FetchesWithTokenCachesAndRefreshesBeforeExpiry) {
  base::FakeClock clock;
  FakeImds imds(clock);
  http::CurlClient http;
  InstanceRoleCredentialsProvider p(http, clock, ImdsOptions{.endpoint = imds.endpoint()},
                                    std::chrono::minutes(5));
  auto c1 = p.GetCredentials();
  ASSERT_TRUE(c1.ok()) << c1.status();
  EXPECT_EQ(c1->access_key_id, "ASIA1");
  EXPECT_EQ(c1->session_token, "tok");
  ASSERT_TRUE(c1->expiration.has_value());
  EXPECT_EQ(imds.token_requests(), 1);

  clock.Advance(std::chrono::minutes(50));  // 10 minutes left: still fine
  auto c2 = p.GetCredentials();
  ASSERT_TRUE(c2.ok());
  EXPECT_EQ(c2->access_key_id, "ASIA1");
  EXPECT_EQ(imds.credential_fetches(), 1);

  clock.Advance(std::chrono::minutes(6));   // 4 minutes left: inside the refresh window
  auto c3 = p.GetCredentials();
  ASSERT_TRUE(c3.ok()) << c3.status();
  EXPECT_EQ(c3->access_key_id, "ASIA2");
  EXPECT_EQ(imds.credential_fetches(), 2);
  EXPECT_EQ(imds.token_requests(), 1);      // the IMDS token was reused
}

TEST(ImdsClientTest, RegionVpcAndTokenRenewalOn401) {
  base::FakeClock clock;
  FakeImds imds(clock);
  http::CurlClient http;
  ImdsClient client(http, clock, ImdsOptions{.endpoint = imds.endpoint()});
  auto region = client.Region();
  ASSERT_TRUE(region.ok()) << region.status();
  EXPECT_EQ(*region, "us-west-2");
  auto vpc = client.VpcId();
  ASSERT_TRUE(vpc.ok()) << vpc.status();
  EXPECT_EQ(*vpc, "vpc-0123");
  EXPECT_EQ(imds.token_requests(), 1);
  imds.RevokeTokenOnce();
  ASSERT_TRUE(client.Region().ok());
  EXPECT_EQ(imds.token_requests(), 2);
  EXPECT_EQ(client.GetMetadata("no/such/thing").status().code(), absl::StatusCode::kNotFound);
}

TEST(DefaultChainTest, OrderIsEnvThenFilesThenImds) {
  base::FakeClock clock;
  FakeImds imds(clock);
  http::CurlClient http;
  romana::testing::TempDir dir;
  std::ofstream(dir.File("credentials")) << "[team]\naws_access_key_id=FILE\naws_secret_access_key=FS\n";
  Environment env = {{"HOME", dir.path().string()},
                     {"AWS_SHARED_CREDENTIALS_FILE", dir.File("credentials")},
                     {"AWS_PROFILE", "team"},
                     {"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint() + "/"}};
  Environment with_keys = env;
  with_keys["AWS_ACCESS_KEY_ID"] = "ENV";
  with_keys["AWS_SECRET_ACCESS_KEY"] = "ES";
  EXPECT_EQ(DefaultCredentialsChain({.env = with_keys}, http, clock)->GetCredentials()->access_key_id, "ENV");
  EXPECT_EQ(DefaultCredentialsChain({.env = env}, http, clock)->GetCredentials()->access_key_id, "FILE");
  env["AWS_PROFILE"] = "absent";
  EXPECT_EQ(DefaultCredentialsChain({.env = env}, http, clock)->GetCredentials()->access_key_id, "ASIA1");
  env["AWS_EC2_METADATA_DISABLED"] = "true";
  auto none = DefaultCredentialsChain({.env = env}, http, clock)->GetCredentials();
  EXPECT_EQ(none.status().code(), absl::StatusCode::kNotFound);
}

TEST(DefaultChainTest, UnreachableImdsIsNotFoundNotAHang) {
  base::FakeClock clock;
  http::CurlClient http;
  Environment env = {{"HOME", "/nonexistent"},
                     {"AWS_EC2_METADATA_SERVICE_ENDPOINT",
                      absl::StrCat("http://127.0.0.1:", romana::testing::FreeLoopbackPort())}};
  auto c = DefaultCredentialsChain({.env = env}, http, clock)->GetCredentials();
  EXPECT_EQ(c.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace romana::aws
