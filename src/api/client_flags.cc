#include "api/client_flags.h"

#include "absl/strings/str_cat.h"
#include "base/token_file.h"

namespace romana::api {

void AddRomanadFlags(CLI::App& app, RomanadFlags& flags) {
  app.add_option("--romanad", flags.url, "romanad base URL")->capture_default_str();
  app.add_option("--romanad-token-file", flags.token_file, "file with the bearer token for romanad");
  app.add_option("--romanad-ca-file", flags.ca_file, "CA bundle to verify an https romanad");
}

absl::StatusOr<ClientOptions> ClientOptionsFromFlags(const RomanadFlags& flags) {
  ClientOptions options{.server = flags.url, .ca_file = flags.ca_file};
  if (!flags.token_file.empty()) {
    absl::StatusOr<std::string> token = base::ReadTokenFile(flags.token_file);
    if (!token.ok()) {
      return absl::Status(token.status().code(), absl::StrCat("--romanad-token-file: ", token.status().message()));
    }
    options.token = *std::move(token);
  }
  return options;
}

}  // namespace romana::api
