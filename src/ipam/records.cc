#include "ipam/records.h"

#include <map>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"

namespace romana::ipam {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

absl::Status Corrupt(std::string_view what, std::string_view why) {
  return absl::DataLossError(absl::StrCat("stored ", absl::string_view(what.data(), what.size()),
                                          " is malformed: ", absl::string_view(why.data(), why.size())));
}

absl::StatusOr<json> ParseObject(std::string_view text, std::string_view what) {
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Corrupt(what, "not a JSON object");
  return j;
}

// Reads fields with type checks; the first error is kept in `status`.
struct Reader {
  const json& j;
  std::string_view what;
  absl::Status status;

  std::string Str(const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) {
      Fail(absl::StrCat("field \"", key, "\" missing or not a string"));
      return "";
    }
    return it->get<std::string>();
  }
  std::string OptStr(const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : "";
  }
  bool Bool(const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_boolean() && it->get<bool>();
  }
  int64_t Int(const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) {
      Fail(absl::StrCat("field \"", key, "\" missing or not an integer"));
      return 0;
    }
    return it->get<int64_t>();
  }
  net::Ipv4Cidr Cidr(const std::string& text) {
    absl::StatusOr<net::Ipv4Cidr> c = net::Ipv4Cidr::Parse(text);
    if (!c.ok()) Fail(c.status().message());
    return c.value_or(net::Ipv4Cidr());
  }
  net::Ipv4Address Addr(const std::string& text) {
    absl::StatusOr<net::Ipv4Address> a = net::Ipv4Address::Parse(text);
    if (!a.ok()) Fail(a.status().message());
    return a.value_or(net::Ipv4Address());
  }
  std::map<std::string, std::string> StrMap(const char* key) {
    std::map<std::string, std::string> out;
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return out;
    if (!it->is_object()) {
      Fail(absl::StrCat("field \"", key, "\" is not an object"));
      return out;
    }
    for (auto e = it->begin(); e != it->end(); ++e) {
      if (!e->is_string()) {
        Fail(absl::StrCat("field \"", key, "\" has a non-string value"));
        return out;
      }
      out[e.key()] = e->get<std::string>();
    }
    return out;
  }
  std::vector<std::string> StrList(const char* key) {
    std::vector<std::string> out;
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return out;
    if (!it->is_array()) {
      Fail(absl::StrCat("field \"", key, "\" is not an array"));
      return out;
    }
    for (const json& e : *it) {
      if (!e.is_string()) {
        Fail(absl::StrCat("field \"", key, "\" has a non-string element"));
        return out;
      }
      out.push_back(e.get<std::string>());
    }
    return out;
  }
  void Fail(absl::string_view why) {
    if (status.ok()) status = Corrupt(what, std::string_view(why.data(), why.size()));
  }
};

std::string RangeText(const net::Ipv4Range& r) {
  return r.first == r.last ? r.first.ToString() : r.ToString();
}

}  // namespace

uint64_t BlockRecord::allocated() const {
  uint64_t free_count = 0;
  for (const auto& r : free) free_count += r.size();
  return cidr.size() - free_count;
}

std::string BlockKeyPart(const net::Ipv4Cidr& cidr) {
  return absl::StrCat(cidr.network().ToString(), "-", cidr.length());
}

std::string ToJson(const NetworkRecord& r) {
  ordered_json j = {{"name", r.name}, {"cidr", r.cidr.ToString()}, {"block_mask", r.block_mask}};
  j["tenants"] = r.tenants;
  std::vector<std::string> res;
  for (const auto& c : r.reserved) res.push_back(c.ToString());
  j["reserved"] = res;
  return j.dump();
}

std::string ToJson(const GroupRecord& r) {
  ordered_json j = {{"network", r.network}, {"path", r.path}, {"name", r.name}, {"cidr", r.cidr.ToString()}};
  j["assignment"] = r.assignment.empty() ? ordered_json::object() : ordered_json(r.assignment);
  j["leaf"] = r.leaf;
  j["padding"] = r.padding;
  if (!r.routing.empty()) j["routing"] = r.routing;
  return j.dump();
}

std::string ToJson(const HostRecord& r) {
  ordered_json j = {{"name", r.name}, {"ip", r.ip.ToString()}};
  j["labels"] = r.labels.empty() ? ordered_json::object() : ordered_json(r.labels);
  j["groups"] = r.groups.empty() ? ordered_json::object() : ordered_json(r.groups);
  j["static"] = r.is_static;
  return j.dump();
}

std::string ToJson(const BlockRecord& r) {
  ordered_json j = {{"network", r.network}, {"cidr", r.cidr.ToString()}, {"group", r.group},
                    {"host", r.host},       {"owner", r.owner},           {"allocated", r.allocated()}};
  std::vector<std::string> free;
  for (const auto& f : r.free) free.push_back(RangeText(f));
  j["free"] = free;
  return j.dump();
}

std::string ToJson(const AddressRecord& r) {
  ordered_json j = {{"name", r.name},
                    {"ip", r.ip.ToString()},
                    {"host", r.host},
                    {"network", r.network},
                    {"block", r.block.ToString()},
                    {"namespace", r.namespace_name},
                    {"segment", r.segment}};
  return j.dump();
}

