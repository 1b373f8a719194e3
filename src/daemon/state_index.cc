#include "daemon/state_index.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "api/types.h"
#include "nlohmann/json.hpp"

namespace romana::daemon {
namespace {

struct IndexedField {
  std::string kind;
  std::string field;         // the name lists filter by
  nlohmann::json::json_pointer at;  // where the value is in the stored object
};

// The indexed (kind, field) pairs; see the header. A NetworkPolicy is stored as Kubernetes
// writes it, so its namespace is metadata.namespace.
const std::vector<IndexedField>& IndexedFields() {
  using P = nlohmann::json::json_pointer;
  static const auto* fields = new std::vector<IndexedField>{
      {"addresses", "host", P("/host")},           {"addresses", "ip", P("/ip")},
      {"blocks", "host", P("/host")},              {"blocks", "network", P("/network")},
      {"endpoints", "node", P("/node")},           {"endpoints", "namespace", P("/namespace")},
      {"groups", "network", P("/network")},        {"networkpolicies", "namespace", P("/metadata/namespace")},
      {"vips", "node", P("/node")},                {"vips", "namespace", P("/namespace")},
      {"vips", "ip", P("/ip")}};
  return *fields;
}

absl::Status NotJson(const std::string& key) {
  return absl::DataLossError(absl::StrCat("store key ", key, " does not hold JSON"));
}

}  // namespace

StateIndex::StateIndex(Keys keys) : keys_(std::move(keys)) {
  for (const std::string& k : api::AllWatchKinds()) by_kind_[k];
}

bool StateIndex::IsIndexed(const std::string& plural, const std::string& field) {
  for (const IndexedField& f : IndexedFields()) {
    if (f.kind == plural && f.field == field) return true;
  }
  return false;
}

std::string StateIndex::IndexKey(const std::string& plural, const std::string& field, const std::string& value) {
  return absl::StrCat(plural, std::string(1, '\0'), field, std::string(1, '\0'), value);
}

void StateIndex::Unindex(const std::string& key, const Record& r) {
  for (const std::string& ik : r.index_keys) {
    auto it = index_.find(ik);
    if (it == index_.end()) continue;
    it->second.erase(key);
    if (it->second.empty()) index_.erase(it);
  }
}

StateIndex::Value StateIndex::Put(const std::string& key, std::string value, store::Revision mod_revision) {
  const std::string kind = keys_.KindOf(key);
  if (kind.empty()) return nullptr;
  Record r;
  r.mod_revision = mod_revision;
  nlohmann::json j = nlohmann::json::parse(value, nullptr, false);
  r.is_json = !j.is_discarded();
  if (j.is_object()) {
    for (const IndexedField& f : IndexedFields()) {
      if (f.kind != kind || !j.contains(f.at)) continue;
      const nlohmann::json& v = j.at(f.at);
      if (v.is_string()) r.index_keys.push_back(IndexKey(f.kind, f.field, v.get<std::string>()));
    }
  }
  r.value = std::make_shared<const std::string>(std::move(value));
  auto& records = by_kind_[kind];
  auto it = records.find(key);
  Value previous;
  if (it != records.end()) {
    previous = it->second.value;
    Unindex(key, it->second);
  }
  for (const std::string& ik : r.index_keys) index_[ik].insert(key);
  if (it != records.end()) {
    it->second = std::move(r);
  } else {
    records.emplace(key, std::move(r));
    ++size_;
  }
  return previous;
}

StateIndex::Value StateIndex::Delete(const std::string& key) {
  const std::string kind = keys_.KindOf(key);
  if (kind.empty()) return nullptr;
  auto& records = by_kind_[kind];
  auto it = records.find(key);
  if (it == records.end()) return nullptr;
  Value previous = it->second.value;
  Unindex(key, it->second);
  records.erase(it);
  --size_;
  return previous;
}

absl::StatusOr<StateIndex::Value> StateIndex::Get(const std::string& key) const {
  const std::string kind = keys_.KindOf(key);
  if (kind.empty()) return nullptr;
  const auto& records = by_kind_.at(kind);
  auto it = records.find(key);
  if (it == records.end()) return nullptr;
  if (!it->second.is_json) return NotJson(key);
  return it->second.value;
}

absl::StatusOr<std::vector<StateIndex::Value>> StateIndex::List(const std::string& plural, const std::string& field,
                                                                const std::string& value) const {
  auto kind = by_kind_.find(plural);
  if (kind == by_kind_.end()) return absl::InvalidArgumentError(absl::StrCat("unknown kind \"", plural, "\""));
  const auto& records = kind->second;
  std::vector<Value> out;
  auto add = [&](const std::string& key, const Record& r) -> absl::Status {
    if (!r.is_json) return NotJson(key);
    out.push_back(r.value);
    return absl::OkStatus();
  };
  if (field.empty()) {
    out.reserve(records.size());
    for (const auto& [key, r] : records) {
      if (absl::Status s = add(key, r); !s.ok()) return s;
    }
    return out;
  }
  auto hit = index_.find(IndexKey(plural, field, value));
  if (hit == index_.end()) return out;
  out.reserve(hit->second.size());
  for (const std::string& key : hit->second) {
    if (absl::Status s = add(key, records.at(key)); !s.ok()) return s;
  }
  return out;
}

}  // namespace romana::daemon
