// fake_vip_programmer.h: an in-memory VipProgrammer for the VIP syncer's tests: one link holding
// our labelled addresses and foreign ones. Counts reads and writes (a no-op sync writes nothing),
// lets a test change the link behind the agent's back, and can fail the next call.
// Not thread-safe.
#ifndef ROMANA_AGENT_TESTING_FAKE_VIP_PROGRAMMER_H_
#define ROMANA_AGENT_TESTING_FAKE_VIP_PROGRAMMER_H_

#include <set>
#include <string>

#include "agent/vip_programmer.h"

namespace romana::agent::testing {

class FakeVipProgrammer : public VipProgrammer {
 public:
  absl::StatusOr<std::set<std::string>> ListOwned() override {
    ++reads_;
    if (absl::Status s = TakeFailure(); !s.ok()) return s;
    return owned_;
  }
  absl::Status Add(const std::string& ip) override {
    ++writes_;
    if (absl::Status s = TakeFailure(); !s.ok()) return s;
    if (foreign_.contains(ip)) return absl::AlreadyExistsError(ip + " exists");
    owned_.insert(ip);
    return absl::OkStatus();
  }
  absl::Status Remove(const std::string& ip) override {
    ++writes_;
    if (absl::Status s = TakeFailure(); !s.ok()) return s;
    owned_.erase(ip);
    return absl::OkStatus();
  }

  // Out-of-band changes (an operator, another process).
  void AddForeign(const std::string& ip) { foreign_.insert(ip); }
  void RemoveForeign(const std::string& ip) { foreign_.erase(ip); }
  void RemoveOwnedBehindOurBack(const std::string& ip) { owned_.erase(ip); }
  void FailNextCall(absl::Status s) { failure_ = std::move(s); }

  const std::set<std::string>& owned() const { return owned_; }
  const std::set<std::string>& foreign() const { return foreign_; }
  int reads() const { return reads_; }
  int writes() const { return writes_; }

 private:
  absl::Status TakeFailure() { return std::exchange(failure_, absl::OkStatus()); }

  std::set<std::string> owned_, foreign_;
  absl::Status failure_;
  int reads_ = 0, writes_ = 0;
};

}  // namespace romana::agent::testing

#endif  // ROMANA_AGENT_TESTING_FAKE_VIP_PROGRAMMER_H_
