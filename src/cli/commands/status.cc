// romanactl status: romanad's version, readiness, leader and object counts.
#include <string>

#include "cli/commands/commands.h"
#include "cli/romanactl.h"
#include "cli/tables.h"

namespace romana::cli {
namespace {

class StatusCommand : public Command {
 public:
  explicit StatusCommand(Session& s) : s_(s) {}

  void Register(CLI::App& app, Action& action) override {
    app.add_subcommand("status", "romanad's version, readiness, leader and object counts")->callback([&] {
      action = [this] { return Status(); };
    });
  }

 private:
  int Status() {
    absl::StatusOr<nlohmann::json> v = s_.Call("GET", "/version");
    if (!v.ok()) return s_.Fail(v.status());
    absl::StatusOr<nlohmann::json> ready = s_.Call("GET", "/readyz");
    nlohmann::json st = {{"server", s_.client().options().server}, {"version", Str(*v, "version")}, {"ready", ready.ok()}};
    if (ready.ok()) {
      st["leader"] = (*ready).value("leader", false);
      if (ready->contains("leader_url")) st["leader_url"] = (*ready)["leader_url"];
    } else {
      st["not_ready_reason"] = std::string(ready.status().message());
    }
    for (const char* kind :
         {"networks", "hosts", "blocks", "addresses", "policies", "networkpolicies", "namespaces", "endpoints", "vips"}) {
      absl::StatusOr<nlohmann::json> l = s_.Call("GET", std::string("/") + kind);
      if (l.ok()) {
        st[kind] = (*l)[kind].size();
        st["revision"] = (*l)["revision"];
      }
    }
    s_.Print(st, [](const nlohmann::json& s) {
      Table t{{"FIELD", "VALUE"}, {}};
      for (auto it = s.begin(); it != s.end(); ++it) t.rows.push_back({it.key(), it->is_string() ? it->get<std::string>() : it->dump()});
      return t;
    });
    return ready.ok() ? kExitOk : kExitUnreachable;
  }

  Session& s_;
};

}  // namespace

std::unique_ptr<Command> NewStatusCommand(Session& session) { return std::make_unique<StatusCommand>(session); }

}  // namespace romana::cli
