#include "api/vip.h"

#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "api/field_error.h"
#include "api/json_reader.h"
#include "api/k8s_names.h"
#include "api/types.h"
#include "net/ipv4.h"

namespace romana::api {
namespace {

// Reads "ports" into `out`. A wrong type of "ports" itself is recorded in `r`; a problem inside
// an item is returned (naming "ports[i].<key>").
absl::Status ReadVipPorts(ObjectReader& r, bool strict, std::vector<VipPort>& out) {
  const nlohmann::json* a = r.Array("ports");
  if (a == nullptr || !r.ok()) return absl::OkStatus();
  std::set<std::string> names;
  for (size_t i = 0; i < a->size(); ++i) {
    const std::string index = absl::StrCat("ports[", i, "]");
    ObjectReader pr((*a)[i], r.Path(index));
    VipPort p;
    p.name = pr.String("name");
    const std::optional<int64_t> port = pr.Int("port", true);
    const std::string protocol = pr.String("protocol");
    if (pr.ok() && !p.name.empty()) {
      if (absl::Status s = CheckDns1123Label(p.name, pr.Path("name")); !s.ok()) return s;
    }
    if (pr.ok() && !p.name.empty() && !names.insert(p.name).second) {
      pr.Fail("name", absl::StrCat("duplicate port name \"", p.name, "\""));
    }
    if (pr.ok() && (*port < 1 || *port > 65535)) pr.Fail("port", "must be between 1 and 65535");
    if (pr.ok() && !protocol.empty() && protocol != "TCP" && protocol != "UDP" && protocol != "SCTP") {
      pr.Fail("protocol", absl::StrCat("\"", protocol, "\" must be TCP, UDP or SCTP"));
    }
    if (absl::Status s = pr.Finish(strict); !s.ok()) return s;
    p.port = static_cast<int>(*port);
    if (!protocol.empty()) p.protocol = protocol;
    out.push_back(std::move(p));
  }
  return absl::OkStatus();
}

absl::StatusOr<Vip> Parse(const nlohmann::json& j, bool strict, const std::string& path_namespace,
                          const std::string& path_name) {
  ObjectReader r(j, "");
  Vip x;
  x.namespace_name = r.String("namespace", path_namespace.empty());
  x.name = r.String("name", path_name.empty());
  x.ip = r.String("ip", true);
  x.node = r.String("node");
  const absl::Status ports = ReadVipPorts(r, strict, x.ports);
  for (const auto& [key, want, got] : {std::tuple<const char*, const std::string&, std::string&>{
                                           "namespace", path_namespace, x.namespace_name},
                                       {"name", path_name, x.name}}) {
    if (!r.ok() || want.empty()) continue;
    if (got.empty()) got = want;
    else if (got != want) r.Fail(key, absl::StrCat("\"", got, "\" differs from the URL's \"", want, "\""));
  }
  if (r.ok() && !IsValidName(x.namespace_name)) r.Fail("namespace", "must be 1..253 of [A-Za-z0-9._:-]");
  if (r.ok() && !IsValidName(x.name)) r.Fail("name", "must be 1..253 of [A-Za-z0-9._:-]");
  if (r.ok() && !x.node.empty() && !IsValidName(x.node)) r.Fail("node", "must be 1..253 of [A-Za-z0-9._:-]");
  if (r.ok()) {
    if (absl::Status s = CheckVipAddress(x.ip, "ip"); !s.ok()) return s;
  }
  if (absl::Status s = r.Finish(strict); !s.ok()) return s;
  if (!ports.ok()) return ports;
  return x;
}

}  // namespace

absl::Status CheckVipAddress(const std::string& ip, const std::string& field) {
  absl::StatusOr<net::Ipv4Address> a = net::Ipv4Address::Parse(ip);
  if (!a.ok()) return FieldError(field, absl::StrCat("\"", ip, "\" is not an IPv4 address"));
  const uint32_t v = a->value();
  const char* why = nullptr;
  if ((v >> 24) == 0) why = "is in 0.0.0.0/8 (this network)";
  else if ((v >> 24) == 127) why = "is a loopback address";
  else if ((v >> 16) == 0xa9fe) why = "is a link-local address";
  else if ((v >> 28) == 0xe) why = "is a multicast address";
  else if ((v >> 28) == 0xf) why = "is reserved (240.0.0.0/4, broadcast)";
  if (why != nullptr) return FieldError(field, absl::StrCat("\"", ip, "\" ", why, "; a VIP must be unicast"));
  return absl::OkStatus();
}

nlohmann::json ToJson(const Vip& x) {
  nlohmann::json ports = nlohmann::json::array();
  for (const VipPort& p : x.ports) {
    nlohmann::json e = {{"port", p.port}, {"protocol", p.protocol}};
    if (!p.name.empty()) e["name"] = p.name;
    ports.push_back(std::move(e));
  }
  return {{"namespace", x.namespace_name}, {"name", x.name}, {"ip", x.ip}, {"node", x.node}, {"ports", ports}};
}

absl::StatusOr<Vip> ParseVipRequest(const nlohmann::json& j, const std::string& path_namespace,
                                    const std::string& path_name) {
  return Parse(j, true, path_namespace, path_name);
}

absl::StatusOr<Vip> ParseVip(const nlohmann::json& j) { return Parse(j, false, "", ""); }

}  // namespace romana::api
