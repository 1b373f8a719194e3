#include "cli/romanactl.h"

#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/ascii.h"
#include "api/client.h"
#include "api/field_error.h"
#include "base/token_file.h"
#include "cli/manifest.h"
#include "cli/output.h"
#include "cli/topology_plan.h"
#include "http/url.h"

namespace romana::cli {
namespace {

struct Globals {
  std::string config;
  std::string server;
  std::string token;       // from ROMANA_TOKEN or the config file; never from argv
  std::string token_file;
  std::string argv_token;  // --token: refused (argv is readable by every user of the machine)
  std::string ca_file;
  std::string output;
  int timeout_s = 10;
};

// Reads the config file (YAML): server, token, token_file, ca_file, output (also the original
// CLI's RootURL and Format). Flags win over the environment (ROMANA_TOKEN), which wins over the
// file; the file wins over defaults.
absl::Status LoadConfig(Globals& g) {
  std::string path = g.config;
  bool explicit_path = !path.empty();
  if (path.empty()) {
    if (const char* home = getenv("HOME"); home != nullptr && std::filesystem::exists(std::string(home) + "/.romana.yaml")) {
      path = std::string(home) + "/.romana.yaml";
    } else if (std::filesystem::exists("/etc/romana/cli.yaml")) {
      path = "/etc/romana/cli.yaml";
    }
  }
  if (path.empty()) return absl::OkStatus();
  if (!std::filesystem::exists(path)) {
    return explicit_path ? absl::InvalidArgumentError(absl::StrCat("config file ", path, " does not exist")) : absl::OkStatus();
  }
  try {
    YAML::Node n = YAML::LoadFile(path);
    auto get = [&](const char* a, const char* b) -> std::string {
      if (n[a]) return n[a].as<std::string>();
      if (b != nullptr && n[b]) return n[b].as<std::string>();
      return "";
    };
    if (g.server.empty()) g.server = get("server", "RootURL");
    if (g.token.empty() && g.token_file.empty()) {
      g.token = get("token", nullptr);
      g.token_file = get("token_file", nullptr);
    }
    if (g.ca_file.empty()) g.ca_file = get("ca_file", nullptr);
    if (g.output.empty()) g.output = get("output", "Format");
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("config file ", path, ": ", e.what()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadInput(const std::string& file, std::istream& in) {
  std::stringstream ss;
  if (file.empty() || file == "-") {
    ss << in.rdbuf();
  } else {
    std::ifstream f(file);
    if (!f) return absl::InvalidArgumentError(absl::StrCat("cannot read ", file));
    ss << f.rdbuf();
  }
  return ss.str();
}

absl::StatusOr<std::map<std::string, std::string>> ParseLabels(const std::vector<std::string>& labels) {
  std::map<std::string, std::string> out;
  for (const std::string& l : labels) {
    size_t eq = l.find('=');
    if (eq == std::string::npos || eq == 0) return absl::InvalidArgumentError(absl::StrCat("--label \"", l, "\" must be key=value"));
    out[l.substr(0, eq)] = l.substr(eq + 1);
  }
  return out;
}

std::string Str(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) return "";
  const nlohmann::json& v = j[key];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

class Cli {
 public:
  Cli(std::ostream& out, std::ostream& err, std::istream& in) : out_(out), err_(err), in_(in) {}

  int Run(int argc, char** argv);

 private:
  // Sends one request; prints errors; returns the JSON body of a 2xx answer.
  absl::StatusOr<nlohmann::json> Call(const std::string& method, const std::string& path, const std::string& body = "",
                                      int* http_status = nullptr) {
    absl::StatusOr<api::RawResponse> r = client_->Do(method, path, body);
    if (!r.ok()) return r.status();
    if (absl::Status s = api::Client::StatusFromResponse(r->status, r->body); !s.ok()) return s;
    if (http_status != nullptr) *http_status = r->status;
    nlohmann::json j = nlohmann::json::parse(r->body, nullptr, false);
    if (j.is_discarded()) return absl::InternalError("romanad answered invalid JSON");
    return j;
  }
  int Fail(const absl::Status& s) {
    err_ << "error: " << s.message();
    if (auto f = api::FieldOf(s); f.has_value() && s.message().find(*f) == absl::string_view::npos) err_ << " (field " << *f << ")";
    err_ << "\n";
    if (auto conflicts = api::DetailOf(s, "conflicts")) err_ << "conflicts: " << *conflicts << "\n";
    return ExitCodeFor(s);
  }
  // Prints `j` as JSON/YAML, or as a table built by `table` in table mode.
  void Print(const nlohmann::json& j, const std::function<Table(const nlohmann::json&)>& table) {
    if (format_ == Format::kJson) PrintJson(j, out_);
    else if (format_ == Format::kYaml) PrintYaml(j, out_);
    else PrintTable(table(j), out_);
  }
  // GET path, print with `table`.
  int Show(const std::string& path, const std::function<Table(const nlohmann::json&)>& table) {
    absl::StatusOr<nlohmann::json> j = Call("GET", path);
    if (!j.ok()) return Fail(j.status());
    Print(*j, table);
    return kExitOk;
  }
  int Message(const nlohmann::json& j, const std::string& text) {
    if (format_ == Format::kTable) out_ << text << "\n";
    else Print(j, nullptr);
    return kExitOk;
  }

  static Table Hosts(const nlohmann::json& j) {
    Table t{{"NAME", "IP", "GROUPS", "LABELS"}, {}};
    const nlohmann::json items = j.contains("hosts") ? j["hosts"] : nlohmann::json::array({j});
    for (const auto& h : items) t.rows.push_back({Str(h, "name"), Str(h, "ip"), LabelsText(h.value("groups", nlohmann::json::object())), LabelsText(h.value("labels", nlohmann::json::object()))});
    return t;
  }
  // One row per host, then one more per policy error it reported.
  static Table HostStatuses(const nlohmann::json& j) {
    Table t{{"HOST", "UPDATED", "POLICY_ERRORS", "ERROR"}, {}};
    const nlohmann::json items = j.contains("hoststatus") ? j["hoststatus"] : nlohmann::json::array({j});
    for (const auto& h : items) {
      t.rows.push_back({Str(h, "host"), Str(h, "updated"), Str(h, "policy_error_count"), ""});
      for (const auto& e : h.value("policy_errors", nlohmann::json::array())) {
        t.rows.push_back({"", "", "", e.is_string() ? e.get<std::string>() : e.dump()});
      }
    }
    return t;
  }
  static Table Vips(const nlohmann::json& j) {
    Table t{{"NAMESPACE", "NAME", "IP", "NODE", "PORTS"}, {}};
    const nlohmann::json items = j.contains("vips") ? j["vips"] : nlohmann::json::array({j});
    for (const auto& v : items) {
      std::string ports;
      for (const auto& p : v.value("ports", nlohmann::json::array())) {
        ports += (ports.empty() ? "" : ",") + Str(p, "port") + "/" + Str(p, "protocol");
      }
      const std::string node = Str(v, "node");
      t.rows.push_back({Str(v, "namespace"), Str(v, "name"), Str(v, "ip"), node.empty() ? "<none>" : node, ports});
    }
    return t;
  }
  static Table Networks(const nlohmann::json& j) {
    Table t{{"NAME", "CIDR", "BLOCK_MASK"}, {}};
    const nlohmann::json items = j.contains("networks") && j["networks"].is_array() ? j["networks"] : nlohmann::json::array({j});
    for (const auto& n : items) t.rows.push_back({Str(n, "name"), Str(n, "cidr"), Str(n, "block_mask")});
    return t;
  }
  static Table Blocks(const nlohmann::json& j) {
    Table t{{"NETWORK", "CIDR", "GROUP", "HOST", "OWNER", "ALLOCATED"}, {}};
    for (const auto& b : j["blocks"]) t.rows.push_back({Str(b, "network"), Str(b, "cidr"), Str(b, "group"), Str(b, "host"), Str(b, "owner"), Str(b, "allocated")});
    return t;
  }
  static Table Groups(const nlohmann::json& j) {
    Table t{{"NETWORK", "PATH", "NAME", "CIDR", "LEAF", "ASSIGNMENT", "HOSTS"}, {}};
    for (const auto& g : j["groups"]) {
      std::vector<std::string> hosts;
      for (const auto& h : g.value("hosts", nlohmann::json::array())) hosts.push_back(h.is_string() ? h.get<std::string>() : h.dump());
      std::string leaf = g.value("padding", false) ? "padding" : (g.value("leaf", false) ? "yes" : "no");
      t.rows.push_back({Str(g, "network"), Str(g, "path"), Str(g, "name"), Str(g, "cidr"), leaf,
                        LabelsText(g.value("assignment", nlohmann::json::object())), absl::StrJoin(hosts, ",")});
    }
    return t;
  }
  static Table Addresses(const nlohmann::json& j) {
    Table t{{"NAME", "IP", "HOST", "NETWORK", "BLOCK", "NAMESPACE", "SEGMENT"}, {}};
    const nlohmann::json items = j.contains("addresses") ? j["addresses"] : nlohmann::json::array({j});
    for (const auto& a : items) t.rows.push_back({Str(a, "name"), Str(a, "ip"), Str(a, "host"), Str(a, "network"), Str(a, "block"), Str(a, "namespace"), Str(a, "segment")});
    return t;
  }
  static Table Policies(const nlohmann::json& j) {
    Table t{{"ID", "DIRECTION", "APPLIED_TO", "PEERS", "RULES", "DESCRIPTION"}, {}};
    const nlohmann::json items = j.contains("policies") ? j["policies"] : nlohmann::json::array({j});
    for (const auto& p : items) {
      size_t peers = 0, rules = 0;
      for (const auto& g : p.value("ingress", nlohmann::json::array())) {
        peers += g.value("peers", nlohmann::json::array()).size();
        rules += g.value("rules", nlohmann::json::array()).size();
      }
      t.rows.push_back({Str(p, "id"), Str(p, "direction"), std::to_string(p.value("applied_to", nlohmann::json::array()).size()),
                        std::to_string(peers), std::to_string(rules), Str(p, "description")});
    }
    return t;
  }

  static Table NetworkPolicies(const nlohmann::json& j) {
    Table t{{"NAMESPACE", "NAME", "POD-SELECTOR", "POLICY-TYPES", "INGRESS", "EGRESS"}, {}};
    const nlohmann::json items = j.contains("networkpolicies") ? j["networkpolicies"] : nlohmann::json::array({j});
    for (const auto& np : items) {
      const nlohmann::json meta = np.value("metadata", nlohmann::json::object());
      const nlohmann::json spec = np.value("spec", nlohmann::json::object());
      std::vector<std::string> types;
      for (const auto& type : spec.value("policyTypes", nlohmann::json::array())) {
        types.push_back(type.is_string() ? type.get<std::string>() : type.dump());
      }
      t.rows.push_back({Str(meta, "namespace"), Str(meta, "name"),
                        LabelSelectorText(spec.value("podSelector", nlohmann::json::object())),
                        types.empty() ? "<default>" : absl::StrJoin(types, ","),
                        std::to_string(spec.value("ingress", nlohmann::json::array()).size()),
                        std::to_string(spec.value("egress", nlohmann::json::array()).size())});
    }
    return t;
  }

  std::ostream& out_;
  std::ostream& err_;
  std::istream& in_;
  Format format_ = Format::kTable;
  std::unique_ptr<api::Client> client_;
};

int Cli::Run(int argc, char** argv) {
  Globals g;
  CLI::App app{"romanactl: manage Romana through romanad's REST API (docs/cli.md)"};
  app.require_subcommand(1);
  app.add_option("-c,--config", g.config, "Config file (YAML: server, token, token_file, ca_file, output); default ~/.romana.yaml, then /etc/romana/cli.yaml");
  app.add_option("-s,--server,-r,--rootURL", g.server, "romanad URL (default http://127.0.0.1:9600)");
  // Kept only to answer with a clear error: a token in argv is visible in ps and /proc.
  app.add_option("--token", g.argv_token, "Not accepted (argv is visible to every user): use --token-file or ROMANA_TOKEN");
  app.add_option("--token-file", g.token_file,
                 "File holding the bearer token for mutating calls (and reads with romanad --auth-reads); "
                 "\"-\" reads it from stdin. Without it: the environment variable ROMANA_TOKEN, then the config file");
  app.add_option("--ca-file", g.ca_file, "CA bundle to verify an https romanad (e.g. the ca.crt of scripts/gen-certs)");
  app.add_option("-o,--output,-f,--format", g.output, "table|json|yaml (default table)");
  app.add_option("--timeout", g.timeout_s, "Seconds to wait for romanad")->check(CLI::Range(1, 3600));
  app.footer("Exit codes: 0 ok, 1 server error, 2 usage, 3 romanad unreachable/unavailable, 4 not found,\n"
             "5 invalid input, 6 conflict, 7 not authorised.");

  std::function<int()> action;
  // host
  auto* host = app.add_subcommand("host", "Hosts (nodes)")->require_subcommand(1);
  host->add_subcommand("list", "List hosts")->callback([&] { action = [&] { return Show("/hosts", Hosts); }; });
  std::string name, ip, file, network, host_filter, ns, segment, builtin, overrides;
  std::vector<std::string> labels, ids;
  bool by_ip = false;
  auto* host_show = host->add_subcommand("show", "Show one host");
  host_show->add_option("name", name, "Host name")->required();
  host_show->callback([&] { action = [&] { return Show("/hosts/" + http::PercentEncode(name), Hosts); }; });
  auto* host_status = host->add_subcommand(
      "status", "What hosts' agents reported: the policies they left out of enforcement and why");
  host_status->add_option("name", name, "Host name (default: every host that reported)");
  host_status->callback([&] {
    action = [&] {
      return name.empty() ? Show("/hoststatus", HostStatuses)
                          : Show("/hosts/" + http::PercentEncode(name) + "/status", HostStatuses);
    };
  });
  auto* host_add = host->add_subcommand("add", "Add a host");
  host_add->add_option("name", name, "Host name")->required();
  host_add->add_option("ip", ip, "Host IPv4 address")->required();
  host_add->add_option("-l,--label", labels, "Label key=value (repeatable)");
  host_add->callback([&] {
    action = [&] {
      auto l = ParseLabels(labels);
      if (!l.ok()) return (err_ << "error: " << l.status().message() << "\n", kExitUsage);
      absl::StatusOr<nlohmann::json> j = Call("POST", "/hosts", api::ToJson(api::HostRequest{name, ip, *l}).dump());
      if (!j.ok()) return Fail(j.status());
      Print(*j, Hosts);
      return kExitOk;
    };
  });
  auto* host_label = host->add_subcommand("relabel", "Replace a host's labels");
  host_label->add_option("name", name, "Host name")->required();
  host_label->add_option("-l,--label", labels, "Label key=value (repeatable)");
  host_label->callback([&] {
    action = [&] {
      auto l = ParseLabels(labels);
      if (!l.ok()) return (err_ << "error: " << l.status().message() << "\n", kExitUsage);
      nlohmann::json body = {{"labels", nlohmann::json::object()}};
      for (const auto& [k, v] : *l) body["labels"][k] = v;
      absl::StatusOr<nlohmann::json> j = Call("PUT", "/hosts/" + http::PercentEncode(name) + "/labels", body.dump());
      if (!j.ok()) return Fail(j.status());
      Print(*j, Hosts);
      return kExitOk;
    };
  });
  auto* host_rm = host->add_subcommand("remove", "Remove a host (frees its blocks and addresses)");
  host_rm->add_option("name", name, "Host name")->required();
  host_rm->callback([&] {
    action = [&] {
      absl::StatusOr<nlohmann::json> j = Call("DELETE", "/hosts/" + http::PercentEncode(name));
      if (!j.ok()) return Fail(j.status());
      return Message(*j, "Host " + name + " removed.");
    };
  });

  // network
  auto* net = app.add_subcommand("network", "Networks")->require_subcommand(1);
  net->add_subcommand("list", "List networks")->callback([&] { action = [&] { return Show("/networks", Networks); }; });
  auto* net_show = net->add_subcommand("show", "Show one network");
  net_show->add_option("name", name, "Network name")->required();
  net_show->callback([&] { action = [&] { return Show("/networks/" + http::PercentEncode(name), Networks); }; });
  net->add_subcommand("groups", "List the groups (prefix groups) of every network")->callback([&] {
    action = [&] { return Show("/groups", Groups); };
  });

  // block
  auto* block = app.add_subcommand("block", "Address blocks")->require_subcommand(1);
  auto* block_list = block->add_subcommand("list", "List blocks");
  block_list->add_option("--network", network, "Only this network");
  block_list->add_option("--host", host_filter, "Only this host");
  block_list->callback([&] {
    action = [&] {
      std::string q;
      if (!network.empty()) q += "network=" + http::PercentEncode(network);
      if (!host_filter.empty()) q += std::string(q.empty() ? "" : "&") + "host=" + http::PercentEncode(host_filter);
      return Show("/blocks" + (q.empty() ? "" : "?" + q), Blocks);
    };
  });

  // topology
  auto* topo = app.add_subcommand("topology", "The topology")->require_subcommand(1);
  auto topo_show = [&] {
    action = [&] {
      absl::StatusOr<nlohmann::json> j = Call("GET", "/groups");
      if (!j.ok()) return Fail(j.status());
      if (format_ != Format::kTable) return Show("/topology", nullptr);
      PrintTable(Groups(*j), out_);
      return kExitOk;
    };
  };
  topo->add_subcommand("list", "Show the applied topology (table: its groups)")->callback(topo_show);
  topo->add_subcommand("show", "Same as list")->callback(topo_show);
  auto* topo_update = topo->add_subcommand("update", "Replace the topology from a file (or - for stdin)");
  topo_update->add_option("file", file, "Topology JSON file, or - for stdin")->required();
  topo_update->callback([&] {
    action = [&] {
      absl::StatusOr<std::string> text = ReadInput(file, in_);
      if (!text.ok()) return (err_ << "error: " << text.status().message() << "\n", kExitUsage);
      nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
      if (j.is_discarded()) return (err_ << "error: " << file << " is not valid JSON\n", kExitUsage);
      absl::StatusOr<nlohmann::json> r = Call("PUT", "/topology", j.dump());
      if (!r.ok()) return Fail(r.status());
      return Message(*r, "Topology updated.");
    };
  });
  auto* topo_plan = topo->add_subcommand("plan", "Print the address plan of a topology file or built-in, offline");
  topo_plan->add_option("file", file, "Topology JSON file, or - for stdin");
  topo_plan->add_option("--builtin", builtin, "A built-in topology: kubeadm or aws-<region>");
  topo_plan->add_option("--network-cidr-overrides", overrides, "name=cidr[,name=cidr]");
  topo_plan->callback([&] {
    action = [&] {
      if (file.empty() == builtin.empty()) return (err_ << "error: give a topology file or --builtin NAME\n", kExitUsage);
      std::string text;
      if (!file.empty()) {
        absl::StatusOr<std::string> t = ReadInput(file, in_);
        if (!t.ok()) return (err_ << "error: " << t.status().message() << "\n", kExitUsage);
        text = *t;
      }
      absl::StatusOr<std::string> report = TopologyPlan(text, builtin, overrides, format_ == Format::kJson);
      if (!report.ok()) return (err_ << "error: " << report.status().message() << "\n", kExitInvalid);
      out_ << *report;
      if (!report->empty() && report->back() != '\n') out_ << "\n";
      return kExitOk;
    };
  });

  // address
  auto* addr = app.add_subcommand("address", "Pod addresses")->require_subcommand(1);
  auto* addr_list = addr->add_subcommand("list", "List addresses");
  addr_list->add_option("--host", host_filter, "Only this host");
  addr_list->callback([&] {
    action = [&] { return Show("/addresses" + (host_filter.empty() ? "" : "?host=" + http::PercentEncode(host_filter)), Addresses); };
  });
  auto* addr_show = addr->add_subcommand("show", "Show one address by name (or by IP with --ip)");
  addr_show->add_option("name", name, "Address name or IP")->required();
  addr_show->add_flag("--ip", by_ip, "The argument is an IP address");
  addr_show->callback([&] {
    action = [&] { return Show(std::string("/address?") + (by_ip ? "ip=" : "name=") + http::PercentEncode(name), Addresses); };
  });
  auto* addr_alloc = addr->add_subcommand("allocate", "Allocate an address (idempotent per name)");
  addr_alloc->add_option("name", name, "Address name")->required();
  addr_alloc->add_option("--host", host_filter, "Host")->required();
  addr_alloc->add_option("--namespace", ns, "Namespace (default: default)");
  addr_alloc->add_option("--segment", segment, "Segment (default: default)");
  addr_alloc->callback([&] {
    action = [&] {
      absl::StatusOr<nlohmann::json> j = Call("POST", "/address", api::ToJson(api::AddressRequest{name, host_filter, ns, segment}).dump());
      if (!j.ok()) return Fail(j.status());
      Print(*j, Addresses);
      return kExitOk;
    };
  });
  auto* addr_rel = addr->add_subcommand("release", "Release an address by name (or by IP with --ip)");
  addr_rel->add_option("name", name, "Address name or IP")->required();
  addr_rel->add_flag("--ip", by_ip, "The argument is an IP address");
  addr_rel->callback([&] {
    action = [&] {
      absl::StatusOr<nlohmann::json> j = Call("DELETE", std::string("/address?") + (by_ip ? "ip=" : "name=") + http::PercentEncode(name));
      if (!j.ok()) return Fail(j.status());
      return Message(*j, "Address " + Str(*j, "ip") + " (" + Str(*j, "name") + ") released.");
    };
  });

  // policy
  auto* pol = app.add_subcommand("policy", "Romana policies (native policy JSON)")->require_subcommand(1);
  auto* pol_add = pol->add_subcommand("apply", "Add or replace policies from a file or - (one policy or an array)");
  pol_add->alias("add");
  pol_add->add_option("file", file, "Policy JSON file, or - for stdin");
  pol_add->add_option("-f,--filename", file, "Policy JSON file, or - for stdin");
  pol_add->callback([&] {
    action = [&] {
      if (file.empty()) return (err_ << "error: give the policy file: apply -f FILE (or - for stdin)\n", kExitUsage);
      absl::StatusOr<std::string> text = ReadInput(file, in_);
      if (!text.ok()) return (err_ << "error: " << text.status().message() << "\n", kExitUsage);
      nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
      if (j.is_discarded()) return (err_ << "error: " << file << " is not valid JSON\n", kExitUsage);
      if (!j.is_array()) j = nlohmann::json::array({j});
      Table t{{"ID", "DIRECTION", "RESULT"}, {}};
      nlohmann::json results = nlohmann::json::array();
      int rc = kExitOk;
      for (const auto& p : j) {
        absl::StatusOr<nlohmann::json> r = Call("POST", "/policies", p.dump());
        std::string result = r.ok() ? "applied" : absl::StrCat("error: ", r.status().message());
        if (!r.ok() && rc == kExitOk) rc = ExitCodeFor(r.status());
        t.rows.push_back({Str(p, "id"), Str(p, "direction"), result});
        results.push_back({{"id", Str(p, "id")}, {"ok", r.ok()}, {"result", r.ok() ? *r : nlohmann::json(result)}});
      }
      Print(results, [&](const nlohmann::json&) { return t; });
      return rc;
    };
  });
  pol->add_subcommand("list", "List policies")->callback([&] { action = [&] { return Show("/policies", Policies); }; });
  auto* pol_show = pol->add_subcommand("show", "Show policies in full");
  pol_show->add_option("id", ids, "Policy ids")->required();
  pol_show->callback([&] {
    action = [&] {
      nlohmann::json all = nlohmann::json::array();
      for (const std::string& id : ids) {
        absl::StatusOr<nlohmann::json> j = Call("GET", "/policies/" + http::PercentEncode(id));
        if (!j.ok()) return Fail(j.status());
        all.push_back(*j);
      }
      if (format_ == Format::kTable) {
        for (const auto& p : all) PrintJson(p, out_);  // a policy is a tree: show it whole
      } else {
        Print(ids.size() == 1 ? all[0] : all, nullptr);
      }
      return kExitOk;
    };
  });
  auto* pol_rm = pol->add_subcommand("delete", "Delete policies");
  pol_rm->alias("remove");
  pol_rm->add_option("id", ids, "Policy ids")->required();
  pol_rm->callback([&] {
    action = [&] {
      for (const std::string& id : ids) {
        absl::StatusOr<nlohmann::json> j = Call("DELETE", "/policies/" + http::PercentEncode(id));
        if (!j.ok()) return Fail(j.status());
        if (format_ == Format::kTable) out_ << "Policy " << id << " removed.\n";
      }
      if (format_ != Format::kTable) Print(nlohmann::json{{"removed", ids}}, nullptr);
      return kExitOk;
    };
  });

  // networkpolicy
  auto* np = app.add_subcommand("networkpolicy", "Kubernetes NetworkPolicies (networking.k8s.io/v1, stored as they are)")
                 ->require_subcommand(1);
  np->alias("netpol");
  // NAMESPACE/NAME, or NAME in -n NAMESPACE (default "default", as kubectl).
  auto np_path = [&](const std::string& ref) -> absl::StatusOr<std::string> {
    std::string policy_ns = ns.empty() ? "default" : ns, policy_name = ref;
    if (size_t slash = ref.find('/'); slash != std::string::npos) {
      policy_ns = ref.substr(0, slash);
      policy_name = ref.substr(slash + 1);
      if (!ns.empty() && ns != policy_ns) {
        return absl::InvalidArgumentError(absl::StrCat("\"", ref, "\" names namespace ", policy_ns, ", -n says ", ns));
      }
    }
    if (policy_ns.empty() || policy_name.empty() || policy_name.find('/') != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("\"", ref, "\" must be NAME or NAMESPACE/NAME"));
    }
    return "/namespaces/" + http::PercentEncode(policy_ns) + "/networkpolicies/" + http::PercentEncode(policy_name);
  };
  auto* np_list = np->add_subcommand("list", "List NetworkPolicies");
  np_list->add_option("-n,--namespace", ns, "Only this namespace");
  np_list->callback([&] {
    action = [&] {
      return Show("/networkpolicies" + (ns.empty() ? "" : "?namespace=" + http::PercentEncode(ns)), NetworkPolicies);
    };
  });
  auto* np_show = np->add_subcommand("show", "Show NetworkPolicies in full (table output: YAML)");
  np_show->add_option("policy", ids, "NAMESPACE/NAME, or NAME with -n")->required();
  np_show->add_option("-n,--namespace", ns, "Namespace of NAME (default: default)");
  np_show->callback([&] {
    action = [&] {
      nlohmann::json all = nlohmann::json::array();
      for (const std::string& ref : ids) {
        absl::StatusOr<std::string> path = np_path(ref);
        if (!path.ok()) return (err_ << "error: " << path.status().message() << "\n", kExitUsage);
        absl::StatusOr<nlohmann::json> j = Call("GET", *path);
        if (!j.ok()) return Fail(j.status());
        all.push_back(*j);
      }
      if (format_ == Format::kTable) {
        for (size_t i = 0; i < all.size(); ++i) {  // a policy is a tree: show it whole, as it was applied
          if (i > 0) out_ << "---\n";
          PrintYaml(all[i], out_);
        }
      } else {
        Print(ids.size() == 1 ? all[0] : all, nullptr);
      }
      return kExitOk;
    };
  });
  auto* np_apply = np->add_subcommand("apply", "Create or replace NetworkPolicies from YAML or JSON (several documents, kind: List)");
  np_apply->add_option("-f,--filename", file, "Manifest file, or - for stdin")->required();
  np_apply->add_option("-n,--namespace", ns, "Namespace for objects that name none (default: default)");
  np_apply->callback([&] {
    action = [&] {
      absl::StatusOr<std::string> text = ReadInput(file, in_);
      if (!text.ok()) return (err_ << "error: " << text.status().message() << "\n", kExitUsage);
      absl::StatusOr<std::vector<nlohmann::json>> objects = ReadManifests(*text);
      if (!objects.ok()) return (err_ << "error: " << file << ": " << objects.status().message() << "\n", kExitUsage);
      if (objects->empty()) return (err_ << "error: " << file << " holds no objects\n", kExitUsage);
      Table t{{"NAMESPACE", "NAME", "RESULT"}, {}};
      nlohmann::json results = nlohmann::json::array();
      int rc = kExitOk;
      for (const nlohmann::json& obj : *objects) {
        const nlohmann::json meta = obj.value("metadata", nlohmann::json::object());
        std::string obj_ns = Str(meta, "namespace");
        const std::string name = Str(meta, "name"), kind = Str(obj, "kind");
        absl::Status st;
        if (!kind.empty() && kind != "NetworkPolicy") {
          st = absl::InvalidArgumentError(absl::StrCat("kind ", kind, " is not a NetworkPolicy"));
        } else if (name.empty()) {
          st = absl::InvalidArgumentError("metadata.name is required");
        } else if (!ns.empty() && !obj_ns.empty() && obj_ns != ns) {
          st = absl::InvalidArgumentError(absl::StrCat("metadata.namespace ", obj_ns, " differs from -n ", ns));
        }
        if (obj_ns.empty()) obj_ns = ns.empty() ? "default" : ns;
        int http_status = 0;
        absl::StatusOr<nlohmann::json> r =
            !st.ok() ? absl::StatusOr<nlohmann::json>(st)
                     : Call("PUT", "/namespaces/" + http::PercentEncode(obj_ns) + "/networkpolicies/" + http::PercentEncode(name),
                            obj.dump(), &http_status);
        std::string result = !r.ok() ? absl::StrCat("error: ", r.status().message())
                                     : (http_status == 201 ? "created" : "configured");
        if (!r.ok() && api::FieldOf(r.status()).has_value() &&
            r.status().message().find(*api::FieldOf(r.status())) == absl::string_view::npos) {
          absl::StrAppend(&result, " (field ", *api::FieldOf(r.status()), ")");
        }
        if (!r.ok() && rc == kExitOk) rc = ExitCodeFor(r.status());
        t.rows.push_back({obj_ns, name, result});
        results.push_back({{"namespace", obj_ns}, {"name", name}, {"ok", r.ok()},
                           {"result", r.ok() ? *r : nlohmann::json(result)}});
      }
      Print(results, [&](const nlohmann::json&) { return t; });
      return rc;
    };
  });
  auto* np_rm = np->add_subcommand("delete", "Delete NetworkPolicies");
  np_rm->alias("remove");
  np_rm->add_option("policy", ids, "NAMESPACE/NAME, or NAME with -n")->required();
  np_rm->add_option("-n,--namespace", ns, "Namespace of NAME (default: default)");
  np_rm->callback([&] {
    action = [&] {
      for (const std::string& ref : ids) {
        absl::StatusOr<std::string> path = np_path(ref);
        if (!path.ok()) return (err_ << "error: " << path.status().message() << "\n", kExitUsage);
        absl::StatusOr<nlohmann::json> j = Call("DELETE", *path);
        if (!j.ok()) return Fail(j.status());
        if (format_ == Format::kTable) out_ << "NetworkPolicy " << ref << " deleted.\n";
      }
      if (format_ != Format::kTable) Print(nlohmann::json{{"deleted", ids}}, nullptr);
      return kExitOk;
    };
  });

  // vip
  auto* vip = app.add_subcommand("vip", "VIPs: Service addresses the agent of one node adds (romanavip annotation)")
                  ->require_subcommand(1);
  auto* vip_list = vip->add_subcommand("list", "List VIPs");
  vip_list->add_option("--host", host_filter, "Only those this host serves");
  vip_list->add_option("-n,--namespace", ns, "Only this namespace");
  vip_list->callback([&] {
    action = [&] {
      std::string q;
      if (!host_filter.empty()) q += "node=" + http::PercentEncode(host_filter);
      if (!ns.empty()) q += std::string(q.empty() ? "" : "&") + "namespace=" + http::PercentEncode(ns);
      return Show("/vips" + (q.empty() ? "" : "?" + q), Vips);
    };
  });
  auto* vip_show = vip->add_subcommand("show", "Show the VIP of one Service");
  vip_show->add_option("namespace", ns, "The Service's namespace")->required();
  vip_show->add_option("name", name, "The Service's name")->required();
  vip_show->callback([&] {
    action = [&] { return Show("/vips/" + http::PercentEncode(ns) + "/" + http::PercentEncode(name), Vips); };
  });

  // status
  app.add_subcommand("status", "romanad's version, readiness, leader and object counts")->callback([&] {
    action = [&] {
      absl::StatusOr<nlohmann::json> v = Call("GET", "/version");
      if (!v.ok()) return Fail(v.status());
      absl::StatusOr<nlohmann::json> ready = Call("GET", "/readyz");
      nlohmann::json st = {{"server", client_->options().server}, {"version", Str(*v, "version")}, {"ready", ready.ok()}};
      if (ready.ok()) {
        st["leader"] = (*ready).value("leader", false);
        if (ready->contains("leader_url")) st["leader_url"] = (*ready)["leader_url"];
      } else {
        st["not_ready_reason"] = std::string(ready.status().message());
      }
      for (const char* kind :
           {"networks", "hosts", "blocks", "addresses", "policies", "networkpolicies", "namespaces", "endpoints", "vips"}) {
        absl::StatusOr<nlohmann::json> l = Call("GET", std::string("/") + kind);
        if (l.ok()) {
          st[kind] = (*l)[kind].size();
          st["revision"] = (*l)["revision"];
        }
      }
      Print(st, [](const nlohmann::json& s) {
        Table t{{"FIELD", "VALUE"}, {}};
        for (auto it = s.begin(); it != s.end(); ++it) t.rows.push_back({it.key(), it->is_string() ? it->get<std::string>() : it->dump()});
        return t;
      });
      return ready.ok() ? kExitOk : kExitUnreachable;
    };
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e, out_, err_);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  if (!g.argv_token.empty()) {
    return (err_ << "error: --token is not accepted: a token on the command line is visible to every user of this "
                    "machine (ps, /proc); use --token-file FILE or the environment variable ROMANA_TOKEN\n",
            kExitUsage);
  }
  if (g.token_file.empty()) {
    if (const char* env = getenv("ROMANA_TOKEN"); env != nullptr && *env != '\0') {
      absl::StatusOr<std::string> t = base::ParseToken(env, "ROMANA_TOKEN");
      if (!t.ok()) return (err_ << "error: " << t.status().message() << "\n", kExitUsage);
      g.token = *std::move(t);
    }
  }
  if (absl::Status s = LoadConfig(g); !s.ok()) return (err_ << "error: " << s.message() << "\n", kExitUsage);
  if (g.output.empty() || g.output == "table") format_ = Format::kTable;
  else if (g.output == "json") format_ = Format::kJson;
  else if (g.output == "yaml") format_ = Format::kYaml;
  else return (err_ << "error: --output must be table, json or yaml\n", kExitUsage);
  if (g.token.empty() && !g.token_file.empty()) {
    absl::StatusOr<std::string> t = g.token_file == "-" ? ReadInput("-", in_) : base::ReadTokenFile(g.token_file);
    if (t.ok() && g.token_file == "-") t = base::ParseToken(*t, "stdin");
    if (!t.ok()) return (err_ << "error: --token-file: " << t.status().message() << "\n", kExitUsage);
    g.token = *std::move(t);
  }
  absl::StatusOr<std::unique_ptr<api::Client>> c = api::Client::Create(
      {.server = g.server.empty() ? "http://127.0.0.1:9600" : g.server, .token = g.token, .ca_file = g.ca_file,
       .timeout = std::chrono::seconds(g.timeout_s)});
  if (!c.ok()) return (err_ << "error: " << c.status().message() << "\n", kExitUsage);
  client_ = *std::move(c);
  return action ? action() : kExitUsage;
}

}  // namespace

int ExitCodeFor(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kOk: return kExitOk;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded: return kExitUnreachable;
    case absl::StatusCode::kNotFound: return kExitNotFound;
    case absl::StatusCode::kInvalidArgument: return kExitInvalid;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAborted: return kExitConflict;
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied: return kExitAuth;
    default: return kExitError;
  }
}

int Run(int argc, char** argv, std::ostream& out, std::ostream& err, std::istream& in) {
  return Cli(out, err, in).Run(argc, argv);
}

}  // namespace romana::cli
