#include "daemon/keys.h"

#include "gtest/gtest.h"

namespace romana::daemon {
namespace {

TEST(KeysTest, NormalizesPrefix) {
  EXPECT_EQ(NormalizePrefix("romana/"), "/romana");
  EXPECT_EQ(NormalizePrefix("/a/b//"), "/a/b");
  EXPECT_EQ(NormalizePrefix(""), "/romana");
  EXPECT_EQ(Keys("x").Policy("p"), "/x/policies/p");
  EXPECT_EQ(Keys("/romana").Endpoint("ns", "pod"), "/romana/endpoints/ns/pod");
}

TEST(KeysTest, KindOf) {
  Keys k("/romana");
  EXPECT_EQ(k.KindOf("/romana/hosts/h1"), "hosts");
  EXPECT_EQ(k.KindOf("/romana/topology"), "topology");
  EXPECT_EQ(k.KindOf("/romana/blocks/net/10.0.0.0-29"), "blocks");
  EXPECT_EQ(k.KindOf("/romana/leader"), "");
  EXPECT_EQ(k.KindOf("/romanax/hosts/h"), "");
  EXPECT_EQ(k.KindOf("/other/hosts/h"), "");
  EXPECT_EQ(k.KindOf("/romana"), "");
}

}  // namespace
}  // namespace romana::daemon
