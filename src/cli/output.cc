#include "cli/output.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

namespace romana::cli {
namespace {

YAML::Node ToYaml(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      YAML::Node n(YAML::NodeType::Map);
      for (auto it = j.begin(); it != j.end(); ++it) n[it.key()] = ToYaml(it.value());
      return n;
    }
    case nlohmann::json::value_t::array: {
      YAML::Node n(YAML::NodeType::Sequence);
      for (const auto& v : j) n.push_back(ToYaml(v));
      return n;
    }
    case nlohmann::json::value_t::string: return YAML::Node(j.get<std::string>());
    case nlohmann::json::value_t::boolean: return YAML::Node(j.get<bool>());
    case nlohmann::json::value_t::number_integer: return YAML::Node(j.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: return YAML::Node(j.get<uint64_t>());
    case nlohmann::json::value_t::number_float: return YAML::Node(j.get<double>());
    default: return YAML::Node(YAML::NodeType::Null);
  }
}

}  // namespace

void PrintTable(const Table& t, std::ostream& out) {
  std::vector<size_t> width(t.header.size(), 0);
  for (size_t i = 0; i < t.header.size(); ++i) width[i] = t.header[i].size();
  for (const auto& row : t.rows) {
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s;
    for (size_t i = 0; i < width.size(); ++i) {
      const std::string cell = i < cells.size() ? cells[i] : "";
      s += cell;
      if (i + 1 < width.size()) s += std::string(width[i] - cell.size() + 2, ' ');
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    out << s << "\n";
  };
  line(t.header);
  for (const auto& row : t.rows) line(row);
}

void PrintJson(const nlohmann::json& value, std::ostream& out) { out << value.dump(2) << "\n"; }

void PrintYaml(const nlohmann::json& value, std::ostream& out) {
  YAML::Emitter e;
  e << ToYaml(value);
  out << e.c_str() << "\n";
}

std::string LabelsText(const nlohmann::json& labels) {
  if (!labels.is_object()) return "";
  std::string s;
  for (auto it = labels.begin(); it != labels.end(); ++it) {
    if (!s.empty()) s += ",";
    s += it.key() + "=" + (it->is_string() ? it->get<std::string>() : it->dump());
  }
  return s;
}

}  // namespace romana::cli
