// flags.h: what every binary's flag parsing shares (CLI11): parsing argv, the exit code for bad
// flags (the same in every Romana binary), and the --log-level/--log-format pair.
// Flags are parsed only in main() (STYLE.md §16): these functions fill a config struct that
// main() owns; libraries never read flags. Thread-compatible (a CLI::App is used by one thread).
#ifndef ROMANA_BASE_FLAGS_H_
#define ROMANA_BASE_FLAGS_H_

#include <optional>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"

namespace romana::base {

// The exit code of every Romana binary (romanactl included) for a usage error: a flag CLI11
// cannot parse, or flag values the binary's checks refuse (the message names the flag). As most
// command-line tools do, 2 means "usage"; each binary documents its other codes.
inline constexpr int kExitUsage = 2;

// Parses `argv` into `app`. Returns nullopt when main() should go on; otherwise the exit code to
// return at once: 0 after --help or --version (printed on stdout), kExitUsage after a parse
// error (CLI11's message and "Run with --help" printed on stderr).
std::optional<int> ParseFlags(CLI::App& app, int argc, char** argv);

// The logging flags of the long-running binaries. Default: info, text.
struct LoggingFlags {
  std::string level = "info";
  std::string format = "text";
};

// Adds --log-level and --log-format (defaults shown in --help) to `app`. `flags` must outlive
// the parse.
void AddLoggingFlags(CLI::App& app, LoggingFlags& flags);

// InvalidArgument naming --log-level or --log-format when the value is not one InitLogging takes.
absl::Status CheckLoggingFlags(const LoggingFlags& flags);

}  // namespace romana::base

#endif  // ROMANA_BASE_FLAGS_H_
