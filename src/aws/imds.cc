#include "aws/imds.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace romana::aws {

ImdsClient::ImdsClient(http::Client& http, const base::Clock& clock, ImdsOptions options)
    : http_(http), clock_(clock), options_(std::move(options)) {}

absl::StatusOr<std::string> ImdsClient::Token(bool force_refresh) {
  std::lock_guard lock(mu_);
  if (!force_refresh && !token_.empty() && clock_.Now() < token_expiry_) return token_;
  http::Request req{.method = "PUT",
                    .url = options_.endpoint + "/latest/api/token",
                    .headers = {{"X-aws-ec2-metadata-token-ttl-seconds",
                                 absl::StrCat(options_.token_ttl.count())}},
                    .timeout = options_.timeout,
                    .connect_timeout = options_.timeout};
  absl::Status last;
  for (int i = 0; i < std::max(1, options_.attempts); ++i) {
    absl::StatusOr<http::Response> resp = http_.Send(req);
    if (!resp.ok()) {
      last = resp.status();
      continue;
    }
    if (resp->status != 200) {
      last = absl::Status(resp->status >= 500 ? absl::StatusCode::kUnavailable
                                              : absl::StatusCode::kPermissionDenied,
                          absl::StrCat("IMDS token: HTTP ", resp->status));
      if (resp->status < 500) break;
      continue;
    }
    token_ = resp->body;
    // Renew a minute early so a token never expires between check and use.
    token_expiry_ = clock_.Now() + options_.token_ttl - std::min<std::chrono::seconds>(
                                                            std::chrono::seconds(60), options_.token_ttl / 2);
    return token_;
  }
  return last;
}

absl::StatusOr<std::string> ImdsClient::GetMetadata(const std::string& path) {
  bool refreshed = false;
  absl::Status last;
  for (int i = 0; i < std::max(1, options_.attempts) + 1; ++i) {
    absl::StatusOr<std::string> token = Token(refreshed);
    if (!token.ok()) return token.status();
    http::Request req{.method = "GET",
                      .url = absl::StrCat(options_.endpoint, "/latest/meta-data/", path),
                      .headers = {{"X-aws-ec2-metadata-token", *token}},
                      .timeout = options_.timeout,
                      .connect_timeout = options_.timeout};
    absl::StatusOr<http::Response> resp = http_.Send(req);
    if (!resp.ok()) {
      last = resp.status();
      continue;
    }
    if (resp->status == 200) return resp->body;
    if (resp->status == 401 && !refreshed) {
      refreshed = true;  // token expired or revoked: fetch a new one, once
      continue;
    }
    if (resp->status == 404) {
      return absl::NotFoundError(absl::StrCat("instance metadata '", path, "' not found"));
    }
    last = absl::Status(resp->status >= 500 ? absl::StatusCode::kUnavailable
                                            : absl::StatusCode::kPermissionDenied,
                        absl::StrCat("instance metadata '", path, "': HTTP ", resp->status));
    if (resp->status < 500) break;
  }
  return last;
}

absl::StatusOr<std::string> ImdsClient::Region() {
  absl::StatusOr<std::string> az = GetMetadata("placement/availability-zone");
  if (!az.ok()) return az.status();
  if (az->size() < 2) {
    return absl::FailedPreconditionError(absl::StrCat("instance metadata: odd availability zone '", *az, "'"));
  }
  return az->substr(0, az->size() - 1);
}

absl::StatusOr<std::string> ImdsClient::VpcId() {
  absl::StatusOr<std::string> macs = GetMetadata("network/interfaces/macs/");
  if (!macs.ok()) return macs.status();
  std::vector<std::string> lines = absl::StrSplit(*macs, '\n', absl::SkipWhitespace());
  if (lines.empty()) return absl::NotFoundError("instance metadata: no network interfaces");
  std::string mac(absl::StripSuffix(lines[0], "/"));
  return GetMetadata(absl::StrCat("network/interfaces/macs/", mac, "/vpc-id"));
}

}  // namespace romana::aws
