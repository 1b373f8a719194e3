// process_main.h: what every long-running binary's main() shares: logging set-up, waiting for
// SIGTERM/SIGINT, and the host's name and the binary's own folder for flag defaults.
//
// Call BlockTerminationSignals() first thing in main(), before any thread starts, so that
// every thread inherits the mask and only WaitForTerminationSignal() receives the signal.
#ifndef ROMANA_BASE_PROCESS_MAIN_H_
#define ROMANA_BASE_PROCESS_MAIN_H_

#include <atomic>
#include <functional>
#include <map>
#include <string>

#include "absl/status/status.h"

namespace romana::base {

// Sets up the process-wide spdlog logger (the one allowed global): `level` is one of
// trace|debug|info|warn|error; `format` is "text" or "json" (one JSON object per line).
// Errors: InvalidArgument naming the bad value.
absl::Status InitLogging(const std::string& component, const std::string& level,
                         const std::string& format);

// The checks of InitLogging without its effect: InvalidArgument naming --log-level or --log-format.
absl::Status CheckLogging(const std::string& level, const std::string& format);

// This process's environment (environ) as a map, for the libraries that take the variables they
// read as an argument (they never read the environment themselves).
std::map<std::string, std::string> ProcessEnvironment();

// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread (and threads it starts later).
void BlockTerminationSignals();

// Waits for SIGTERM or SIGINT and returns its number. REQUIRES: BlockTerminationSignals() ran.
int WaitForTerminationSignal();

// Sends SIGTERM to this process: wakes WaitForTerminationSignal() from another thread (a worker
// whose loop ended on an error).
void RaiseTerminationSignal();

// Runs `run` on a thread of its own and waits until SIGTERM/SIGINT arrives or `run` fails (its
// error raises SIGTERM to end the wait); then logs the signal, calls `stop` (which must make `run`
// return) and joins the thread. Returns what `run` returned. REQUIRES: BlockTerminationSignals()
// ran. The functions are used only during the call.
absl::Status RunUntilTerminationSignal(const std::function<absl::Status()>& run, const std::function<void()>& stop);

// Starts a detached thread that waits for SIGTERM/SIGINT and then sets `stop` (for loops that
// poll a flag). REQUIRES: BlockTerminationSignals() ran; `stop` lives until the process exits.
void StopOnTerminationSignal(std::atomic<bool>& stop);

// Raises this process's soft limit of open files to its hard limit (the soft one is often 1024;
// a server holds one file descriptor per connection). Best effort: nothing happens on error.
void RaiseOpenFileLimit();

// This machine's host name (gethostname); "" if it cannot be read.
std::string HostName();

// The path of the binary `name` in the folder of the running binary (/proc/self/exe), or `name`
// itself when that folder cannot be read.
std::string SiblingBinaryPath(const std::string& name);

}  // namespace romana::base

#endif  // ROMANA_BASE_PROCESS_MAIN_H_
