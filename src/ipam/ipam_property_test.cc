// Random operation sequences: the free-list accounting holds after every step, the state stays
// consistent, and rebuilding from its records (what a reload from the store does) gives exactly
// the same state.
#include <algorithm>
#include <random>

#include "gtest/gtest.h"
#include "ipam/builtin.h"
#include "ipam/expect_same_state.h"
#include "ipam/ipam.h"

namespace romana::ipam {
namespace {

absl::StatusOr<Ipam> Reload(const Ipam& ipam) {
  Change all = ipam.AllRecords();
  return Ipam::FromRecords(all.topology, all.put_hosts, all.put_blocks, all.put_addresses);
}

void CheckAccounting(const Ipam& ipam) {
  for (const NetworkPlan& p : ipam.plans()) {
    for (const GroupPlan& g : p.groups) {
      if (!g.leaf || g.padding) continue;
      absl::StatusOr<Usage> u = ipam.GetUsage(p.network.name, g.path);
      ASSERT_TRUE(u.ok());
      ASSERT_EQ(u->allocatable, u->capacity - u->allocated) << p.network.name << " " << g.path;
    }
  }
}

class RandomOps {
 public:
  RandomOps(Ipam& ipam, uint32_t seed) : ipam_(ipam), rng_(seed) {}

  // One random mutation, applied through Plan + Apply; returns false if it failed (which is
  // fine: e.g. exhaustion), after checking that a failed plan changed nothing.
  void Step() { StepChange(); }

  // Like Step, returning the Change that was applied (empty if the plan failed).
  Change StepChange() {
    last_ = Change();
    int op = rng_() % 100;
    if (op < 5 || ipam_.host_count() == 0) {
      std::string name = "h" + std::to_string(next_host_++);
      net::Ipv4Address ip(0xC0A80000u + next_host_);
      Labels labels = {{"rack", std::to_string(rng_() % 3)}};
      ApplyOrCheckUnchanged(ipam_.PlanAddHost({name, ip, labels}));
    } else if (op < 7) {
      ApplyOrCheckUnchanged(ipam_.PlanRemoveHost(RandomHost()));
    } else if (op < 60) {
      AllocateRequest req{"a" + std::to_string(rng_() % 400), RandomHost(), "ns" + std::to_string(rng_() % 3),
                          rng_() % 4 == 0 ? "seg" : ""};
      ApplyOrCheckUnchanged(ipam_.PlanAllocate(req));
    } else if (op < 97) {
      if (rng_() % 2) {
        ApplyOrCheckUnchanged(ipam_.PlanRelease("a" + std::to_string(rng_() % 400)));
      } else {
        std::vector<AddressRecord> all = ipam_.Addresses();
        if (!all.empty()) ApplyOrCheckUnchanged(ipam_.PlanReleaseIp(all[rng_() % all.size()].ip));
      }
    } else {
      net::Ipv4Cidr r = net::Ipv4Cidr::Containing(net::Ipv4Address(0x0A000000u + rng_() % 1024), 28 + rng_() % 5);
      if (rng_() % 2) {
        ApplyOrCheckUnchanged(ipam_.PlanReserve("n", r));
      } else {
        ApplyOrCheckUnchanged(ipam_.PlanUnreserve("n", r));
      }
    }
    return last_;
  }

 private:
  std::string RandomHost() {
    std::vector<HostRecord> hosts = ipam_.Hosts();
    if (hosts.empty() || rng_() % 50 == 0) return "unknown";
    return hosts[rng_() % hosts.size()].name;
  }
  template <typename P>
  void ApplyOrCheckUnchanged(const absl::StatusOr<P>& planned) {
    if (!planned.ok()) return;  // plans are const: nothing can have changed
    if constexpr (std::is_same_v<P, Change>) {
      last_ = planned.value();
    } else {
      last_ = planned->change;
    }
    ipam_.Apply(last_);
  }

