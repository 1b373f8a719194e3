// imds.h: a client for the EC2 instance metadata service with IMDSv2 session tokens.
//
// Every GET carries X-aws-ec2-metadata-token; the token is fetched with
// PUT /latest/api/token and reused until shortly before its TTL ends (or the service answers
// 401, then it is fetched again once). The endpoint is configurable so tests serve it on
// loopback. Thread-safe.
#ifndef ROMANA_AWS_IMDS_H_
#define ROMANA_AWS_IMDS_H_

#include <chrono>
#include <mutex>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "http/client.h"
#include "base/clock.h"

namespace romana::aws {

struct ImdsOptions {
  std::string endpoint = "http://169.254.169.254";  // No trailing slash.
  std::chrono::seconds token_ttl{21600};
  std::chrono::milliseconds timeout{2000};
  int attempts = 2;                                  // Tries per call on transport errors.
};

class ImdsClient {
 public:
  // `http` and `clock` must outlive this object.
  ImdsClient(http::Client& http, const base::Clock& clock, ImdsOptions options = {});

  // GET <endpoint>/latest/meta-data/<path>. Errors: NotFound (404), Unavailable (no service or
  // 5xx), PermissionDenied (token refused twice).
  absl::StatusOr<std::string> GetMetadata(const std::string& path);

  // Region (placement/availability-zone minus its last letter) and the VPC of the first
  // network interface (network/interfaces/macs/<mac>/vpc-id).
  absl::StatusOr<std::string> Region();
  absl::StatusOr<std::string> VpcId();

 private:
  absl::StatusOr<std::string> Token(bool force_refresh);

  http::Client& http_;
  const base::Clock& clock_;
  const ImdsOptions options_;
  std::mutex mu_;
  std::string token_ ABSL_GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point token_expiry_ ABSL_GUARDED_BY(mu_);
};

}  // namespace romana::aws

#endif  // ROMANA_AWS_IMDS_H_
