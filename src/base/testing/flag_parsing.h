// flag_parsing.h (tests only): parse a binary's flags as its main does, and check that a
// validation error names its flag. For the per-binary config tests (agent, listener, romanad, lab).
#ifndef ROMANA_BASE_TESTING_FLAG_PARSING_H_
#define ROMANA_BASE_TESTING_FLAG_PARSING_H_

#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace romana::testing {

// Parses `args` with `app` as `binary args...` would be; CLI11's errors throw as in the binary.
inline void ParseArgs(CLI::App& app, const std::string& binary, std::vector<std::string> args) {
  args.insert(args.begin(), binary);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  app.parse(static_cast<int>(argv.size()), argv.data());
}

// `status` must be InvalidArgument and its message must name `flag`.
inline void ExpectInvalidNaming(const absl::Status& status, absl::string_view flag) {
  EXPECT_TRUE(absl::IsInvalidArgument(status)) << flag << ": " << status;
  EXPECT_TRUE(absl::StrContains(status.message(), flag)) << flag << ": " << status;
}

}  // namespace romana::testing

#endif  // ROMANA_BASE_TESTING_FLAG_PARSING_H_
