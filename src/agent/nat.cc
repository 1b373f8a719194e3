#include "agent/nat.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "net/ipv4.h"
#include "nft/ipv4_elements.h"
#include "spdlog/spdlog.h"

namespace romana::agent {

using json = nlohmann::json;

namespace {

bool ValidInterfaceName(const std::string& name) {
  if (name.empty() || name.size() > 15 || name == "." || name == "..") return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != ':' &&
        c != '@' && c != '-') {
      return false;
    }
  }
  return true;
}

json Match(const char* op, json left, json right) {
  return json{{"match", {{"op", op}, {"left", std::move(left)}, {"right", std::move(right)}}}};
}
json Payload(const char* protocol, const char* field) {
  return json{{"payload", {{"protocol", protocol}, {"field", field}}}};
}

}  // namespace

absl::StatusOr<NatRender> RenderNatTable(const NatConfig& config) {
  if (!config.interface.empty() && !ValidInterfaceName(config.interface)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--nat-interface: '", config.interface, "' is not a valid interface name"));
  }
  NatRender out;
  std::vector<net::Ipv4Range> ranges;
  for (const std::string& n : config.networks) {
    absl::StatusOr<net::Ipv4Cidr> cidr = net::Ipv4Cidr::Parse(n);
    if (!cidr.ok()) {
      out.errors.push_back(absl::StrCat("network '", n, "': ", cidr.status().message()));
      continue;
    }
    ranges.push_back(cidr->range());
  }
  if (!config.enabled || ranges.empty()) return out;
  nft::Table t{.family = kNatFamily, .name = kNatTable};
  nft::Set& set = t.sets[kNatSet];
  set.type = {"ipv4_addr"};
  set.flags = {"interval"};
  for (json& e : nft::IntervalElements(std::move(ranges))) set.elements.emplace(std::move(e), nullptr);
  json rule = json::array({Match("==", Payload("ip", "saddr"), absl::StrCat("@", kNatSet)),
                           Match("!=", Payload("ip", "daddr"), absl::StrCat("@", kNatSet))});
  if (!config.interface.empty()) {
    rule.push_back(Match("==", json{{"meta", {{"key", "oifname"}}}}, config.interface));
  }
  rule.push_back(json{{"counter", nullptr}});
  rule.push_back(json{{"masquerade", nullptr}});
  t.chains[kNatChain] = nft::Chain{.base = nft::BaseChain{"nat", "postrouting", 100, "accept"},
                                   .rules = {std::move(rule)}};
  out.table = std::move(t);
  return out;
}

absl::Status NatSyncer::Sync(const NatConfig& config) {
  absl::StatusOr<NatRender> r = RenderNatTable(config);
  if (!r.ok()) return r.status();
  if (r->errors != last_errors_) {
    for (const std::string& e : r->errors) spdlog::warn("nat: skipped {}", e);
    last_errors_ = r->errors;
  }
  absl::Status s = r->table ? syncer_.Sync(*r->table) : syncer_.Remove();
  if (s.ok() && syncer_.last_stats().recreate) {
    spdlog::info("nat: table {} written ({} network(s), interface '{}')", kNatTable,
                 config.networks.size(), config.interface);
  }
  return s;
}

}  // namespace romana::agent
