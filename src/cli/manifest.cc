#include "cli/manifest.h"

#include <yaml-cpp/yaml.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cli/yaml_json.h"

namespace romana::cli {

absl::StatusOr<std::vector<nlohmann::json>> ReadManifests(const std::string& text) {
  if (text.size() > kMaxManifestBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("the input is ", text.size(), " bytes, over the limit of ", kMaxManifestBytes, " bytes"));
  }
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("not valid YAML or JSON: line ", e.mark.line + 1, ", column ",
                                                   e.mark.column + 1, ": ", e.msg));
  }
  std::vector<nlohmann::json> out;
  for (size_t d = 0; d < docs.size(); ++d) {
    const std::string where = absl::StrCat("document ", d + 1);
    absl::StatusOr<nlohmann::json> j = YamlToJson(docs[d]);
    if (!j.ok()) return absl::InvalidArgumentError(absl::StrCat(where, ": ", j.status().message()));
    if (j->is_null()) continue;
    if (!j->is_object()) return absl::InvalidArgumentError(absl::StrCat(where, ": must be an object"));
    const nlohmann::json kind = j->value("kind", nlohmann::json());
    if (!kind.is_string() || !absl::EndsWith(kind.get<std::string>(), "List")) {
      out.push_back(*std::move(j));
      continue;
    }
    const nlohmann::json items = j->value("items", nlohmann::json::array());
    if (!items.is_array()) return absl::InvalidArgumentError(absl::StrCat(where, ": \"items\" must be a list"));
    for (size_t i = 0; i < items.size(); ++i) {
      if (!items[i].is_object()) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": items[", i, "] must be an object"));
      }
      out.push_back(items[i]);
    }
  }
  return out;
}

}  // namespace romana::cli
