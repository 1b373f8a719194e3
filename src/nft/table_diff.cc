#include "nft/table_diff.h"

#include <set>
#include <string>

namespace romana::nft {
namespace {

using json = nlohmann::json;

class Builder {
 public:
  Builder(const Table& t, DiffStats& stats) : t_(t), stats_(stats) {}

  json Ref(const std::string& kind_key, const std::string& name) const {
    return json{{"family", t_.family}, {"table", t_.name}, {kind_key, name}};
  }
  json Id(const std::string& name) const { return Ref("name", name); }

  void AddTable() { Cmd("add", "table", json{{"family", t_.family}, {"name", t_.name}}); }
  void DeleteTable() { Cmd("delete", "table", json{{"family", t_.family}, {"name", t_.name}}); }

  void AddSet(const std::string& name, const Set& s) {
    json o = Id(name);
    o["type"] = s.type.size() == 1 ? json(s.type[0]) : json(s.type);
    if (!s.flags.empty()) o["flags"] = s.flags;
    if (!s.map.empty()) o["map"] = s.map;
    if (!s.elements.empty()) o["elem"] = Elements(s, s.elements);
    Cmd("add", s.map.empty() ? "set" : "map", std::move(o));
    ++stats_.sets_added;
  }
  void DeleteSet(const std::string& name, const Set& s) {
    Cmd("delete", s.map.empty() ? "set" : "map", Id(name));
    ++stats_.sets_deleted;
  }
  void Elements(const char* verb, const std::string& name, const Set& s,
                const std::map<json, json>& elements) {
    if (elements.empty()) return;
    json o = Id(name);
    o["elem"] = Elements(s, elements);
    Cmd(verb, "element", std::move(o));
    (std::string(verb) == "add" ? stats_.elements_added : stats_.elements_deleted) +=
        static_cast<int>(elements.size());
  }

  void AddChain(const std::string& name, const Chain& c) {
    json o = Id(name);
    if (c.base) {
      o["type"] = c.base->type;
      o["hook"] = c.base->hook;
      o["prio"] = c.base->priority;
      o["policy"] = c.base->policy;
    }
    Cmd("add", "chain", std::move(o));
  }
  void FlushChain(const std::string& name) { Cmd("flush", "chain", Id(name)); }
  void DeleteChain(const std::string& name) {
    Cmd("delete", "chain", Id(name));
    ++stats_.chains_deleted;
  }
  void AddRules(const std::string& name, const Chain& c) {
    for (const json& expr : c.rules) {
      json o = Ref("chain", name);
      o["expr"] = expr;
      o["comment"] = RuleKey(expr);
      Cmd("add", "rule", std::move(o));
    }
    ++stats_.chains_written;
  }

  void CreateAll() {
    AddTable();
    for (const auto& [name, c] : t_.chains) AddChain(name, c);
    for (const auto& [name, s] : t_.sets) AddSet(name, s);
    for (const auto& [name, c] : t_.chains) AddRules(name, c);
  }

  json Take() { return std::move(commands_); }

 private:
  static json Elements(const Set& s, const std::map<json, json>& elements) {
    json out = json::array();
    for (const auto& [key, value] : elements) {
      out.push_back(s.map.empty() ? key : json::array({key, value}));
    }
    return out;
  }
  void Cmd(const char* verb, const char* kind, json object) {
    commands_.push_back(json{{verb, json{{kind, std::move(object)}}}});
  }

  const Table& t_;
  DiffStats& stats_;
  json commands_ = json::array();
};

bool NeedsRecreate(const Table& desired, const TableState& actual) {
  for (const auto& [name, s] : desired.sets) {
    auto it = actual.sets.find(name);
    if (it != actual.sets.end() && !s.SameDefinition(it->second)) return true;
  }
  for (const auto& [name, c] : desired.chains) {
    auto it = actual.chains.find(name);
    if (it != actual.chains.end() && c.base != it->second.base) return true;
  }
  // A set or map whose name is reused with the other kind needs recreation too: SameDefinition
  // compares `map`. Chains we no longer want that are base chains are simply deleted.
  return false;
}

}  // namespace

json DiffTable(const Table& desired, const std::optional<TableState>& actual, DiffStats* stats) {
  DiffStats local;
  DiffStats& st = stats ? *stats : local;
  st = DiffStats{};
  Builder b(desired, st);
  if (!actual.has_value()) {
    st.recreate = true;
    b.CreateAll();
    return b.Take();
  }
  if (NeedsRecreate(desired, *actual)) {
    st.recreate = true;
    b.AddTable();
    b.DeleteTable();
    b.CreateAll();
    return b.Take();
  }
  // 1. New chains (empty), then new sets (a map's elements may jump to a new chain), so later
  // commands may refer to them.
  for (const auto& [name, c] : desired.chains) {
    if (!actual->chains.contains(name)) b.AddChain(name, c);
  }
  for (const auto& [name, s] : desired.sets) {
    if (!actual->sets.contains(name)) b.AddSet(name, s);
  }
  // 2. Flush chains whose rules changed and chains to be deleted: their references go away.
  std::set<std::string> rewrite;
  for (const auto& [name, c] : desired.chains) {
    auto it = actual->chains.find(name);
    std::vector<std::string> keys;
    for (const json& r : c.rules) keys.push_back(RuleKey(r));
    if (it == actual->chains.end()) {
      rewrite.insert(name);
    } else if (it->second.rule_keys != keys) {
      if (!it->second.rule_keys.empty()) b.FlushChain(name);
      rewrite.insert(name);
    }
  }
  for (const auto& [name, c] : actual->chains) {
    if (!desired.chains.contains(name) && !c.rule_keys.empty()) b.FlushChain(name);
  }
  // Sets and maps no longer wanted: after the flushes nothing refers to them, and a map's
  // elements go with it (they may jump to chains deleted below).
  for (const auto& [name, s] : actual->sets) {
    if (!desired.sets.contains(name)) b.DeleteSet(name, s);
  }
  // 3. Membership: deletions first (a map element may jump to a chain deleted below).
  for (const auto& [name, s] : desired.sets) {
    auto it = actual->sets.find(name);
    if (it == actual->sets.end()) continue;
    std::map<json, json> del, add;
    for (const auto& [k, v] : it->second.elements) {
      auto d = s.elements.find(k);
      if (d == s.elements.end() || d->second != v) del.emplace(k, v);
    }
    for (const auto& [k, v] : s.elements) {
      auto a = it->second.elements.find(k);
      if (a == it->second.elements.end() || a->second != v) add.emplace(k, v);
    }
    b.Elements("delete", name, s, del);
    b.Elements("add", name, s, add);
  }
  // 4. Rules of new and changed chains.
  for (const std::string& name : rewrite) {
    const Chain& c = desired.chains.at(name);
    if (c.rules.empty()) {
      ++st.chains_written;  // flushed (or created) empty
    } else {
      b.AddRules(name, c);
    }
  }
  // 5. Chains that are no longer wanted (flushed above, no longer referenced).
  for (const auto& [name, c] : actual->chains) {
    if (!desired.chains.contains(name)) b.DeleteChain(name);
  }
  return b.Take();
}

json RemoveTableCommands(const std::string& family, const std::string& name) {
  const json id{{"family", family}, {"name", name}};
  return json::array({json{{"add", json{{"table", id}}}}, json{{"delete", json{{"table", id}}}}});
}

}  // namespace romana::nft
