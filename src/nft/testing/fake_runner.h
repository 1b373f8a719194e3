// fake_runner.h (test-only): an in-memory nftables behind the Runner interface, a working
// neighbour for tests that need no kernel. It understands the commands TableSyncer emits
// (add/delete table; add/delete set and map; add/flush/delete chain; add rule; add/delete
// element; list table), applies each document as one transaction (all or nothing), and lists a
// table in the shape `nft -j list table` has. Errors as the real runner: NotFound for a missing
// object, Internal for anything it does not understand. Not thread-safe.
#ifndef ROMANA_NFT_TESTING_FAKE_RUNNER_H_
#define ROMANA_NFT_TESTING_FAKE_RUNNER_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "nft/runner.h"

namespace romana::nft::testing {

class FakeRunner final : public Runner {
 public:
  absl::StatusOr<nlohmann::json> Run(const nlohmann::json& document) override;

  bool HasTable(const std::string& family, const std::string& name) const {
    return tables_.contains({family, name});
  }
  // Run() calls that wrote (at least one non-list command) and that only listed.
  int writes() const { return writes_; }
  int reads() const { return reads_; }

 private:
  struct FakeSet {
    nlohmann::json definition;  // the set/map object without elements
    bool is_map = false;
    std::map<nlohmann::json, nlohmann::json> elements;
  };
  struct FakeChain {
    nlohmann::json definition;
    std::vector<nlohmann::json> rules;  // {"expr", "comment"}
  };
  struct FakeTable {
    std::map<std::string, FakeSet> sets;
    std::map<std::string, FakeChain> chains;
  };
  using Tables = std::map<std::pair<std::string, std::string>, FakeTable>;

  static absl::Status Apply(Tables& t, const std::string& verb, const std::string& kind,
                            const nlohmann::json& o);
  absl::StatusOr<nlohmann::json> List(const nlohmann::json& o) const;

  Tables tables_;
  int writes_ = 0, reads_ = 0;
};

}  // namespace romana::nft::testing

#endif  // ROMANA_NFT_TESTING_FAKE_RUNNER_H_
