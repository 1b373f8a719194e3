// ec2_client.h: Ec2Api over the EC2 Query API (form-encoded POST, XML answers), signed with
// SigV4, with retries (exponential backoff + full jitter) on throttling, 5xx and transport
// errors, and NextToken pagination.
//
// Thread-safe: the HTTP client and credentials provider are thread-safe and the client keeps
// no per-call state.
#ifndef ROMANA_AWS_EC2_CLIENT_H_
#define ROMANA_AWS_EC2_CLIENT_H_

#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "aws/credentials.h"
#include "aws/ec2_api.h"
#include "http/backoff.h"
#include "http/client.h"
#include "base/clock.h"

namespace romana::aws {

struct Ec2ClientOptions {
  std::string region;                 // REQUIRES: non-empty ("us-east-1"). Also the signing region.
  std::string endpoint;               // Default: https://ec2.<region>.amazonaws.com
  std::string api_version = "2016-11-15";
  http::BackoffPolicy retry;          // Default: 5 attempts, 100 ms .. 10 s.
  std::chrono::milliseconds timeout{20000};
  http::SleepFunction sleep;          // Default: really sleeps.
  http::RandomFunction random;        // Default: a seeded mt19937.
  int max_pages = 1000;               // Safety stop for pagination.
};

using QueryParams = std::vector<std::pair<std::string, std::string>>;

class Ec2QueryClient final : public Ec2Api {
 public:
  // `http`, `credentials` and `clock` must outlive the client. Errors: InvalidArgument for an
  // empty region or an endpoint that is not http(s)://host[:port].
  static absl::StatusOr<std::unique_ptr<Ec2QueryClient>> Create(Ec2ClientOptions options,
                                                                http::Client& http,
                                                                CredentialsProvider& credentials,
                                                                const base::Clock& clock);

  // One EC2 action with retries; returns the body of the 2xx answer.
  absl::StatusOr<std::string> Call(const std::string& action, const QueryParams& params);

  absl::StatusOr<std::vector<Instance>> DescribeInstances(const std::vector<std::string>& instance_ids,
                                                          const std::vector<Ec2Filter>& filters) override;
  absl::Status ModifyInstanceSourceDestCheck(const std::string& instance_id, bool enabled) override;
  absl::StatusOr<bool> DescribeInstanceSourceDestCheck(const std::string& instance_id) override;
  absl::Status ModifyNetworkInterfaceSourceDestCheck(const std::string& eni_id, bool enabled) override;
  absl::StatusOr<std::vector<Vpc>> DescribeVpcs(const std::vector<Ec2Filter>& filters) override;
  absl::StatusOr<std::vector<Subnet>> DescribeSubnets(const std::vector<Ec2Filter>& filters) override;
  absl::StatusOr<std::vector<RouteTable>> DescribeRouteTables(const std::vector<Ec2Filter>& filters) override;
  absl::StatusOr<std::vector<AvailabilityZone>> DescribeAvailabilityZones() override;
  absl::Status CreateRoute(const std::string& route_table_id, const std::string& cidr,
                           const RouteTarget& target) override;
  absl::Status ReplaceRoute(const std::string& route_table_id, const std::string& cidr,
                            const RouteTarget& target) override;
  absl::Status DeleteRoute(const std::string& route_table_id, const std::string& cidr) override;

  const std::string& endpoint() const { return options_.endpoint; }
  const std::string& region() const { return options_.region; }

 private:
  Ec2QueryClient(Ec2ClientOptions options, std::string host, std::string path, http::Client& http,
                 CredentialsProvider& credentials, const base::Clock& clock);
  absl::StatusOr<std::string> CallOnce(const std::string& action, const std::string& body, int* http_status);
  template <typename T, typename ParseFn>
  absl::StatusOr<std::vector<T>> Paginate(const std::string& action, QueryParams params, ParseFn parse);
  double Random();

  const Ec2ClientOptions options_;
  const std::string host_;   // Host header value: "host[:port]".
  const std::string path_;   // "/"
  http::Client& http_;
  CredentialsProvider& credentials_;
  const base::Clock& clock_;
  std::mutex rng_mu_;
  std::mt19937_64 rng_ ABSL_GUARDED_BY(rng_mu_);
};

// Appends Filter.N.Name / Filter.N.Value.M parameters.
void AddFilters(const std::vector<Ec2Filter>& filters, QueryParams& params);
// "Action=..&Version=..&k=v" form encoding (RFC 3986 escapes).
std::string FormEncode(const QueryParams& params);

}  // namespace romana::aws

#endif  // ROMANA_AWS_EC2_CLIENT_H_
