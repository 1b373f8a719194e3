#include "store/testing/etcd_cluster.h"

#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "etcdpb/rpc.grpc.pb.h"

namespace romana::store::testing {
namespace {

std::string Tail(const std::string& path, size_t max_lines) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(line);
    if (lines.size() > max_lines) lines.erase(lines.begin());
  }
  return absl::StrJoin(lines, "\n");
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::shared_ptr<grpc::Channel> Dial(const std::string& endpoint,
                                    const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
  return grpc::CreateCustomChannel(endpoint, credentials, args);
}

}  // namespace

absl::StatusOr<std::unique_ptr<EtcdCluster>> EtcdCluster::Start(const EtcdClusterOptions& options) {
  if (options.members < 1) {
    return absl::InvalidArgumentError("etcd_cluster.members: must be at least 1");
  }
  absl::Status last;
  // A port that was free when we picked it may be taken before etcd binds it (other tests
  // run in parallel): then start over on new ports.
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto cluster = std::unique_ptr<EtcdCluster>(new EtcdCluster(options));
    std::set<int> ports;
    std::vector<std::string> peers;
    for (int i = 0; i < options.members; ++i) {
      Member m;
      m.name = absl::StrCat("m", i);
      do m.client_port = romana::testing::FreeLoopbackPort(); while (!ports.insert(m.client_port).second);
      do m.peer_port = romana::testing::FreeLoopbackPort(); while (!ports.insert(m.peer_port).second);
      peers.push_back(absl::StrCat(m.name, "=http://127.0.0.1:", m.peer_port));
      cluster->members_.push_back(std::move(m));
    }
    cluster->initial_cluster_ = absl::StrJoin(peers, ",");
    last = options.tls ? cluster->MakeCertificates() : absl::OkStatus();
    if (!last.ok()) return last;
    for (int i = 0; i < options.members && last.ok(); ++i) last = cluster->Launch(i, true);
    if (last.code() == absl::StatusCode::kNotFound) return last;
    if (last.ok()) last = cluster->WaitHealthy(options.start_timeout);
    if (last.ok()) return cluster;
    bool any_exited = false;
    for (int i = 0; i < options.members; ++i) any_exited |= !cluster->Running(i);
    last = absl::Status(last.code(), absl::StrCat(last.message(), "\n", cluster->LogTails()));
    if (!any_exited) break;  // not a port clash: do not hide the problem behind retries
  }
  return last;
}

EtcdCluster::~EtcdCluster() {
  for (Member& m : members_) {
    if (m.process != nullptr && m.process->Running()) m.process->Stop(std::chrono::seconds(3));
  }
}

absl::Status EtcdCluster::Launch(int i, bool fresh) {
  Member& m = members_[i];
  const std::string client =
      absl::StrCat(tls_ ? "https" : "http", "://127.0.0.1:", m.client_port);
  const std::string peer = absl::StrCat("http://127.0.0.1:", m.peer_port);
  std::vector<std::string> argv = {
      // Dies with us even if the test crashes before the destructor runs.
      "setpriv", "--pdeathsig", "KILL", options_.etcd_binary,
      "--name", m.name,
      "--data-dir", (dir_.path() / (m.name + ".data")).string(),
      "--listen-client-urls", client, "--advertise-client-urls", client,
      "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
      "--initial-cluster", initial_cluster_,
      "--initial-cluster-state", "new",
      "--initial-cluster-token", absl::StrCat("romana-test-", getpid(), "-", members_[0].peer_port),
      "--heartbeat-interval", std::to_string(options_.heartbeat_interval.count()),
      "--election-timeout", std::to_string(options_.election_timeout.count()),
      "--logger=zap", "--log-outputs=stderr"};
  if (tls_) {
    for (std::string flag : {"--cert-file=" + dir_.File("server.pem"),
                             "--key-file=" + dir_.File("server.key"),
                             "--trusted-ca-file=" + dir_.File("ca.pem"),
                             std::string("--client-cert-auth")}) {
      argv.push_back(flag);
    }
  }
  if (fresh) {
    std::error_code ec;
    std::filesystem::remove_all(dir_.path() / (m.name + ".data"), ec);
  }
  absl::StatusOr<std::unique_ptr<base::Subprocess>> process =
      base::Subprocess::Start({.argv = argv, .output_path = log_path(i)});
  if (!process.ok()) return process.status();
  m.process = *std::move(process);
  // setpriv exits 127-ish at once when etcd is missing.
  if (absl::StatusOr<int> code = m.process->Wait(std::chrono::milliseconds(100)); code.ok()) {
    std::string tail = Tail(log_path(i), 5);
    if (tail.find("No such file") != std::string::npos || tail.find("failed to execute") != std::string::npos) {
      return absl::NotFoundError(absl::StrCat("cannot run ", options_.etcd_binary, ": ", tail));
    }
    return absl::UnavailableError(absl::StrCat("etcd ", m.name, " exited with ", *code));
  }
  return absl::OkStatus();
}

std::string EtcdCluster::ClientEndpoint(int i) const {
  return absl::StrCat("127.0.0.1:", members_[i].client_port);
}

std::vector<std::string> EtcdCluster::ClientEndpoints() const {
  std::vector<std::string> endpoints;
  for (int i = 0; i < size(); ++i) endpoints.push_back(ClientEndpoint(i));
  return endpoints;
}

pid_t EtcdCluster::pid(int i) const {
  return members_[i].process != nullptr ? members_[i].process->pid() : -1;
}

bool EtcdCluster::Running(int i) {
  return members_[i].process != nullptr && members_[i].process->Running();
}

std::string EtcdCluster::log_path(int i) const { return dir_.File(members_[i].name + ".log"); }

