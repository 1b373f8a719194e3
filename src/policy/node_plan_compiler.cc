// The policy compiler (see node_plan_compiler.h and node_plan.h for the shape of the result).
#include "policy/node_plan_compiler.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "policy/model.h"
#include "policy/pod_index.h"

namespace romana::policy {
namespace {

std::string BlockDefinition(const IpBlock& block) {
  std::vector<std::string> except;
  for (const net::Ipv4Cidr& e : block.except) except.push_back(e.ToString());
  std::sort(except.begin(), except.end());
  except.erase(std::unique(except.begin(), except.end()), except.end());
  std::string out = absl::StrCat("cidr ", block.cidr.ToString());
  if (!except.empty()) absl::StrAppend(&out, " except ", absl::StrJoin(except, ","));
  return out;
}

std::vector<Ipv4Range> BlockRanges(const IpBlock& block) { return CidrMinus(block.cidr, block.except); }

bool InRanges(uint32_t ip, const std::vector<Ipv4Range>& ranges) {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), ip,
                             [](uint32_t a, const Ipv4Range& r) { return a < r.first; });
  return it != ranges.begin() && ip <= std::prev(it)->last;
}

std::string TargetsDefinition(const ModelPolicy& policy) {
  std::set<std::string> parts;
  for (const PodSelection& t : policy.targets) parts.insert(CanonicalSelection(t));
  return absl::StrJoin(parts, " | ");
}

// Builds one node's plan; one instance per CompileNodePlan call.
class Compiler {
 public:
  Compiler(const Cluster& cluster, const std::string& node)
      : cluster_(cluster),
        node_(node),
        all_(cluster, [](const Pod&) { return true; }),
        local_(cluster, [&node](const Pod& p) { return p.node == node; }) {}

  NodePlan Compile(const PolicySet& policies) {
    NodePlan plan;
    plan.node = node_;
    std::vector<ModelPolicy> model = BuildModel(cluster_, policies, &plan.errors);
    std::map<int, LocalPod> pods;  // by index into cluster.pods
    for (size_t i = 0; i < cluster_.pods.size(); ++i) {
      const Pod& p = cluster_.pods[i];
      if (p.node == node_) pods[static_cast<int>(i)] = LocalPod{p.namespace_name, p.name, p.ip, false, false, {}, {}};
    }
    for (const ModelPolicy& policy : model) {
      std::vector<int> targets = LocalTargets(policy);
      if (targets.empty()) continue;
      for (Direction d : {Direction::kIngress, Direction::kEgress}) {
        const bool in = d == Direction::kIngress;
        if (!(in ? policy.ingress : policy.egress)) continue;
        const std::vector<ModelRule>& rules = in ? policy.ingress_rules : policy.egress_rules;
        std::string chain;
        if (!rules.empty()) chain = AddChain(policy, d, rules, targets, plan);
        for (int t : targets) {
          LocalPod& pod = pods[t];
          (in ? pod.ingress_isolated : pod.egress_isolated) = true;
          if (!chain.empty()) (in ? pod.ingress_chains : pod.egress_chains).push_back(chain);
        }
      }
    }
    for (auto& [index, pod] : pods) {
      std::sort(pod.ingress_chains.begin(), pod.ingress_chains.end());
      std::sort(pod.egress_chains.begin(), pod.egress_chains.end());
      plan.pods.push_back(std::move(pod));
    }
    std::sort(plan.pods.begin(), plan.pods.end(), [](const LocalPod& a, const LocalPod& b) { return a.ip < b.ip; });
    for (auto& [name, set] : address_sets_) plan.address_sets.push_back(std::move(set));
    for (auto& [name, set] : port_sets_) plan.address_port_sets.push_back(std::move(set));
    std::sort(plan.chains.begin(), plan.chains.end(),
              [](const RuleChain& a, const RuleChain& b) { return a.name < b.name; });
    std::stable_sort(plan.errors.begin(), plan.errors.end(),
                     [](const CompileError& a, const CompileError& b) { return a.policy_id < b.policy_id; });
    return plan;
  }

