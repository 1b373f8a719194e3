// romanactl policy apply|list|show|delete (the native Romana policy JSON).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/commands/commands.h"
#include "cli/romanactl.h"
#include "cli/tables.h"
#include "http/url.h"

namespace romana::cli {
namespace {

class PolicyCommand : public Command {
 public:
  explicit PolicyCommand(Session& s) : s_(s) {}

  void Register(CLI::App& app, Action& action) override {
    auto* pol = app.add_subcommand("policy", "Romana policies (native policy JSON)")->require_subcommand(1);
    auto* pol_add = pol->add_subcommand("apply", "Add or replace policies from a file or - (one policy or an array)");
    pol_add->alias("add");
    pol_add->add_option("file", file_, "Policy JSON file, or - for stdin");
    pol_add->add_option("-f,--filename", file_, "Policy JSON file, or - for stdin");
    pol_add->callback([&] { action = [this] { return Apply(); }; });
    pol->add_subcommand("list", "List policies")->callback([&] { action = [&] { return s_.Show("/policies", PoliciesTable); }; });
    auto* pol_show = pol->add_subcommand("show", "Show policies in full");
    pol_show->add_option("id", ids_, "Policy ids")->required();
    pol_show->callback([&] { action = [this] { return ShowAll(); }; });
    auto* pol_rm = pol->add_subcommand("delete", "Delete policies");
    pol_rm->alias("remove");
    pol_rm->add_option("id", ids_, "Policy ids")->required();
    pol_rm->callback([&] { action = [this] { return Delete(); }; });
  }

 private:
  int Apply() {
    if (file_.empty()) return s_.Usage("give the policy file: apply -f FILE (or - for stdin)");
    absl::StatusOr<std::string> text = s_.ReadInput(file_);
    if (!text.ok()) return s_.Usage(text.status().message());
    nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_discarded()) return s_.Usage(file_ + " is not valid JSON");
    if (!j.is_array()) j = nlohmann::json::array({j});
    Table t{{"ID", "DIRECTION", "RESULT"}, {}};
    nlohmann::json results = nlohmann::json::array();
    int rc = kExitOk;
    for (const auto& p : j) {
      absl::StatusOr<nlohmann::json> r = s_.Call("POST", "/policies", p.dump());
      std::string result = r.ok() ? "applied" : absl::StrCat("error: ", r.status().message());
      if (!r.ok() && rc == kExitOk) rc = ExitCodeFor(r.status());
      t.rows.push_back({Str(p, "id"), Str(p, "direction"), result});
      results.push_back({{"id", Str(p, "id")}, {"ok", r.ok()}, {"result", r.ok() ? *r : nlohmann::json(result)}});
    }
    s_.Print(results, [&](const nlohmann::json&) { return t; });
    return rc;
  }

  int ShowAll() {
    nlohmann::json all = nlohmann::json::array();
    for (const std::string& id : ids_) {
      absl::StatusOr<nlohmann::json> j = s_.Call("GET", "/policies/" + http::PercentEncode(id));
      if (!j.ok()) return s_.Fail(j.status());
      all.push_back(*j);
    }
    if (s_.format() == Format::kTable) {
      for (const auto& p : all) PrintJson(p, s_.out());  // a policy is a tree: show it whole
    } else {
      s_.Print(ids_.size() == 1 ? all[0] : all, nullptr);
    }
    return kExitOk;
  }

  int Delete() {
    for (const std::string& id : ids_) {
      absl::StatusOr<nlohmann::json> j = s_.Call("DELETE", "/policies/" + http::PercentEncode(id));
      if (!j.ok()) return s_.Fail(j.status());
      if (s_.format() == Format::kTable) s_.out() << "Policy " << id << " removed.\n";
    }
    if (s_.format() != Format::kTable) s_.Print(nlohmann::json{{"removed", ids_}}, nullptr);
    return kExitOk;
  }

  Session& s_;
  std::string file_;
  std::vector<std::string> ids_;
};

}  // namespace

std::unique_ptr<Command> NewPolicyCommand(Session& session) { return std::make_unique<PolicyCommand>(session); }

}  // namespace romana::cli
