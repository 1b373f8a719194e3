#include "store/store.h"

#include "gtest/gtest.h"

namespace romana::store {
namespace {

TEST(CompactedErrorTest, CarriesTheCompactRevisionAsAPayload) {
  absl::Status s = CompactedError("watch from revision", 5, 17);
  EXPECT_TRUE(IsCompacted(s));
  EXPECT_EQ(s.message(), "watch from revision 5: compacted (history starts at revision 17)");
  EXPECT_EQ(CompactRevisionOf(s), 17);
  absl::Status copy = s;  // passed on as it is, the payload stays
  EXPECT_EQ(CompactRevisionOf(copy), 17);
}

TEST(CompactedErrorTest, NoPayloadMeansUnknownWhateverTheMessageSays) {
  EXPECT_EQ(CompactRevisionOf(absl::OutOfRangeError("etcd 127.0.0.1:2379 Range: required revision has been compacted")), 0);
  EXPECT_EQ(CompactRevisionOf(absl::OkStatus()), 0);
}

}  // namespace
}  // namespace romana::store
