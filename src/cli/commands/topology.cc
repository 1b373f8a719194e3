// romanactl topology list|show|update|plan.
#include <string>

#include "cli/commands/commands.h"
#include "cli/romanactl.h"
#include "cli/tables.h"
#include "cli/topology_plan.h"

namespace romana::cli {
namespace {

class TopologyCommand : public Command {
 public:
  explicit TopologyCommand(Session& s) : s_(s) {}

  void Register(CLI::App& app, Action& action) override {
    auto* topo = app.add_subcommand("topology", "The topology")->require_subcommand(1);
    auto topo_show = [&] { action = [this] { return Show(); }; };
    topo->add_subcommand("list", "Show the applied topology (table: its groups)")->callback(topo_show);
    topo->add_subcommand("show", "Same as list")->callback(topo_show);
    auto* topo_update = topo->add_subcommand("update", "Replace the topology from a file (or - for stdin)");
    topo_update->add_option("file", file_, "Topology JSON file, or - for stdin")->required();
    topo_update->callback([&] { action = [this] { return Update(); }; });
    auto* topo_plan = topo->add_subcommand("plan", "Print the address plan of a topology file or built-in, offline");
    topo_plan->add_option("file", file_, "Topology JSON file, or - for stdin");
    topo_plan->add_option("--builtin", builtin_, "A built-in topology: kubeadm or aws-<region>");
    topo_plan->add_option("--network-cidr-overrides", overrides_, "name=cidr[,name=cidr]");
    topo_plan->callback([&] { action = [this] { return Plan(); }; });
  }

 private:
  int Show() {
    absl::StatusOr<nlohmann::json> j = s_.Call("GET", "/groups");
    if (!j.ok()) return s_.Fail(j.status());
    if (s_.format() != Format::kTable) return s_.Show("/topology", nullptr);
    absl::StatusOr<nlohmann::json> hosts = s_.Call("GET", "/hosts");  // group membership
    if (!hosts.ok()) return s_.Fail(hosts.status());
    PrintTable(GroupsTable(*j, *hosts), s_.out());
    return kExitOk;
  }

  int Update() {
    absl::StatusOr<std::string> text = s_.ReadInput(file_);
    if (!text.ok()) return s_.Usage(text.status().message());
    nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_discarded()) return s_.Usage(file_ + " is not valid JSON");
    absl::StatusOr<nlohmann::json> r = s_.Call("PUT", "/topology", j.dump());
    if (!r.ok()) return s_.Fail(r.status());
    return s_.Message(*r, "Topology updated.");
  }

  int Plan() {
    if (file_.empty() == builtin_.empty()) return s_.Usage("give a topology file or --builtin NAME");
    std::string text;
    if (!file_.empty()) {
      absl::StatusOr<std::string> t = s_.ReadInput(file_);
      if (!t.ok()) return s_.Usage(t.status().message());
      text = *t;
    }
    absl::StatusOr<std::string> report = TopologyPlan(text, builtin_, overrides_, s_.format() == Format::kJson);
    if (!report.ok()) return s_.Error(report.status().message(), kExitInvalid);
    s_.out() << *report;
    if (!report->empty() && report->back() != '\n') s_.out() << "\n";
    return kExitOk;
  }

  Session& s_;
  std::string file_, builtin_, overrides_;
};

}  // namespace

std::unique_ptr<Command> NewTopologyCommand(Session& session) { return std::make_unique<TopologyCommand>(session); }

}  // namespace romana::cli
