// test_hosts.h (tests only): a topology of N leaf groups and hosts whose records all have the
// same size, for tests that count what a host change writes or how membership follows it.
#ifndef ROMANA_IPAM_TEST_HOSTS_H_
#define ROMANA_IPAM_TEST_HOSTS_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "ipam/topology.h"
#include "net/ipv4.h"

namespace romana::ipam::testing {

// The network 10.0.0.0/8 (blocks of /29) split into `groups` leaf groups "rack-<i>" without
// assignment labels, so hosts go to the least full group.
inline TopologySpec LeafGroups(int groups) {
  std::string map;
  for (int g = 0; g < groups; ++g) absl::StrAppend(&map, g ? "," : "", R"({"name":"rack-)", g, R"("})");
  absl::StatusOr<TopologySpec> spec = ParseTopology(absl::StrCat(
      R"({"networks":[{"name":"n","cidr":"10.0.0.0/8","block_mask":29}],"topologies":[{"networks":["n"],"map":[)",
      map, "]}]}"));
  EXPECT_TRUE(spec.ok()) << spec.status();
  return *spec;
}

// Host i's name and IP, fixed-width so that every host record has the same size.
inline std::string HostName(int i) { return absl::StrFormat("node-%05d", i); }
inline net::Ipv4Address HostIp(int i) {
  return net::Ipv4Address(0xAC100000u + 0x0100u * (100 + i / 100) + 100 + i % 100);
}

}  // namespace romana::ipam::testing

#endif  // ROMANA_IPAM_TEST_HOSTS_H_
