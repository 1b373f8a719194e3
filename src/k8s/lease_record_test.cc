#include "k8s/lease_record.h"

#include "gtest/gtest.h"

namespace romana::k8s {
namespace {

using nlohmann::json;
using std::chrono::seconds;

const auto kT0 = std::chrono::steady_clock::time_point(std::chrono::hours(1));
const auto kWall = std::chrono::system_clock::time_point(seconds(1'800'000'000));

LeaseRecord Held(const std::string& holder, int duration = 15, const std::string& renew = "r1") {
  return {.holder_identity = holder, .lease_duration_seconds = duration, .renew_time = renew};
}

TEST(LeaseRecordTest, ParsesAndWritesTheSpec) {
  json lease = {{"metadata", {{"name", "l"}, {"resourceVersion", "7"}}},
                {"spec",
                 {{"holderIdentity", "a"}, {"leaseDurationSeconds", 15}, {"acquireTime", "t1"},
                  {"renewTime", "t2"}, {"leaseTransitions", 3}}}};
  absl::StatusOr<LeaseRecord> r = ParseLeaseRecord(lease);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, (LeaseRecord{"a", 15, "t1", "t2", 3}));
  json back = WithLeaseRecord(lease, *r);
  EXPECT_EQ(back, lease);  // resourceVersion kept for the optimistic update
  EXPECT_EQ(*ParseLeaseRecord(json{{"metadata", {{"name", "l"}}}}), LeaseRecord{});
  absl::StatusOr<LeaseRecord> bad = ParseLeaseRecord(json{{"spec", {{"leaseDurationSeconds", "15"}}}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("spec.leaseDurationSeconds"), absl::string_view::npos);
}

TEST(LeaseRecordTest, MicroTime) { EXPECT_EQ(FormatMicroTime(kWall + std::chrono::microseconds(1234)), "2027-01-15T08:00:00.001234Z"); }

TEST(LeaseRecordTest, ExpiryIsJudgedByObservedTimeNotByTheHoldersClock) {
  LeaseObservation o = Observe({}, Held("a"), kT0);
  EXPECT_FALSE(MayAcquire(o, "b", kT0));
  EXPECT_FALSE(MayAcquire(o, "b", kT0 + seconds(14)));
  // The same record read again later does not move the observation time...
  o = Observe(o, Held("a"), kT0 + seconds(10));
  EXPECT_EQ(o.time, kT0);
  EXPECT_TRUE(MayAcquire(o, "b", kT0 + seconds(15)));
  // ...but a renewal (the record changed) does.
  o = Observe(o, Held("a", 15, "r2"), kT0 + seconds(14));
  EXPECT_EQ(o.time, kT0 + seconds(14));
  EXPECT_FALSE(MayAcquire(o, "b", kT0 + seconds(28)));
  EXPECT_TRUE(MayAcquire(o, "b", kT0 + seconds(29)));
}

TEST(LeaseRecordTest, HolderAndReleasedLeaseMayBeTakenAtOnce) {
  EXPECT_TRUE(MayAcquire(Observe({}, Held("a"), kT0), "a", kT0));
  EXPECT_TRUE(MayAcquire(Observe({}, Held(""), kT0), "b", kT0));
  EXPECT_TRUE(MayAcquire({}, "b", kT0));  // never seen: absent, create it
}

TEST(LeaseRecordTest, NextRecordKeepsAcquireTimeOnRenewalAndCountsTakeOvers) {
  LeaseRecord first = NextRecord(std::nullopt, "a", 15, kWall);
  EXPECT_EQ(first, (LeaseRecord{"a", 15, FormatMicroTime(kWall), FormatMicroTime(kWall), 0}));
  LeaseRecord renewed = NextRecord(first, "a", 15, kWall + seconds(2));
  EXPECT_EQ(renewed.acquire_time, first.acquire_time);
  EXPECT_EQ(renewed.renew_time, FormatMicroTime(kWall + seconds(2)));
  EXPECT_EQ(renewed.lease_transitions, 0);
  LeaseRecord taken = NextRecord(renewed, "b", 15, kWall + seconds(20));
  EXPECT_EQ(taken.holder_identity, "b");
  EXPECT_EQ(taken.acquire_time, FormatMicroTime(kWall + seconds(20)));
  EXPECT_EQ(taken.lease_transitions, 1);
}

}  // namespace
}  // namespace romana::k8s
