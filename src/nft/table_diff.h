// table_diff.h: the minimal transaction that turns a table's actual state into the desired one.
//
//   - table absent: create everything;
//   - a set's type/flags or a base chain's hook/priority/policy/type changed, or a chain changed
//     between base and regular: delete and recreate the whole table (rare; still one transaction);
//   - otherwise: add new sets and chains; element deletes/adds for membership changes only;
//     flush and refill only chains whose rules changed; delete chains and sets no longer wanted;
//     nothing at all for what is unchanged.
// The commands are ordered so that every reference is valid at each step: chains, then sets and maps, are
// created before anything refers to them, and chains are flushed and map elements removed before
// the chains or sets they refer to are deleted.
//
// Pure; thread-compatible.
#ifndef ROMANA_NFT_TABLE_DIFF_H_
#define ROMANA_NFT_TABLE_DIFF_H_

#include <optional>

#include "nft/table.h"
#include "nft/table_state.h"
#include "nlohmann/json.hpp"

namespace romana::nft {

struct DiffStats {
  bool recreate = false;    // the whole table is (re)created
  int elements_added = 0;   // set/map elements added to existing sets
  int elements_deleted = 0;
  int chains_written = 0;   // chains created or flushed and refilled
  int chains_deleted = 0;
  int sets_added = 0;
  int sets_deleted = 0;
};

// Commands (a JSON array, empty when nothing is to be done) that make `actual` (nullopt: the
// table does not exist) equal `desired`. `stats` (optional) receives what the commands do.
nlohmann::json DiffTable(const Table& desired, const std::optional<TableState>& actual,
                         DiffStats* stats = nullptr);

// Commands that delete the table whether or not it exists ("add table" + "delete table").
nlohmann::json RemoveTableCommands(const std::string& family, const std::string& name);

}  // namespace romana::nft

#endif  // ROMANA_NFT_TABLE_DIFF_H_
