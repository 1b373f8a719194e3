// expect_same_state.h (tests only): the checks that two Changes hold the same records, and that
// two Ipam states are the same record for record (topology, networks, groups, hosts, blocks,
// addresses): what a reload from the store or a rebuild from the records must give back.
#ifndef ROMANA_IPAM_EXPECT_SAME_STATE_H_
#define ROMANA_IPAM_EXPECT_SAME_STATE_H_

#include "gtest/gtest.h"
#include "ipam/ipam.h"

namespace romana::ipam::testing {

// Adds a non-fatal failure for every part in which `a` and `b` differ: the topology, and each
// list of puts and deletes, compared in order.
inline void ExpectSameChange(const Change& a, const Change& b) {
  EXPECT_EQ(a.topology, b.topology);
  EXPECT_EQ(a.put_networks, b.put_networks);
  EXPECT_EQ(a.deleted_networks, b.deleted_networks);
  EXPECT_EQ(a.put_groups, b.put_groups);
  EXPECT_EQ(a.deleted_groups, b.deleted_groups);
  EXPECT_EQ(a.put_hosts, b.put_hosts);
  EXPECT_EQ(a.deleted_hosts, b.deleted_hosts);
  EXPECT_EQ(a.put_blocks, b.put_blocks);
  EXPECT_EQ(a.deleted_blocks, b.deleted_blocks);
  EXPECT_EQ(a.put_addresses, b.put_addresses);
  EXPECT_EQ(a.deleted_addresses, b.deleted_addresses);
}

// Adds a non-fatal failure for every kind of record in which the states `a` and `b` differ.
inline void ExpectSameState(const Ipam& a, const Ipam& b) { ExpectSameChange(a.AllRecords(), b.AllRecords()); }

}  // namespace romana::ipam::testing

#endif  // ROMANA_IPAM_EXPECT_SAME_STATE_H_
