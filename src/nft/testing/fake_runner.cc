#include "nft/testing/fake_runner.h"

#include "absl/strings/str_cat.h"

namespace romana::nft::testing {

using json = nlohmann::json;

namespace {
absl::Status Missing(const std::string& what) {
  return absl::NotFoundError(absl::StrCat("nft: Error: No such file or directory (", what, ")"));
}
}  // namespace

absl::StatusOr<json> FakeRunner::Run(const json& document) {
  if (!document.is_object() || !document.contains("nftables") || !document["nftables"].is_array()) {
    return absl::InternalError("nft: Error: no nftables array");
  }
  const json& commands = document["nftables"];
  if (commands.size() == 1 && commands[0].contains("list")) {
    ++reads_;
    return List(commands[0]["list"]);
  }
  ++writes_;
  Tables copy = tables_;
  try {
    for (const json& c : commands) {
      for (const auto& [verb, body] : c.items()) {
        for (const auto& [kind, o] : body.items()) {
          if (absl::Status s = Apply(copy, verb, kind, o); !s.ok()) return s;
        }
      }
    }
  } catch (const json::exception& e) {
    return absl::InternalError(absl::StrCat("nft: Error: ", e.what()));
  }
  tables_ = std::move(copy);
  return json::object();
}

absl::Status FakeRunner::Apply(Tables& tables, const std::string& verb, const std::string& kind,
                               const json& o) {
  const std::string family = o.at("family").get<std::string>();
  const std::string table = kind == "table" ? o.at("name").get<std::string>() : o.at("table").get<std::string>();
  auto key = std::make_pair(family, table);
  if (kind == "table") {
    if (verb == "add") {
      tables[key];
    } else if (verb == "delete") {
      if (tables.erase(key) == 0) return Missing("table " + table);
    } else {
      return absl::InternalError("nft: Error: unsupported table command " + verb);
    }
    return absl::OkStatus();
  }
  auto t = tables.find(key);
  if (t == tables.end()) return Missing("table " + table);
  FakeTable& ft = t->second;
  if (kind == "set" || kind == "map") {
    const std::string name = o.at("name").get<std::string>();
    if (verb == "add") {
      FakeSet& s = ft.sets[name];
      s.is_map = kind == "map";
      s.definition = o;
      s.definition.erase("elem");
      if (o.contains("elem")) {
        for (const json& e : o["elem"]) {
          if (s.is_map) s.elements[e[0]] = e[1]; else s.elements[e] = nullptr;
        }
      }
    } else if (verb == "delete") {
      if (ft.sets.erase(name) == 0) return Missing("set " + name);
    } else {
      return absl::InternalError("nft: Error: unsupported set command " + verb);
    }
    return absl::OkStatus();
  }
  if (kind == "element") {
    auto s = ft.sets.find(o.at("name").get<std::string>());
    if (s == ft.sets.end()) return Missing("set");
    for (const json& e : o.at("elem")) {
      const json k = s->second.is_map ? e[0] : e;
      if (verb == "add") {
        s->second.elements[k] = s->second.is_map ? e[1] : json();
      } else if (verb == "delete") {
        if (s->second.elements.erase(k) == 0) return Missing("element");
      } else {
        return absl::InternalError("nft: Error: unsupported element command " + verb);
      }
    }
    return absl::OkStatus();
  }
  if (kind == "chain") {
    const std::string name = o.at("name").get<std::string>();
    if (verb == "add") {
      if (!ft.chains.contains(name)) ft.chains[name].definition = o;
    } else if (verb == "flush") {
      auto c = ft.chains.find(name);
      if (c == ft.chains.end()) return Missing("chain " + name);
      c->second.rules.clear();
    } else if (verb == "delete") {
      if (ft.chains.erase(name) == 0) return Missing("chain " + name);
    } else {
      return absl::InternalError("nft: Error: unsupported chain command " + verb);
    }
    return absl::OkStatus();
  }
  if (kind == "rule" && verb == "add") {
    auto c = ft.chains.find(o.at("chain").get<std::string>());
    if (c == ft.chains.end()) return Missing("chain");
    json r{{"expr", o.at("expr")}};
    if (o.contains("comment")) r["comment"] = o["comment"];
    c->second.rules.push_back(std::move(r));
    return absl::OkStatus();
  }
  return absl::InternalError(absl::StrCat("nft: Error: unsupported command ", verb, " ", kind));
}

absl::StatusOr<json> FakeRunner::List(const json& o) const {
  if (!o.contains("table")) return absl::InternalError("nft: Error: only list table is supported");
  const std::string family = o["table"].at("family").get<std::string>();
  const std::string name = o["table"].at("name").get<std::string>();
  auto t = tables_.find({family, name});
  if (t == tables_.end()) return Missing("table " + name);
  json items = json::array();
  items.push_back(json{{"metainfo", {{"json_schema_version", 1}}}});
  items.push_back(json{{"table", {{"family", family}, {"name", name}}}});
  for (const auto& [sname, s] : t->second.sets) {
    json d = s.definition;
    if (!s.elements.empty()) {
      json elem = json::array();
      for (const auto& [k, v] : s.elements) elem.push_back(s.is_map ? json::array({k, v}) : k);
      d["elem"] = std::move(elem);
    }
    items.push_back(json{{s.is_map ? "map" : "set", std::move(d)}});
  }
  for (const auto& [cname, c] : t->second.chains) items.push_back(json{{"chain", c.definition}});
  for (const auto& [cname, c] : t->second.chains) {
    for (const json& r : c.rules) {
      json rule{{"family", family}, {"table", name}, {"chain", cname}, {"expr", r["expr"]}};
      if (r.contains("comment")) rule["comment"] = r["comment"];
      items.push_back(json{{"rule", std::move(rule)}});
    }
  }
  return json{{"nftables", std::move(items)}};
}

}  // namespace romana::nft::testing