 private:
  std::vector<int> LocalTargets(const ModelPolicy& policy) const {
    std::vector<int> out;
    for (const PodSelection& t : policy.targets) {
      std::vector<int> s = local_.Select(t);
      out.insert(out.end(), s.begin(), s.end());
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  // Cluster-wide pods of a selection, memoized by its canonical form.
  const std::vector<int>& PodsOf(const PodSelection& selection) {
    const std::string key = CanonicalSelection(selection);
    auto it = selected_.find(key);
    if (it == selected_.end()) it = selected_.emplace(key, all_.Select(selection)).first;
    return it->second;
  }

  // `members()` returns disjoint, ascending, non-adjacent ranges; called only for a new set.
  std::string AddAddressSet(const std::string& definition, const std::function<std::vector<Ipv4Range>()>& members) {
    const std::string name = absl::StrCat("a-", StableHash(definition));
    if (!address_sets_.contains(name)) address_sets_[name] = AddressSet{name, definition, members()};
    return name;
  }

  // The remote address set of a peer.
  std::string PeerSet(const ModelPeer& peer) {
    if (peer.block.has_value()) {
      return AddAddressSet(BlockDefinition(*peer.block), [&] { return BlockRanges(*peer.block); });
    }
    return AddAddressSet(CanonicalSelection(*peer.pods), [&] {
      std::vector<uint32_t> ips;
      for (int p : PodsOf(*peer.pods)) ips.push_back(cluster_.pods[p].ip);
      return AddressRanges(ips);
    });
  }

  // The AddressPortSet of `definition`: (ip . protocol . port) of each pod in `pods()` that has a
  // container port named `port_name` with `protocol`.
  std::string AddPortSet(const std::string& definition, const std::function<std::vector<int>()>& pods,
                         const std::string& port_name, Protocol protocol) {
    const std::string name = absl::StrCat("n-", StableHash(definition));
    if (port_sets_.contains(name)) return name;
    std::vector<AddressPort> members;
    for (int i : pods()) {
      const Pod& pod = cluster_.pods[i];
      for (const NamedPort& np : pod.ports) {
        if (np.name == port_name && np.protocol == protocol && np.port != 0) members.push_back({pod.ip, protocol, np.port});
      }
    }
    std::sort(members.begin(), members.end());
    members.erase(std::unique(members.begin(), members.end()), members.end());
    port_sets_[name] = AddressPortSet{name, definition, std::move(members)};
    return name;
  }

  // Egress: the named port resolved on the peer's pods; for "any peer" (nullptr) on every pod,
  // for an ipBlock peer on the pods inside the block.
  std::string PeerPortSet(const ModelPeer* peer, const std::string& port_name, Protocol protocol) {
    const std::string port = absl::StrCat("port ", port_name, "/", ProtocolName(protocol), " on ");
    if (peer != nullptr && peer->pods.has_value()) {
      return AddPortSet(port + CanonicalSelection(*peer->pods), [&] { return PodsOf(*peer->pods); }, port_name,
                        protocol);
    }
    const std::string where = peer == nullptr ? "every pod" : "pods in " + BlockDefinition(*peer->block);
    return AddPortSet(port + where, [&] {
      const std::vector<Ipv4Range> ranges = peer == nullptr ? std::vector<Ipv4Range>{{0, 0xffffffffu}}
                                                            : BlockRanges(*peer->block);
      std::vector<int> pods;
      for (size_t i = 0; i < cluster_.pods.size(); ++i) {
        if (InRanges(cluster_.pods[i].ip, ranges)) pods.push_back(static_cast<int>(i));
      }
      return pods;
    }, port_name, protocol);
  }

  std::string AddChain(const ModelPolicy& policy, Direction d, const std::vector<ModelRule>& rules,
                       const std::vector<int>& targets, NodePlan& plan) {
    const bool in = d == Direction::kIngress;
    RuleChain chain;
    chain.name = absl::StrCat(in ? "in-" : "out-", StableHash(policy.id));
    chain.policy_id = policy.id;
    chain.direction = d;
    auto add = [&chain](AllowRule r) {
      if (std::find(chain.rules.begin(), chain.rules.end(), r) == chain.rules.end()) chain.rules.push_back(std::move(r));
    };
    for (const ModelRule& rule : rules) {
      std::set<PortRange> numeric;
      std::set<std::pair<std::string, Protocol>> named;
      for (const ModelPort& p : rule.ports) {
        if (p.named_port.empty()) {
          numeric.insert(PortRange{p.protocol, p.first, p.last});
        } else {
          named.insert({p.named_port, p.protocol});
        }
      }
      // The remote address sets ("" = any), unless only egress named ports need no address set.
      std::vector<std::string> remotes;
      if (rule.ports.empty() || !numeric.empty() || in) {
        if (rule.peers.empty()) remotes.push_back("");
        for (const ModelPeer& p : rule.peers) remotes.push_back(PeerSet(p));
      }
      if (rule.ports.empty()) {
        for (const std::string& r : remotes) add(AllowRule{r, {}, ""});
      }
      if (!numeric.empty()) {
        for (const std::string& r : remotes) add(AllowRule{r, {numeric.begin(), numeric.end()}, ""});
      }
      for (const auto& [port_name, protocol] : named) {
        if (in) {
          // Resolved on the destination: this policy's selected pods on this node.
          const std::string set =
              AddPortSet(absl::StrCat("port ", port_name, "/", ProtocolName(protocol), " on ", TargetsDefinition(policy)),
                         [&] { return targets; }, port_name, protocol);
          for (const std::string& r : remotes) add(AllowRule{r, {}, set});
        } else if (rule.peers.empty()) {
          add(AllowRule{"", {}, PeerPortSet(nullptr, port_name, protocol)});
        } else {
          for (const ModelPeer& p : rule.peers) add(AllowRule{"", {}, PeerPortSet(&p, port_name, protocol)});
        }
      }
    }
    plan.chains.push_back(std::move(chain));
    return plan.chains.back().name;
  }

  const Cluster& cluster_;
  const std::string& node_;
  PodIndex all_;
  PodIndex local_;
  std::map<std::string, std::vector<int>> selected_;
  std::map<std::string, AddressSet> address_sets_;
  std::map<std::string, AddressPortSet> port_sets_;
};

}  // namespace

std::string StableHash(const std::string& definition) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : definition) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return absl::StrCat(absl::Hex(h, absl::kZeroPad16));
}

NodePlan CompileNodePlan(const Cluster& cluster, const PolicySet& policies, const std::string& node) {
  return Compiler(cluster, node).Compile(policies);
}

}  // namespace romana::policy
