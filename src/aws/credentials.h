// credentials.h: where AWS credentials come from.
//
// The default chain mirrors the AWS SDKs: environment variables, then the shared credentials
// and config files (with a profile), then the instance role from the instance metadata
// service (IMDSv2), refreshed before it expires. Libraries never read the process environment:
// callers pass the variables in (main() passes base::ProcessEnvironment()). All providers are thread-safe.
#ifndef ROMANA_AWS_CREDENTIALS_H_
#define ROMANA_AWS_CREDENTIALS_H_

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "http/client.h"
#include "aws/imds.h"
#include "aws/sigv4.h"
#include "base/clock.h"

namespace romana::aws {

using Environment = std::map<std::string, std::string>;

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // Current credentials. Errors: NotFound when this source has none (the chain then tries the
  // next), InvalidArgument for a half-configured source (named), Unavailable when a remote
  // source cannot be reached.
  virtual absl::StatusOr<Credentials> GetCredentials() = 0;
};

class StaticCredentialsProvider final : public CredentialsProvider {
 public:
  explicit StaticCredentialsProvider(Credentials c) : credentials_(std::move(c)) {}
  absl::StatusOr<Credentials> GetCredentials() override { return credentials_; }

 private:
  const Credentials credentials_;
};

// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (and the older
// AWS_ACCESS_KEY / AWS_SECRET_KEY).
class EnvironmentCredentialsProvider final : public CredentialsProvider {
 public:
  explicit EnvironmentCredentialsProvider(Environment env) : env_(std::move(env)) {}
  absl::StatusOr<Credentials> GetCredentials() override;

 private:
  const Environment env_;
};

// The shared files: `credentials_file` ([profile] sections) and `config_file` ([profile name]
// or [default] sections), keys aws_access_key_id, aws_secret_access_key, aws_session_token.
// The files are re-read on every call (they are small and may be rotated).
class ProfileCredentialsProvider final : public CredentialsProvider {
 public:
  ProfileCredentialsProvider(std::string credentials_file, std::string config_file,
                             std::string profile)
      : credentials_file_(std::move(credentials_file)),
        config_file_(std::move(config_file)),
        profile_(std::move(profile)) {}
  absl::StatusOr<Credentials> GetCredentials() override;

 private:
  const std::string credentials_file_;
  const std::string config_file_;
  const std::string profile_;
};

// Parses an INI file into section -> key -> value. Comments (# ;) and blank lines ignored.
std::map<std::string, std::map<std::string, std::string>> ParseIni(const std::string& text);

// The instance role's credentials from IMDS (iam/security-credentials/<role>), cached until
// `refresh_before` ahead of their Expiration.
class InstanceRoleCredentialsProvider final : public CredentialsProvider {
 public:
  // `http` and `clock` must outlive this object.
  InstanceRoleCredentialsProvider(http::Client& http, const base::Clock& clock, ImdsOptions options,
                                  std::chrono::seconds refresh_before = std::chrono::minutes(5));
  absl::StatusOr<Credentials> GetCredentials() override;

 private:
  ImdsClient imds_;
  const base::Clock& clock_;
  const std::chrono::seconds refresh_before_;
  std::mutex mu_;
  std::optional<Credentials> cached_ ABSL_GUARDED_BY(mu_);
};

// Tries each provider in order; the first that returns credentials wins. NotFound,
// Unavailable and PermissionDenied move on to the next; other errors stop the chain.
class ChainCredentialsProvider final : public CredentialsProvider {
 public:
  explicit ChainCredentialsProvider(std::vector<std::unique_ptr<CredentialsProvider>> providers)
      : providers_(std::move(providers)) {}
  absl::StatusOr<Credentials> GetCredentials() override;

 private:
  std::vector<std::unique_ptr<CredentialsProvider>> providers_;
};

struct DefaultChainOptions {
  Environment env;                  // The process environment (AWS_* and HOME are read).
  std::string profile;              // Overrides AWS_PROFILE; empty = env or "default".
  std::string imds_endpoint;        // Overrides AWS_EC2_METADATA_SERVICE_ENDPOINT.
  bool use_imds = true;             // AWS_EC2_METADATA_DISABLED=true also turns it off.
};

// env -> shared files (AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE or ~/.aws/...) -> IMDS.
// `http` and `clock` must outlive the result.
std::unique_ptr<CredentialsProvider> DefaultCredentialsChain(const DefaultChainOptions& options,
                                                            http::Client& http,
                                                            const base::Clock& clock);

}  // namespace romana::aws

#endif  // ROMANA_AWS_CREDENTIALS_H_
