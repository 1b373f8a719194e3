#include "agent/policy_render.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "net/ipv4.h"
#include "nft/ipv4_elements.h"
#include "policy/node_plan_compiler.h"

namespace romana::agent {
namespace {

using json = nlohmann::json;
using policy::Direction;

json Match(json left, json right, const char* op = "==") {
  return json{{"match", {{"op", op}, {"left", std::move(left)}, {"right", std::move(right)}}}};
}
json Payload(const char* protocol, const char* field) {
  return json{{"payload", {{"protocol", protocol}, {"field", field}}}};
}
json Meta(const char* key) { return json{{"meta", {{"key", key}}}}; }
json Ct(const char* key) { return json{{"ct", {{"key", key}}}}; }
json Verdict(const char* v) { return json{{v, nullptr}}; }
json Jump(const std::string& chain) { return json{{"jump", {{"target", chain}}}}; }
json SetRef(const std::string& name) { return absl::StrCat("@", name); }
std::string Address(uint32_t a) { return net::Ipv4Address(a).ToString(); }

// nft's inet_proto names, as the kernel's listing shows them.
const char* ProtoName(policy::Protocol p) {
  switch (p) {
    case policy::Protocol::kIcmp: return "icmp";
    case policy::Protocol::kTcp: return "tcp";
    case policy::Protocol::kUdp: return "udp";
    case policy::Protocol::kSctp: return "sctp";
  }
  return "tcp";
}

std::vector<json> AllowRules(const policy::AllowRule& r, Direction d) {
  json remote = json::array();
  if (!r.remote_set.empty()) {
    remote.push_back(Match(Payload("ip", d == Direction::kIngress ? "saddr" : "daddr"), SetRef(r.remote_set)));
  }
  std::vector<json> out;
  if (!r.destination_port_set.empty()) {
    json rule = remote;
    rule.push_back(Match(json{{"concat", json::array({Payload("ip", "daddr"), Meta("l4proto"), Payload("th", "dport")})}},
                         SetRef(r.destination_port_set)));
    rule.push_back(Verdict("accept"));
    out.push_back(std::move(rule));
  } else if (!r.ports.empty()) {
    for (const policy::PortRange& p : r.ports) {
      json rule = remote;
      rule.push_back(Match(Meta("l4proto"), ProtoName(p.protocol)));
      if (policy::HasPorts(p.protocol) && !p.all_ports()) {
        rule.push_back(Match(Payload("th", "dport"),
                             p.first == p.last ? json(p.first) : json{{"range", json::array({p.first, p.last})}}));
      }
      rule.push_back(Verdict("accept"));
      out.push_back(std::move(rule));
    }
  } else {
    json rule = remote;
    rule.push_back(Verdict("accept"));
    out.push_back(std::move(rule));
  }
  return out;
}

// No `ct state invalid drop`: in a routed cluster a node forwards flows it has not seen start (a
// group's gateway node relays replies for its neighbours' pods, an ICMP echo reply without its
// request), which conntrack calls invalid. Such packets go on to the verdict map like new ones,
// so an isolated local pod still gets only what its policies allow.
nft::Chain BaseChain(int priority, const char* pod_field, const char* map) {
  nft::Chain c{.base = nft::BaseChain{"filter", "forward", priority, "accept"}};
  c.rules.push_back(json::array({Match(Ct("state"), json::array({"established", "related"}), "in"), Verdict("accept")}));
  c.rules.push_back(json::array({Match(json{{"concat", json::array({Payload("ip", "saddr"), Payload("ip", "daddr")})}},
                                       SetRef("self")),
                                 Verdict("accept")}));
  c.rules.push_back(json::array({json{{"vmap", {{"key", Payload("ip", pod_field)}, {"data", SetRef(map)}}}}}));
  return c;
}

// The dispatch chain for one list of policy chains: try each, drop when none accepted.
std::string Dispatch(nft::Table& t, const char* prefix, const std::vector<std::string>& chains) {
  const std::string name = absl::StrCat(prefix, policy::StableHash(absl::StrJoin(chains, ",")));
  if (!t.chains.contains(name)) {
    nft::Chain& c = t.chains[name];
    for (const std::string& target : chains) c.rules.push_back(json::array({Jump(target)}));
    c.rules.push_back(json::array({Verdict("drop")}));
  }
  return name;
}

}  // namespace

nft::Table RenderPolicyTable(const policy::NodePlan& plan) {
  nft::Table t{.family = kPolicyFamily, .name = kPolicyTable};
  for (const policy::AddressSet& s : plan.address_sets) {
    nft::Set& set = t.sets[s.name];
    set.type = {"ipv4_addr"};
    set.flags = {"interval"};
    std::vector<net::Ipv4Range> ranges;
    for (const policy::Ipv4Range& r : s.members) ranges.push_back({net::Ipv4Address(r.first), net::Ipv4Address(r.last)});
    for (json& e : nft::IntervalElements(std::move(ranges))) set.elements.emplace(std::move(e), nullptr);
  }
  for (const policy::AddressPortSet& s : plan.address_port_sets) {
    nft::Set& set = t.sets[s.name];
    set.type = {"ipv4_addr", "inet_proto", "inet_service"};
    for (const policy::AddressPort& m : s.members) {
      set.elements.emplace(json{{"concat", json::array({Address(m.address), ProtoName(m.protocol), m.port})}}, nullptr);
    }
  }
  nft::Set& self = t.sets["self"];
  self.type = {"ipv4_addr", "ipv4_addr"};
  nft::Set& egress = t.sets["egress-pods"];
  egress.type = {"ipv4_addr"};
  egress.map = "verdict";
  nft::Set& ingress = t.sets["ingress-pods"];
  ingress.type = {"ipv4_addr"};
  ingress.map = "verdict";
  t.chains["forward-egress"] = BaseChain(kEgressPriority, "saddr", "egress-pods");
  t.chains["forward-ingress"] = BaseChain(kIngressPriority, "daddr", "ingress-pods");
  for (const policy::RuleChain& rc : plan.chains) {
    nft::Chain& c = t.chains[rc.name];
    for (const policy::AllowRule& r : rc.rules) {
      for (json& rule : AllowRules(r, rc.direction)) c.rules.push_back(std::move(rule));
    }
  }
  for (const policy::LocalPod& p : plan.pods) {
    const std::string ip = Address(p.ip);
    self.elements.emplace(json{{"concat", json::array({ip, ip})}}, nullptr);
    if (p.egress_isolated) {
      egress.elements.emplace(ip, Jump(Dispatch(t, "egress-", p.egress_chains)));
    }
    if (p.ingress_isolated) {
      ingress.elements.emplace(ip, Jump(Dispatch(t, "ingress-", p.ingress_chains)));
    }
  }
  return t;
}

}  // namespace romana::agent
