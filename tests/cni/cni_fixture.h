// cni_fixture.h: shared set-up for the CNI plugin's integration tests: a fake host network
// namespace per test suite (the "node": 192.168.200.1 on lo, ip_forward on) in which the test
// thread lives for the whole suite, one real romanad started INSIDE it (so the plugin, which the
// runtime runs in the node's netns, reaches it on 127.0.0.1 exactly as on a real node), node
// "node-cni" registered, and helpers that run the real plugin binary there. Pod namespaces are
// made per test. Everything happens inside namespaces the tests create. Requires root.
#ifndef ROMANA_TESTS_CNI_CNI_FIXTURE_H_
#define ROMANA_TESTS_CNI_CNI_FIXTURE_H_

#include <memory>
#include <string>

#include "api/client.h"
#include "cni/exec.h"
#include "daemon/testing/romanad_process.h"
#include "gtest/gtest.h"
#include "netlink/libnl_netlink.h"
#include "netlink/netns.h"
#include "netlink/testing/scoped_netns.h"
#include "nlohmann/json.hpp"

namespace romana::cni::testing {

inline constexpr char kNode[] = "node-cni";
inline constexpr char kNodeIp[] = "192.168.200.1";
inline constexpr char kPodCidrPrefix[] = "10.77.";

class CniFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;
  void TearDown() override;

  static std::string PluginBinary();
  // The network configuration for `version`; `extra` keys are merged in (and may override).
  static nlohmann::json Conf(const std::string& version, const nlohmann::json& extra = nlohmann::json::object());
  // Runs the plugin in the fake host netns. `netns` is the pod netns path ("" = unset).
  absl::StatusOr<ExecResult> Run(const std::string& command, const nlohmann::json& conf,
                                 const std::string& container_id, const std::string& netns,
                                 const std::string& ifname = "eth0",
                                 const std::string& args = "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=pod");
  // A new pod netns (removed at the end of the test unless released earlier).
  netlink::testing::ScopedNetns& NewPod();
  // Netlink socket bound to `netns` ("" = fake host).
  std::unique_ptr<netlink::LibnlNetlink> Nl(const std::string& netns = "");

  static api::Client& romanad() { return daemon_->client(); }
  static romana::testing::RomanadProcess* daemon_;
  static netlink::testing::ScopedNetns* host_;
  static netlink::ScopedNetnsEntry* in_host_;  // the test thread inside host_
  std::vector<std::unique_ptr<netlink::testing::ScopedNetns>> pods_;
};

}  // namespace romana::cni::testing

#endif  // ROMANA_TESTS_CNI_CNI_FIXTURE_H_
