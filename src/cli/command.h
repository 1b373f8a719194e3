// command.h: the interface of one romanactl subcommand ("host", "policy", ...). Each lives in its
// own file under cli/commands/ and is listed once in cli/commands/commands.h; adding a subcommand
// is a new file there plus its line in that table. Not thread-safe.
#ifndef ROMANA_CLI_COMMAND_H_
#define ROMANA_CLI_COMMAND_H_

#include <functional>
#include <memory>

#include "CLI/CLI.hpp"
#include "cli/session.h"

namespace romana::cli {

// What a chosen subcommand runs once flags are parsed and the client is built; returns the exit code.
using Action = std::function<int()>;

class Command {
 public:
  virtual ~Command() = default;
  // Adds the subcommand, its own subcommands and flags to `app`; the flags bind to members of this
  // object. When the user picks one, CLI11 runs its callback, which stores in `action` what to run.
  // `app` and `action` must outlive parsing and the action.
  virtual void Register(CLI::App& app, Action& action) = 0;
};

// Builds a command over `session`, which must outlive it.
using CommandFactory = std::unique_ptr<Command> (*)(Session& session);

}  // namespace romana::cli

#endif  // ROMANA_CLI_COMMAND_H_
