// fake_route_programmer.h: an in-memory RouteProgrammer for the apply layer's tests.
//
// Behaves like the kernel for our own table: routes keyed by destination, rules as a list.
// Counts reads and writes so tests can prove a no-op sync writes nothing, lets a test change
// state "behind the agent's back", and can be told to fail the next call.
// Not thread-safe.
#ifndef ROMANA_AGENT_TESTING_FAKE_ROUTE_PROGRAMMER_H_
#define ROMANA_AGENT_TESTING_FAKE_ROUTE_PROGRAMMER_H_

#include <algorithm>
#include <vector>

#include "absl/status/status.h"
#include "agent/route_diff.h"
#include "agent/route_programmer.h"

namespace romana::agent::testing {

class FakeRouteProgrammer : public RouteProgrammer {
 public:
  absl::StatusOr<RouteMap> ListOwnedRoutes() override {
    ++reads_;
    if (absl::Status s = TakeFailure(); !s.ok()) return s;
    return routes_;
  }
  absl::Status ApplyRoutes(std::span<const RouteOp> ops) override {
    ++route_writes_;
    for (const RouteOp& op : ops) {
      if (fail_after_ops_ == 0) {
        fail_after_ops_ = -1;
        return absl::UnavailableError("fake: injected failure in the middle of ApplyRoutes");
      }
      if (fail_after_ops_ > 0) --fail_after_ops_;
      ++ops_applied_;
      ApplyOpsToMap({op}, routes_);
    }
    return TakeFailure();
  }
  absl::StatusOr<std::vector<Rule>> ListOwnedRules() override {
    ++reads_;
    if (absl::Status s = TakeFailure(); !s.ok()) return s;
    return rules_;
  }
  absl::Status AddRule(const Rule& rule) override {
    ++rule_writes_;
    if (std::find(rules_.begin(), rules_.end(), rule) == rules_.end()) rules_.push_back(rule);
    return absl::OkStatus();
  }
  absl::Status DeleteRule(const Rule& rule) override {
    ++rule_writes_;
    std::erase(rules_, rule);
    return absl::OkStatus();
  }

  // Test controls.
  void DeleteRouteBehindOurBack(const std::string& key) { routes_.erase(key); }
  void AddRouteBehindOurBack(const Route& r) { routes_[r.Key()] = r; }
  void DeleteRulesBehindOurBack() { rules_.clear(); }
  void FailNextCall(absl::Status s) { next_failure_ = std::move(s); }
  // The (n+1)-th op of the next ApplyRoutes fails (n ops are applied first).
  void FailApplyAfterOps(int n) { fail_after_ops_ = n; }

  const RouteMap& routes() const { return routes_; }
  const std::vector<Rule>& rules() const { return rules_; }
  int reads() const { return reads_; }
  int route_writes() const { return route_writes_; }
  int rule_writes() const { return rule_writes_; }
  int writes() const { return route_writes_ + rule_writes_; }
  int ops_applied() const { return ops_applied_; }

 private:
  absl::Status TakeFailure() {
    absl::Status s = std::move(next_failure_);
    next_failure_ = absl::OkStatus();
    return s;
  }
  RouteMap routes_;
  std::vector<Rule> rules_;
  absl::Status next_failure_;
  int fail_after_ops_ = -1;
  int reads_ = 0, route_writes_ = 0, rule_writes_ = 0, ops_applied_ = 0;
};

}  // namespace romana::agent::testing

#endif  // ROMANA_AGENT_TESTING_FAKE_ROUTE_PROGRAMMER_H_
