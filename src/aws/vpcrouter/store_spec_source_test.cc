#include "aws/vpcrouter/store_spec_source.h"

#include "base/clock.h"
#include "gtest/gtest.h"
#include "store/memory_store.h"

namespace romana::vpcrouter {
namespace {

TEST(StoreRouteSpecSourceTest, ReadsLeafGroupsAndTheirHostsUnderThePrefix) {
  base::FakeClock clock;
  auto mem = store::MemoryStore::Create(clock);
  store::Store& s = *mem;
  ASSERT_TRUE(s.Put("/romana/groups/net/0", R"({"network":"net","path":"/0","cidr":"10.112.0.0/16","leaf":true,"padding":false})").ok());
  ASSERT_TRUE(s.Put("/romana/networks/net", R"({"name":"net","cidr":"10.112.0.0/12","block_mask":29})").ok());
  ASSERT_TRUE(s.Put("/romana/hosts/node-1", R"({"name":"node-1","ip":"10.0.1.4","groups":{"net":"/0"}})").ok());
  ASSERT_TRUE(s.Put("/other/groups/net/0", R"({"network":"net","path":"/0","cidr":"10.200.0.0/16","leaf":true})").ok());
  ASSERT_TRUE(s.Put("/other/hosts/node-9", R"({"name":"node-9","ip":"10.0.1.9","groups":{"net":"/0"}})").ok());
  StoreRouteSpecSource src(std::move(mem), "/romana", "memory");
  auto spec = src.Fetch();
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(*spec, (RouteSpec{{"10.112.0.0/16", {"10.0.1.4"}}}));
  EXPECT_EQ(src.Networks(), std::vector<std::string>{"10.112.0.0/12"});
}

}  // namespace
}  // namespace romana::vpcrouter
