#include "bench/policy/original_layout.h"

#include <map>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "net/ipv4.h"

namespace romana::policy::bench {
namespace {

std::string SetName(const std::string& plan_name) { return absl::StrCat("ROMANA-", plan_name); }
std::string TargetSet(const std::string& chain) { return absl::StrCat("ROMANA-T-", chain); }
// iptables chain names must stay under 29 characters: "ROMANA-P-" + the chain's 16 hex digits
// (as the original's policy hash), "_R" appended for the rules chain.
std::string PolicyChain(const std::string& chain) { return absl::StrCat("ROMANA-P-", chain.substr(chain.find('-') + 1)); }
std::string Ip(uint32_t a) { return net::Ipv4Address(a).ToString(); }

std::string PortMatch(const PortRange& p) {
  std::string proto = absl::AsciiStrToLower(ProtocolName(p.protocol));
  if (!HasPorts(p.protocol) || p.all_ports()) return absl::StrCat("-p ", proto);
  if (p.first == p.last) return absl::StrCat("-p ", proto, " --dport ", p.first);
  return absl::StrCat("-p ", proto, " --dport ", p.first, ":", p.last);
}

}  // namespace

OriginalLayout RenderOriginalLayout(const NodePlan& plan) {
  OriginalLayout out;
  auto ipset = [&](std::string line) {
    absl::StrAppend(&out.ipset_restore, line, "\n");
    ++out.ipset_lines;
  };
  for (const AddressSet& s : plan.address_sets) {
    ipset(absl::StrCat("create ", SetName(s.name), " hash:net family inet maxelem 1048576"));
    for (const Ipv4Range& r : s.members) {
      for (const net::Ipv4Cidr& c : net::RangeToCidrs(net::Ipv4Address(r.first), net::Ipv4Address(r.last))) {
        // ipset's hash:net refuses /0; split it as iptables users do.
        if (c.length() == 0) {
          ipset(absl::StrCat("add ", SetName(s.name), " 0.0.0.0/1"));
          ipset(absl::StrCat("add ", SetName(s.name), " 128.0.0.0/1"));
        } else {
          ipset(absl::StrCat("add ", SetName(s.name), " ", c.ToString()));
        }
      }
    }
  }
  for (const AddressPortSet& s : plan.address_port_sets) {
    ipset(absl::StrCat("create ", SetName(s.name), " hash:ip,port family inet maxelem 1048576"));
    for (const AddressPort& m : s.members) {
      ipset(absl::StrCat("add ", SetName(s.name), " ", Ip(m.address), ",",
                         absl::AsciiStrToLower(ProtocolName(m.protocol)), ":", m.port));
    }
  }
  // Target sets: the local pods each policy chain applies to; isolation sets per direction.
  std::map<std::string, std::vector<uint32_t>> targets;
  std::vector<uint32_t> isolated_in, isolated_out;
  for (const LocalPod& p : plan.pods) {
    for (const std::string& c : p.ingress_chains) targets[c].push_back(p.ip);
    for (const std::string& c : p.egress_chains) targets[c].push_back(p.ip);
    if (p.ingress_isolated) isolated_in.push_back(p.ip);
    if (p.egress_isolated) isolated_out.push_back(p.ip);
  }
  auto ip_set = [&](const std::string& name, const std::vector<uint32_t>& ips) {
    ipset(absl::StrCat("create ", name, " hash:ip family inet maxelem 1048576"));
    for (uint32_t ip : ips) ipset(absl::StrCat("add ", name, " ", Ip(ip)));
  };
  for (const auto& [chain, ips] : targets) ip_set(TargetSet(chain), ips);
  ip_set("ROMANA-ISOLATED-IN", isolated_in);
  ip_set("ROMANA-ISOLATED-OUT", isolated_out);

  std::string& t = out.iptables_restore;
  auto rule = [&](std::string line) {
    absl::StrAppend(&t, line, "\n");
    ++out.iptables_rules;
  };
  absl::StrAppend(&t, "*filter\n:ROMANA-FORWARD-IN - \n:ROMANA-FORWARD-OUT - \n");
  for (const RuleChain& c : plan.chains) {
    absl::StrAppend(&t, ":", PolicyChain(c.name), " - \n:", PolicyChain(c.name), "_R - \n");
  }
  out.iptables_divert = "*filter\n-A FORWARD -j ROMANA-FORWARD-OUT\n-A FORWARD -j ROMANA-FORWARD-IN\nCOMMIT\n";
  rule("-A ROMANA-FORWARD-IN -m state --state RELATED,ESTABLISHED -j ACCEPT");
  rule("-A ROMANA-FORWARD-OUT -m state --state RELATED,ESTABLISHED -j ACCEPT");
  for (const RuleChain& c : plan.chains) {
    const bool in = c.direction == Direction::kIngress;
    const std::string base = in ? "ROMANA-FORWARD-IN" : "ROMANA-FORWARD-OUT";
    const char* target_side = in ? "dst" : "src";
    const char* remote_side = in ? "src" : "dst";
    rule(absl::StrCat("-A ", base, " -j ", PolicyChain(c.name)));
    rule(absl::StrCat("-A ", PolicyChain(c.name), " -m set --match-set ", TargetSet(c.name), " ", target_side,
                      " -j ", PolicyChain(c.name), "_R"));
    for (const AllowRule& r : c.rules) {
      std::string peer =
          r.remote_set.empty() ? "" : absl::StrCat(" -m set --match-set ", SetName(r.remote_set), " ", remote_side);
      if (!r.destination_port_set.empty()) {
        rule(absl::StrCat("-A ", PolicyChain(c.name), "_R", peer, " -m set --match-set ",
                          SetName(r.destination_port_set), " dst,dst -j ACCEPT"));
      } else if (r.ports.empty()) {
        rule(absl::StrCat("-A ", PolicyChain(c.name), "_R", peer, " -j ACCEPT"));
      }
      for (const PortRange& p : r.ports) {
        rule(absl::StrCat("-A ", PolicyChain(c.name), "_R", peer, " ", PortMatch(p), " -j ACCEPT"));
      }
    }
  }
  rule("-A ROMANA-FORWARD-IN -m set --match-set ROMANA-ISOLATED-IN dst -j DROP");
  rule("-A ROMANA-FORWARD-OUT -m set --match-set ROMANA-ISOLATED-OUT src -j DROP");
  absl::StrAppend(&t, "COMMIT\n");
  return out;
}

}  // namespace romana::policy::bench
