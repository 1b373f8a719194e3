// Reads served from the watch cache: lists (filtered through the StateIndex's indexes), single
// records, and GET /snapshot (several kinds at one revision). Answers are rendered by splicing
// the stored JSON text (never parsed per request); see docs/api.md, "Reads".
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "api/field_error.h"
#include "api/types.h"
#include "daemon/server.h"
#include "http_server/request.h"

namespace romana::daemon {
namespace {

using Reply = Server::Reply;

// ?revision=N: the read must reflect at least revision N (0 or absent: no minimum beyond this
// replica's own writes).
absl::StatusOr<store::Revision> MinRevision(const http_server::Request& req) {
  int64_t r = 0;
  if (req.HasParam("revision") && (!absl::SimpleAtoi(req.Param("revision"), &r) || r < 0)) {
    return api::FieldError("revision", "must be a non-negative integer");
  }
  return r;
}

// `"<plural>":[v1,v2,...]` from the stored texts.
void AppendList(std::string& out, const std::string& plural, const std::vector<StateIndex::Value>& values) {
  absl::StrAppend(&out, "\"", plural, "\":[");
  for (size_t i = 0; i < values.size(); ++i) absl::StrAppend(&out, i == 0 ? "" : ",", *values[i]);
  out += "]";
}

// True when the record's string `field` equals `value` (the second and later filters of a list
// apply to the few records the first one's index returned).
bool FieldEquals(const std::string& text, const std::string& field, const std::string& value) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return false;
  auto it = j.find(field);
  return it != j.end() && it->is_string() && it->get<std::string>() == value;
}

}  // namespace

absl::StatusOr<Reply> Server::ListDir(const http_server::Request& req, const std::string& plural, const Filters& filters) {
  absl::StatusOr<store::Revision> min = MinRevision(req);
  if (!min.ok()) return min.status();
  Filters active;
  for (const auto& f : filters) {
    if (!f.second.empty()) active.push_back(f);
  }
  std::vector<StateIndex::Value> values;
  absl::StatusOr<store::Revision> at = cache_->Read(*min, [&](const StateIndex& s) -> absl::Status {
    absl::StatusOr<std::vector<StateIndex::Value>> v =
        active.empty() ? s.List(plural) : s.List(plural, active[0].first, active[0].second);
    if (!v.ok()) return v.status();
    values = *std::move(v);
    return absl::OkStatus();
  });
  if (!at.ok()) return at.status();
  for (size_t i = 1; i < active.size(); ++i) {
    std::erase_if(values, [&](const StateIndex::Value& v) { return !FieldEquals(*v, active[i].first, active[i].second); });
  }
  Reply r;
  r.raw = "{";
  AppendList(r.raw, plural, values);
  absl::StrAppend(&r.raw, ",\"revision\":", *at, "}\n");
  return r;
}

absl::StatusOr<Reply> Server::GetKey(const std::string& key, const std::string& what) {
  StateIndex::Value value;
  absl::StatusOr<store::Revision> at = cache_->Read(0, [&](const StateIndex& s) -> absl::Status {
    absl::StatusOr<StateIndex::Value> v = s.Get(key);
    if (!v.ok()) return v.status();
    value = *std::move(v);
    return absl::OkStatus();
  });
  if (!at.ok()) return at.status();
  if (value == nullptr) return absl::NotFoundError(absl::StrCat(what, " not found"));
  Reply r;
  r.raw = *value + "\n";
  return r;
}

absl::StatusOr<Reply> Server::GetByIndex(const std::string& plural, const std::string& field, const std::string& value,
                                         const std::string& what) {
  StateIndex::Value found;
  absl::StatusOr<store::Revision> at = cache_->Read(0, [&](const StateIndex& s) -> absl::Status {
    absl::StatusOr<std::vector<StateIndex::Value>> v = s.List(plural, field, value);
    if (!v.ok()) return v.status();
    if (!v->empty()) found = v->front();
    return absl::OkStatus();
  });
  if (!at.ok()) return at.status();
  if (found == nullptr) return absl::NotFoundError(absl::StrCat(what, " not found"));
  Reply r;
  r.raw = *found + "\n";
  return r;
}

void Server::RegisterSnapshotRoute() {
  Route("GET", "/snapshot", "snapshot", Access::kRead,
        [this](const http_server::Request& req, const nlohmann::json&) -> absl::StatusOr<Reply> {
          absl::StatusOr<store::Revision> min = MinRevision(req);
          if (!min.ok()) return min.status();
          std::vector<std::string> kinds;
          if (req.HasParam("kinds")) kinds = absl::StrSplit(req.Param("kinds"), ',', absl::SkipEmpty());
          absl::StatusOr<KindMask> mask = KindMaskOf(kinds);
          if (!mask.ok()) return mask.status();
          std::vector<std::pair<std::string, std::vector<StateIndex::Value>>> lists;
          const std::vector<std::string>& all = api::AllWatchKinds();
          absl::StatusOr<store::Revision> at = cache_->Read(*min, [&](const StateIndex& s) -> absl::Status {
            for (size_t i = 0; i < all.size(); ++i) {
              if ((*mask & (KindMask{1} << i)) == 0) continue;
              absl::StatusOr<std::vector<StateIndex::Value>> v = s.List(all[i]);
              if (!v.ok()) return v.status();
              lists.emplace_back(all[i], *std::move(v));
            }
            return absl::OkStatus();
          });
          if (!at.ok()) return at.status();
          Reply r;
          r.raw = "{";
          for (const auto& [plural, values] : lists) {
            AppendList(r.raw, plural, values);
            r.raw += ",";
          }
          absl::StrAppend(&r.raw, "\"revision\":", *at, "}\n");
          return r;
        });
}

}  // namespace romana::daemon