bool EtcdCluster::Answers(int i, std::chrono::milliseconds timeout) {
  auto kv = etcdserverpb::KV::NewStub(Dial(ClientEndpoint(i), Credentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  context.set_wait_for_ready(true);
  etcdserverpb::RangeRequest request;
  request.set_key("/romana-test-health");
  etcdserverpb::RangeResponse response;
  return kv->Range(&context, request, &response).ok();
}

absl::Status EtcdCluster::WaitHealthy(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (int i = 0; i < size(); ++i) {
    while (true) {
      if (!Running(i)) {
        return absl::UnavailableError(absl::StrCat("etcd member ", members_[i].name,
                                                   " is not running (log: ", log_path(i), ")"));
      }
      if (Answers(i, std::chrono::milliseconds(500))) break;
      if (std::chrono::steady_clock::now() >= deadline) {
        return absl::DeadlineExceededError(absl::StrCat(
            "etcd member ", members_[i].name, " did not answer within ", timeout.count(), " ms"));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int> EtcdCluster::LeaderIndex() {
  std::vector<uint64_t> ids(size(), 0);
  uint64_t leader = 0;
  for (int i = 0; i < size(); ++i) {
    if (!Running(i)) continue;
    auto maintenance = etcdserverpb::Maintenance::NewStub(Dial(ClientEndpoint(i), Credentials()));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    etcdserverpb::StatusResponse response;
    if (!maintenance->Status(&context, etcdserverpb::StatusRequest(), &response).ok()) continue;
    ids[i] = response.header().member_id();
    if (response.leader() != 0) leader = response.leader();
  }
  for (int i = 0; i < size(); ++i) {
    if (leader != 0 && ids[i] == leader) return i;
  }
  return absl::UnavailableError("etcd cluster: no running member is the leader");
}

absl::Status EtcdCluster::Kill(int i, int signal) {
  if (!Running(i)) {
    return absl::FailedPreconditionError(absl::StrCat("etcd member ", i, " is not running"));
  }
  members_[i].process->Signal(signal);
  if (signal == SIGSTOP) {
    // kill() returns before the group stop completes: wait until every thread is stopped.
    const pid_t p = pid(i);
    bool stopped = romana::testing::WaitUntil([p] {
      std::error_code ec;
      for (const auto& task : std::filesystem::directory_iterator(
               absl::StrCat("/proc/", p, "/task"), ec)) {
        std::ifstream stat(task.path() / "stat");
        std::string line;
        std::getline(stat, line);
        size_t paren = line.rfind(')');
        if (paren == std::string::npos || paren + 2 >= line.size() || line[paren + 2] != 'T') {
          return false;
        }
      }
      return !ec;
    }, std::chrono::seconds(10));
    if (!stopped) return absl::DeadlineExceededError(absl::StrCat("etcd member ", i, " did not stop"));
  }
  if (signal == SIGKILL || signal == SIGTERM) {
    absl::StatusOr<int> code = members_[i].process->Wait(std::chrono::seconds(20));
    if (!code.ok()) return code.status();
  }
  return absl::OkStatus();
}

absl::Status EtcdCluster::Restart(int i) {
  if (Running(i)) {
    return absl::FailedPreconditionError(absl::StrCat("etcd member ", i, " is still running"));
  }
  return Launch(i, false);
}

absl::Status EtcdCluster::MakeCertificates() {
  const std::string d = dir_.path().string() + "/";
  {
    std::ofstream ext(d + "server.ext");
    ext << "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n";
    std::ofstream cext(d + "client.ext");
    cext << "extendedKeyUsage=clientAuth\n";
  }
  const std::vector<std::vector<std::string>> commands = {
      {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
       "-nodes", "-keyout", d + "ca.key", "-out", d + "ca.pem", "-days", "2", "-subj",
       "/CN=romana-test-ca"},
      {"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
       "-keyout", d + "server.key", "-out", d + "server.csr", "-subj", "/CN=127.0.0.1"},
      {"openssl", "x509", "-req", "-in", d + "server.csr", "-CA", d + "ca.pem", "-CAkey",
       d + "ca.key", "-CAcreateserial", "-out", d + "server.pem", "-days", "2", "-extfile",
       d + "server.ext"},
      {"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
       "-keyout", d + "client.key", "-out", d + "client.csr", "-subj", "/CN=romana-test-client"},
      {"openssl", "x509", "-req", "-in", d + "client.csr", "-CA", d + "ca.pem", "-CAkey",
       d + "ca.key", "-CAcreateserial", "-out", d + "client.pem", "-days", "2", "-extfile",
       d + "client.ext"},
  };
  for (const auto& argv : commands) {
    absl::StatusOr<base::CommandResult> result = base::RunCommand(argv);
    if (!result.ok()) return result.status();
    if (result->exit_code != 0) {
      return absl::InternalError(absl::StrCat("etcd_cluster: ", absl::StrJoin(argv, " "),
                                              " failed: ", result->output));
    }
  }
  return absl::OkStatus();
}

std::shared_ptr<grpc::ChannelCredentials> EtcdCluster::Credentials() const {
  if (!tls_) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ReadAll(ca_file());
  ssl.pem_cert_chain = ReadAll(client_cert_file());
  ssl.pem_private_key = ReadAll(client_key_file());
  return grpc::SslCredentials(ssl);
}

std::string EtcdCluster::LogTails() {
  std::string out;
  for (int i = 0; i < size(); ++i) {
    absl::StrAppend(&out, "--- ", log_path(i), " (last lines)\n", Tail(log_path(i), 15), "\n");
  }
  return out;
}

}  // namespace romana::store::testing
