#include "cni/env.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cni/names.h"

namespace romana::cni {
namespace {

CniError EnvError(std::string msg) { return CniError{kErrInvalidEnvironment, std::move(msg), ""}; }

std::string Get(const std::map<std::string, std::string>& env, const std::string& key) {
  auto it = env.find(key);
  return it == env.end() ? "" : it->second;
}

}  // namespace

const char* CommandName(Command command) {
  switch (command) {
    case Command::kAdd: return "ADD";
    case Command::kDel: return "DEL";
    case Command::kCheck: return "CHECK";
    case Command::kVersion: return "VERSION";
    case Command::kGc: return "GC";
    case Command::kStatus: return "STATUS";
  }
  return "?";
}

std::optional<CniError> ParseEnv(const std::map<std::string, std::string>& env, CniEnv* out) {
  const std::string cmd = Get(env, "CNI_COMMAND");
  if (cmd.empty()) return EnvError("CNI_COMMAND is not set (expected ADD, DEL, CHECK, GC, STATUS or VERSION)");
  static const std::map<std::string, Command> kCommands = {
      {"ADD", Command::kAdd}, {"DEL", Command::kDel}, {"CHECK", Command::kCheck},
      {"VERSION", Command::kVersion}, {"GC", Command::kGc}, {"STATUS", Command::kStatus}};
  auto it = kCommands.find(cmd);
  if (it == kCommands.end()) {
    return EnvError(absl::StrCat("CNI_COMMAND \"", cmd, "\" is unknown (expected ADD, DEL, CHECK, GC, STATUS or VERSION)"));
  }
  CniEnv e;
  e.command = it->second;
  e.container_id = Get(env, "CNI_CONTAINERID");
  e.netns = Get(env, "CNI_NETNS");
  e.ifname = Get(env, "CNI_IFNAME");
  e.args = Get(env, "CNI_ARGS");
  e.path = Get(env, "CNI_PATH");
  const bool attachment = e.command == Command::kAdd || e.command == Command::kDel || e.command == Command::kCheck;
  if (attachment) {
    if (e.container_id.empty()) return EnvError(absl::StrCat("CNI_CONTAINERID is required for ", cmd));
    if (auto bad = ValidateContainerId(e.container_id)) return EnvError(absl::StrCat("CNI_CONTAINERID: ", *bad));
    if (e.ifname.empty()) return EnvError(absl::StrCat("CNI_IFNAME is required for ", cmd));
    if (auto bad = ValidateInterfaceName(e.ifname)) return EnvError(absl::StrCat("CNI_IFNAME: ", *bad));
  }
  if ((e.command == Command::kAdd || e.command == Command::kCheck) && e.netns.empty()) {
    return EnvError(absl::StrCat("CNI_NETNS is required for ", cmd));
  }
  *out = std::move(e);
  return std::nullopt;
}

std::optional<CniError> ParseCniArgs(const std::string& args, PodArgs* out) {
  PodArgs result;
  bool ignore_unknown = false;
  std::vector<std::string> unknown;
  for (absl::string_view pair : absl::StrSplit(args, ';', absl::SkipEmpty())) {
    std::vector<std::string> kv = absl::StrSplit(pair, absl::MaxSplits('=', 1));
    if (kv.size() != 2 || kv[0].empty()) {
      return EnvError(absl::StrCat("CNI_ARGS: \"", std::string(pair), "\" is not KEY=VALUE"));
    }
    const std::string& key = kv[0];
    const std::string& value = kv[1];
    if (key == "IgnoreUnknown") {
      std::string v = absl::AsciiStrToLower(value);
      if (v == "1" || v == "true" || v == "t") {
        ignore_unknown = true;
      } else if (v == "0" || v == "false" || v == "f") {
        ignore_unknown = false;
      } else {
        return EnvError(absl::StrCat("CNI_ARGS: IgnoreUnknown=\"", value, "\" is not a boolean"));
      }
    } else if (key == "K8S_POD_NAMESPACE") {
      result.pod_namespace = value;
    } else if (key == "K8S_POD_NAME") {
      result.pod_name = value;
    } else if (key == "K8S_POD_INFRA_CONTAINER_ID") {
      result.infra_container_id = value;
    } else if (key == "K8S_POD_UID") {
      result.pod_uid = value;
    } else if (key == "ROMANA_SEGMENT") {
      result.segment = value;
    } else {
      unknown.push_back(key);
    }
  }
  if (!unknown.empty() && !ignore_unknown) {
    return EnvError(absl::StrCat("CNI_ARGS: unknown key \"", unknown.front(),
                                 "\" (set IgnoreUnknown=1 to ignore keys this plugin does not use)"));
  }
  *out = std::move(result);
  return std::nullopt;
}

}  // namespace romana::cni