absl::StatusOr<NetworkRecord> NetworkFromJson(std::string_view text) {
  absl::StatusOr<json> j = ParseObject(text, "network");
  if (!j.ok()) return j.status();
  Reader rd{*j, "network", {}};
  NetworkRecord r;
  r.name = rd.Str("name");
  r.cidr = rd.Cidr(rd.Str("cidr"));
  r.block_mask = static_cast<int>(rd.Int("block_mask"));
  r.tenants = rd.StrList("tenants");
  for (const std::string& s : rd.StrList("reserved")) r.reserved.push_back(rd.Cidr(s));
  if (!rd.status.ok()) return rd.status;
  return r;
}

absl::StatusOr<GroupRecord> GroupFromJson(std::string_view text) {
  absl::StatusOr<json> j = ParseObject(text, "group");
  if (!j.ok()) return j.status();
  Reader rd{*j, "group", {}};
  GroupRecord r;
  r.network = rd.Str("network");
  r.path = rd.Str("path");
  r.name = rd.Str("name");
  r.cidr = rd.Cidr(rd.Str("cidr"));
  r.assignment = rd.StrMap("assignment");
  r.routing = rd.OptStr("routing");
  r.leaf = rd.Bool("leaf");
  r.padding = rd.Bool("padding");
  // "hosts" and "host_ips" of the old layout are ignored (IpamStore::Open rewrites such records).
  if (!rd.status.ok()) return rd.status;
  return r;
}

absl::StatusOr<HostRecord> HostFromJson(std::string_view text) {
  absl::StatusOr<json> j = ParseObject(text, "host");
  if (!j.ok()) return j.status();
  Reader rd{*j, "host", {}};
  HostRecord r;
  r.name = rd.Str("name");
  r.ip = rd.Addr(rd.Str("ip"));
  r.labels = rd.StrMap("labels");
  r.groups = rd.StrMap("groups");
  r.is_static = rd.Bool("static");
  if (!rd.status.ok()) return rd.status;
  return r;
}

absl::StatusOr<BlockRecord> BlockFromJson(std::string_view text) {
  absl::StatusOr<json> j = ParseObject(text, "block");
  if (!j.ok()) return j.status();
  Reader rd{*j, "block", {}};
  BlockRecord r;
  r.network = rd.Str("network");
  r.cidr = rd.Cidr(rd.Str("cidr"));
  r.group = rd.Str("group");
  r.host = rd.Str("host");
  r.owner = rd.Str("owner");
  for (const std::string& s : rd.StrList("free")) {
    std::vector<std::string> parts = absl::StrSplit(s, '-');
    if (parts.size() == 1) parts.push_back(parts[0]);
    if (parts.size() != 2) {
      rd.Fail(absl::StrCat("bad free range \"", s, "\""));
      break;
    }
    r.free.push_back({rd.Addr(parts[0]), rd.Addr(parts[1])});
  }
  if (!rd.status.ok()) return rd.status;
  return r;
}

absl::StatusOr<AddressRecord> AddressFromJson(std::string_view text) {
  absl::StatusOr<json> j = ParseObject(text, "address");
  if (!j.ok()) return j.status();
  Reader rd{*j, "address", {}};
  AddressRecord r;
  r.name = rd.Str("name");
  r.ip = rd.Addr(rd.Str("ip"));
  r.host = rd.Str("host");
  r.network = rd.Str("network");
  r.block = rd.Cidr(rd.Str("block"));
  r.namespace_name = rd.Str("namespace");
  r.segment = rd.Str("segment");
  if (!rd.status.ok()) return rd.status;
  return r;
}

namespace {

// The records of `after` that differ from `before`: puts for new/changed, deletes for gone.
template <typename Rec, typename KeyFn>
void DiffList(const std::vector<Rec>& before, const std::vector<Rec>& after, KeyFn key,
                 std::vector<Rec>& puts, std::vector<decltype(key(std::declval<Rec>()))>& deletes) {
  using K = decltype(key(std::declval<Rec>()));
  std::map<K, const Rec*> old;
  for (const Rec& r : before) old[key(r)] = &r;
  std::set<K> seen;
  for (const Rec& r : after) {
    K k = key(r);
    seen.insert(k);
    auto it = old.find(k);
    if (it == old.end() || !(*it->second == r)) puts.push_back(r);
  }
  for (const auto& [k, r] : old) {
    if (!seen.contains(k)) deletes.push_back(k);
  }
}

}  // namespace

Change DiffRecords(const Change& before, const Change& after) {
  Change c;
  if (before.topology != after.topology) c.topology = after.topology;
  DiffList(before.put_networks, after.put_networks, [](const NetworkRecord& r) { return r.name; },
              c.put_networks, c.deleted_networks);
  DiffList(before.put_groups, after.put_groups,
              [](const GroupRecord& r) { return std::make_pair(r.network, r.path); }, c.put_groups,
              c.deleted_groups);
  DiffList(before.put_hosts, after.put_hosts, [](const HostRecord& r) { return r.name; }, c.put_hosts,
              c.deleted_hosts);
  DiffList(before.put_blocks, after.put_blocks,
              [](const BlockRecord& r) { return std::make_pair(r.network, r.cidr); }, c.put_blocks,
              c.deleted_blocks);
  DiffList(before.put_addresses, after.put_addresses, [](const AddressRecord& r) { return r.name; },
              c.put_addresses, c.deleted_addresses);
  return c;
}


bool Change::empty() const { return size() == 0; }

size_t Change::size() const {
  return (topology ? 1 : 0) + put_networks.size() + deleted_networks.size() + put_groups.size() +
         deleted_groups.size() + put_hosts.size() + deleted_hosts.size() + put_blocks.size() +
         deleted_blocks.size() + put_addresses.size() + deleted_addresses.size();
}

}  // namespace romana::ipam
