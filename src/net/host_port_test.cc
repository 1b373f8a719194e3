#include "net/host_port.h"

#include "gtest/gtest.h"

namespace romana::net {
namespace {

TEST(HostPortTest, SplitsAtTheLastColon) {
  EXPECT_EQ(*ParseHostPort("127.0.0.1:9600"), (HostPort{"127.0.0.1", 9600}));
  EXPECT_EQ(*ParseHostPort(":0"), (HostPort{"", 0}));
  EXPECT_EQ(*ParseHostPort("etcd.example:2379"), (HostPort{"etcd.example", 2379}));
  EXPECT_EQ(*ParseHostPort("a:b:65535"), (HostPort{"a:b", 65535}));
}

TEST(HostPortTest, RejectsMissingOrBadPorts) {
  for (const char* bad : {"", "127.0.0.1", "h:", "h:65536", "h:-1", "h:+80", "h: 80", "h:80 ", "h:0x50"}) {
    EXPECT_EQ(ParseHostPort(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace romana::net
