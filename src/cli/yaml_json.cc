#include "cli/yaml_json.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <regex>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace romana::cli {
namespace {

// The YAML 1.2 core schema's resolution of a plain scalar (as JSON).
nlohmann::json ResolvePlain(const std::string& s) {
  static const std::regex* kInt = new std::regex("[-+]?[0-9]+");
  static const std::regex* kOct = new std::regex("0o[0-7]+");
  static const std::regex* kHex = new std::regex("0x[0-9a-fA-F]+");
  static const std::regex* kFloat = new std::regex(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  static const std::regex* kSpecial = new std::regex(R"([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))");
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (std::regex_match(s, *kInt)) {
    int64_t v = 0;
    if (absl::SimpleAtoi(s, &v)) return v;
    return nlohmann::json::value_t::discarded;  // too large for JSON integers
  }
  if (std::regex_match(s, *kOct) || std::regex_match(s, *kHex)) {
    errno = 0;
    const int64_t v = std::strtoll(s.c_str() + 2, nullptr, s[1] == 'o' ? 8 : 16);
    if (errno == ERANGE) return nlohmann::json::value_t::discarded;
    return v;
  }
  if (std::regex_match(s, *kFloat)) {
    double d = 0;
    if (absl::SimpleAtod(s, &d) && std::isfinite(d)) return d;
    return nlohmann::json::value_t::discarded;
  }
  if (std::regex_match(s, *kSpecial)) return nlohmann::json::value_t::discarded;
  return s;
}

absl::StatusOr<nlohmann::json> Convert(const YAML::Node& node, int depth, size_t& values) {
  if (++values > kMaxYamlValues) {
    return absl::InvalidArgumentError(absl::StrCat("line ", node.Mark().line + 1, ": the document expands to more than ",
                                                   kMaxYamlValues, " values (aliases repeating an anchor?)"));
  }
  if (depth > kMaxYamlDepth) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", node.Mark().line + 1, ": nests deeper than ", kMaxYamlDepth, " levels"));
  }
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return nullptr;
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      const std::string& tag = node.Tag();
      if (tag == "!" || tag == "tag:yaml.org,2002:str") return s;  // quoted, block or !!str
      nlohmann::json v = ResolvePlain(s);
      if (v.is_discarded()) {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", node.Mark().line + 1, ": \"", s, "\" cannot be represented in JSON"));
      }
      return v;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const YAML::Node& item : node) {
        absl::StatusOr<nlohmann::json> v = Convert(item, depth + 1, values);
        if (!v.ok()) return v.status();
        out.push_back(*std::move(v));
      }
      return out;
    }
    case YAML::NodeType::Map: {
      nlohmann::json out = nlohmann::json::object();
      for (auto it = node.begin(); it != node.end(); ++it) {
        if (!it->first.IsScalar()) {
          return absl::InvalidArgumentError(
              absl::StrCat("line ", it->first.Mark().line + 1, ": a mapping key must be a scalar"));
        }
        absl::StatusOr<nlohmann::json> v = Convert(it->second, depth + 1, values);
        if (!v.ok()) return v.status();
        out[it->first.Scalar()] = *std::move(v);
      }
      return out;
    }
  }
  return absl::InvalidArgumentError("unknown YAML node");
}

}  // namespace

absl::StatusOr<nlohmann::json> YamlToJson(const YAML::Node& node) {
  size_t values = 0;
  return Convert(node, 0, values);
}

void EmitYaml(const nlohmann::json& value, YAML::Emitter& out) {
  switch (value.type()) {
    case nlohmann::json::value_t::object:
      out << YAML::BeginMap;
      for (auto it = value.begin(); it != value.end(); ++it) {
        out << YAML::Key;
        EmitYaml(it.key(), out);
        out << YAML::Value;
        EmitYaml(it.value(), out);
      }
      out << YAML::EndMap;
      return;
    case nlohmann::json::value_t::array:
      out << YAML::BeginSeq;
      for (const auto& v : value) EmitYaml(v, out);
      out << YAML::EndSeq;
      return;
    case nlohmann::json::value_t::string: {
      const std::string& s = value.get_ref<const std::string&>();
      if (ResolvePlain(s) != nlohmann::json(s)) out << YAML::DoubleQuoted;
      out << s;
      return;
    }
    case nlohmann::json::value_t::boolean: out << value.get<bool>(); return;
    case nlohmann::json::value_t::number_integer: out << value.get<int64_t>(); return;
    case nlohmann::json::value_t::number_unsigned: out << value.get<uint64_t>(); return;
    case nlohmann::json::value_t::number_float: out << value.dump(); return;
    default: out << YAML::Null; return;
  }
}

}  // namespace romana::cli
