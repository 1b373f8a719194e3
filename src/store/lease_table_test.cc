#include "store/lease_table.h"

#include "base/clock.h"
#include "gtest/gtest.h"

namespace romana::store {
namespace {

using std::chrono::seconds;

TEST(LeaseTableTest, ExpiresExactlyAtTheDeadlineAndKeepAliveRenews) {
  base::FakeClock clock;
  LeaseTable table(clock);
  LeaseId a = table.Grant(seconds(10));
  LeaseId b = table.Grant(seconds(5));
  EXPECT_NE(a, b);
  EXPECT_GT(a, 0);
  clock.Advance(seconds(4));
  EXPECT_TRUE(table.KeepAlive(b).ok());  // b now lives until t=9
  clock.Advance(std::chrono::milliseconds(4999));  // t=8.999
  EXPECT_TRUE(table.Expired().empty()) << "the keep-alive moved b's deadline from 5 to 9";
  clock.Advance(std::chrono::milliseconds(1));  // t=9
  EXPECT_EQ(table.Expired(), (std::vector<LeaseId>{b}));
  EXPECT_TRUE(table.Alive(a));
  clock.Advance(seconds(1));  // t=10: both deadlines reached
  EXPECT_EQ(table.Expired(), (std::vector<LeaseId>{b, a})) << "oldest deadline first";
  EXPECT_EQ(table.KeepAlive(a).code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(table.Alive(a));
}

TEST(LeaseTableTest, TracksKeysAndRemoveReturnsThem) {
  base::FakeClock clock;
  LeaseTable table(clock);
  LeaseId id = table.Grant(seconds(10));
  table.Attach(id, "/b");
  table.Attach(id, "/a");
  table.Attach(id, "/c");
  table.Detach(id, "/c");
  table.Attach(999, "/ignored");  // unknown leases are ignored
  absl::StatusOr<std::set<std::string>> keys = table.Remove(id);
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(*keys, (std::set<std::string>{"/a", "/b"}));
  EXPECT_EQ(table.Remove(id).status().code(), absl::StatusCode::kNotFound);
}

TEST(LeaseTableTest, ExplicitIdsAndTtlValidation) {
  base::FakeClock clock;
  LeaseTable table(clock);
  EXPECT_EQ(table.Grant(seconds(3), 41), 41);
  EXPECT_EQ(table.Grant(seconds(3)), 42) << "automatic ids continue after explicit ones";
  EXPECT_EQ(table.Ttls().at(41), seconds(3));
  EXPECT_EQ(LeaseTable::ValidateTtl(seconds(0)).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(LeaseTable::ValidateTtl(seconds(1)).ok());
}

}  // namespace
}  // namespace romana::store
