// Group membership lives in the host records: adding, relabelling or removing a host changes
// that host's record only (no group record, whatever the group's size), and every group's hosts
// (Ipam::GroupHosts) are exactly the hosts whose record names the group, after any sequence of
// adds, relabels and removes, in one flat group and in 40 groups.
#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipam/ipam.h"
#include "ipam/test_hosts.h"

namespace romana::ipam {
namespace {

using testing::HostIp;
using testing::HostName;
using testing::LeafGroups;

// Group (network + path) -> hosts, derived from the host records only.
std::map<std::string, std::set<std::string>> MembersFromHostRecords(const Ipam& ipam) {
  std::map<std::string, std::set<std::string>> out;
  for (const HostRecord& h : ipam.Hosts()) {
    for (const auto& [net, path] : h.groups) out[net + path].insert(h.name);
  }
  return out;
}

void ExpectMembershipMatchesHostRecords(const Ipam& ipam) {
  std::map<std::string, std::set<std::string>> want = MembersFromHostRecords(ipam);
  size_t total = 0;
  for (const GroupRecord& g : ipam.Groups()) {
    std::vector<std::string> have = ipam.GroupHosts(g.network, g.path);
    const std::set<std::string>& expected = want[g.network + g.path];
    EXPECT_EQ(std::set<std::string>(have.begin(), have.end()), expected) << g.path;
    EXPECT_TRUE(std::is_sorted(have.begin(), have.end())) << g.path;
    if (!g.leaf || g.padding) {
      EXPECT_TRUE(have.empty()) << g.path;
    }
    total += have.size();
  }
  EXPECT_EQ(total, ipam.host_count());
}

// A host change writes the host record (and, for a remove, its blocks and addresses), never a
// group record.
void ExpectNoGroupRecord(const Change& c) {
  EXPECT_TRUE(c.put_groups.empty());
  EXPECT_TRUE(c.deleted_groups.empty());
}

class MembershipTest : public ::testing::TestWithParam<int> {};

TEST_P(MembershipTest, AddRelabelRemoveKeepMembershipInTheHostRecords) {
  const int groups = GetParam();
  Ipam ipam;
  ASSERT_TRUE(ipam.SetTopology(LeafGroups(groups)).ok());
  constexpr int kHosts = 1500;
  for (int i = 0; i < kHosts; ++i) {
    absl::StatusOr<Planned<HostRecord>> p = ipam.PlanAddHost({HostName(i), HostIp(i), {{"i", std::to_string(i)}}});
    ASSERT_TRUE(p.ok()) << p.status();
    ExpectNoGroupRecord(p->change);
    ASSERT_EQ(p->change.size(), 1u);
    ASSERT_EQ(p->change.put_hosts[0], p->result);
    ipam.Apply(p->change);
  }
  ExpectMembershipMatchesHostRecords(ipam);
  // Least-loaded placement spreads the hosts evenly over the leaves.
  std::set<size_t> sizes;
  for (const GroupRecord& g : ipam.Groups()) {
    if (g.leaf && !g.padding) sizes.insert(ipam.GroupHosts(g.network, g.path).size());
  }
  EXPECT_LE(*sizes.rbegin() - *sizes.begin(), 1u);

  std::mt19937 rng(groups);
  std::set<int> present;
  for (int i = 0; i < kHosts; ++i) present.insert(i);
  int next = kHosts;
  for (int step = 0; step < 2000; ++step) {
    const int what = static_cast<int>(rng() % 3);
    auto pick = [&] {
      auto it = present.begin();
      std::advance(it, rng() % present.size());
      return *it;
    };
    if (what == 0) {
      const int i = next++;
      absl::StatusOr<Planned<HostRecord>> p = ipam.PlanAddHost({HostName(i), HostIp(i), {}});
      ASSERT_TRUE(p.ok()) << p.status();
      ExpectNoGroupRecord(p->change);
      ipam.Apply(p->change);
      present.insert(i);
    } else if (what == 1) {
      const int i = pick();
      const std::map<std::string, std::string> before = ipam.GetHost(HostName(i))->groups;
      absl::StatusOr<Planned<HostRecord>> p = ipam.PlanSetHostLabels(HostName(i), {{"step", std::to_string(step)}});
      ASSERT_TRUE(p.ok()) << p.status();
      ExpectNoGroupRecord(p->change);
      ASSERT_EQ(p->change.size(), 1u);
      ipam.Apply(p->change);
      EXPECT_EQ(ipam.GetHost(HostName(i))->groups, before);  // a relabel moves nothing
    } else {
      const int i = pick();
      absl::StatusOr<Planned<HostRecord>> p = ipam.PlanRemoveHost(HostName(i));
      ASSERT_TRUE(p.ok()) << p.status();
      ExpectNoGroupRecord(p->change);
      ipam.Apply(p->change);
      present.erase(i);
      for (const auto& [net, path] : p->result.groups) {
        EXPECT_THAT(ipam.GroupHosts(net, path), ::testing::Not(::testing::Contains(HostName(i))));
      }
    }
    if (step % 500 == 0) ExpectMembershipMatchesHostRecords(ipam);
  }
  ExpectMembershipMatchesHostRecords(ipam);
  EXPECT_EQ(ipam.host_count(), present.size());

  // The state rebuilt from the records (what a reload does) has the same membership.
  Change all = ipam.AllRecords();
  absl::StatusOr<Ipam> loaded = Ipam::FromRecords(all.topology, all.put_hosts, all.put_blocks, all.put_addresses);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  for (const GroupRecord& g : ipam.Groups()) {
    EXPECT_EQ(loaded->GroupHosts(g.network, g.path), ipam.GroupHosts(g.network, g.path)) << g.path;
  }
}

INSTANTIATE_TEST_SUITE_P(Groups, MembershipTest, ::testing::Values(1, 40),
                         [](const ::testing::TestParamInfo<int>& i) { return absl::StrCat(i.param, "Groups"); });

TEST(MembershipTest, UnknownGroupHasNoHosts) {
  Ipam ipam;
  EXPECT_TRUE(ipam.GroupHosts("n", "/0").empty());
  ASSERT_TRUE(ipam.SetTopology(LeafGroups(2)).ok());
  ASSERT_TRUE(ipam.AddHost({HostName(1), HostIp(1), {}}).ok());
  EXPECT_THAT(ipam.GroupHosts("n", "/0"), ::testing::ElementsAre(HostName(1)));
  EXPECT_TRUE(ipam.GroupHosts("n", "/9").empty());
  EXPECT_TRUE(ipam.GroupHosts("other", "/0").empty());
}

}  // namespace
}  // namespace romana::ipam
