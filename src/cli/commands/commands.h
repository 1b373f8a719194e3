// commands.h: romanactl's subcommands, in the order --help lists them. Each New*Command is defined
// in its own file beside this one; adding a subcommand is that file plus its line below.
#ifndef ROMANA_CLI_COMMANDS_COMMANDS_H_
#define ROMANA_CLI_COMMANDS_COMMANDS_H_

#include <memory>

#include "cli/command.h"

namespace romana::cli {

std::unique_ptr<Command> NewHostCommand(Session& session);           // host.cc
std::unique_ptr<Command> NewNetworkCommand(Session& session);        // network.cc
std::unique_ptr<Command> NewBlockCommand(Session& session);          // block.cc
std::unique_ptr<Command> NewTopologyCommand(Session& session);       // topology.cc
std::unique_ptr<Command> NewAddressCommand(Session& session);        // address.cc
std::unique_ptr<Command> NewPolicyCommand(Session& session);         // policy.cc
std::unique_ptr<Command> NewNetworkPolicyCommand(Session& session);  // networkpolicy.cc
std::unique_ptr<Command> NewVipCommand(Session& session);            // vip.cc
std::unique_ptr<Command> NewStatusCommand(Session& session);         // status.cc

inline constexpr CommandFactory kCommands[] = {
    &NewHostCommand,    &NewNetworkCommand, &NewBlockCommand,         &NewTopologyCommand, &NewAddressCommand,
    &NewPolicyCommand,  &NewNetworkPolicyCommand, &NewVipCommand, &NewStatusCommand,
};

}  // namespace romana::cli

#endif  // ROMANA_CLI_COMMANDS_COMMANDS_H_
