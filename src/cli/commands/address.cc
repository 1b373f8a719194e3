// romanactl address list|show|allocate|release.
#include <string>

#include "api/types.h"
#include "cli/commands/commands.h"
#include "cli/romanactl.h"
#include "cli/tables.h"
#include "http/url.h"

namespace romana::cli {
namespace {

class AddressCommand : public Command {
 public:
  explicit AddressCommand(Session& s) : s_(s) {}

  void Register(CLI::App& app, Action& action) override {
    auto* addr = app.add_subcommand("address", "Pod addresses")->require_subcommand(1);
    auto* addr_list = addr->add_subcommand("list", "List addresses");
    addr_list->add_option("--host", host_, "Only this host");
    addr_list->callback([&] {
      action = [&] { return s_.Show("/addresses" + http::QueryString({{"host", host_}}), AddressesTable); };
    });
    auto* addr_show = addr->add_subcommand("show", "Show one address by name (or by IP with --ip)");
    addr_show->add_option("name", name_, "Address name or IP")->required();
    addr_show->add_flag("--ip", by_ip_, "The argument is an IP address");
    addr_show->callback([&] { action = [&] { return s_.Show(ByNameOrIp(), AddressesTable); }; });
    auto* addr_alloc = addr->add_subcommand("allocate", "Allocate an address (idempotent per name)");
    addr_alloc->add_option("name", name_, "Address name")->required();
    addr_alloc->add_option("--host", host_, "Host")->required();
    addr_alloc->add_option("--namespace", ns_, "Namespace (default: default)");
    addr_alloc->add_option("--segment", segment_, "Segment (default: default)");
    addr_alloc->callback([&] {
      action = [&] {
        absl::StatusOr<nlohmann::json> j =
            s_.Call("POST", "/address", api::ToJson(api::AddressRequest{name_, host_, ns_, segment_}).dump());
        if (!j.ok()) return s_.Fail(j.status());
        s_.Print(*j, AddressesTable);
        return kExitOk;
      };
    });
    auto* addr_rel = addr->add_subcommand("release", "Release an address by name (or by IP with --ip)");
    addr_rel->add_option("name", name_, "Address name or IP")->required();
    addr_rel->add_flag("--ip", by_ip_, "The argument is an IP address");
    addr_rel->callback([&] {
      action = [&] {
        absl::StatusOr<nlohmann::json> j = s_.Call("DELETE", ByNameOrIp());
        if (!j.ok()) return s_.Fail(j.status());
        return s_.Message(*j, "Address " + Str(*j, "ip") + " (" + Str(*j, "name") + ") released.");
      };
    });
  }

 private:
  // /address?name=... or, with --ip, /address?ip=...
  std::string ByNameOrIp() const { return std::string("/address?") + (by_ip_ ? "ip=" : "name=") + http::PercentEncode(name_); }

  Session& s_;
  std::string name_, host_, ns_, segment_;
  bool by_ip_ = false;
};

}  // namespace

std::unique_ptr<Command> NewAddressCommand(Session& session) { return std::make_unique<AddressCommand>(session); }

}  // namespace romana::cli