  Ipam& ipam_;
  std::mt19937 rng_;
  int next_host_ = 1;
  Change last_;
};

TEST(IpamPropertyTest, AccountingAndReloadHoldUnderRandomOperations) {
  for (uint32_t seed : {1u, 2u, 3u, 4u}) {
    Ipam ipam;
    // A small network so that groups fill up, blocks get reused and exhaustion happens.
    absl::StatusOr<TopologySpec> spec = ParseTopology(R"({"networks":[
        {"name":"n","cidr":"10.0.0.0/22","block_mask":29,"reserved":["10.0.0.8/30"]},
        {"name":"extra","cidr":"10.9.0.0/24","block_mask":30,"tenants":["ns1"]}],
      "topologies":[{"networks":["n"],"map":[
        {"name":"r0","assignment":{"rack":"0"},"groups":[]},
        {"name":"r1","assignment":{"rack":"1"},"groups":[{"name":"r1a"},{"name":"r1b"},{"name":"r1c"}]},
        {"name":"any","groups":[]}]},
        {"networks":["extra"],"map":[{"name":"all"}]}]})");
    ASSERT_TRUE(spec.ok()) << spec.status();
    ASSERT_TRUE(ipam.SetTopology(*spec).ok());
    RandomOps ops(ipam, seed);
    for (int step = 0; step < 1500; ++step) {
      ops.Step();
      CheckAccounting(ipam);
      if (HasFatalFailure()) return;
      if (step % 100 == 99) {
        absl::StatusOr<Ipam> again = Reload(ipam);
        ASSERT_TRUE(again.ok()) << "seed " << seed << " step " << step << ": " << again.status();
        SCOPED_TRACE(::testing::Message() << "seed " << seed << " step " << step);
        testing::ExpectSameState(ipam, *again);
      }
    }
    EXPECT_GT(ipam.address_count(), 0u) << "the sequence should leave some addresses allocated";
  }
}

// Sorts every list of a Change by key so two Changes can be compared.
Change Normalized(Change c) {
  auto by = [](auto key) { return [key](const auto& a, const auto& b) { return key(a) < key(b); }; };
  std::sort(c.put_networks.begin(), c.put_networks.end(), by([](const NetworkRecord& r) { return r.name; }));
  std::sort(c.put_groups.begin(), c.put_groups.end(),
            by([](const GroupRecord& r) { return std::make_pair(r.network, r.path); }));
  std::sort(c.put_hosts.begin(), c.put_hosts.end(), by([](const HostRecord& r) { return r.name; }));
  std::sort(c.put_blocks.begin(), c.put_blocks.end(),
            by([](const BlockRecord& r) { return std::make_pair(r.network, r.cidr); }));
  std::sort(c.put_addresses.begin(), c.put_addresses.end(), by([](const AddressRecord& r) { return r.name; }));
  std::sort(c.deleted_networks.begin(), c.deleted_networks.end());
  std::sort(c.deleted_groups.begin(), c.deleted_groups.end());
  std::sort(c.deleted_hosts.begin(), c.deleted_hosts.end());
  std::sort(c.deleted_blocks.begin(), c.deleted_blocks.end());
  std::sort(c.deleted_addresses.begin(), c.deleted_addresses.end());
  return c;
}

// Every planned Change is exactly the difference between the records before and after it is
// applied: persistence writes precisely the keys that changed, no more and no fewer.
TEST(IpamPropertyTest, PlannedChangesAreExactDiffs) {
  Ipam ipam;
  ASSERT_TRUE(ipam.SetTopology(KubeadmTopology()).ok());
  RandomOps ops(ipam, 77);
  for (int step = 0; step < 600; ++step) {
    Change before = ipam.AllRecords();
    Change applied = ops.StepChange();
    Change after = ipam.AllRecords();
    testing::ExpectSameChange(Normalized(applied), Normalized(DiffRecords(before, after)));
    if (HasFailure()) {
      ADD_FAILURE() << "at step " << step;
      return;
    }
  }
  EXPECT_GT(ipam.address_count(), 0u);
}

}  // namespace
}  // namespace romana::ipam
