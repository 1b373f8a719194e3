// output.h: how romanactl prints answers: aligned tables, JSON or YAML. Pure; thread-safe.
#ifndef ROMANA_CLI_OUTPUT_H_
#define ROMANA_CLI_OUTPUT_H_

#include <ostream>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace romana::cli {

enum class Format { kTable, kJson, kYaml };

// A table: header row plus rows; columns are padded to their widest cell, two spaces apart.
struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};
void PrintTable(const Table& table, std::ostream& out);

// Pretty JSON (2-space indent) or block-style YAML of `value`.
void PrintJson(const nlohmann::json& value, std::ostream& out);
void PrintYaml(const nlohmann::json& value, std::ostream& out);

// "k=v,k2=v2" for a JSON object of strings ("" for an empty or missing object).
std::string LabelsText(const nlohmann::json& labels);

// A Kubernetes label selector ({"matchLabels", "matchExpressions"}) as kubectl prints it:
// "app=web,tier in (a,b),!legacy"; "<none>" for the empty selector (it selects everything).
std::string LabelSelectorText(const nlohmann::json& selector);

}  // namespace romana::cli

#endif  // ROMANA_CLI_OUTPUT_H_
