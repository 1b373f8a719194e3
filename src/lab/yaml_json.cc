#include "lab/yaml_json.h"

#include <charconv>

#include "absl/strings/str_cat.h"
#include "yaml-cpp/yaml.h"

namespace romana::lab {
namespace {

nlohmann::json Scalar(const YAML::Node& n) {
  const std::string& v = n.Scalar();
  if (n.Tag() == "!") return v;  // quoted
  if (v == "true" || v == "True" || v == "TRUE") return true;
  if (v == "false" || v == "False" || v == "FALSE") return false;
  if (v == "~" || v == "null" || v == "Null" || v == "NULL") return nullptr;
  int64_t i = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), i);
  if (!v.empty() && ec == std::errc() && end == v.data() + v.size()) return i;
  return v;
}

nlohmann::json ToJson(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json o = nlohmann::json::object();
      for (const auto& kv : n) o[kv.first.as<std::string>()] = ToJson(kv.second);
      return o;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json a = nlohmann::json::array();
      for (const YAML::Node& e : n) a.push_back(ToJson(e));
      return a;
    }
    case YAML::NodeType::Scalar: return Scalar(n);
    default: return nullptr;
  }
}

}  // namespace

absl::StatusOr<std::vector<nlohmann::json>> YamlDocumentsToJson(const std::string& text) {
  try {
    std::vector<nlohmann::json> out;
    for (const YAML::Node& doc : YAML::LoadAll(text)) {
      if (doc.IsNull()) continue;
      out.push_back(ToJson(doc));
    }
    return out;
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("YAML line ", e.mark.line + 1, ": ", e.msg));
  }
}

}  // namespace romana::lab
