#include "nft/table_state.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "absl/strings/str_cat.h"

namespace romana::nft {

std::string RuleKey(const nlohmann::json& expr) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : expr.dump()) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return absl::StrCat(kRuleKeyPrefix, hex);
}

TableState StateOf(const Table& table) {
  TableState s;
  s.sets = table.sets;
  for (const auto& [name, chain] : table.chains) {
    ChainState& c = s.chains[name];
    c.base = chain.base;
    for (const nlohmann::json& rule : chain.rules) c.rule_keys.push_back(RuleKey(rule));
  }
  return s;
}

namespace {

absl::StatusOr<Set> ParseSet(const nlohmann::json& o, bool is_map) {
  Set s;
  const nlohmann::json& type = o.at("type");
  if (type.is_string()) {
    s.type.push_back(type.get<std::string>());
  } else {
    for (const nlohmann::json& t : type) s.type.push_back(t.get<std::string>());
  }
  if (o.contains("flags")) {
    const nlohmann::json& f = o.at("flags");
    if (f.is_string()) {
      s.flags.push_back(f.get<std::string>());
    } else {
      for (const nlohmann::json& x : f) s.flags.push_back(x.get<std::string>());
    }
    std::sort(s.flags.begin(), s.flags.end());
  }
  if (is_map) s.map = o.at("map").get<std::string>();
  if (o.contains("elem")) {
    for (const nlohmann::json& e : o.at("elem")) {
      if (is_map) {
        if (!e.is_array() || e.size() != 2) return absl::InternalError("map element is not [key, value]");
        s.elements[e[0]] = e[1];
      } else {
        s.elements[e] = nullptr;
      }
    }
  }
  return s;
}

}  // namespace

absl::StatusOr<TableState> ParseListing(const nlohmann::json& listing, const std::string& family,
                                        const std::string& name) {
  TableState state;
  if (!listing.is_object() || !listing.contains("nftables") || !listing["nftables"].is_array()) {
    return absl::InternalError("nft listing: no \"nftables\" array");
  }
  // nlohmann's at()/get() throw on shape errors: convert at this boundary.
  try {
    for (const nlohmann::json& item : listing["nftables"]) {
      for (const auto& [kind, o] : item.items()) {
        if (kind == "metainfo" || kind == "table") continue;
        if (!o.is_object() || o.value("family", "") != family || o.value("table", "") != name) continue;
        if (kind == "set" || kind == "map") {
          absl::StatusOr<Set> s = ParseSet(o, kind == "map");
          if (!s.ok()) return absl::InternalError(absl::StrCat("nft listing: ", kind, " ", o.value("name", ""), ": ", s.status().message()));
          state.sets[o.at("name").get<std::string>()] = *std::move(s);
        } else if (kind == "chain") {
          ChainState& c = state.chains[o.at("name").get<std::string>()];
          if (o.contains("hook")) {
            c.base = BaseChain{o.value("type", ""), o.at("hook").get<std::string>(),
                               o.value("prio", 0), o.value("policy", "accept")};
          }
        } else if (kind == "rule") {
          state.chains[o.at("chain").get<std::string>()].rule_keys.push_back(o.value("comment", ""));
        }
        // Anything else in our table (counters, flowtables, ...) is not ours to keep; it is
        // left alone: nothing we write refers to it.
      }
    }
  } catch (const nlohmann::json::exception& e) {
    return absl::InternalError(absl::StrCat("nft listing: unexpected shape: ", e.what()));
  }
  return state;
}

}  // namespace romana::nft
