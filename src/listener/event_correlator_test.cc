#include "listener/event_correlator.h"

#include "gtest/gtest.h"

namespace romana::listener {
namespace {

using nlohmann::json;
using std::chrono::seconds;

class EventCorrelatorTest : public ::testing::Test {
 protected:
  std::optional<EventWrite> Warn(const ObjectRef& o, const std::string& message, const std::string& reason = "R") {
    return c_.Correlate(o, "Warning", reason, message, wall_, now_);
  }
  void Advance(seconds d) {
    wall_ += d;
    now_ += d;
  }

  const ObjectRef web_{.kind = "Service", .api_version = "v1", .namespace_name = "shop", .name = "web", .uid = "u1"};
  const ObjectRef db_{.kind = "Service", .api_version = "v1", .namespace_name = "shop", .name = "db", .uid = "u2"};
  EventCorrelator c_{EventCorrelatorOptions{.instance = "listener-0", .burst = 3, .refill = seconds(300),
                                            .cache_size = 4}};
  std::chrono::system_clock::time_point wall_ = std::chrono::system_clock::time_point(seconds(1'800'000'000));
  std::chrono::steady_clock::time_point now_ = std::chrono::steady_clock::time_point(seconds(1000));
};

TEST_F(EventCorrelatorTest, FirstOccurrenceCreatesACompleteWarningEvent) {
  std::optional<EventWrite> w = Warn(web_, "romanavip.ip: 10.0.0.300 is not an IPv4 address", "InvalidRomanaVIP");
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->type, EventWrite::Type::kCreate);
  EXPECT_EQ(w->namespace_name, "shop");
  EXPECT_EQ(w->name, "web.18fae27693b40000");  // client-go's <object>.<hex ns>
  EXPECT_EQ(w->event, json::parse(R"({"apiVersion": "v1", "kind": "Event",
      "metadata": {"name": "web.18fae27693b40000", "namespace": "shop"},
      "involvedObject": {"kind": "Service", "apiVersion": "v1", "namespace": "shop", "name": "web", "uid": "u1"},
      "type": "Warning", "reason": "InvalidRomanaVIP", "message": "romanavip.ip: 10.0.0.300 is not an IPv4 address",
      "source": {"component": "romana-listener"}, "reportingComponent": "romana-listener",
      "reportingInstance": "listener-0", "firstTimestamp": "2027-01-15T08:00:00Z",
      "lastTimestamp": "2027-01-15T08:00:00Z", "count": 1})"));
}

TEST_F(EventCorrelatorTest, RepeatsCountUpTheSameEventAndOthersGetTheirOwn) {
  std::optional<EventWrite> first = Warn(web_, "bad");
  ASSERT_TRUE(first.has_value());
  Advance(seconds(10));
  std::optional<EventWrite> again = Warn(web_, "bad");
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->type, EventWrite::Type::kPatch);
  EXPECT_EQ(again->name, first->name);
  EXPECT_EQ(again->patch, json::parse(R"({"count": 2, "lastTimestamp": "2027-01-15T08:00:10Z"})"));
  // The full event (what to create if the stored one is gone) carries the same count.
  EXPECT_EQ(again->event["count"], 2);
  EXPECT_EQ(again->event["firstTimestamp"], "2027-01-15T08:00:00Z");
  // Another message, reason or object: a new Event with a unique name (same clock tick).
  std::optional<EventWrite> other = Warn(web_, "worse");
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->type, EventWrite::Type::kCreate);
  EXPECT_NE(other->name, first->name);
  std::optional<EventWrite> db = Warn(db_, "bad");
  ASSERT_TRUE(db.has_value());
  EXPECT_EQ(db->type, EventWrite::Type::kCreate);
  std::optional<EventWrite> reason = Warn(db_, "bad", "Other");
  ASSERT_TRUE(reason.has_value());
  EXPECT_EQ(reason->type, EventWrite::Type::kCreate);
}

TEST_F(EventCorrelatorTest, RateLimitPerObjectDropsBeyondTheBurstAndRefillsOverTime) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Warn(web_, "bad").has_value()) << i;
  EXPECT_FALSE(Warn(web_, "bad").has_value());     // burst of 3 spent
  EXPECT_FALSE(Warn(web_, "other").has_value());   // per object, whatever the message
  EXPECT_TRUE(Warn(db_, "bad").has_value());       // another object has its own bucket
  Advance(seconds(299));
  EXPECT_FALSE(Warn(web_, "bad").has_value());
  Advance(seconds(1));
  std::optional<EventWrite> w = Warn(web_, "bad");  // one token after 300 s
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->event["count"], 4);  // the dropped ones are not counted (as client-go)
  EXPECT_FALSE(Warn(web_, "bad").has_value());
}

TEST_F(EventCorrelatorTest, ForgottenOrEvictedEventsAreCreatedAgain) {
  std::optional<EventWrite> w = Warn(web_, "bad");
  ASSERT_TRUE(w.has_value());
  c_.Forget(*w);
  Advance(seconds(1));
  std::optional<EventWrite> again = Warn(web_, "bad");
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->type, EventWrite::Type::kCreate);
  EXPECT_EQ(again->event["count"], 1);
  // cache_size 4: four other events push the least recently used out.
  for (const char* m : {"m1", "m2"}) ASSERT_TRUE(Warn(db_, m).has_value());
  for (const char* m : {"m3", "m4"}) {
    ObjectRef o = db_;
    o.name = m;
    ASSERT_TRUE(Warn(o, m).has_value());
  }
  std::optional<EventWrite> evicted = Warn(web_, "bad");  // pushed out by m4
  ASSERT_TRUE(evicted.has_value());
  EXPECT_EQ(evicted->type, EventWrite::Type::kCreate);
  std::optional<EventWrite> kept = Warn(db_, "m2");  // still remembered (db m1 went for web's new one)
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->type, EventWrite::Type::kPatch);
}

TEST_F(EventCorrelatorTest, LongMessagesAreCutAndReferencesKnowTheirPaths) {
  std::optional<EventWrite> w = Warn(web_, std::string(3000, 'x'));
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->event["message"].get<std::string>().size(), 1024u);
  EXPECT_EQ(web_.Path(), "/api/v1/namespaces/shop/services/web");
  EXPECT_EQ((ObjectRef{.kind = "NetworkPolicy", .api_version = "networking.k8s.io/v1", .namespace_name = "a",
                       .name = "p"}).Path(),
            "/apis/networking.k8s.io/v1/namespaces/a/networkpolicies/p");
  EXPECT_EQ((ObjectRef{.kind = "Node", .api_version = "v1", .name = "n1"}).Path(), "/api/v1/nodes/n1");
  const ObjectRef ref = ObjectRefOf("Pod", "v1", json::parse(R"({"metadata": {"namespace": "a", "name": "p",
      "uid": "u", "resourceVersion": "3"}, "spec": {}})"));
  EXPECT_EQ(ref.ToJson(), json::parse(R"({"kind": "Pod", "apiVersion": "v1", "namespace": "a", "name": "p",
      "uid": "u", "resourceVersion": "3"})"));
  // A cluster-scoped object's events live in "default".
  std::optional<EventWrite> node = Warn(ObjectRef{.kind = "Node", .api_version = "v1", .name = "n1"}, "x");
  ASSERT_TRUE(node.has_value());
  EXPECT_EQ(node->namespace_name, "default");
}

}  // namespace
}  // namespace romana::listener
