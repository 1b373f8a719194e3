#include "cli/output.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "cli/yaml_json.h"

namespace romana::cli {

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
  EmitYaml(value, e);
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

std::string LabelSelectorText(const nlohmann::json& selector) {
  std::vector<std::string> parts;
  if (selector.is_object() && selector.contains("matchLabels")) {
    const std::string labels = LabelsText(selector["matchLabels"]);
    if (!labels.empty()) parts.push_back(labels);
  }
  if (selector.is_object() && selector.contains("matchExpressions") && selector["matchExpressions"].is_array()) {
    for (const nlohmann::json& e : selector["matchExpressions"]) {
      if (!e.is_object()) continue;
      const std::string key = e.value("key", "");
      const std::string op = e.value("operator", "");
      std::string values;
      for (const nlohmann::json& v : e.value("values", nlohmann::json::array())) {
        values += (values.empty() ? "" : ",") + (v.is_string() ? v.get<std::string>() : v.dump());
      }
      if (op == "In") parts.push_back(key + " in (" + values + ")");
      else if (op == "NotIn") parts.push_back(key + " notin (" + values + ")");
      else if (op == "Exists") parts.push_back(key);
      else if (op == "DoesNotExist") parts.push_back("!" + key);
      else parts.push_back(key + " " + op + " (" + values + ")");
    }
  }
  if (parts.empty()) return "<none>";
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ",") + p;
  return out;
}

}  // namespace romana::cli
