#include "cni/config.h"

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "api/json_reader.h"

namespace romana::cni {
namespace {

using nlohmann::json;

CniError ConfigError(std::string msg) { return CniError{kErrInvalidNetworkConfig, std::move(msg), ""}; }

const char* TypeName(const json& v) { return v.type_name(); }

std::optional<CniError> GetString(const json& j, const char* key, std::string* out, bool required) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) return ConfigError(absl::StrCat("\"", key, "\" is required"));
    return std::nullopt;
  }
  if (!it->is_string()) {
    return ConfigError(absl::StrCat("\"", key, "\" must be a string, not ", TypeName(*it)));
  }
  *out = it->get<std::string>();
  return std::nullopt;
}

std::optional<CniError> GetInt(const json& j, const char* key, int lo, int hi, int* out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer()) {
    return ConfigError(absl::StrCat("\"", key, "\" must be an integer, not ", TypeName(*it)));
  }
  int64_t v = it->get<int64_t>();
  if (v < lo || v > hi) {
    return ConfigError(absl::StrCat("\"", key, "\" is ", v, ", must be in ", lo, "..", hi));
  }
  *out = static_cast<int>(v);
  return std::nullopt;
}

std::optional<CniError> ParseAttachments(const json& list, const char* key, std::vector<Attachment>* out) {
  if (!list.is_array()) return ConfigError(absl::StrCat("\"", key, "\" must be an array, not ", TypeName(list)));
  for (size_t i = 0; i < list.size(); ++i) {
    const json& item = list[i];
    std::string where = absl::StrCat(key, "[", i, "]");
    if (!item.is_object()) return ConfigError(absl::StrCat("\"", where, "\" must be an object"));
    auto cid = item.find("containerID");
    auto ifname = item.find("ifname");
    if (cid == item.end() || !cid->is_string() || cid->get<std::string>().empty()) {
      return ConfigError(absl::StrCat("\"", where, ".containerID\" must be a non-empty string"));
    }
    if (ifname == item.end() || !ifname->is_string() || ifname->get<std::string>().empty()) {
      return ConfigError(absl::StrCat("\"", where, ".ifname\" must be a non-empty string"));
    }
    out->push_back({cid->get<std::string>(), ifname->get<std::string>()});
  }
  return std::nullopt;
}

const std::set<std::string>& KnownKeys() {
  static const auto* keys = new std::set<std::string>{
      "cniVersion", "cniVersions", "name", "type", "romanad", "romanad_token_file", "romanad_ca_file",
      "romanad_timeout_ms", "mtu", "node_name", "log_file", "log_level", "segment_label",
      "prevResult", "cni.dev/valid-attachments", "cni.dev/attachments", "args", "runtimeConfig",
      "capabilities", "dns", "ipam", "disableCheck", "disableGC"};
  return *keys;
}

// The configuration, bounded: at most kMaxNetConfBytes, nesting at most api::kMaxJsonDepth, and
// numbers a double holds. `error` (optional) gets the reason when the result is discarded.
json ParseBounded(const std::string& text, std::string* error = nullptr) {
  if (text.size() > kMaxNetConfBytes) {
    if (error != nullptr) {
      *error = absl::StrCat("the network configuration is ", text.size(), " bytes, over the limit of ",
                            kMaxNetConfBytes, " bytes");
    }
    return json(json::value_t::discarded);
  }
  absl::StatusOr<json> j = api::ParseJson(text);
  if (!j.ok()) {
    if (error != nullptr) *error = absl::StrCat("the network configuration: ", j.status().message());
    return json(json::value_t::discarded);
  }
  return *std::move(j);
}

}  // namespace

std::string PeekCniVersion(const std::string& stdin_json) {
  json j = ParseBounded(stdin_json);
  if (j.is_object()) {
    auto it = j.find("cniVersion");
    if (it != j.end() && it->is_string()) return it->get<std::string>();
  }
  return "";
}

std::vector<std::string> UnknownKeys(const std::string& stdin_json) {
  std::vector<std::string> out;
  json j = ParseBounded(stdin_json);
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!KnownKeys().count(it.key())) out.push_back(it.key());
  }
  return out;
}

