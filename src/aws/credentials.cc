#include "aws/credentials.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace romana::aws {

namespace {

std::string Lookup(const Environment& env, const std::string& key) {
  auto it = env.find(key);
  return it == env.end() ? "" : it->second;
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

absl::StatusOr<Credentials> EnvironmentCredentialsProvider::GetCredentials() {
  Credentials c;
  c.access_key_id = Lookup(env_, "AWS_ACCESS_KEY_ID");
  if (c.access_key_id.empty()) c.access_key_id = Lookup(env_, "AWS_ACCESS_KEY");
  c.secret_access_key = Lookup(env_, "AWS_SECRET_ACCESS_KEY");
  if (c.secret_access_key.empty()) c.secret_access_key = Lookup(env_, "AWS_SECRET_KEY");
  c.session_token = Lookup(env_, "AWS_SESSION_TOKEN");
  if (c.access_key_id.empty() && c.secret_access_key.empty()) {
    return absl::NotFoundError("environment: AWS_ACCESS_KEY_ID is not set");
  }
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return absl::InvalidArgumentError(
        "environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must both be set");
  }
  return c;
}

std::map<std::string, std::map<std::string, std::string>> ParseIni(const std::string& text) {
  std::map<std::string, std::map<std::string, std::string>> out;
  std::string section;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    absl::string_view line = absl::StripAsciiWhitespace(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      section = std::string(absl::StripAsciiWhitespace(line.substr(1, line.size() - 2)));
      out[section];
      continue;
    }
    size_t eq = line.find('=');
    if (eq == absl::string_view::npos) continue;
    out[section][absl::AsciiStrToLower(absl::StripAsciiWhitespace(line.substr(0, eq)))] =
        std::string(absl::StripAsciiWhitespace(line.substr(eq + 1)));
  }
  return out;
}

absl::StatusOr<Credentials> ProfileCredentialsProvider::GetCredentials() {
  auto from = [&](const std::map<std::string, std::string>& kv,
                  const std::string& where) -> absl::StatusOr<Credentials> {
    Credentials c;
    auto get = [&](const char* k) {
      auto it = kv.find(k);
      return it == kv.end() ? std::string() : it->second;
    };
    c.access_key_id = get("aws_access_key_id");
    c.secret_access_key = get("aws_secret_access_key");
    c.session_token = get("aws_session_token");
    if (c.access_key_id.empty() && c.secret_access_key.empty()) {
      return absl::NotFoundError(absl::StrCat(where, ": no keys"));
    }
    if (c.access_key_id.empty() || c.secret_access_key.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": aws_access_key_id and aws_secret_access_key must both be set"));
    }
    return c;
  };
  if (std::optional<std::string> text = ReadFile(credentials_file_)) {
    auto ini = ParseIni(*text);
    if (auto it = ini.find(profile_); it != ini.end()) {
      absl::StatusOr<Credentials> c =
          from(it->second, absl::StrCat(credentials_file_, " [", profile_, "]"));
      if (c.ok() || !absl::IsNotFound(c.status())) return c;
    }
  }
  if (std::optional<std::string> text = ReadFile(config_file_)) {
    auto ini = ParseIni(*text);
    const std::string section = profile_ == "default" ? "default" : "profile " + profile_;
    if (auto it = ini.find(section); it != ini.end()) {
      absl::StatusOr<Credentials> c = from(it->second, absl::StrCat(config_file_, " [", section, "]"));
      if (c.ok() || !absl::IsNotFound(c.status())) return c;
    }
  }
  return absl::NotFoundError(absl::StrCat("shared files: no credentials for profile '", profile_,
                                          "' in ", credentials_file_, " or ", config_file_));
}

InstanceRoleCredentialsProvider::InstanceRoleCredentialsProvider(http::Client& http,
                                                                 const base::Clock& clock,
                                                                 ImdsOptions options,
                                                                 std::chrono::seconds refresh_before)
    : imds_(http, clock, std::move(options)), clock_(clock), refresh_before_(refresh_before) {}

