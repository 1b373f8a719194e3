// romanactl network list|show|groups.
#include <string>

#include "cli/commands/commands.h"
#include "cli/romanactl.h"
#include "cli/tables.h"
#include "http/url.h"

namespace romana::cli {
namespace {

class NetworkCommand : public Command {
 public:
  explicit NetworkCommand(Session& s) : s_(s) {}

  void Register(CLI::App& app, Action& action) override {
    auto* net = app.add_subcommand("network", "Networks")->require_subcommand(1);
    net->add_subcommand("list", "List networks")->callback([&] { action = [&] { return s_.Show("/networks", NetworksTable); }; });
    auto* net_show = net->add_subcommand("show", "Show one network");
    net_show->add_option("name", name_, "Network name")->required();
    net_show->callback([&] { action = [&] { return s_.Show("/networks/" + http::PercentEncode(name_), NetworksTable); }; });
    net->add_subcommand("groups", "List the groups (prefix groups) of every network")->callback([&] {
      action = [&] { return Groups(); };
    });
  }

 private:
  // The groups; in table output with their hosts (from GET /hosts: membership lives there).
  int Groups() {
    absl::StatusOr<nlohmann::json> groups = s_.Call("GET", "/groups");
    if (!groups.ok()) return s_.Fail(groups.status());
    if (s_.format() != Format::kTable) {
      s_.Print(*groups, nullptr);
      return kExitOk;
    }
    absl::StatusOr<nlohmann::json> hosts = s_.Call("GET", "/hosts");
    if (!hosts.ok()) return s_.Fail(hosts.status());
    PrintTable(GroupsTable(*groups, *hosts), s_.out());
    return kExitOk;
  }

  Session& s_;
  std::string name_;
};

}  // namespace

std::unique_ptr<Command> NewNetworkCommand(Session& session) { return std::make_unique<NetworkCommand>(session); }

}  // namespace romana::cli
