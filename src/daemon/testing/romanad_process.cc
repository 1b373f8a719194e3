#include "daemon/testing/romanad_process.h"

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace romana::testing {

std::string AppBinary(const std::string& name) { return (BinaryDir() / "apps" / name / name).string(); }

absl::StatusOr<std::unique_ptr<RomanadProcess>> RomanadProcess::Start(RomanadOptions options) {
  std::unique_ptr<RomanadProcess> p(new RomanadProcess());
  p->options_ = std::move(options);
  const RomanadOptions& o = p->options_;
  p->dir_ = std::make_unique<TempDir>();
  const std::string binary = o.binary.empty() ? AppBinary("romanad") : o.binary;
  if (!std::filesystem::exists(binary)) return absl::NotFoundError(absl::StrCat("romanad binary not found at ", binary));
  p->port_ = o.port != 0 ? o.port : FreeLoopbackPort();
  p->store_path_ = o.store_path.empty() ? p->dir_->File("romana.db") : o.store_path;
  p->log_path_ = p->dir_->File("romanad.log");
  std::vector<std::string> argv = {binary, absl::StrCat("--listen=127.0.0.1:", p->port_), "--log-level=debug"};
  bool etcd = false;
  for (const std::string& a : o.extra_args) etcd = etcd || a.rfind("--etcd-endpoints", 0) == 0;
  if (!etcd) argv.push_back(absl::StrCat("--store=", p->store_path_));
  if (!o.topology_json.empty()) {
    std::ofstream(p->dir_->File("topology.json")) << o.topology_json;
    argv.push_back(absl::StrCat("--initial-network=", p->dir_->File("topology.json")));
  }
  if (!o.token.empty()) {
    std::ofstream(p->dir_->File("token")) << o.token << "\n";
    argv.push_back(absl::StrCat("--token-file=", p->dir_->File("token")));
  }
  if (o.auth_reads) argv.push_back("--auth-reads");
  if (!o.tls_dir.empty()) {
    argv.push_back(absl::StrCat("--tls-cert-file=", o.tls_dir, "/romanad.crt"));
    argv.push_back(absl::StrCat("--tls-key-file=", o.tls_dir, "/romanad.key"));
  }
  for (const std::string& a : o.extra_args) argv.push_back(a);
  std::map<std::string, std::string> env = o.env;
  if (!env.contains("KUBERNETES_SERVICE_HOST")) env["KUBERNETES_SERVICE_HOST"] = "";
  absl::StatusOr<std::unique_ptr<base::Subprocess>> proc =
      base::Subprocess::Start({.argv = argv, .extra_env = env, .output_path = p->log_path_});
  if (!proc.ok()) return proc.status();
  p->process_ = *std::move(proc);
  absl::StatusOr<std::unique_ptr<api::Client>> client =
      api::Client::Create({.server = p->url(),
                           .token = o.token,
                           .ca_file = o.tls_dir.empty() ? "" : o.tls_dir + "/ca.crt",
                           .timeout = std::chrono::seconds(10)});
  if (!client.ok()) return client.status();
  p->client_ = *std::move(client);
  if (!o.wait_ready) return p;
  const bool ready = WaitUntil(
      [&] {
        if (!p->process_->Running()) return true;
        return p->client_->Readyz().ok();
      },
      o.ready_timeout);
  if (!ready || !p->process_->Running()) {
    std::string log = p->Log();
    if (log.size() > 4000) log = log.substr(log.size() - 4000);
    return absl::DeadlineExceededError(absl::StrCat("romanad did not become ready (",
                                                    p->process_->Running() ? "still running" : "exited",
                                                    "); its log ends with:\n", log));
  }
  return p;
}

RomanadProcess::~RomanadProcess() {
  if (process_ && process_->Running()) process_->Stop(std::chrono::seconds(5));
}

std::string RomanadProcess::url() const {
  return absl::StrCat(options_.tls_dir.empty() ? "http" : "https", "://127.0.0.1:", port_);
}

absl::Status GenerateCerts(const std::string& dir, const std::vector<std::string>& extra_args) {
  std::vector<std::string> argv = {(SourceDir() / "scripts" / "gen-certs").string(), "--dir", dir, "--quiet"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  absl::StatusOr<base::CommandResult> r = base::RunCommand(argv);
  if (!r.ok()) return r.status();
  if (r->exit_code != 0) return absl::InternalError(absl::StrCat("scripts/gen-certs failed: ", r->output));
  return absl::OkStatus();
}

const std::string& RomanadProcess::temp_dir() const {
  static const std::string* empty = new std::string();
  return dir_ ? dir_->path().native() : *empty;
}

std::string RomanadProcess::Log() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int RomanadProcess::Stop(std::chrono::milliseconds grace) { return process_->Stop(grace); }

void RomanadProcess::Kill() {
  process_->Signal(SIGKILL);
  (void)process_->Wait(std::chrono::seconds(10));
}

}  // namespace romana::testing
