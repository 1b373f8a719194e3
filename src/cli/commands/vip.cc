// romanactl vip list|show: the Service addresses the agent of one node adds (romanavip annotation).
#include <string>

#include "cli/commands/commands.h"
#include "cli/tables.h"
#include "http/url.h"

namespace romana::cli {
namespace {

class VipCommand : public Command {
 public:
  explicit VipCommand(Session& s) : s_(s) {}

  void Register(CLI::App& app, Action& action) override {
    auto* vip = app.add_subcommand("vip", "VIPs: Service addresses the agent of one node adds (romanavip annotation)")
                    ->require_subcommand(1);
    auto* vip_list = vip->add_subcommand("list", "List VIPs");
    vip_list->add_option("--host", host_, "Only those this host serves");
    vip_list->add_option("-n,--namespace", ns_, "Only this namespace");
    vip_list->callback([&] {
      action = [&] { return s_.Show("/vips" + http::QueryString({{"node", host_}, {"namespace", ns_}}), VipsTable); };
    });
    auto* vip_show = vip->add_subcommand("show", "Show the VIP of one Service");
    vip_show->add_option("namespace", ns_, "The Service's namespace")->required();
    vip_show->add_option("name", name_, "The Service's name")->required();
    vip_show->callback([&] {
      action = [&] { return s_.Show("/vips/" + http::PercentEncode(ns_) + "/" + http::PercentEncode(name_), VipsTable); };
    });
  }

 private:
  Session& s_;
  std::string host_, ns_, name_;
};

}  // namespace

std::unique_ptr<Command> NewVipCommand(Session& session) { return std::make_unique<VipCommand>(session); }

}  // namespace romana::cli
