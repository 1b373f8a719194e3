// table_state.h: what a table we own holds, in a form that compares the desired table with the
// one read back from the kernel: sets and maps in full (elements included), chains as their
// base-chain settings plus one key per rule. A rule's key is written as its comment
// ("romana:<16 hex digits>", a hash of its statements, as Calico marks its rules), so a rule
// read back is identified by its comment alone and nft's re-rendering of expressions never makes
// an unchanged rule look different. A rule without our key (added by someone else) never
// matches, so its chain is rewritten.
//
// Pure functions; thread-compatible.
#ifndef ROMANA_NFT_TABLE_STATE_H_
#define ROMANA_NFT_TABLE_STATE_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nft/table.h"
#include "nlohmann/json.hpp"

namespace romana::nft {

inline constexpr char kRuleKeyPrefix[] = "romana:";

struct ChainState {
  std::optional<BaseChain> base;
  std::vector<std::string> rule_keys;
  friend bool operator==(const ChainState&, const ChainState&) = default;
};

struct TableState {
  std::map<std::string, Set> sets;
  std::map<std::string, ChainState> chains;
  friend bool operator==(const TableState&, const TableState&) = default;
};

// "romana:" + 16 lowercase hex digits of a stable 64-bit hash (FNV-1a) of the rule's statements.
std::string RuleKey(const nlohmann::json& expr);

// The state `table` has once applied.
TableState StateOf(const Table& table);

// Parses the output of {"list":{"table":{family, name}}} (`nft -j list table`). Objects of
// other tables in the listing are ignored. Errors: Internal naming the malformed object.
absl::StatusOr<TableState> ParseListing(const nlohmann::json& listing, const std::string& family,
                                        const std::string& name);

}  // namespace romana::nft

#endif  // ROMANA_NFT_TABLE_STATE_H_