std::optional<CniError> ParseNetConf(const std::string& stdin_json, NetConf* out) {
  std::string why;
  json j = ParseBounded(stdin_json, &why);
  if (j.is_discarded()) {
    return CniError{kErrDecode, "failed to decode the network configuration: stdin is not valid JSON", why};
  }
  if (!j.is_object()) {
    return CniError{kErrDecode, absl::StrCat("the network configuration must be a JSON object, not ", TypeName(j)), ""};
  }
  NetConf c;
  if (auto e = GetString(j, "cniVersion", &c.cni_version, true)) return e;
  if (!IsSupportedVersion(c.cni_version)) {
    return CniError{kErrIncompatibleVersion,
                    absl::StrCat("incompatible CNI version \"", c.cni_version, "\""),
                    absl::StrCat("this plugin supports ", absl::StrJoin(SupportedVersions(), ", "))};
  }
  if (auto e = GetString(j, "name", &c.name, true)) return e;
  if (ValidateContainerId(c.name)) {  // the same character rules as a container id
    return ConfigError(absl::StrCat("\"name\" \"", c.name,
                                    "\" is invalid: it must start with a letter or digit, then letters, digits, '_', '.' or '-'"));
  }
  if (auto e = GetString(j, "type", &c.type, true)) return e;
  if (c.type.empty()) return ConfigError("\"type\" is empty");

  if (auto e = GetString(j, "romanad", &c.romanad, false)) return e;
  if (!absl::StartsWith(c.romanad, "http://") && !absl::StartsWith(c.romanad, "https://")) {
    return ConfigError(absl::StrCat("\"romanad\" \"", c.romanad, "\" must be an http:// or https:// URL"));
  }
  if (auto e = GetString(j, "romanad_token_file", &c.romanad_token_file, false)) return e;
  if (auto e = GetString(j, "romanad_ca_file", &c.romanad_ca_file, false)) return e;
  if (auto e = GetInt(j, "romanad_timeout_ms", 100, 600000, &c.romanad_timeout_ms)) return e;
  if (auto e = GetInt(j, "mtu", 68, 65535, &c.mtu)) return e;
  if (auto e = GetString(j, "node_name", &c.node_name, false)) return e;
  if (c.node_name.size() > 253) return ConfigError("\"node_name\" is longer than 253 characters");
  if (auto e = GetString(j, "log_file", &c.log_file, false)) return e;
  if (auto e = GetString(j, "log_level", &c.log_level, false)) return e;
  static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error", "off"};
  if (!kLevels.count(c.log_level)) {
    return ConfigError(absl::StrCat("\"log_level\" \"", c.log_level, "\" must be one of trace, debug, info, warn, error, off"));
  }
  if (auto e = GetString(j, "segment_label", &c.segment_label, false)) return e;

  if (auto it = j.find("prevResult"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return ConfigError(absl::StrCat("\"prevResult\" must be an object, not ", TypeName(*it)));
    c.prev_result = *it;
  }
  for (const char* key : {"cni.dev/valid-attachments", "cni.dev/attachments"}) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) continue;
    std::vector<Attachment> list;
    if (auto e = ParseAttachments(*it, key, &list)) return e;
    if (!c.valid_attachments) c.valid_attachments.emplace();
    c.valid_attachments->insert(c.valid_attachments->end(), list.begin(), list.end());
  }
  if (auto args = j.find("args"); args != j.end() && args->is_object()) {
    auto cni = args->find("cni");
    if (cni != args->end() && cni->is_object()) {
      auto labels = cni->find("labels");
      if (labels != cni->end() && !labels->is_null()) {
        if (!labels->is_array()) return ConfigError("\"args.cni.labels\" must be an array of {key, value}");
        for (size_t i = 0; i < labels->size(); ++i) {
          const json& l = (*labels)[i];
          if (!l.is_object() || !l.contains("key") || !l["key"].is_string() || !l.contains("value") ||
              !l["value"].is_string()) {
            return ConfigError(absl::StrCat("\"args.cni.labels[", i, "]\" must be {\"key\": string, \"value\": string}"));
          }
          c.labels[l["key"].get<std::string>()] = l["value"].get<std::string>();
        }
      }
    }
  }
  *out = std::move(c);
  return std::nullopt;
}

}  // namespace romana::cni
