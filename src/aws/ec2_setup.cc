#include "aws/ec2_setup.h"

#include "absl/strings/str_cat.h"
#include "aws/imds.h"

namespace romana::aws {

absl::Status FillFromInstanceMetadata(const std::string& imds_endpoint, http::Client& http, const base::Clock& clock,
                                      std::string& region, std::string* vpc_id) {
  const bool need_vpc = vpc_id != nullptr && vpc_id->empty();
  if (!region.empty() && !need_vpc) return absl::OkStatus();
  ImdsOptions options;
  if (!imds_endpoint.empty()) options.endpoint = imds_endpoint;
  ImdsClient imds(http, clock, options);
  if (region.empty()) {
    absl::StatusOr<std::string> r = imds.Region();
    if (!r.ok()) {
      return absl::Status(r.status().code(),
                          absl::StrCat("--region not given and instance metadata failed: ", r.status().ToString()));
    }
    region = *r;
  }
  if (need_vpc) {
    absl::StatusOr<std::string> v = imds.VpcId();
    if (!v.ok()) {
      return absl::Status(v.status().code(),
                          absl::StrCat("--vpc not given and instance metadata failed: ", v.status().ToString()));
    }
    *vpc_id = *v;
  }
  return absl::OkStatus();
}

absl::StatusOr<Ec2Connection> ConnectEc2(const Ec2SetupOptions& options, http::Client& http, const base::Clock& clock) {
  Ec2Connection out;
  out.credentials = DefaultCredentialsChain(
      {.env = options.env, .profile = options.aws_profile, .imds_endpoint = options.imds_endpoint}, http, clock);
  absl::StatusOr<std::unique_ptr<Ec2QueryClient>> client =
      Ec2QueryClient::Create({.region = options.region, .endpoint = options.ec2_endpoint}, http, *out.credentials, clock);
  if (!client.ok()) return client.status();
  out.client = *std::move(client);
  return out;
}

}  // namespace romana::aws
