// romanactl networkpolicy (netpol) list|show|apply|delete: Kubernetes NetworkPolicies, stored as they are.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "api/field_error.h"
#include "cli/commands/commands.h"
#include "cli/manifest.h"
#include "cli/romanactl.h"
#include "cli/tables.h"
#include "http/url.h"

namespace romana::cli {
namespace {

std::string PolicyPath(const std::string& ns, const std::string& name) {
  return "/namespaces/" + http::PercentEncode(ns) + "/networkpolicies/" + http::PercentEncode(name);
}

class NetworkPolicyCommand : public Command {
 public:
  explicit NetworkPolicyCommand(Session& s) : s_(s) {}

  void Register(CLI::App& app, Action& action) override {
    auto* np = app.add_subcommand("networkpolicy", "Kubernetes NetworkPolicies (networking.k8s.io/v1, stored as they are)")
                   ->require_subcommand(1);
    np->alias("netpol");
    auto* np_list = np->add_subcommand("list", "List NetworkPolicies");
    np_list->add_option("-n,--namespace", ns_, "Only this namespace");
    np_list->callback([&] {
      action = [&] {
        return s_.Show("/networkpolicies" + http::QueryString({{"namespace", ns_}}), NetworkPoliciesTable);
      };
    });
    auto* np_show = np->add_subcommand("show", "Show NetworkPolicies in full (table output: YAML)");
    np_show->add_option("policy", refs_, "NAMESPACE/NAME, or NAME with -n")->required();
    np_show->add_option("-n,--namespace", ns_, "Namespace of NAME (default: default)");
    np_show->callback([&] { action = [this] { return ShowAll(); }; });
    auto* np_apply = np->add_subcommand("apply", "Create or replace NetworkPolicies from YAML or JSON (several documents, kind: List)");
    np_apply->add_option("-f,--filename", file_, "Manifest file, or - for stdin")->required();
    np_apply->add_option("-n,--namespace", ns_, "Namespace for objects that name none (default: default)");
    np_apply->callback([&] { action = [this] { return Apply(); }; });
    auto* np_rm = np->add_subcommand("delete", "Delete NetworkPolicies");
    np_rm->alias("remove");
    np_rm->add_option("policy", refs_, "NAMESPACE/NAME, or NAME with -n")->required();
    np_rm->add_option("-n,--namespace", ns_, "Namespace of NAME (default: default)");
    np_rm->callback([&] { action = [this] { return Delete(); }; });
  }

 private:
  // The path of NAMESPACE/NAME, or of NAME in -n NAMESPACE (default "default", as kubectl).
  absl::StatusOr<std::string> PathOf(const std::string& ref) const {
    std::string policy_ns = ns_.empty() ? "default" : ns_, policy_name = ref;
    if (size_t slash = ref.find('/'); slash != std::string::npos) {
      policy_ns = ref.substr(0, slash);
      policy_name = ref.substr(slash + 1);
      if (!ns_.empty() && ns_ != policy_ns) {
        return absl::InvalidArgumentError(absl::StrCat("\"", ref, "\" names namespace ", policy_ns, ", -n says ", ns_));
      }
    }
    if (policy_ns.empty() || policy_name.empty() || policy_name.find('/') != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("\"", ref, "\" must be NAME or NAMESPACE/NAME"));
    }
    return PolicyPath(policy_ns, policy_name);
  }

  int ShowAll() {
    nlohmann::json all = nlohmann::json::array();
    for (const std::string& ref : refs_) {
      absl::StatusOr<std::string> path = PathOf(ref);
      if (!path.ok()) return s_.Usage(path.status().message());
      absl::StatusOr<nlohmann::json> j = s_.Call("GET", *path);
      if (!j.ok()) return s_.Fail(j.status());
      all.push_back(*j);
    }
    if (s_.format() == Format::kTable) {
      for (size_t i = 0; i < all.size(); ++i) {  // a policy is a tree: show it whole, as it was applied
        if (i > 0) s_.out() << "---\n";
        PrintYaml(all[i], s_.out());
      }
    } else {
      s_.Print(refs_.size() == 1 ? all[0] : all, nullptr);
    }
    return kExitOk;
  }

  int Apply() {
    absl::StatusOr<std::string> text = s_.ReadInput(file_);
    if (!text.ok()) return s_.Usage(text.status().message());
    absl::StatusOr<std::vector<nlohmann::json>> objects = ReadManifests(*text);
    if (!objects.ok()) return s_.Usage(absl::StrCat(file_, ": ", objects.status().message()));
    if (objects->empty()) return s_.Usage(file_ + " holds no objects");
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
      } else if (!ns_.empty() && !obj_ns.empty() && obj_ns != ns_) {
        st = absl::InvalidArgumentError(absl::StrCat("metadata.namespace ", obj_ns, " differs from -n ", ns_));
      }
      if (obj_ns.empty()) obj_ns = ns_.empty() ? "default" : ns_;
      int http_status = 0;
      absl::StatusOr<nlohmann::json> r =
          !st.ok() ? absl::StatusOr<nlohmann::json>(st) : s_.Call("PUT", PolicyPath(obj_ns, name), obj.dump(), &http_status);
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
    s_.Print(results, [&](const nlohmann::json&) { return t; });
    return rc;
  }

  int Delete() {
    for (const std::string& ref : refs_) {
      absl::StatusOr<std::string> path = PathOf(ref);
      if (!path.ok()) return s_.Usage(path.status().message());
      absl::StatusOr<nlohmann::json> j = s_.Call("DELETE", *path);
      if (!j.ok()) return s_.Fail(j.status());
      if (s_.format() == Format::kTable) s_.out() << "NetworkPolicy " << ref << " deleted.\n";
    }
    if (s_.format() != Format::kTable) s_.Print(nlohmann::json{{"deleted", refs_}}, nullptr);
    return kExitOk;
  }

  Session& s_;
  std::string ns_, file_;
  std::vector<std::string> refs_;
};

}  // namespace

std::unique_ptr<Command> NewNetworkPolicyCommand(Session& session) {
  return std::make_unique<NetworkPolicyCommand>(session);
}

}  // namespace romana::cli
