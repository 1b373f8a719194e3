// vip_programmer.h: the kernel side of the agent's VIPs: /32 addresses on one link (the node's
// primary link) that carry the agent's ownership label, kVipLabel. Addresses without the label
// are never listed, changed or removed, whoever added them.
//
// Not thread-safe: use from the agent's loop thread.
#ifndef ROMANA_AGENT_VIP_PROGRAMMER_H_
#define ROMANA_AGENT_VIP_PROGRAMMER_H_

#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace romana::agent {

// IFA_LABEL of every address the agent adds (`ip addr show` prints it last on the line).
inline constexpr char kVipLabel[] = "romana-vip";

class VipProgrammer {
 public:
  virtual ~VipProgrammer() = default;
  // The addresses (dotted quad) on the link that are /32 and carry kVipLabel. NotFound when the
  // link does not exist.
  virtual absl::StatusOr<std::set<std::string>> ListOwned() = 0;
  // Adds `ip`/32 with kVipLabel. AlreadyExists when the link already holds that address without
  // the label (someone else's: left alone); NotFound when the link does not exist.
  virtual absl::Status Add(const std::string& ip) = 0;
  // Removes our `ip`/32. Idempotent: an absent address is OK.
  virtual absl::Status Remove(const std::string& ip) = 0;
};

}  // namespace romana::agent

#endif  // ROMANA_AGENT_VIP_PROGRAMMER_H_
