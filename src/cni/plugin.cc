#include "cni/plugin.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/token_file.h"
#include "cni/verbs.h"
#include "spdlog/spdlog.h"

namespace romana::cni {

VerbOutcome Fail(const Invocation& inv, int code, std::string msg, std::string details) {
  spdlog::error("{} {} {}: {} {}", CommandName(inv.env.command), inv.env.container_id, inv.env.ifname, msg, details);
  return VerbOutcome{std::nullopt, CniError{code, std::move(msg), std::move(details)}, inv.conf.cni_version};
}

VerbOutcome RomanadFailure(const Invocation& inv, const std::string& what, const absl::Status& s) {
  if (absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s)) {
    return Fail(inv, kErrTryAgainLater, absl::StrCat("romanad at ", inv.conf.romanad, " is not available: ", what),
                std::string(s.message()));
  }
  return Fail(inv, kErrRomanad, absl::StrCat("romanad refused to ", what), std::string(s.message()));
}

VerbOutcome DataplaneFailure(const Invocation& inv, const std::string& what, const absl::Status& s) {
  return Fail(inv, kErrDataplane, what, std::string(s.message()));
}

namespace {

VerbOutcome EarlyError(const CniError& e, const std::string& version) {
  spdlog::error("{} {}", e.msg, e.details);
  return VerbOutcome{std::nullopt, e, version};
}

}  // namespace

VerbOutcome RunPlugin(const std::map<std::string, std::string>& env, const std::string& stdin_json,
                      const std::string& hostname) {
  const std::string peek_version = PeekCniVersion(stdin_json);
  Invocation inv;
  if (auto e = ParseEnv(env, &inv.env)) return EarlyError(*e, peek_version);
  if (inv.env.command == Command::kVersion) {
    return VerbOutcome{RenderVersionInfo(), std::nullopt, kLatestVersion};
  }
  if (auto e = ParseNetConf(stdin_json, &inv.conf)) return EarlyError(*e, peek_version);
  if (auto e = ParseCniArgs(inv.env.args, &inv.pod)) return EarlyError(*e, inv.conf.cni_version);
  if (inv.conf.node_name.empty()) inv.conf.node_name = hostname;
  if (inv.conf.node_name.empty()) {
    return EarlyError({kErrInvalidNetworkConfig, "\"node_name\" is not set and the host name is unknown", ""},
                      inv.conf.cni_version);
  }
  for (const std::string& key : UnknownKeys(stdin_json)) {
    spdlog::debug("network configuration key \"{}\" is not used by the romana plugin", key);
  }
  const std::string& v = inv.conf.cni_version;
  if (inv.env.command == Command::kCheck && !SupportsCheck(v)) {
    return EarlyError({kErrIncompatibleVersion, absl::StrCat("CHECK is not defined for CNI version ", v), "CHECK needs 0.4.0 or later"}, v);
  }
  if ((inv.env.command == Command::kGc || inv.env.command == Command::kStatus) && !SupportsGcAndStatus(v)) {
    return EarlyError({kErrIncompatibleVersion,
                       absl::StrCat(CommandName(inv.env.command), " is not defined for CNI version ", v),
                       "GC and STATUS need 1.1.0 or later"}, v);
  }

  api::ClientOptions options;
  options.server = inv.conf.romanad;
  options.timeout = std::chrono::milliseconds(inv.conf.romanad_timeout_ms);
  options.ca_file = inv.conf.romanad_ca_file;
  if (!inv.conf.romanad_token_file.empty()) {
    absl::StatusOr<std::string> token = base::ReadTokenFile(inv.conf.romanad_token_file);
    if (!token.ok()) {
      return EarlyError({kErrIo, absl::StrCat("\"romanad_token_file\": ", token.status().message()), ""}, v);
    }
    options.token = *std::move(token);
  }
  auto client = api::Client::Create(options);
  if (!client.ok()) {
    return EarlyError({kErrInvalidNetworkConfig, absl::StrCat("\"romanad\": ", client.status().message()), ""}, v);
  }
  spdlog::info("{} container={} ifname={} netns={} pod={}/{} node={}", CommandName(inv.env.command),
               inv.env.container_id, inv.env.ifname, inv.env.netns, inv.pod.pod_namespace, inv.pod.pod_name,
               inv.conf.node_name);
  switch (inv.env.command) {
    case Command::kAdd: return DoAdd(inv, **client);
    case Command::kDel: return DoDel(inv, **client);
    case Command::kCheck: return DoCheck(inv, **client);
    case Command::kGc: return DoGc(inv, **client);
    case Command::kStatus: return DoStatus(inv, **client);
    case Command::kVersion: break;
  }
  return VerbOutcome{RenderVersionInfo(), std::nullopt, kLatestVersion};
}

int RenderOutcome(const VerbOutcome& outcome, std::string* stdout_text) {
  if (outcome.error) {
    *stdout_text = RenderError(*outcome.error, outcome.version).dump() + "\n";
    return 1;
  }
  *stdout_text = outcome.output ? outcome.output->dump() + "\n" : "";
  return 0;
}

}  // namespace romana::cni
