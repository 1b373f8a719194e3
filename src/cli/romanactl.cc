#include "cli/romanactl.h"

#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "api/client.h"
#include "base/flags.h"
#include "base/token_file.h"
#include "cli/command.h"
#include "cli/commands/commands.h"
#include "cli/session.h"

namespace romana::cli {

static_assert(kExitUsage == base::kExitUsage, "a usage error exits 2 in every Romana binary, romanactl included");

namespace {

struct Globals {
  std::string config;
  std::string server;
  std::string token;       // from ROMANA_TOKEN or the config file; never from argv
  std::string token_file;
  std::string argv_token;  // --token: refused (argv is readable by every user of the machine)
  std::string ca_file;
  std::string output;
  int timeout_s = 10;
};

// Reads the config file (YAML): server, token, token_file, ca_file, output (also the original
// CLI's RootURL and Format). Flags win over the environment (ROMANA_TOKEN), which wins over the
// file; the file wins over defaults.
absl::Status LoadConfig(Globals& g) {
  std::string path = g.config;
  bool explicit_path = !path.empty();
  if (path.empty()) {
    if (const char* home = getenv("HOME"); home != nullptr && std::filesystem::exists(std::string(home) + "/.romana.yaml")) {
      path = std::string(home) + "/.romana.yaml";
    } else if (std::filesystem::exists("/etc/romana/cli.yaml")) {
      path = "/etc/romana/cli.yaml";
    }
  }
  if (path.empty()) return absl::OkStatus();
  if (!std::filesystem::exists(path)) {
    return explicit_path ? absl::InvalidArgumentError(absl::StrCat("config file ", path, " does not exist")) : absl::OkStatus();
  }
  try {
    YAML::Node n = YAML::LoadFile(path);
    auto get = [&](const char* a, const char* b) -> std::string {
      if (n[a]) return n[a].as<std::string>();
      if (b != nullptr && n[b]) return n[b].as<std::string>();
      return "";
    };
    if (g.server.empty()) g.server = get("server", "RootURL");
    if (g.token.empty() && g.token_file.empty()) {
      g.token = get("token", nullptr);
      g.token_file = get("token_file", nullptr);
    }
    if (g.ca_file.empty()) g.ca_file = get("ca_file", nullptr);
    if (g.output.empty()) g.output = get("output", "Format");
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("config file ", path, ": ", e.what()));
  }
  return absl::OkStatus();
}

int RunCommandLine(int argc, char** argv, Session& session) {
  Globals g;
  CLI::App app{"romanactl: manage Romana through romanad's REST API (docs/cli.md)"};
  app.require_subcommand(1);
  app.add_option("-c,--config", g.config, "Config file (YAML: server, token, token_file, ca_file, output); default ~/.romana.yaml, then /etc/romana/cli.yaml");
  app.add_option("-s,--server,-r,--rootURL", g.server, "romanad URL (default http://127.0.0.1:9600)");
  // Kept only to answer with a clear error: a token in argv is visible in ps and /proc.
  app.add_option("--token", g.argv_token, "Not accepted (argv is visible to every user): use --token-file or ROMANA_TOKEN");
  app.add_option("--token-file", g.token_file,
                 "File holding the bearer token for mutating calls (and reads with romanad --auth-reads); "
                 "\"-\" reads it from stdin. Without it: the environment variable ROMANA_TOKEN, then the config file");
  app.add_option("--ca-file", g.ca_file, "CA bundle to verify an https romanad (e.g. the ca.crt of scripts/gen-certs)");
  app.add_option("-o,--output,-f,--format", g.output, "table|json|yaml (default table)");
  app.add_option("--timeout", g.timeout_s, "Seconds to wait for romanad")->check(CLI::Range(1, 3600));
  app.footer("Exit codes: 0 ok, 1 server error, 2 usage, 3 romanad unreachable/unavailable, 4 not found,\n"
             "5 invalid input, 6 conflict, 7 not authorised.");

  Action action;
  std::vector<std::unique_ptr<Command>> commands;  // own the flags' storage until the action ran
  for (CommandFactory make : kCommands) {
    commands.push_back(make(session));
    commands.back()->Register(app, action);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e, session.out(), session.err());
    return rc == 0 ? kExitOk : kExitUsage;
  }
  if (!g.argv_token.empty()) {
    return session.Usage(
        "--token is not accepted: a token on the command line is visible to every user of this machine (ps, /proc); "
        "use --token-file FILE or the environment variable ROMANA_TOKEN");
  }
  if (g.token_file.empty()) {
    if (const char* env = getenv("ROMANA_TOKEN"); env != nullptr && *env != '\0') {
      absl::StatusOr<std::string> t = base::ParseToken(env, "ROMANA_TOKEN");
      if (!t.ok()) return session.Usage(t.status().message());
      g.token = *std::move(t);
    }
  }
  if (absl::Status s = LoadConfig(g); !s.ok()) return session.Usage(s.message());
  if (g.output.empty() || g.output == "table") session.set_format(Format::kTable);
  else if (g.output == "json") session.set_format(Format::kJson);
  else if (g.output == "yaml") session.set_format(Format::kYaml);
  else return session.Usage("--output must be table, json or yaml");
  if (g.token.empty() && !g.token_file.empty()) {
    absl::StatusOr<std::string> t = g.token_file == "-" ? session.ReadInput("-") : base::ReadTokenFile(g.token_file);
    if (t.ok() && g.token_file == "-") t = base::ParseToken(*t, "stdin");
    if (!t.ok()) return session.Usage(absl::StrCat("--token-file: ", t.status().message()));
    g.token = *std::move(t);
  }
  absl::StatusOr<std::unique_ptr<api::Client>> c = api::Client::Create(
      {.server = g.server.empty() ? "http://127.0.0.1:9600" : g.server, .token = g.token, .ca_file = g.ca_file,
       .timeout = std::chrono::seconds(g.timeout_s)});
  if (!c.ok()) return session.Usage(c.status().message());
  session.set_client(*std::move(c));
  return action ? action() : kExitUsage;
}

}  // namespace

int ExitCodeFor(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kOk: return kExitOk;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded: return kExitUnreachable;
    case absl::StatusCode::kNotFound: return kExitNotFound;
    case absl::StatusCode::kInvalidArgument: return kExitInvalid;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAborted: return kExitConflict;
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied: return kExitAuth;
    default: return kExitError;
  }
}

int Run(int argc, char** argv, std::ostream& out, std::ostream& err, std::istream& in) {
  Session session(out, err, in);
  return RunCommandLine(argc, argv, session);
}

}  // namespace romana::cli
