// yaml_json.h: converts between YAML (yaml-cpp) and JSON (nlohmann) so that a value survives a
// round trip: what romanactl prints with -o yaml reads back (apply -f) as the same JSON.
//
// Plain (unquoted) YAML scalars are typed by the YAML 1.2 core schema: null (~, null, empty),
// true/false, integers (decimal, 0x, 0o), floats; anything else, and every quoted or block
// scalar, is a string. When printing, a string that would read back as something else ("80",
// "true", "") is quoted. Pure; thread-safe.
#ifndef ROMANA_CLI_YAML_JSON_H_
#define ROMANA_CLI_YAML_JSON_H_

#include <yaml-cpp/yaml.h>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace romana::cli {

// Bounds on what YamlToJson builds: nesting (as the API's JSON bodies, api::kMaxJsonDepth) and
// the number of values, which aliases can multiply ("billion laughs": a few lines naming an
// anchor ten times per level expand to 10^levels values).
inline constexpr int kMaxYamlDepth = 100;
inline constexpr size_t kMaxYamlValues = 1000000;

// InvalidArgument for what JSON cannot hold (.inf, .nan, integers beyond 64 bits, non-scalar
// mapping keys, aliases to nothing), and for input beyond the bounds above (naming the line).
absl::StatusOr<nlohmann::json> YamlToJson(const YAML::Node& node);

// Writes `value` as block-style YAML into `out`.
void EmitYaml(const nlohmann::json& value, YAML::Emitter& out);

}  // namespace romana::cli

#endif  // ROMANA_CLI_YAML_JSON_H_
