// etcd_cluster.h: runs real etcd servers for tests and benchmarks.
//
//   auto cluster = romana::store::testing::EtcdCluster::Start({.members = 3});
//   ASSERT_TRUE(cluster.ok()) << cluster.status();
//   auto store = EtcdStore::Create({.endpoints = (*cluster)->ClientEndpoints()});
//   absl::StatusOr<int> leader = (*cluster)->LeaderIndex();
//   (*cluster)->Kill(*leader);                      // SIGKILL by PID
//   (*cluster)->WaitHealthy(std::chrono::seconds(20));  // the others elect a new leader
//
// With `.tls = true` clients must use https with the CA and client certificate the cluster made
// (ca_file(), client_cert_file(), client_key_file()).
//
// Start() launches 1 or 3 (or any N) `etcd` members from PATH (Debian's etcd-server, 3.4) on
// free 127.0.0.1 ports with a fresh temporary data directory, and returns once every member
// answers a real linearizable request (no fixed sleep). Member i is named "m<i>"; its log goes
// to <temp dir>/m<i>.log (printed by a failing Start()). The destructor stops every member
// (SIGTERM, then SIGKILL) and deletes the directory. Members run under `setpriv --pdeathsig
// KILL`, so they also die if the test process crashes (the harness must be created and
// destroyed on the same thread, as gtest does).
//
// Test-only (romana::store_etcd_testing). Not thread-safe: use from one thread.
#ifndef ROMANA_STORE_TESTING_ETCD_CLUSTER_H_
#define ROMANA_STORE_TESTING_ETCD_CLUSTER_H_

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/subprocess.h"
#include "base/testing/test_env.h"

namespace grpc {
class ChannelCredentials;
}

namespace romana::store::testing {

struct EtcdClusterOptions {
  int members = 1;                    // REQUIRES: >= 1 (use 1 or 3)
  std::string etcd_binary = "etcd";   // looked up in PATH
  // Raft timing (etcd's --heartbeat-interval / --election-timeout). The minimum lease TTL etcd
  // grants is about 1.5 x election_timeout, rounded up to whole seconds.
  std::chrono::milliseconds heartbeat_interval{100};
  std::chrono::milliseconds election_timeout{1000};
  // How long Start() waits for the cluster to become healthy.
  std::chrono::milliseconds start_timeout{60000};
  // Serve clients over TLS with client-certificate authentication (--client-cert-auth). Start()
  // makes a throw-away CA, a server certificate for IP 127.0.0.1 and a client certificate with
  // the `openssl` command; see ca_file(), client_cert_file(), client_key_file().
  bool tls = false;
};

class EtcdCluster {
 public:
  // Starts the members and waits until each answers. Errors: NotFound (no etcd binary),
  // DeadlineExceeded (not healthy in time; the message carries the tail of the logs).
  static absl::StatusOr<std::unique_ptr<EtcdCluster>> Start(const EtcdClusterOptions& options = {});
  ~EtcdCluster();
  EtcdCluster(const EtcdCluster&) = delete;
  EtcdCluster& operator=(const EtcdCluster&) = delete;

  int size() const { return static_cast<int>(members_.size()); }
  // "127.0.0.1:<port>" of member i, and of every member (for EtcdStoreOptions::endpoints).
  std::string ClientEndpoint(int i) const;
  std::vector<std::string> ClientEndpoints() const;
  int client_port(int i) const { return members_[i].client_port; }
  // PID of member i's process (valid while Running(i)).
  pid_t pid(int i) const;
  bool Running(int i);

  // The index of the current leader, asked of the running members (Maintenance.Status).
  // Unavailable while there is none.
  absl::StatusOr<int> LeaderIndex();
  // Sends `signal` to member i and, for SIGKILL/SIGTERM, waits until it is gone; for SIGSTOP
  // until every thread of it is stopped (SIGCONT resumes it).
  absl::Status Kill(int i, int signal = 9);
  // Starts a stopped member again on its ports with its data directory.
  absl::Status Restart(int i);
  // Waits until every running member answers a linearizable read.
  absl::Status WaitHealthy(std::chrono::milliseconds timeout);

  // With `tls`: the PEM files a client needs (empty otherwise).
  std::string ca_file() const { return tls_ ? dir_.File("ca.pem") : ""; }
  std::string client_cert_file() const { return tls_ ? dir_.File("client.pem") : ""; }
  std::string client_key_file() const { return tls_ ? dir_.File("client.key") : ""; }

  // Member i's log file and the cluster's temporary directory.
  std::string log_path(int i) const;
  std::string dir() const { return dir_.path().string(); }

 private:
  struct Member {
    std::string name;
    int client_port = 0;
    int peer_port = 0;
    std::unique_ptr<base::Subprocess> process;
  };
  explicit EtcdCluster(const EtcdClusterOptions& options)
      : options_(options), tls_(options.tls) {}
  absl::Status MakeCertificates();
  absl::Status Launch(int i, bool fresh);
  // True when member i answers a linearizable Range within `timeout`.
  bool Answers(int i, std::chrono::milliseconds timeout);
  std::string LogTails();
  std::shared_ptr<grpc::ChannelCredentials> Credentials() const;

  const EtcdClusterOptions options_;
  const bool tls_;
  romana::testing::TempDir dir_;
  std::string initial_cluster_;
  std::vector<Member> members_;
};

}  // namespace romana::store::testing

#endif  // ROMANA_STORE_TESTING_ETCD_CLUSTER_H_
