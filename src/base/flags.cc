#include "base/flags.h"

#include "base/process_main.h"

namespace romana::base {

std::optional<int> ParseFlags(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kExitUsage;
  }
  return std::nullopt;
}

void AddLoggingFlags(CLI::App& app, LoggingFlags& flags) {
  app.add_option("--log-level", flags.level, "trace|debug|info|warn|error")->capture_default_str();
  app.add_option("--log-format", flags.format, "text|json")->capture_default_str();
}

absl::Status CheckLoggingFlags(const LoggingFlags& flags) {
  return CheckLogging(flags.level, flags.format);
}

}  // namespace romana::base
