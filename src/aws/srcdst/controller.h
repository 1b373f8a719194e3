// controller.h: romana-aws's reconciler: for every Kubernetes node, EC2 Source/Dest check is
// off on its instance and on the instance's primary network interface.
//
// Node events (from a k8s::Reflector) only record what is known and mark the node due; Tick()
// (one loop thread) does the EC2 work for due nodes:
//   find the instance (spec.providerID, else DescribeInstances by the node's InternalIP) ->
//   read both attributes (DescribeInstances) -> switch on ones off (ModifyInstanceAttribute,
//   ModifyNetworkInterfaceAttribute) -> read back to verify.
// Success: the node is checked again after recheck_interval (someone may turn the check back
// on). Failure: retried with exponential backoff and jitter. A node whose check is already off
// costs one DescribeInstances per recheck and no writes. Event methods and Status() are
// thread-safe; Tick() must be called from one thread.
#ifndef ROMANA_AWS_SRCDST_CONTROLLER_H_
#define ROMANA_AWS_SRCDST_CONTROLLER_H_

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "aws/ec2_api.h"
#include "http/backoff.h"
#include "aws/srcdst/node_info.h"
#include "base/clock.h"
#include "k8s/reflector.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace romana::srcdst {

struct ControllerOptions {
  std::chrono::milliseconds recheck_interval{std::chrono::minutes(5)};
  http::BackoffPolicy backoff{.base_delay = std::chrono::seconds(2), .max_delay = std::chrono::minutes(5)};
};

struct NodeStatus {
  NodeInfo node;
  std::string instance_id;      // resolved
  std::string eni_id;           // primary ENI
  std::string state;            // "pending" | "disabled" | "error"
  std::string last_error;
  int failures = 0;
  int changes = 0;              // times we switched a check off
};

class SourceDestController : public k8s::ResourceHandler {
 public:
  // `ec2`, `clock` and `registry` must outlive the controller.
  SourceDestController(aws::Ec2Api& ec2, const base::Clock& clock, prometheus::Registry& registry,
                       ControllerOptions options);

  void OnSync(std::vector<nlohmann::json> items) override;
  void OnEvent(const std::string& type, const nlohmann::json& object) override;

  // Handles every node that is due. Returns how many were handled.
  int Tick();
  std::map<std::string, NodeStatus> Status() const;

 private:
  struct Entry {
    NodeStatus status;
    std::chrono::steady_clock::time_point due;
  };
  absl::Status Process(NodeStatus& node);
  void Upsert(const nlohmann::json& object) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Forget(const std::string& name) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  aws::Ec2Api& ec2_;
  const base::Clock& clock_;
  const ControllerOptions options_;
  std::mt19937 rng_{std::random_device{}()};
  mutable std::mutex mu_;
  std::map<std::string, Entry> nodes_ ABSL_GUARDED_BY(mu_);

  prometheus::Family<prometheus::Gauge>& enabled_;
  prometheus::Family<prometheus::Counter>& changes_;
  prometheus::Family<prometheus::Counter>& errors_;
  prometheus::Gauge& node_count_;
};

}  // namespace romana::srcdst

#endif  // ROMANA_AWS_SRCDST_CONTROLLER_H_
