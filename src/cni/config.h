// config.h: the romana plugin's network configuration (the JSON on stdin), parsed and
// validated. Pure; thread-safe. docs/cni.md documents every key.
#ifndef ROMANA_CNI_CONFIG_H_
#define ROMANA_CNI_CONFIG_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cni/names.h"
#include "cni/spec.h"
#include "nlohmann/json.hpp"

namespace romana::cni {

// The largest network configuration accepted on stdin (a conflist entry with a prevResult is a
// few KiB). Larger input, nesting deeper than api::kMaxJsonDepth, or a number beyond a double is
// a decode error (code 6) whose details say which.
inline constexpr size_t kMaxNetConfBytes = size_t{1} << 20;

struct NetConf {
  // CNI standard keys.
  std::string cni_version;  // REQUIRED, one of SupportedVersions()
  std::string name;         // REQUIRED, [A-Za-z0-9][A-Za-z0-9_.-]*
  std::string type;         // REQUIRED (normally "romana")

  // Romana keys (defaults here are the documented defaults).
  std::string romanad = "http://127.0.0.1:9600";  // romanad base URL, http:// or https://
  std::string romanad_token_file;                 // bearer token file; "" = no token
  std::string romanad_ca_file;                    // CA bundle for https; "" = system
  int romanad_timeout_ms = 5000;                  // per request, 100..600000
  int mtu = 1500;                                 // veth MTU, 68..65535
  std::string node_name;                          // "" = the host name (the caller fills it)
  std::string log_file;                           // "" = stderr only
  std::string log_level = "info";                 // trace|debug|info|warn|error|off
  std::string segment_label = "romana.io/segment";  // label (args.cni.labels) with the segment

  // Runtime-provided keys.
  std::optional<nlohmann::json> prev_result;  // "prevResult" (ADD in a chain, CHECK, DEL)
  // GC: "cni.dev/valid-attachments" (or the older spelling "cni.dev/attachments").
  std::optional<std::vector<Attachment>> valid_attachments;
  // CNI conventions: "args": {"cni": {"labels": [{"key": k, "value": v}]}}.
  std::map<std::string, std::string> labels;
};

// Parses and validates. Errors (never throws):
//   code 6  stdin is not a JSON object;
//   code 1  cniVersion is not one of SupportedVersions();
//   code 7  a key has the wrong type or an invalid value; the message names the key and why.
// Unknown keys are accepted (runtimes add their own); the caller may log them.
std::optional<CniError> ParseNetConf(const std::string& stdin_json, NetConf* out);

// The version to answer in when parsing failed (cniVersion if readable, else "").
std::string PeekCniVersion(const std::string& stdin_json);

// Keys of `stdin_json` (an object) that ParseNetConf does not know; empty for non-objects.
std::vector<std::string> UnknownKeys(const std::string& stdin_json);

}  // namespace romana::cni

#endif  // ROMANA_CNI_CONFIG_H_
