#include "api/json_reader.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "api/field_error.h"

namespace romana::api {

namespace {

// The byte offset where `body` first nests deeper than `max_depth`, if it does. Brackets inside
// strings do not count; the scan does not validate anything else (the parser does).
std::optional<size_t> FindTooDeep(absl::string_view body, int max_depth) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<nlohmann::json> ParseJson(absl::string_view body, int max_depth) {
  if (std::optional<size_t> at = FindTooDeep(body, max_depth)) {
    return absl::InvalidArgumentError(
        absl::StrCat("the body nests arrays and objects deeper than ", max_depth, " levels (at byte ", *at, ")"));
  }
  nlohmann::json j = nlohmann::json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_discarded()) return j;
  // Re-parse with exceptions only to learn where and why for the message.
  try {
    nlohmann::json ignored = nlohmann::json::parse(body.begin(), body.end());
    (void)ignored;
  } catch (const nlohmann::json::parse_error& e) {
    return absl::InvalidArgumentError(absl::StrCat("the body is not valid JSON (at byte ", e.byte, ")"));
  } catch (const nlohmann::json::exception& e) {
    // out_of_range 406: a number beyond a double's range. what() = "[json.exception...] text".
    absl::string_view what = e.what();
    if (size_t pos = what.find("] "); pos != absl::string_view::npos) what.remove_prefix(pos + 2);
    return absl::InvalidArgumentError(absl::StrCat("the body is not valid JSON: ", what));
  }
  return absl::InvalidArgumentError("the body is not valid JSON");
}

std::string JoinPath(absl::string_view path, absl::string_view key) {
  if (path.empty()) return std::string(key);
  if (!key.empty() && key[0] == '[') return absl::StrCat(path, key);
  return absl::StrCat(path, ".", key);
}

ObjectReader::ObjectReader(const nlohmann::json& object, std::string path)
    : object_(object), path_(std::move(path)) {
  if (!object_.is_object()) {
    status_ = path_.empty() ? absl::InvalidArgumentError("the body must be a JSON object")
                            : FieldError(path_, "must be a JSON object");
  }
}

void ObjectReader::Fail(absl::string_view key, absl::string_view message) {
  if (status_.ok()) status_ = FieldError(Path(key), message);
}

const nlohmann::json* ObjectReader::Lookup(absl::string_view key, bool required) {
  known_.insert(std::string(key));
  if (!object_.is_object()) return nullptr;
  auto it = object_.find(std::string(key));
  if (it == object_.end() || it->is_null()) {
    if (required) Fail(key, "is required");
    return nullptr;
  }
  return &*it;
}

std::string ObjectReader::String(absl::string_view key, bool required) {
  const nlohmann::json* v = Lookup(key, required);
  if (v == nullptr) return "";
  if (!v->is_string()) {
    Fail(key, "must be a string");
    return "";
  }
  std::string s = v->get<std::string>();
  if (required && s.empty()) Fail(key, "must not be empty");
  return s;
}

std::optional<int64_t> ObjectReader::Int(absl::string_view key, bool required) {
  const nlohmann::json* v = Lookup(key, required);
  if (v == nullptr) return std::nullopt;
  if (v->is_number_integer()) return v->get<int64_t>();
  if (v->is_number_unsigned()) {
    Fail(key, "is out of range");
    return std::nullopt;
  }
  if (v->is_number_float()) {
    double d = v->get<double>();
    if (d == static_cast<double>(static_cast<int64_t>(d))) return static_cast<int64_t>(d);
  }
  Fail(key, "must be an integer");
  return std::nullopt;
}

bool ObjectReader::Bool(absl::string_view key, bool required) {
  const nlohmann::json* v = Lookup(key, required);
  if (v == nullptr) return false;
  if (!v->is_boolean()) {
    Fail(key, "must be true or false");
    return false;
  }
  return v->get<bool>();
}

std::map<std::string, std::string> ObjectReader::StringMap(absl::string_view key, bool required) {
  std::map<std::string, std::string> out;
  const nlohmann::json* v = Lookup(key, required);
  if (v == nullptr) return out;
  if (!v->is_object()) {
    Fail(key, "must be an object of strings");
    return out;
  }
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (!it.value().is_string()) {
      Fail(absl::StrCat(key, ".", it.key()), "must be a string");
      return {};
    }
    if (it.key().empty()) {
      Fail(key, "keys must not be empty");
      return {};
    }
    out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

const nlohmann::json* ObjectReader::Array(absl::string_view key, bool required) {
  const nlohmann::json* v = Lookup(key, required);
  if (v == nullptr) return nullptr;
  if (!v->is_array()) {
    Fail(key, "must be an array");
    return nullptr;
  }
  return v;
}

const nlohmann::json* ObjectReader::Raw(absl::string_view key, bool required) {
  return Lookup(key, required);
}

absl::Status ObjectReader::Finish(bool reject_unknown) {
  if (!status_.ok() || !reject_unknown) return status_;
  for (auto it = object_.begin(); it != object_.end(); ++it) {
    if (!known_.contains(it.key())) return FieldError(Path(it.key()), "unknown field");
  }
  return absl::OkStatus();
}

}  // namespace romana::api
