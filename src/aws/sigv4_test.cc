#include "aws/sigv4.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "base/testing/test_env.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace romana::aws {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::chrono::system_clock::time_point ParseTime(const std::string& s) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, s, &t, &err)) << err;
  return absl::ToChronoTime(t);
}

// Parses the suite's request.txt: request line, "Name:value" headers (continuation lines
// start with whitespace), blank line, body.
SigningRequest ParseRequestFile(const std::string& text) {
  SigningRequest req;
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  const std::string& first = lines[0];
  size_t sp = first.find(' ');
  size_t http = first.rfind(" HTTP/");
  req.method = first.substr(0, sp);
  std::string target = first.substr(sp + 1, http - sp - 1);
  size_t q = target.find('?');
  req.path = target.substr(0, q);
  if (q != std::string::npos) req.query = target.substr(q + 1);
  size_t i = 1;
  for (; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (line.empty()) break;
    if (line[0] == ' ' || line[0] == '\t') {
      req.headers.back().second += " " + line;
      continue;
    }
    size_t colon = line.find(':');
    req.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  std::vector<std::string> body_lines(lines.begin() + std::min(i + 1, lines.size()), lines.end());
  req.body = absl::StrJoin(body_lines, "\n");
  return req;
}

std::vector<std::string> VectorNames() {
  std::vector<std::string> names;
  fs::path dir = romana::testing::SharedTestdata("sigv4");
  if (dir.empty()) return names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_directory() && fs::exists(entry.path() / "context.json")) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(SigV4SuiteTest, VectorsPresent) {
  fs::path dir = romana::testing::SharedTestdata("sigv4");
  if (dir.empty()) {
    GTEST_SKIP() << "../shared/testdata/sigv4 is absent: the AWS SigV4 test-suite vectors are not "
                    "part of the project, so the vector tests are skipped";
  }
  EXPECT_GE(VectorNames().size(), 30u);
}

class SigV4VectorTest : public ::testing::TestWithParam<std::string> {
 protected:
  void Check(SigningParams::Mode mode, const std::string& prefix) {
    fs::path dir = romana::testing::SharedTestdata("sigv4") / GetParam();
    nlohmann::json ctx = nlohmann::json::parse(ReadFile(dir / "context.json"));
    Credentials creds{ctx["credentials"]["access_key_id"], ctx["credentials"]["secret_access_key"],
                      ctx["credentials"].value("token", "")};
    SigningParams params{.region = ctx["region"],
                         .service = ctx["service"],
                         .time = ParseTime(ctx["timestamp"]),
                         .normalize_path = ctx.value("normalize", true),
                         .add_content_sha256_header = ctx.value("sign_body", false),
                         .omit_session_token = ctx.value("omit_session_token", false),
                         .mode = mode,
                         .expires = std::chrono::seconds(ctx.value("expiration_in_seconds", 3600))};
    SigningRequest req = ParseRequestFile(ReadFile(dir / "request.txt"));
    absl::StatusOr<SigningResult> r = SignRequest(req, creds, params);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->canonical_request, ReadFile(dir / (prefix + "-canonical-request.txt")));
    EXPECT_EQ(r->string_to_sign, ReadFile(dir / (prefix + "-string-to-sign.txt")));
    EXPECT_EQ(r->signature, ReadFile(dir / (prefix + "-signature.txt")));
    const std::string signed_request = ReadFile(dir / (prefix + "-signed-request.txt"));
    if (mode == SigningParams::Mode::kHeaders) {
      ASSERT_FALSE(r->headers_to_add.empty());
      EXPECT_EQ(r->headers_to_add.back().first, "Authorization");
      EXPECT_TRUE(absl::StrContains(signed_request, "Authorization:" + r->headers_to_add.back().second))
          << signed_request;
    } else {
      EXPECT_TRUE(absl::StrContains(signed_request, "X-Amz-Signature=" + r->signature));
    }
  }
};

TEST_P(SigV4VectorTest, HeaderSigning) {
  if (!fs::exists(romana::testing::SharedTestdata("sigv4") / GetParam() / "header-signature.txt")) {
    GTEST_SKIP() << "no header-signing expectation in this case";
  }
  Check(SigningParams::Mode::kHeaders, "header");
}

TEST_P(SigV4VectorTest, QuerySigning) {
  if (!fs::exists(romana::testing::SharedTestdata("sigv4") / GetParam() / "query-signature.txt")) {
    GTEST_SKIP() << "no query-signing expectation in this case";
  }
  Check(SigningParams::Mode::kQuery, "query");
}

INSTANTIATE_TEST_SUITE_P(AwsSuite, SigV4VectorTest, ::testing::ValuesIn(VectorNames()),
                         [](const auto& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SigV4VectorTest);

// The documented AWS example (reference §4): signing key for the IAM example.
TEST(SigV4Test, DocumentedSigningKeyExample) {
  EXPECT_EQ(absl::BytesToHexString(DeriveSigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20110909",
                                       "us-east-1", "iam")),
            "98f1d889fec4f4421adc522bab0ce1f82e6929c262ed15e5a94c90efd1e3b0e7");
}

TEST(SigV4Test, Sha256OfEmptyString) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(SigV4Test, SessionTokenIsSignedAsHeader) {
  SigningRequest req{.method = "POST", .path = "/", .headers = {{"Host", "ec2.us-east-1.amazonaws.com"}},
                     .body = "Action=DescribeVpcs&Version=2016-11-15"};
  Credentials creds{"AKID", "SECRET", "TOKEN"};
  SigningParams params{.region = "us-east-1", .service = "ec2",
                       .time = std::chrono::system_clock::from_time_t(1440938160)};
  auto r = SignRequest(req, creds, params);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->signed_headers, "host;x-amz-date;x-amz-security-token");
  EXPECT_EQ(r->headers_to_add[1], (std::pair<std::string, std::string>{"X-Amz-Security-Token", "TOKEN"}));
  // Without the token the signature differs.
  creds.session_token.clear();
  auto r2 = SignRequest(req, creds, params);
  ASSERT_TRUE(r2.ok());
  EXPECT_NE(r->signature, r2->signature);
  EXPECT_EQ(r2->signed_headers, "host;x-amz-date");
}

TEST(SigV4Test, MissingCredentialsAreRejected) {
  SigningRequest req{.method = "GET", .path = "/", .headers = {{"Host", "h"}}};
  auto r = SignRequest(req, Credentials{}, SigningParams{.region = "r", .service = "s"});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  auto r2 = SignRequest(req, Credentials{"a", "b"}, SigningParams{.region = "", .service = "s"});
  EXPECT_EQ(r2.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace romana::aws
