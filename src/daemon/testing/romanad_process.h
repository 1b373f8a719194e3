// romanad_process.h: starts a real `romanad` binary on 127.0.0.1 for tests (test-only).
//
// The daemon gets a free loopback port, a temporary directory with its embedded store (unless
// an etcd store is passed in extra_args), optionally a topology file (--initial-network) and a
// token file, and is considered started once GET /readyz answers 200. The destructor stops it
// (SIGTERM, then SIGKILL) and removes the temporary directory, also when a test fails.
// Used by romanad's own tests, the dataplane tests and the lab.
//
// Not thread-safe; use from one thread.
#ifndef ROMANA_DAEMON_TESTING_ROMANAD_PROCESS_H_
#define ROMANA_DAEMON_TESTING_ROMANAD_PROCESS_H_

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "api/client.h"
#include "base/subprocess.h"
#include "base/testing/test_env.h"

namespace romana::testing {

struct RomanadOptions {
  // Topology JSON (docs/topology.md) written to a file and passed as --initial-network.
  // Empty: no topology flag (romanad then starts without a topology unless
  // KUBERNETES_SERVICE_HOST selects a built-in one).
  std::string topology_json;
  // Bearer token; when set, written to a file and passed as --token-file.
  std::string token;
  // TLS: a directory made by GenerateCerts (romanad.crt/.key, ca.crt). Set: romanad serves
  // HTTPS (its certificate holds IP:127.0.0.1), url() is https and client() verifies it.
  std::string tls_dir;
  bool auth_reads = false;
  // Embedded store file; empty = "<temp dir>/romana.db". Reuse a path to restart on the same state.
  std::string store_path;
  // Port to listen on; 0 = a free one.
  int port = 0;
  // More flags, e.g. {"--etcd-endpoints=http://127.0.0.1:2379"}.
  std::vector<std::string> extra_args;
  // Extra environment for the daemon (e.g. KUBERNETES_SERVICE_HOST).
  std::map<std::string, std::string> env;
  // The binary; empty = BinaryDir()/apps/romanad/romanad.
  std::string binary;
  // How long to wait for /readyz.
  std::chrono::milliseconds ready_timeout{30000};
  // Wait for /readyz at all (false: return once the process started; e.g. for followers).
  bool wait_ready = true;
};

class RomanadProcess {
 public:
  // Starts romanad and waits for /readyz. Errors: NotFound when the binary is missing;
  // DeadlineExceeded (with the end of its log) when it does not become ready.
  static absl::StatusOr<std::unique_ptr<RomanadProcess>> Start(RomanadOptions options = {});
  ~RomanadProcess();

  // "http://127.0.0.1:<port>" (https with tls_dir)
  std::string url() const;
  int port() const { return port_; }
  pid_t pid() const { return process_->pid(); }
  // A client for this daemon (with the token, 10 s timeout).
  api::Client& client() { return *client_; }
  const std::string& token() const { return options_.token; }
  // The daemon's stdout+stderr so far.
  std::string Log() const;
  const std::string& store_path() const { return store_path_; }
  const std::string& temp_dir() const;

  bool Running() { return process_->Running(); }
  // SIGTERM; returns the exit code.
  int Stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
  // SIGKILL (a crash).
  void Kill();

 private:
  RomanadProcess() = default;

  RomanadOptions options_;
  std::unique_ptr<TempDir> dir_;
  std::string store_path_;
  std::string log_path_;
  int port_ = 0;
  std::unique_ptr<base::Subprocess> process_;
  std::unique_ptr<api::Client> client_;
};

// BinaryDir()/apps/<name>/<name>
std::string AppBinary(const std::string& name);

// Runs the project's scripts/gen-certs --dir `dir` (plus `extra_args`): the CAs, romanad's and
// etcd's certificates and a token, as docs/security.md describes. Errors: Internal with the
// script's output.
absl::Status GenerateCerts(const std::string& dir, const std::vector<std::string>& extra_args = {});

}  // namespace romana::testing

#endif  // ROMANA_DAEMON_TESTING_ROMANAD_PROCESS_H_
