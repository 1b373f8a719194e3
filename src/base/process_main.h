// process_main.h: what every long-running binary's main() shares: logging set-up, waiting for
// SIGTERM/SIGINT, and the host's name and the binary's own folder for flag defaults.
//
// Call BlockTerminationSignals() first thing in main(), before any thread starts, so that
// every thread inherits the mask and only WaitForTerminationSignal() receives the signal.
#ifndef ROMANA_BASE_PROCESS_MAIN_H_
#define ROMANA_BASE_PROCESS_MAIN_H_

#include <string>

#include "absl/status/status.h"

namespace romana::base {

// Sets up the process-wide spdlog logger (the one allowed global): `level` is one of
// trace|debug|info|warn|error; `format` is "text" or "json" (one JSON object per line).
// Errors: InvalidArgument naming the bad value.
absl::Status InitLogging(const std::string& component, const std::string& level,
                         const std::string& format);

// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread (and threads it starts later).
void BlockTerminationSignals();

// Waits for SIGTERM or SIGINT and returns its number. REQUIRES: BlockTerminationSignals() ran.
int WaitForTerminationSignal();

// This machine's host name (gethostname); "" if it cannot be read.
std::string HostName();

// The path of the binary `name` in the folder of the running binary (/proc/self/exe), or `name`
// itself when that folder cannot be read.
std::string SiblingBinaryPath(const std::string& name);

}  // namespace romana::base

#endif  // ROMANA_BASE_PROCESS_MAIN_H_
