// The chaos test's invariants: each kind of problem is reported, a consistent state passes.
#include "invariants.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace romana::chaos {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

api::Address Addr(const std::string& name, const std::string& ip, const std::string& host, const std::string& block) {
  return {.name = name, .ip = ip, .host = host, .block = block};
}
api::Block Block(const std::string& cidr, const std::string& host, int64_t allocated) {
  return {.cidr = cidr, .host = host, .allocated = allocated};
}

TEST(IpamProblemsTest, ConsistentStatePasses) {
  EXPECT_THAT(IpamProblems({Addr("a:eth0", "10.1.0.1", "node-1", "10.1.0.0/29"),
                            Addr("b:eth0", "10.1.0.2", "node-1", "10.1.0.0/29")},
                           {Block("10.1.0.0/29", "node-1", 2), Block("10.1.0.8/29", "node-2", 0)},
                           {{"a:eth0", "10.1.0.1", "node-1"}, {"b:eth0", "10.1.0.2", "node-1"}}),
              IsEmpty());
  EXPECT_THAT(IpamProblems({}, {}, {}), IsEmpty());
}

TEST(IpamProblemsTest, LeakedMissingAndMismatchedAddresses) {
  const std::vector<api::Block> blocks = {Block("10.1.0.0/29", "node-1", 2)};
  EXPECT_THAT(IpamProblems({Addr("a:eth0", "10.1.0.1", "node-1", "10.1.0.0/29"),
                            Addr("gone:eth0", "10.1.0.2", "node-1", "10.1.0.0/29")},
                           blocks, {{"a:eth0", "10.1.0.1", "node-1"}}),
              ElementsAre(HasSubstr("leaked: address gone:eth0")));
  EXPECT_THAT(IpamProblems({Addr("a:eth0", "10.1.0.1", "node-1", "10.1.0.0/29"),
                            Addr("b:eth0", "10.1.0.2", "node-1", "10.1.0.0/29")},
                           blocks,
                           {{"a:eth0", "10.1.0.1", "node-1"}, {"b:eth0", "10.1.0.2", "node-1"},
                            {"c:eth0", "10.1.0.3", "node-1"}}),
              ElementsAre(HasSubstr("missing: live pod c:eth0")));
  EXPECT_THAT(IpamProblems({Addr("a:eth0", "10.1.0.1", "node-1", "10.1.0.0/29"),
                            Addr("b:eth0", "10.1.0.2", "node-1", "10.1.0.0/29")},
                           blocks, {{"a:eth0", "10.1.0.1", "node-1"}, {"b:eth0", "10.1.0.5", "node-1"}}),
              ElementsAre(HasSubstr("mismatch: pod b:eth0 has 10.1.0.5")));
}

TEST(IpamProblemsTest, DuplicatesAmongPodsAndAddresses) {
  EXPECT_THAT(IpamProblems({Addr("a:eth0", "10.1.0.1", "node-1", "10.1.0.0/29"),
                            Addr("b:eth0", "10.1.0.1", "node-1", "10.1.0.0/29")},
                           {Block("10.1.0.0/29", "node-1", 2)},
                           {{"a:eth0", "10.1.0.1", "node-1"}, {"b:eth0", "10.1.0.1", "node-1"}}),
              ElementsAre(HasSubstr("duplicate: live pods a:eth0 and b:eth0"),
                          HasSubstr("duplicate: addresses a:eth0 and b:eth0")));
}

TEST(IpamProblemsTest, BlocksMustAgreeWithTheirAddresses) {
  const std::vector<LivePod> live = {{"a:eth0", "10.1.0.1", "node-1"}};
  EXPECT_THAT(IpamProblems({Addr("a:eth0", "10.1.0.1", "node-1", "10.1.0.0/29")}, {Block("10.1.0.0/29", "node-1", 2)},
                           live),
              ElementsAre(HasSubstr("counts 2 allocated, holds 1")));
  EXPECT_THAT(IpamProblems({Addr("a:eth0", "10.1.0.1", "node-1", "10.1.0.0/29")}, {}, live),
              ElementsAre(HasSubstr("which does not exist")));
  EXPECT_THAT(IpamProblems({Addr("a:eth0", "10.1.0.1", "node-1", "10.1.0.0/29")}, {Block("10.1.0.0/29", "node-2", 1)},
                           live),
              ElementsAre(HasSubstr("but its block 10.1.0.0/29 is node-2's")));
}

constexpr char kLinks[] = R"([{"ifname": "eth0"}, {"ifname": "romana0123abcde"}, {"ifname": "romana999999999"}])";

TEST(AttachmentProblemsTest, OneRoutePerLivePodThroughItsVeth) {
  const std::string routes =
      R"([{"dst": "10.1.0.1", "dev": "romana0123abcde"}, {"dst": "10.1.0.2", "dev": "romana999999999"},
          {"dst": "192.168.100.0/24", "dev": "eth0"}])";
  EXPECT_THAT(AttachmentProblems(routes, kLinks, {{"a:eth0", "10.1.0.1", "node-1"}, {"b:eth0", "10.1.0.2", "node-1"}}),
              IsEmpty());
  EXPECT_THAT(AttachmentProblems("", "", {}), IsEmpty());
}

TEST(AttachmentProblemsTest, LeftoversAndMissingRoutes) {
  const std::string one_route = R"([{"dst": "10.1.0.1", "dev": "romana0123abcde"}])";
  // A deleted pod's route and veth stayed; a live pod has no route; a veth routes nothing.
  EXPECT_THAT(AttachmentProblems(one_route, kLinks, {}),
              ElementsAre(HasSubstr("leaked: route to 10.1.0.1"), HasSubstr("leaked: host veth romana999999999")));
  EXPECT_THAT(AttachmentProblems(one_route, kLinks, {{"a:eth0", "10.1.0.1", "node-1"}, {"b:eth0", "10.1.0.2", "node-1"}}),
              ElementsAre(HasSubstr("missing: no route to live pod b:eth0"),
                          HasSubstr("leaked: host veth romana999999999")));
  EXPECT_THAT(AttachmentProblems("not json", kLinks, {}), ElementsAre(HasSubstr("unreadable")));
}

}  // namespace
}  // namespace romana::chaos