absl::StatusOr<Credentials> InstanceRoleCredentialsProvider::GetCredentials() {
  std::lock_guard lock(mu_);
  if (cached_ && (!cached_->expiration || clock_.WallNow() + refresh_before_ < *cached_->expiration)) {
    return *cached_;
  }
  absl::StatusOr<std::string> roles = imds_.GetMetadata("iam/security-credentials/");
  if (!roles.ok()) {
    if (absl::IsNotFound(roles.status())) {
      return absl::NotFoundError("instance metadata: the instance has no IAM role");
    }
    return roles.status();
  }
  std::vector<std::string> names = absl::StrSplit(*roles, '\n', absl::SkipWhitespace());
  if (names.empty()) return absl::NotFoundError("instance metadata: the instance has no IAM role");
  const std::string role(absl::StripAsciiWhitespace(names[0]));
  absl::StatusOr<std::string> doc = imds_.GetMetadata("iam/security-credentials/" + role);
  if (!doc.ok()) return doc.status();
  nlohmann::json j = nlohmann::json::parse(*doc, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("AccessKeyId") || !j.contains("SecretAccessKey") ||
      !j["AccessKeyId"].is_string() || !j["SecretAccessKey"].is_string()) {
    return absl::UnavailableError(absl::StrCat("instance metadata: role '", role,
                                               "' credentials document lacks AccessKeyId/SecretAccessKey"));
  }
  if (j.contains("Code") && j["Code"].is_string() && j["Code"] != "Success") {
    return absl::UnavailableError(
        absl::StrCat("instance metadata: role '", role, "' credentials: Code=", j["Code"].get<std::string>()));
  }
  Credentials c;
  c.access_key_id = j["AccessKeyId"];
  c.secret_access_key = j["SecretAccessKey"];
  c.session_token = j.value("Token", "");
  if (j.contains("Expiration") && j["Expiration"].is_string()) {
    absl::Time t;
    std::string err;
    if (!absl::ParseTime(absl::RFC3339_full, j["Expiration"].get<std::string>(), &t, &err)) {
      return absl::UnavailableError(absl::StrCat("instance metadata: bad Expiration: ", err));
    }
    c.expiration = absl::ToChronoTime(t);
  }
  cached_ = c;
  return c;
}

absl::StatusOr<Credentials> ChainCredentialsProvider::GetCredentials() {
  std::vector<std::string> reasons;
  for (auto& p : providers_) {
    absl::StatusOr<Credentials> c = p->GetCredentials();
    if (c.ok()) return c;
    if (!absl::IsNotFound(c.status()) && !absl::IsUnavailable(c.status()) &&
        !absl::IsPermissionDenied(c.status())) {
      return c.status();
    }
    reasons.push_back(std::string(c.status().message()));
  }
  return absl::NotFoundError(
      absl::StrCat("no AWS credentials found: ", absl::StrJoin(reasons, "; ")));
}

std::unique_ptr<CredentialsProvider> DefaultCredentialsChain(const DefaultChainOptions& options,
                                                            http::Client& http,
                                                            const base::Clock& clock) {
  std::vector<std::unique_ptr<CredentialsProvider>> chain;
  chain.push_back(std::make_unique<EnvironmentCredentialsProvider>(options.env));
  const std::string home = Lookup(options.env, "HOME");
  std::string creds_file = Lookup(options.env, "AWS_SHARED_CREDENTIALS_FILE");
  if (creds_file.empty()) creds_file = home + "/.aws/credentials";
  std::string config_file = Lookup(options.env, "AWS_CONFIG_FILE");
  if (config_file.empty()) config_file = home + "/.aws/config";
  std::string profile = options.profile;
  if (profile.empty()) profile = Lookup(options.env, "AWS_PROFILE");
  if (profile.empty()) profile = "default";
  chain.push_back(std::make_unique<ProfileCredentialsProvider>(creds_file, config_file, profile));
  const bool imds_disabled =
      absl::AsciiStrToLower(Lookup(options.env, "AWS_EC2_METADATA_DISABLED")) == "true";
  if (options.use_imds && !imds_disabled) {
    ImdsOptions imds;
    std::string endpoint = options.imds_endpoint;
    if (endpoint.empty()) endpoint = Lookup(options.env, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
    if (!endpoint.empty()) imds.endpoint = std::string(absl::StripSuffix(endpoint, "/"));
    chain.push_back(std::make_unique<InstanceRoleCredentialsProvider>(http, clock, imds));
  }
  return std::make_unique<ChainCredentialsProvider>(std::move(chain));
}

}  // namespace romana::aws
