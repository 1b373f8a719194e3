// objects.h: plain value types for links, addresses, routes, rules and neighbours, as
// romana::netlink reads and writes them. IPv4 only. Addresses are canonical text
// ("10.0.0.1"), prefixes always carry their length ("10.0.0.1/32", "0.0.0.0/0"), so values
// compare textually and pure code needs no kernel types. Thread-compatible.
#ifndef ROMANA_NETLINK_OBJECTS_H_
#define ROMANA_NETLINK_OBJECTS_H_

#include <cstdint>
#include <string>

namespace romana::netlink {

inline constexpr int kMainTable = 254;     // RT_TABLE_MAIN
inline constexpr int kLocalTable = 255;    // RT_TABLE_LOCAL
inline constexpr int kProtoBoot = 3;       // RTPROT_BOOT: what `ip route add` uses
inline constexpr int kProtoStatic = 4;     // RTPROT_STATIC
inline constexpr int kProtoKernel = 2;     // RTPROT_KERNEL: routes the kernel made itself
// The route `protocol` every Romana component puts on routes it creates (STYLE.md rule 7:
// "mark what you own"); 0x52 = 'R'. Not registered in /etc/iproute2/rt_protos, so `ip route`
// prints it as "proto 82".
inline constexpr int kProtoRomana = 82;

inline constexpr int kScopeUniverse = 0;   // RT_SCOPE_UNIVERSE
inline constexpr int kScopeLink = 253;     // RT_SCOPE_LINK
inline constexpr int kScopeHost = 254;     // RT_SCOPE_HOST
inline constexpr int kScopeUnset = -1;     // AddRoute: let the kernel rules decide; Delete: any

inline constexpr int kTypeUnicast = 1;      // RTN_UNICAST: a normal route with a next hop
inline constexpr int kTypeBlackhole = 6;    // RTN_BLACKHOLE: drop silently
inline constexpr int kTypeUnreachable = 7;  // RTN_UNREACHABLE: drop with ICMP host unreachable

struct Link {
  int index = 0;
  std::string name;
  std::string kind;      // rtnl kind: "veth", "bridge", ...; "" for loopback and physical
  int mtu = 0;
  bool up = false;       // administratively up (IFF_UP)
  bool running = false;  // carrier/operational (IFF_RUNNING)
  std::string mac;       // "aa:bb:cc:dd:ee:ff"; "" when the link has no L2 address
  int master_index = 0;  // bridge port: the bridge's index; 0 = none
  int peer_index = 0;    // IFLA_LINK: a veth's peer index (possibly in another netns); 0 = none
  bool operator==(const Link&) const = default;
};

// A veth pair. `name` is created in the netns of the Netlink object; `peer_name` in
// `peer_netns` (name or path, see netns.h) or, when empty, in the same netns.
struct VethSpec {
  std::string name;
  std::string peer_name;
  int mtu = 0;             // both ends; 0 = kernel default (1500)
  std::string peer_netns;  // "" = same netns as `name`
};

struct Address {
  std::string dev;        // interface name (filled by List; ignored on input when ifindex set)
  int ifindex = 0;
  std::string prefix;     // "10.0.0.5/32"
  int scope = kScopeUniverse;
  std::string label;      // IFA_LABEL (filled by List; the link's name unless set otherwise)
  bool operator==(const Address&) const = default;
};

struct Route {
  std::string dst = "0.0.0.0/0";  // prefix with length; the default route is 0.0.0.0/0
  std::string gateway;            // "" = no gateway (device route)
  std::string dev;                // output interface name; "" = none (List fills it)
  int oif = 0;                    // output interface index (List fills it; input may use it)
  int table = kMainTable;
  int protocol = kProtoBoot;      // ownership marker, compared on delete
  int scope = kScopeUnset;        // on add: unset = link for device routes, universe otherwise
  int metric = 0;                 // RTA_PRIORITY
  std::string src;                // preferred source address, "" = none
  bool onlink = false;            // RTNH_F_ONLINK: gateway is on the link without a route to it
  int type = kTypeUnicast;        // kTypeUnreachable/kTypeBlackhole routes have no next hop
  bool operator==(const Route&) const = default;
};

// Which routes ListRoutes returns. -1 / "" = no filtering on that field.
struct RouteFilter {
  int table = -1;
  int protocol = -1;
  std::string dev;
  int type = kTypeUnicast;  // -1 = every type (unicast, unreachable, blackhole, ...)
};

struct Rule {
  int priority = -1;     // -1 on add: the kernel picks one; on delete: any
  int table = 0;         // lookup table (action FR_ACT_TO_TBL)
  std::string src;       // "" = from all; otherwise a prefix "10.0.0.0/8"
  std::string dst;       // "" = to all
  uint32_t fwmark = 0;   // 0 = no fwmark selector
  uint32_t fwmask = 0;   // 0 with a fwmark = 0xffffffff
  int protocol = 0;      // FRA_PROTOCOL, the owner's marker (kProtoRomana for ours); on delete: any
  bool operator==(const Rule&) const = default;
};

struct Neighbor {
  std::string dev;
  int ifindex = 0;
  std::string ip;         // "169.254.1.1"
  std::string mac;        // "ee:ee:ee:ee:ee:ee"
  bool permanent = true;  // NUD_PERMANENT (what SetNeighbor writes)
  bool operator==(const Neighbor&) const = default;
};

// Human-readable forms for logs and error messages, in `ip` command style, e.g.
// "10.0.0.5/32 dev romana1a2b table 254 proto 82 scope link".
std::string ToString(const Route& route);
std::string ToString(const Rule& rule);
std::string ToString(const Address& address);
std::string ToString(const Link& link);

}  // namespace romana::netlink

#endif  // ROMANA_NETLINK_OBJECTS_H_
