// romanactl block list.
#include <string>

#include "cli/commands/commands.h"
#include "cli/tables.h"
#include "http/url.h"

namespace romana::cli {
namespace {

class BlockCommand : public Command {
 public:
  explicit BlockCommand(Session& s) : s_(s) {}

  void Register(CLI::App& app, Action& action) override {
    auto* block = app.add_subcommand("block", "Address blocks")->require_subcommand(1);
    auto* block_list = block->add_subcommand("list", "List blocks");
    block_list->add_option("--network", network_, "Only this network");
    block_list->add_option("--host", host_, "Only this host");
    block_list->callback([&] {
      action = [&] {
        return s_.Show("/blocks" + http::QueryString({{"network", network_}, {"host", host_}}), BlocksTable);
      };
    });
  }

 private:
  Session& s_;
  std::string network_, host_;
};

}  // namespace

std::unique_ptr<Command> NewBlockCommand(Session& session) { return std::make_unique<BlockCommand>(session); }

}  // namespace romana::cli
