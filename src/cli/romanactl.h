// romanactl.h: the Romana command-line tool (docs/cli.md). apps/romanactl/main.cc calls Run().
//
// Exit codes scripts can rely on:
//   0 success                      1 the server answered with an error not listed below
//   2 usage error (bad flags/args, unreadable file, invalid JSON given to the tool): the usage
//     code of every Romana binary (base::kExitUsage)
//   3 cannot reach romanad (connection refused, timeout, 503)
//   4 not found (404)              5 rejected as invalid (400/413/415)
//   6 conflict (409)               7 not authorised (401/403)
#ifndef ROMANA_CLI_ROMANACTL_H_
#define ROMANA_CLI_ROMANACTL_H_

#include <iostream>

#include "absl/status/status.h"

namespace romana::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitUnreachable = 3;
inline constexpr int kExitNotFound = 4;
inline constexpr int kExitInvalid = 5;
inline constexpr int kExitConflict = 6;
inline constexpr int kExitAuth = 7;

// The exit code for a failed call.
int ExitCodeFor(const absl::Status& status);

// Runs one romanactl command line. Output goes to `out`, errors to `err`; `in` is read for "-"
// file arguments. Returns the exit code.
int Run(int argc, char** argv, std::ostream& out, std::ostream& err, std::istream& in);

}  // namespace romana::cli

#endif  // ROMANA_CLI_ROMANACTL_H_
