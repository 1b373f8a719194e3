// plan.h: the pure layout of a lab cluster: names, addresses and the topology romanad gets.
//
//   rack k (L2 segment): switch netns "<p>sw<k>" with bridge br0, subnet 192.168.(100+k).0/24
//   master netns "<p>master" on rack 0 (.2): romanad (and etcd with --etcd)
//   router netns "<p>router" (only with racks > 1): .1 on every rack, one route per prefix group
//   node n (1-based) netns "<p>node-n" in rack (n-1) % racks, eth0 = 192.168.(100+rack).(10+n)
//   pod j of node n: netns "<p>node-n-pod-j", pod name "pod-n-j"
// where <p> = "rl-<id>-". Everything the lab creates carries the prefix, so `down` can find it.
// Pure; thread-safe.
#ifndef ROMANA_LAB_PLAN_H_
#define ROMANA_LAB_PLAN_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"

namespace romana::lab {

struct LabShape {
  std::string id;           // REQUIRED: [a-z0-9]{1,8}
  int nodes = 3;            // 1..100
  int pods_per_node = 2;    // 0..50
  int racks = 1;            // 1..8, <= nodes
  std::string pod_cidr = "10.112.0.0/16";
  int block_mask = 29;
};

// InvalidArgument naming the flag (--nodes, --racks, --pods, --id, --pod-cidr, --block-mask).
absl::Status ValidateShape(const LabShape& shape);

std::string Prefix(const std::string& id);  // "rl-<id>-"
std::string SwitchNetns(const std::string& id, int rack);
std::string MasterNetns(const std::string& id);
std::string RouterNetns(const std::string& id);
std::string NodeName(int n);                // "node-<n>"
std::string NodeNetns(const std::string& id, int n);
std::string PodName(int n, int j);          // "pod-<n>-<j>"
std::string PodNetns(const std::string& id, int n, int j);

int RackOf(const LabShape& shape, int n);   // 0-based rack of 1-based node n
std::string RackSubnet(int rack);           // "192.168.<100+rack>.0/24"
std::string RackGateway(int rack);          // "192.168.<100+rack>.1"
std::string MasterIp();                     // "192.168.100.2"
std::string NodeIp(const LabShape& shape, int n);
std::string RackLabel(int rack);            // "r<rack>"

// The topology romanad starts with: network "romana-network" = pod_cidr, one leaf group per rack
// with assignment {"rack": "r<k>"} (nodes register with that label).
nlohmann::json Topology(const LabShape& shape);

}  // namespace romana::lab

#endif  // ROMANA_LAB_PLAN_H_
