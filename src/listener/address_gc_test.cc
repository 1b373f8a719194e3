#include "listener/address_gc.h"

#include "gtest/gtest.h"

namespace romana::listener {
namespace {

using std::chrono::seconds;
const auto kT0 = std::chrono::steady_clock::time_point(std::chrono::hours(1));

api::Address Addr(const std::string& name, const std::string& ip) { return {.name = name, .ip = ip}; }

TEST(AddressGcTest, ReleasesOnlyAfterAnUninterruptedGracePeriod) {
  AddressGc gc(std::chrono::milliseconds(60000));
  std::vector<api::Address> addrs = {Addr("c1:eth0", "10.0.0.1"), Addr("c2:eth0", "10.0.0.2"),
                                           Addr("c3:eth0", "10.0.0.3")};
  std::set<std::string> pods = {"10.0.0.1"};
  EXPECT_TRUE(gc.Collect(addrs, pods, kT0).empty());
  EXPECT_EQ(gc.orphans(), 2u);
  EXPECT_TRUE(gc.Collect(addrs, pods, kT0 + seconds(59)).empty());
  // c3's pod showed up (the kubelet reported its IP late): c3 starts over.
  pods.insert("10.0.0.3");
  EXPECT_EQ(gc.Collect(addrs, pods, kT0 + seconds(60)), std::vector<std::string>{"c2:eth0"});
  addrs.erase(addrs.begin() + 1);  // c2 released
  pods.erase("10.0.0.3");
  EXPECT_TRUE(gc.Collect(addrs, pods, kT0 + seconds(61)).empty());
  EXPECT_TRUE(gc.Collect(addrs, pods, kT0 + seconds(120)).empty());
  EXPECT_EQ(gc.Collect(addrs, pods, kT0 + seconds(121)), std::vector<std::string>{"c3:eth0"});
  // Addresses that disappeared (released by a CNI DEL) are forgotten.
  EXPECT_TRUE(gc.Collect({}, pods, kT0 + seconds(200)).empty());
  EXPECT_EQ(gc.orphans(), 0u);
}

}  // namespace
}  // namespace romana::listener
