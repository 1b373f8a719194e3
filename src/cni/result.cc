#include "cni/result.h"

#include "absl/strings/str_cat.h"
#include "cni/spec.h"

namespace romana::cni {

using nlohmann::json;

json RenderResult(const Result& result, const std::string& version) {
  const bool has_ip_version = CompareVersions(version, "1.0.0") < 0;
  const bool has_mtu = CompareVersions(version, "1.1.0") >= 0;
  json out;
  out["cniVersion"] = version;
  json interfaces = json::array();
  for (const Interface& i : result.interfaces) {
    json j{{"name", i.name}};
    if (!i.mac.empty()) j["mac"] = i.mac;
    if (has_mtu && i.mtu > 0) j["mtu"] = i.mtu;
    if (!i.sandbox.empty()) j["sandbox"] = i.sandbox;
    interfaces.push_back(std::move(j));
  }
  out["interfaces"] = std::move(interfaces);
  json ips = json::array();
  for (const IpConfig& ip : result.ips) {
    json j;
    if (has_ip_version) j["version"] = ip.address.find(':') == std::string::npos ? "4" : "6";
    j["address"] = ip.address;
    if (!ip.gateway.empty()) j["gateway"] = ip.gateway;
    if (ip.interface >= 0) j["interface"] = ip.interface;
    ips.push_back(std::move(j));
  }
  out["ips"] = std::move(ips);
  json routes = json::array();
  for (const RouteConfig& r : result.routes) {
    json j{{"dst", r.dst}};
    if (!r.gw.empty()) j["gw"] = r.gw;
    routes.push_back(std::move(j));
  }
  out["routes"] = std::move(routes);
  out["dns"] = result.dns.is_object() ? result.dns : json::object();
  return out;
}

namespace {
absl::Status FieldError(const std::string& field, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("prevResult.", field, " ", what));
}

absl::Status OptString(const json& j, const char* key, const std::string& where, std::string* out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return absl::OkStatus();
  if (!it->is_string()) return FieldError(absl::StrCat(where, ".", key), "must be a string");
  *out = it->get<std::string>();
  return absl::OkStatus();
}
}  // namespace

absl::StatusOr<Result> ParseResult(const json& j) {
  if (!j.is_object()) return absl::InvalidArgumentError("prevResult must be an object");
  Result r;
  if (auto it = j.find("interfaces"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return FieldError("interfaces", "must be an array");
    for (size_t i = 0; i < it->size(); ++i) {
      const json& x = (*it)[i];
      std::string where = absl::StrCat("interfaces[", i, "]");
      if (!x.is_object()) return FieldError(where, "must be an object");
      Interface iface;
      if (!x.contains("name") || !x["name"].is_string()) return FieldError(where + ".name", "must be a string");
      iface.name = x["name"].get<std::string>();
      if (auto s = OptString(x, "mac", where, &iface.mac); !s.ok()) return s;
      if (auto s = OptString(x, "sandbox", where, &iface.sandbox); !s.ok()) return s;
      if (x.contains("mtu") && x["mtu"].is_number_integer()) iface.mtu = x["mtu"].get<int>();
      r.interfaces.push_back(std::move(iface));
    }
  }
  if (auto it = j.find("ips"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return FieldError("ips", "must be an array");
    for (size_t i = 0; i < it->size(); ++i) {
      const json& x = (*it)[i];
      std::string where = absl::StrCat("ips[", i, "]");
      if (!x.is_object()) return FieldError(where, "must be an object");
      IpConfig ip;
      if (!x.contains("address") || !x["address"].is_string()) return FieldError(where + ".address", "must be a string");
      ip.address = x["address"].get<std::string>();
      if (auto s = OptString(x, "gateway", where, &ip.gateway); !s.ok()) return s;
      if (auto f = x.find("interface"); f != x.end() && !f->is_null()) {
        if (!f->is_number_integer()) return FieldError(where + ".interface", "must be an integer");
        ip.interface = f->get<int>();
        if (ip.interface < 0 || ip.interface >= static_cast<int>(r.interfaces.size())) {
          return FieldError(where + ".interface", absl::StrCat("is ", ip.interface, ", out of range of interfaces[]"));
        }
      }
      r.ips.push_back(std::move(ip));
    }
  }
  if (auto it = j.find("routes"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return FieldError("routes", "must be an array");
    for (size_t i = 0; i < it->size(); ++i) {
      const json& x = (*it)[i];
      std::string where = absl::StrCat("routes[", i, "]");
      if (!x.is_object() || !x.contains("dst") || !x["dst"].is_string()) {
        return FieldError(where + ".dst", "must be a string");
      }
      RouteConfig rc{x["dst"].get<std::string>(), ""};
      if (auto s = OptString(x, "gw", where, &rc.gw); !s.ok()) return s;
      r.routes.push_back(std::move(rc));
    }
  }
  if (auto it = j.find("dns"); it != j.end() && it->is_object()) r.dns = *it;
  return r;
}

Result MergeResults(const Result& prev, const Result& ours) {
  Result out = prev;
  const int shift = static_cast<int>(prev.interfaces.size());
  out.interfaces.insert(out.interfaces.end(), ours.interfaces.begin(), ours.interfaces.end());
  for (IpConfig ip : ours.ips) {
    if (ip.interface >= 0) ip.interface += shift;
    out.ips.push_back(std::move(ip));
  }
  out.routes.insert(out.routes.end(), ours.routes.begin(), ours.routes.end());
  if (!ours.dns.empty()) out.dns = ours.dns;
  return out;
}

}  // namespace romana::cni
