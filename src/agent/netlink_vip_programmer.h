// netlink_vip_programmer.h: VipProgrammer over romana::netlink (rtnetlink), on one link.
//
// Acts in the namespace the given Netlink object is bound to. Only /32 addresses labelled
// kVipLabel on `link` are the agent's: others (the node's own address, an operator's alias) are
// never listed or removed. Not thread-safe. `netlink` must outlive this object.
#ifndef ROMANA_AGENT_NETLINK_VIP_PROGRAMMER_H_
#define ROMANA_AGENT_NETLINK_VIP_PROGRAMMER_H_

#include <string>

#include "agent/vip_programmer.h"
#include "netlink/netlink_api.h"

namespace romana::agent {

class NetlinkVipProgrammer : public VipProgrammer {
 public:
  NetlinkVipProgrammer(netlink::Netlink& netlink, std::string link) : netlink_(netlink), link_(std::move(link)) {}

  absl::StatusOr<std::set<std::string>> ListOwned() override;
  absl::Status Add(const std::string& ip) override;
  absl::Status Remove(const std::string& ip) override;

  const std::string& link() const { return link_; }

 private:
  netlink::Netlink& netlink_;
  const std::string link_;
};

// The interface of the IPv4 default route in the main table (the original's "primary
// interface"). NotFound when there is none.
absl::StatusOr<std::string> DefaultRouteInterface(netlink::Netlink& netlink);

}  // namespace romana::agent

#endif  // ROMANA_AGENT_NETLINK_VIP_PROGRAMMER_H_
