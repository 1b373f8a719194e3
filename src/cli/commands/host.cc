// romanactl host list|show|status|add|relabel|remove.
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "api/types.h"
#include "cli/commands/commands.h"
#include "cli/romanactl.h"
#include "cli/tables.h"
#include "http/url.h"

namespace romana::cli {
namespace {

absl::StatusOr<std::map<std::string, std::string>> ParseLabels(const std::vector<std::string>& labels) {
  std::map<std::string, std::string> out;
  for (const std::string& l : labels) {
    size_t eq = l.find('=');
    if (eq == std::string::npos || eq == 0) return absl::InvalidArgumentError(absl::StrCat("--label \"", l, "\" must be key=value"));
    out[l.substr(0, eq)] = l.substr(eq + 1);
  }
  return out;
}

class HostCommand : public Command {
 public:
  explicit HostCommand(Session& s) : s_(s) {}

  void Register(CLI::App& app, Action& action) override {
    auto* host = app.add_subcommand("host", "Hosts (nodes)")->require_subcommand(1);
    host->add_subcommand("list", "List hosts")->callback([&] { action = [&] { return s_.Show("/hosts", HostsTable); }; });
    auto* host_show = host->add_subcommand("show", "Show one host");
    host_show->add_option("name", name_, "Host name")->required();
    host_show->callback([&] { action = [&] { return s_.Show("/hosts/" + http::PercentEncode(name_), HostsTable); }; });
    auto* host_status = host->add_subcommand(
        "status", "What hosts' agents reported: the policies they left out of enforcement and why");
    host_status->add_option("name", name_, "Host name (default: every host that reported)");
    host_status->callback([&] {
      action = [&] {
        return name_.empty() ? s_.Show("/hoststatus", HostStatusesTable)
                             : s_.Show("/hosts/" + http::PercentEncode(name_) + "/status", HostStatusesTable);
      };
    });
    auto* host_add = host->add_subcommand("add", "Add a host");
    host_add->add_option("name", name_, "Host name")->required();
    host_add->add_option("ip", ip_, "Host IPv4 address")->required();
    host_add->add_option("-l,--label", labels_, "Label key=value (repeatable)");
    host_add->callback([&] { action = [this] { return Add(); }; });
    auto* host_label = host->add_subcommand("relabel", "Replace a host's labels");
    host_label->add_option("name", name_, "Host name")->required();
    host_label->add_option("-l,--label", labels_, "Label key=value (repeatable)");
    host_label->callback([&] { action = [this] { return Relabel(); }; });
    auto* host_rm = host->add_subcommand("remove", "Remove a host (frees its blocks and addresses)");
    host_rm->add_option("name", name_, "Host name")->required();
    host_rm->callback([&] {
      action = [&] {
        absl::StatusOr<nlohmann::json> j = s_.Call("DELETE", "/hosts/" + http::PercentEncode(name_));
        if (!j.ok()) return s_.Fail(j.status());
        return s_.Message(*j, "Host " + name_ + " removed.");
      };
    });
  }

 private:
  int Add() {
    auto l = ParseLabels(labels_);
    if (!l.ok()) return s_.Usage(l.status().message());
    absl::StatusOr<nlohmann::json> j = s_.Call("POST", "/hosts", api::ToJson(api::HostRequest{name_, ip_, *l}).dump());
    if (!j.ok()) return s_.Fail(j.status());
    s_.Print(*j, HostsTable);
    return kExitOk;
  }

  int Relabel() {
    auto l = ParseLabels(labels_);
    if (!l.ok()) return s_.Usage(l.status().message());
    nlohmann::json body = {{"labels", nlohmann::json::object()}};
    for (const auto& [k, v] : *l) body["labels"][k] = v;
    absl::StatusOr<nlohmann::json> j = s_.Call("PUT", "/hosts/" + http::PercentEncode(name_) + "/labels", body.dump());
    if (!j.ok()) return s_.Fail(j.status());
    s_.Print(*j, HostsTable);
    return kExitOk;
  }

  Session& s_;
  std::string name_, ip_;
  std::vector<std::string> labels_;
};

}  // namespace

std::unique_ptr<Command> NewHostCommand(Session& session) { return std::make_unique<HostCommand>(session); }

}  // namespace romana::cli
