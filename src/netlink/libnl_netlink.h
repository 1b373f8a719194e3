// libnl_netlink.h: the real Netlink implementation on libnl-route-3.
//
// The object owns one NETLINK_ROUTE socket, created inside the target network namespace (the
// thread enters it briefly in Create() and returns), so every later call acts on that namespace
// from any thread without setns. Not thread-safe: one object per thread, or external locking.
#ifndef ROMANA_NETLINK_LIBNL_NETLINK_H_
#define ROMANA_NETLINK_LIBNL_NETLINK_H_

#include <map>
#include <memory>
#include <string>

#include <vector>

#include "absl/status/statusor.h"
#include "netlink/netlink_api.h"

struct nl_sock;

namespace romana::netlink {

struct LibnlNetlinkOptions {
  // The namespace to act on: "" = the calling thread's current netns; else a name or path
  // (netns.h). Default: "".
  std::string netns;
};

class LibnlNetlink final : public Netlink {
 public:
  // Errors: those of ScopedNetnsEntry::Enter (NotFound for a missing netns), or Internal when
  // the socket cannot be opened.
  static absl::StatusOr<std::unique_ptr<LibnlNetlink>> Create(const LibnlNetlinkOptions& options = {});
  ~LibnlNetlink() override;
  LibnlNetlink(const LibnlNetlink&) = delete;
  LibnlNetlink& operator=(const LibnlNetlink&) = delete;

  // The netns this object acts on, as given to Create ("" = the creator's netns).
  const std::string& netns() const { return netns_; }

  absl::StatusOr<std::vector<Link>> ListLinks() override;
  absl::StatusOr<Link> GetLink(const std::string& name) override;
  absl::Status CreateVeth(const VethSpec& spec) override;
  absl::Status DeleteLink(const std::string& name) override;
  absl::Status SetLinkUp(const std::string& name, bool up) override;
  absl::Status SetLinkMtu(const std::string& name, int mtu) override;
  absl::Status MoveLinkToNetns(const std::string& name, const std::string& netns) override;
  absl::StatusOr<std::vector<Address>> ListAddresses(const std::string& dev) override;
  absl::Status AddAddress(const std::string& dev, const std::string& prefix,
                          int scope = kScopeUniverse, const std::string& label = "") override;
  absl::Status DeleteAddress(const std::string& dev, const std::string& prefix) override;
  absl::StatusOr<std::vector<Route>> ListRoutes(const RouteFilter& filter) override;
  absl::Status AddRoute(const Route& route) override;
  absl::Status ReplaceRoute(const Route& route) override;
  absl::Status DeleteRoute(const Route& route) override;
  absl::StatusOr<std::vector<Rule>> ListRules() override;
  absl::Status AddRule(const Rule& rule) override;
  absl::Status DeleteRule(const Rule& rule) override;
  absl::StatusOr<std::vector<Neighbor>> ListNeighbors(const std::string& dev) override;
  absl::Status SetNeighbor(const Neighbor& neighbor) override;

 private:
  LibnlNetlink(nl_sock* sock, std::string netns);
  // Turns a libnl return code into a Status naming `what`, using the kernel errno captured by
  // the socket's error callback when there is one.
  absl::Status Check(int rc, const std::string& what);
  absl::StatusOr<int> IfIndex(const std::string& name);
  // For list filters: 0 (every link) when `dev` is empty, else dev's index.
  absl::StatusOr<int> IfIndexFilter(const std::string& dev);
  absl::StatusOr<std::string> IfName(int index);
  // Interface index -> name of every link, for naming the objects a list returns.
  absl::StatusOr<std::map<int, std::string>> LinkNames();
  absl::Status ModifyRoute(const Route& route, int flags, bool remove);

  nl_sock* sock_;
  std::string netns_;
  int last_errno_ = 0;  // set by the error callback for the request in flight
};

}  // namespace romana::netlink

#endif  // ROMANA_NETLINK_LIBNL_NETLINK_H_
