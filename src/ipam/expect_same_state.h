// expect_same_state.h (tests only): the check that two Ipam states are the same, record for
// record (topology, networks, groups, hosts, blocks, addresses): what a reload from the store
// or a rebuild from the records must give back.
#ifndef ROMANA_IPAM_EXPECT_SAME_STATE_H_
#define ROMANA_IPAM_EXPECT_SAME_STATE_H_

#include "gtest/gtest.h"
#include "ipam/ipam.h"

namespace romana::ipam::testing {

// Adds a non-fatal failure for every kind of record in which `a` and `b` differ.
inline void ExpectSameState(const Ipam& a, const Ipam& b) {
  Change ra = a.AllRecords(), rb = b.AllRecords();
  EXPECT_EQ(ra.topology, rb.topology);
  EXPECT_EQ(ra.put_networks, rb.put_networks);
  EXPECT_EQ(ra.put_groups, rb.put_groups);
  EXPECT_EQ(ra.put_hosts, rb.put_hosts);
  EXPECT_EQ(ra.put_blocks, rb.put_blocks);
  EXPECT_EQ(ra.put_addresses, rb.put_addresses);
}

}  // namespace romana::ipam::testing

#endif  // ROMANA_IPAM_EXPECT_SAME_STATE_H_
