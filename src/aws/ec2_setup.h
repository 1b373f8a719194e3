// ec2_setup.h: how the AWS binaries (romana-aws, romana-vpcrouter) reach EC2 from their flags: the
// region (and VPC) from instance metadata when a flag leaves it out, then an EC2 client signing
// with the default credentials chain. Thread-safe (no shared state).
#ifndef ROMANA_AWS_EC2_SETUP_H_
#define ROMANA_AWS_EC2_SETUP_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "aws/credentials.h"
#include "aws/ec2_client.h"
#include "base/clock.h"
#include "http/client.h"

namespace romana::aws {

// Fills `region` and, when `vpc_id` is given, `*vpc_id` from instance metadata at `imds_endpoint`
// ("" = the default) when they are empty; asks nothing when both are set. Errors name the flag
// that was left out: "--region not given and instance metadata failed: <why>". `http` and `clock`
// are used only during the call.
absl::Status FillFromInstanceMetadata(const std::string& imds_endpoint, http::Client& http, const base::Clock& clock,
                                      std::string& region, std::string* vpc_id);

struct Ec2SetupOptions {
  std::string region;         // REQUIRES: non-empty.
  std::string ec2_endpoint;   // "" = https://ec2.<region>.amazonaws.com
  std::string imds_endpoint;  // For instance-role credentials; "" = the default.
  std::string aws_profile;    // Profile of the shared credentials/config files; "" = default.
  Environment env;            // AWS_* variables and the files' locations.
};

// An EC2 client and the credentials it signs with (declared first: they outlive the client).
struct Ec2Connection {
  std::unique_ptr<CredentialsProvider> credentials;
  std::unique_ptr<Ec2QueryClient> client;
};

// Builds the client. Errors: Ec2QueryClient::Create's (a bad endpoint or region). `http` and
// `clock` must outlive the result.
absl::StatusOr<Ec2Connection> ConnectEc2(const Ec2SetupOptions& options, http::Client& http, const base::Clock& clock);

}  // namespace romana::aws

#endif  // ROMANA_AWS_EC2_SETUP_H_
