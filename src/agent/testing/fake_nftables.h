// fake_nftables.h: an in-memory Nftables runner that understands just the batches NatSyncer
// writes: "add table T / delete table T [/ table T {...}]" and "list table T". Counts writes.
// Not thread-safe.
#ifndef ROMANA_AGENT_TESTING_FAKE_NFTABLES_H_
#define ROMANA_AGENT_TESTING_FAKE_NFTABLES_H_

#include <optional>
#include <string>

#include "absl/strings/match.h"
#include "agent/nat.h"

namespace romana::agent::testing {

class FakeNftables : public Nftables {
 public:
  absl::StatusOr<std::string> Run(const std::string& commands) override {
    if (absl::StartsWith(commands, "list table")) {
      ++reads_;
      if (!table_) return absl::InternalError("nft: No such file or directory");
      return *table_;
    }
    ++writes_;
    size_t body = commands.find("{");
    if (body == std::string::npos) {
      table_.reset();
    } else {
      table_ = commands.substr(commands.rfind("\ntable ", body) + 1);
    }
    return std::string();
  }
  void DeleteTableBehindOurBack() { table_.reset(); }
  const std::optional<std::string>& table() const { return table_; }
  int writes() const { return writes_; }
  int reads() const { return reads_; }

 private:
  std::optional<std::string> table_;
  int writes_ = 0, reads_ = 0;
};

}  // namespace romana::agent::testing

#endif  // ROMANA_AGENT_TESTING_FAKE_NFTABLES_H_
