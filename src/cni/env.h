// env.h: the CNI_* environment of one plugin invocation, and CNI_ARGS. Pure (the caller passes
// the environment in as a map); thread-safe.
#ifndef ROMANA_CNI_ENV_H_
#define ROMANA_CNI_ENV_H_

#include <map>
#include <optional>
#include <string>

#include "cni/spec.h"

namespace romana::cni {

enum class Command { kAdd, kDel, kCheck, kVersion, kGc, kStatus };
const char* CommandName(Command command);

struct CniEnv {
  Command command = Command::kVersion;
  std::string container_id;  // CNI_CONTAINERID (ADD, DEL, CHECK)
  std::string netns;         // CNI_NETNS: a path (ADD, CHECK; optional for DEL)
  std::string ifname;        // CNI_IFNAME (ADD, DEL, CHECK)
  std::string args;          // CNI_ARGS, raw
  std::string path;          // CNI_PATH (unused: this plugin delegates to nothing)
};

// Reads and validates the variables the command needs (SPEC.md "Parameters"): CNI_COMMAND is
// always required; CNI_CONTAINERID and CNI_IFNAME for ADD/DEL/CHECK; CNI_NETNS for ADD/CHECK.
// Errors: code 4 (invalid environment) naming the variable and what is wrong.
std::optional<CniError> ParseEnv(const std::map<std::string, std::string>& env, CniEnv* out);

// What Romana reads from CNI_ARGS ("K=V;K2=V2").
struct PodArgs {
  std::string pod_namespace;       // K8S_POD_NAMESPACE
  std::string pod_name;            // K8S_POD_NAME
  std::string infra_container_id;  // K8S_POD_INFRA_CONTAINER_ID
  std::string pod_uid;             // K8S_POD_UID
  std::string segment;             // ROMANA_SEGMENT (optional; overrides the label)
};

// Parses CNI_ARGS. Keys other than the ones above and IgnoreUnknown are an error unless
// IgnoreUnknown is 1/true (any case). A pair without '=' or with an empty key is an error.
// Errors: code 4 naming the offending pair or key.
std::optional<CniError> ParseCniArgs(const std::string& args, PodArgs* out);

}  // namespace romana::cni

#endif  // ROMANA_CNI_ENV_H_
