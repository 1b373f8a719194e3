// table.h: the desired content of one nftables table that we own, as plain data: named sets and
// maps with their elements, chains (base chains with hook, priority and policy) and their rules
// as libnftables JSON expressions. TableSyncer (table_syncer.h) makes the kernel match it.
//
// Elements must be given in nft's canonical listing form, so that a table re-read from the
// kernel compares equal to the one we wrote: addresses as "a.b.c.d", prefixes as
// {"prefix":{"addr":..., "len":n}}, other ranges as {"range":[lo, hi]}, protocols by name
// ("tcp"), ports as numbers, concatenations as {"concat":[...]} (ipv4_elements.h builds address
// intervals in that form). Map elements map such a key to a value, e.g. {"jump":{"target":c}}.
//
// Plain value types; thread-compatible.
#ifndef ROMANA_NFT_TABLE_H_
#define ROMANA_NFT_TABLE_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace romana::nft {

struct Set {
  std::vector<std::string> type;   // one entry, or several for a concatenation
  std::vector<std::string> flags;  // e.g. {"interval"}; sorted
  std::string map;                 // "" for a set; the value type ("verdict") for a map
  // Set: element -> null. Map: key -> value.
  std::map<nlohmann::json, nlohmann::json> elements;

  // Type, flags and map kind (not elements).
  bool SameDefinition(const Set& o) const { return type == o.type && flags == o.flags && map == o.map; }
  friend bool operator==(const Set&, const Set&) = default;
};

struct BaseChain {
  std::string type;    // "filter", "nat"
  std::string hook;    // "forward", "input", "output", "postrouting", ...
  int priority = 0;
  std::string policy;  // "accept" or "drop"
  friend bool operator==(const BaseChain&, const BaseChain&) = default;
};

struct Chain {
  std::optional<BaseChain> base;      // set for base chains
  std::vector<nlohmann::json> rules;  // each a JSON array of statements ("expr")
  friend bool operator==(const Chain&, const Chain&) = default;
};

struct Table {
  std::string family;  // "ip", "inet", ...
  std::string name;
  std::map<std::string, Set> sets;      // sets and maps, by name
  std::map<std::string, Chain> chains;  // by name
};

}  // namespace romana::nft

#endif  // ROMANA_NFT_TABLE_H_
