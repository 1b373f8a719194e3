#include "kube_apiserver/table.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace romana::kube_apiserver {
namespace {

using nlohmann::json;

struct MediaRange {
  std::string type;  // lower-cased "application/json"
  std::string as, group, version;
  bool refused = false;  // q=0
};

MediaRange ParseMediaRange(absl::string_view text) {
  MediaRange m;
  bool first = true;
  for (absl::string_view part : absl::StrSplit(text, ';')) {
    part = absl::StripAsciiWhitespace(part);
    if (first) {
      m.type = absl::AsciiStrToLower(part);
      first = false;
      continue;
    }
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(part, absl::MaxSplits('=', 1));
    const absl::string_view key = absl::StripAsciiWhitespace(kv.first);
    const absl::string_view value = absl::StripAsciiWhitespace(kv.second);
    if (key == "as") m.as = std::string(value);
    if (key == "g") m.group = std::string(value);
    if (key == "v") m.version = std::string(value);
    double q = 1;
    if (key == "q" && absl::SimpleAtod(value, &q) && q <= 0) m.refused = true;
  }
  return m;
}

}  // namespace

absl::StatusOr<std::optional<TableRequest>> ParseTableRequest(const std::string& accept,
                                                              const std::string& include_object) {
  std::optional<TableRequest> table;
  for (absl::string_view text : absl::StrSplit(accept, ',', absl::SkipWhitespace())) {
    const MediaRange m = ParseMediaRange(text);
    if (m.refused) continue;
    if (m.as.empty()) return std::nullopt;  // the plain object or list
    const bool json_type = m.type == "application/json" || m.type == "application/*" || m.type == "*/*";
    if (json_type && m.as == "Table" && m.group == "meta.k8s.io" && (m.version == "v1" || m.version == "v1beta1")) {
      table = TableRequest{.version = m.version};
      break;
    }
  }
  if (!table) return std::nullopt;
  if (include_object == "None") {
    table->include = TableRequest::Include::kNone;
  } else if (include_object == "Object") {
    table->include = TableRequest::Include::kObject;
  } else if (!include_object.empty() && include_object != "Metadata") {
    return absl::InvalidArgumentError(
        absl::StrCat("includeObject: must be None, Metadata or Object, not \"", include_object, "\""));
  }
  return table;
}

json TableDocument(const std::string& plural, const TableRequest& request, const std::vector<std::string_view>& objects,
                   json list_metadata, bool with_columns, std::chrono::system_clock::time_point now) {
  const std::string api_version = "meta.k8s.io/" + request.version;
  json columns = nullptr;  // as the API server encodes "no headers"
  if (with_columns) {
    columns = json::array();
    for (const TableColumn& c : TableColumns(plural)) {
      columns.push_back({{"name", c.name},
                         {"type", c.type},
                         {"format", c.format},
                         {"description", c.description},
                         {"priority", c.priority}});
    }
  }
  json rows = json::array();
  for (std::string_view text : objects) {
    json object = json::parse(text);
    json row = {{"cells", TableCells(plural, object, now)}};
    if (json conditions = TableRowConditions(plural, object); !conditions.is_null()) row["conditions"] = conditions;
    switch (request.include) {
      case TableRequest::Include::kNone:
        row["object"] = nullptr;
        break;
      case TableRequest::Include::kMetadata:
        row["object"] = {{"kind", "PartialObjectMetadata"},
                         {"apiVersion", api_version},
                         {"metadata", object.value("metadata", json::object())}};
        break;
      case TableRequest::Include::kObject:
        row["object"] = std::move(object);
        break;
    }
    rows.push_back(std::move(row));
  }
  return {{"kind", "Table"},
          {"apiVersion", api_version},
          {"metadata", list_metadata.is_object() ? std::move(list_metadata) : json::object()},
          {"columnDefinitions", std::move(columns)},
          {"rows", std::move(rows)}};
}

std::string HumanDuration(std::chrono::system_clock::duration d) {
  using std::chrono::duration_cast;
  const int64_t seconds = duration_cast<std::chrono::seconds>(d).count();  // truncated toward zero, as Go's int()
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return absl::StrCat(seconds, "s");
  const int64_t minutes = seconds / 60;
  if (minutes < 10) {
    const int64_t s = seconds % 60;
    return s == 0 ? absl::StrCat(minutes, "m") : absl::StrCat(minutes, "m", s, "s");
  }
  if (minutes < 60 * 3) return absl::StrCat(minutes, "m");
  const int64_t hours = seconds / 3600;
  if (hours < 8) {
    const int64_t m = minutes % 60;
    return m == 0 ? absl::StrCat(hours, "h") : absl::StrCat(hours, "h", m, "m");
  }
  if (hours < 48) return absl::StrCat(hours, "h");
  if (hours < 24 * 8) {
    const int64_t h = hours % 24;
    return h == 0 ? absl::StrCat(hours / 24, "d") : absl::StrCat(hours / 24, "d", h, "h");
  }
  if (hours < 24 * 365 * 2) return absl::StrCat(hours / 24, "d");
  if (hours < 24 * 365 * 8) {
    const int64_t dy = (hours / 24) % 365;
    return dy == 0 ? absl::StrCat(hours / 24 / 365, "y") : absl::StrCat(hours / 24 / 365, "y", dy, "d");
  }
  return absl::StrCat(hours / 24 / 365, "y");
}

}  // namespace romana::kube_apiserver
