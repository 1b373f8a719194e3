// client_flags.h: the romanad connection flags of the binaries that talk to romanad as clients
// (romana-agent, romana-listener): --romanad, --romanad-token-file, --romanad-ca-file, and the
// api::ClientOptions they give. Thread-safe (no shared state).
#ifndef ROMANA_API_CLIENT_FLAGS_H_
#define ROMANA_API_CLIENT_FLAGS_H_

#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "api/client.h"

namespace romana::api {

struct RomanadFlags {
  std::string url = "http://127.0.0.1:9600";  // --romanad
  std::string token_file;                     // --romanad-token-file (empty: no token)
  std::string ca_file;                        // --romanad-ca-file (empty: system CAs)
};

// Adds the three flags to `app`. `flags` must outlive the parse.
void AddRomanadFlags(CLI::App& app, RomanadFlags& flags);

// ClientOptions for `flags` (server, CA, and the token read from the token file); the other
// fields keep ClientOptions' defaults. Errors: base::ReadTokenFile's (NotFound, InvalidArgument),
// with the message prefixed "--romanad-token-file: ".
absl::StatusOr<ClientOptions> ClientOptionsFromFlags(const RomanadFlags& flags);

}  // namespace romana::api

#endif  // ROMANA_API_CLIENT_FLAGS_H_
