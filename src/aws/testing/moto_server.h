// moto_server.h: test harness that runs the real `moto_server` (AWS mock) on a free loopback
// port, plus a fixture that builds a small VPC in it.
//
// The server is started with `moto_server -H 127.0.0.1 -p PORT`, polled until it answers,
// reset with POST /moto-api/reset, and stopped by PID (SIGTERM, then SIGKILL) in the
// destructor, so a failing test leaves nothing behind. Not thread-safe.
#ifndef ROMANA_AWS_TESTING_MOTO_SERVER_H_
#define ROMANA_AWS_TESTING_MOTO_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "aws/credentials.h"
#include "aws/ec2_client.h"
#include "http/curl_client.h"
#include "base/clock.h"
#include "base/subprocess.h"

namespace romana::aws::testing {

struct MotoServerOptions {
  std::string binary = "moto_server";   // Looked up in PATH (pyenv shim).
  std::string log_path;                 // Server output; empty = a file under /tmp.
  std::chrono::seconds start_timeout{30};
};

class MotoServer {
 public:
  // Errors: NotFound when the binary is missing (tests: ROMANA_SKIP_UNLESS_CI), DeadlineExceeded
  // when it does not answer.
  static absl::StatusOr<std::unique_ptr<MotoServer>> Start(MotoServerOptions options = {});
  ~MotoServer();

  int port() const { return port_; }
  std::string endpoint() const;             // "http://127.0.0.1:PORT"
  pid_t pid() const { return process_->pid(); }

  // POST /moto-api/reset: forget every resource (the default VPC comes back).
  absl::Status Reset();
  // Signature checking on: after `unauthenticated_requests` more requests, every request
  // must carry a valid SigV4 signature from a key known to moto's IAM.
  absl::Status EnableAuth(int unauthenticated_requests);
  // Signature checking off again.
  absl::Status DisableAuth();

  // A client for region `region` with the given credentials (default dummy ones).
  absl::StatusOr<std::unique_ptr<Ec2QueryClient>> Client(const std::string& region,
                                                         CredentialsProvider& credentials);

 private:
  MotoServer(std::unique_ptr<base::Subprocess> process, int port)
      : process_(std::move(process)), port_(port) {}
  absl::Status PostAdmin(const std::string& path, const std::string& body);

  std::unique_ptr<base::Subprocess> process_;
  int port_;
  http::CurlClient http_;
  base::SystemClock clock_;
};

// What MakeTestVpc built.
struct TestInstance {
  std::string id;
  std::string private_ip;
  std::string eni_id;
  std::string zone;
  std::string subnet_id;
};
struct TestVpc {
  std::string vpc_id;
  std::string cidr;                       // "10.0.0.0/16"
  std::vector<std::string> subnet_ids;    // one per zone
  std::vector<std::string> zones;         // "us-east-1a", "us-east-1b"
  std::vector<std::string> route_table_ids;  // one per subnet, explicitly associated
  std::string main_route_table_id;
  std::vector<TestInstance> instances;    // instances_per_zone * zones, zone-major order
};

// Creates a VPC 10.0.0.0/16 with subnets 10.0.<i+1>.0/24 in the first `zones` zones of the
// region, a route table per subnet (explicitly associated), and `instances_per_zone` instances
// in each subnet. Uses `ec2.Call` (raw actions), so it works with any signing setup.
absl::StatusOr<TestVpc> MakeTestVpc(Ec2QueryClient& ec2, int zones = 2, int instances_per_zone = 3);

// Creates an IAM user with an access key and an inline policy (JSON) in moto; returns the
// key. Used with EnableAuth().
absl::StatusOr<Credentials> CreateIamUserWithPolicy(const std::string& endpoint,
                                                    const std::string& user,
                                                    const std::string& policy_json);

}  // namespace romana::aws::testing

#endif  // ROMANA_AWS_TESTING_MOTO_SERVER_H_
