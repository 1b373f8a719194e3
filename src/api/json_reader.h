// json_reader.h: reads a JSON object field by field and reports the first problem as a
// FieldError naming the JSON path ("hosts[2].labels.rack: must be a string").
//
// Used by every request parser (api types, policy) so that bad input always gets a 400 that
// names the field. Unknown keys are errors by default (a typo such as "applied-to" must not be
// silently dropped). Not thread-safe; one reader per parse.
#ifndef ROMANA_API_JSON_READER_H_
#define ROMANA_API_JSON_READER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace romana::api {

// How deep arrays and objects may nest in input we parse. Every document of the API nests far
// less (a topology tree of 32 levels is about 70); deeper input is hostile, and a recursive
// walk of it (dump(), a destructor, a validator) would overflow the stack.
inline constexpr int kMaxJsonDepth = 100;

// Parses `body` as JSON. InvalidArgument, naming the byte offset, when it is not valid JSON,
// when it nests deeper than `max_depth` (checked before anything is built), or when a number
// does not fit a double (1e999). Never throws.
absl::StatusOr<nlohmann::json> ParseJson(absl::string_view body, int max_depth = kMaxJsonDepth);

// Joins a path and a key: Join("", "a") = "a", Join("a", "b") = "a.b", Join("a", "[2]") = "a[2]".
std::string JoinPath(absl::string_view path, absl::string_view key);

class ObjectReader {
 public:
  // `object` must outlive the reader. `path` is the JSON path of `object` ("" for the root).
  ObjectReader(const nlohmann::json& object, std::string path);

  // Each getter returns the value, or a default when the key is missing (and records an error
  // when `required`) or has the wrong type (always an error). Only the first error is kept.
  std::string String(absl::string_view key, bool required = false);
  std::optional<int64_t> Int(absl::string_view key, bool required = false);
  bool Bool(absl::string_view key, bool required = false);
  std::map<std::string, std::string> StringMap(absl::string_view key, bool required = false);
  // The array at `key` (nullptr when missing; an error unless it is an array).
  const nlohmann::json* Array(absl::string_view key, bool required = false);
  // Any value at `key`, unchecked (nullptr when missing). Marks the key as known.
  const nlohmann::json* Raw(absl::string_view key, bool required = false);
  // Marks keys as allowed without reading them.
  void Allow(absl::string_view key) { known_.insert(std::string(key)); }

  // Records an error found by the caller about `key` (path is added).
  void Fail(absl::string_view key, absl::string_view message);
  bool ok() const { return status_.ok(); }
  std::string Path(absl::string_view key) const { return JoinPath(path_, key); }

  // The first error, else an error for the first unknown key (when `reject_unknown`), else OK.
  absl::Status Finish(bool reject_unknown = true);

 private:
  const nlohmann::json* Lookup(absl::string_view key, bool required);

  const nlohmann::json& object_;
  std::string path_;
  std::set<std::string> known_;
  absl::Status status_;
};

}  // namespace romana::api

#endif  // ROMANA_API_JSON_READER_H_
