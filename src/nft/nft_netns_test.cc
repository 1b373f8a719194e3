// The nft layer against the real kernel, inside a network namespace the test creates: a
// membership change writes element commands only, a no-op Sync makes zero nft calls (counted by
// a CountingRunner decorator around the real libnftables runner), out-of-band damage is
// repaired at the resync, and foreign tables survive everything byte for byte.
#include <thread>

#include "base/testing/test_env.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "netlink/netns.h"
#include "netlink/testing/scoped_netns.h"
#include "nft/counting_runner.h"
#include "nft/ipv4_elements.h"
#include "nft/table_syncer.h"

namespace romana::nft {
namespace {

using json = nlohmann::json;
using netlink::testing::ScopedNetns;

constexpr char kForeign[] = R"(
table ip foreign {
  set blocked { type ipv4_addr; flags interval; elements = { 10.9.0.0/16, 192.0.2.1 } }
  chain pre { type filter hook prerouting priority -150; policy accept;
    ip saddr @blocked counter drop comment "someone else's"
  }
  chain romana { ip daddr 10.0.0.1 accept
  }
}
table inet filter {
  chain input { type filter hook input priority 0; policy accept;
    tcp dport 22 accept
  }
}
)";

json Match(json left, json right) { return json{{"match", {{"op", "=="}, {"left", left}, {"right", right}}}}; }
json Payload(const char* p, const char* f) { return json{{"payload", {{"protocol", p}, {"field", f}}}}; }

Table Want(const std::vector<std::string>& peers, bool extra_rule = false) {
  Table t{.family = "inet", .name = "romana"};
  Set& s = t.sets["peers"];
  s.type = {"ipv4_addr"};
  s.flags = {"interval"};
  std::vector<net::Ipv4Range> ranges;
  for (const std::string& p : peers) ranges.push_back(net::ParseCidrOrAddress(p)->range());
  for (json& e : IntervalElements(ranges)) s.elements[e] = nullptr;
  Set& svc = t.sets["services"];
  svc.type = {"ipv4_addr", "inet_proto", "inet_service"};
  svc.flags = {"interval"};
  svc.elements[json{{"concat", json::array({"10.0.0.1", "tcp", 80})}}] = nullptr;
  svc.elements[json{{"concat", json::array({"10.0.0.2", "udp", json{{"range", {80, 90}}}})}}] = nullptr;
  Set& pods = t.sets["pods"];
  pods.type = {"ipv4_addr"};
  pods.map = "verdict";
  pods.elements[json("10.0.0.1")] = json{{"jump", {{"target", "pod-a"}}}};
  t.chains["pod-a"] = Chain{.rules = {json::array({Match(Payload("ip", "saddr"), "@peers"), json{{"accept", nullptr}}}),
                                      json::array({json{{"drop", nullptr}}})}};
  if (extra_rule) {
    t.chains["pod-a"].rules.insert(t.chains["pod-a"].rules.begin(),
                                   json::array({Match(Payload("tcp", "dport"), 22), json{{"accept", nullptr}}}));
  }
  t.chains["forward"] = Chain{
      .base = BaseChain{"filter", "forward", 0, "accept"},
      .rules = {json::array({json{{"match", {{"op", "in"}, {"left", {{"ct", {{"key", "state"}}}}},
                                             {"right", json::array({"established", "related"})}}}},
                             json{{"accept", nullptr}}}),
                json::array({json{{"vmap", {{"key", Payload("ip", "daddr")}, {"data", "@pods"}}}}})}};
  return t;
}

class NftNetnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!romana::testing::IsRoot()) GTEST_SKIP() << "needs root";
    auto ns = ScopedNetns::Create("nft-node");
    ASSERT_TRUE(ns.ok()) << ns.status();
    node_ = *std::move(ns);
  }
  // Runs `body` on a thread inside the node namespace (libnftables works in the caller's netns).
  void InNode(const std::function<void(Runner&)>& body) {
    std::thread([&] {
      auto in = netlink::ScopedNetnsEntry::Enter(node_->name());
      ASSERT_TRUE(in.ok()) << in.status();
      auto nft = LibNftablesRunner::Create();
      ASSERT_TRUE(nft.ok()) << nft.status();
      body(**nft);
    }).join();
  }
  std::string List(const std::string& family, const std::string& table) {
    return node_->ExecOrError({"nft", "-j", "list", "table", family, table}).value_or("ERR");
  }
  std::unique_ptr<ScopedNetns> node_;
};

TEST_F(NftNetnsTest, MinimalTransactionsNoOpMakesNoCallsAndDriftIsRepaired) {
  InNode([&](Runner& real) {
    CountingRunner nft(real);
    base::FakeClock clock;
    TableSyncer syncer(nft, clock, {.family = "inet", .name = "romana", .resync_interval = std::chrono::seconds(60)});
    { absl::Status s_ = syncer.Sync(Want({"10.1.0.0/16", "10.2.0.5"})); ASSERT_TRUE(s_.ok()) << s_; }
    EXPECT_EQ(nft.calls(), 2);  // list (absent) + create
    EXPECT_TRUE(syncer.last_stats().recreate);

    // Read back right away: the kernel's listing equals what we wrote (canonical forms), so a
    // resync of an untouched table writes nothing.
    nft.Reset();
    syncer.Invalidate("test: read back");
    { absl::Status s_ = syncer.Sync(Want({"10.1.0.0/16", "10.2.0.5"})); ASSERT_TRUE(s_.ok()) << s_; }
    EXPECT_EQ(nft.calls(), 1);
    EXPECT_EQ(nft.write_calls(), 0);

    nft.Reset();
    { absl::Status s_ = syncer.Sync(Want({"10.1.0.0/16", "10.2.0.5"})); ASSERT_TRUE(s_.ok()) << s_; }
    EXPECT_EQ(nft.calls(), 0);  // no-op: zero nft calls

    // Membership only: one transaction of element commands.
    nft.Reset();
    { absl::Status s_ = syncer.Sync(Want({"10.1.0.0/16", "10.3.0.0/24"})); ASSERT_TRUE(s_.ok()) << s_; }
    EXPECT_EQ(nft.write_calls(), 1);
    EXPECT_EQ(nft.total_write_commands(), 2);
    EXPECT_EQ(nft.element_commands(), 2);
    std::string listed = List("inet", "romana");
    EXPECT_THAT(listed, ::testing::HasSubstr("10.3.0.0"));
    EXPECT_THAT(listed, ::testing::Not(::testing::HasSubstr("10.2.0.5")));

    // One chain changed: flush + its rules only.
    nft.Reset();
    { absl::Status s_ = syncer.Sync(Want({"10.1.0.0/16", "10.3.0.0/24"}, true)); ASSERT_TRUE(s_.ok()) << s_; }
    EXPECT_EQ(nft.write_calls(), 1);
    EXPECT_EQ(nft.commands("flush"), 1);
    EXPECT_EQ(nft.commands("add"), 3);
    EXPECT_EQ(nft.element_commands(), 0);

    // Out of band: our chain and its map entry deleted, then (separately) the whole table.
    ASSERT_TRUE(node_->ExecOrError({"nft", "delete", "element", "inet", "romana", "pods", "{", "10.0.0.1", "}"}).ok());
    ASSERT_TRUE(node_->ExecOrError({"nft", "delete", "chain", "inet", "romana", "pod-a"}).ok());
    nft.Reset();
    { absl::Status s_ = syncer.Sync(Want({"10.1.0.0/16", "10.3.0.0/24"}, true)); ASSERT_TRUE(s_.ok()) << s_; }
    EXPECT_EQ(nft.calls(), 0);  // not noticed before the resync interval
    clock.Advance(std::chrono::seconds(60));
    { absl::Status s_ = syncer.Sync(Want({"10.1.0.0/16", "10.3.0.0/24"}, true)); ASSERT_TRUE(s_.ok()) << s_; }
    EXPECT_FALSE(syncer.last_stats().recreate);
    EXPECT_EQ(syncer.last_stats().chains_written, 1);
    EXPECT_EQ(syncer.last_stats().elements_added, 1);
    EXPECT_THAT(List("inet", "romana"), ::testing::HasSubstr("pod-a"));

    ASSERT_TRUE(node_->ExecOrError({"nft", "delete", "table", "inet", "romana"}).ok());
    clock.Advance(std::chrono::seconds(60));
    { absl::Status s_ = syncer.Sync(Want({"10.1.0.0/16", "10.3.0.0/24"}, true)); ASSERT_TRUE(s_.ok()) << s_; }
    EXPECT_TRUE(syncer.last_stats().recreate);
    syncer.Invalidate("test: read back");
    nft.Reset();
    { absl::Status s_ = syncer.Sync(Want({"10.1.0.0/16", "10.3.0.0/24"}, true)); ASSERT_TRUE(s_.ok()) << s_; }
    EXPECT_EQ(nft.write_calls(), 0);
  });
}

TEST_F(NftNetnsTest, ListingAnAbsentTableIsNotFoundAndOtherErrorsAreNot) {
  InNode([&](Runner& nft) {
    absl::StatusOr<json> r = nft.Run(Document(json::array(
        {json{{"list", {{"table", {{"family", "inet"}, {"name", "romana"}}}}}}})));
    EXPECT_TRUE(absl::IsNotFound(r.status())) << r.status();
    r = nft.Run(Document(json::array({json{{"add", {{"chain", {{"family", "inet"}, {"table", "romana"},
                                                               {"name", "x"}, {"type", "filter"},
                                                               {"hook", "no-such-hook"}, {"prio", 0}}}}}}})));
    EXPECT_FALSE(r.ok());
    EXPECT_FALSE(absl::IsNotFound(r.status())) << r.status();
  });
}

TEST_F(NftNetnsTest, ForeignTablesSurviveEveryActionByteForByte) {
  ASSERT_TRUE(node_->ExecOrError({"sh", "-c", std::string("nft -f - <<'EOF'\n") + kForeign + "EOF\n"}).ok());
  const std::string foreign = List("ip", "foreign");
  const std::string filter = List("inet", "filter");
  ASSERT_THAT(foreign, ::testing::HasSubstr("blocked"));
  auto unchanged = [&] {
    EXPECT_EQ(List("ip", "foreign"), foreign);
    EXPECT_EQ(List("inet", "filter"), filter);
  };
  InNode([&](Runner& nft) {
    base::FakeClock clock;
    TableSyncer syncer(nft, clock, {.family = "inet", .name = "romana"});
    { absl::Status s_ = syncer.Sync(Want({"10.1.0.0/16"})); ASSERT_TRUE(s_.ok()) << s_; }
    unchanged();
    { absl::Status s_ = syncer.Sync(Want({"10.1.0.0/16", "10.4.0.1"}, true)); ASSERT_TRUE(s_.ok()) << s_; }
    unchanged();
    Table other = Want({});
    other.chains["forward"].base->priority = 5;  // forces delete + recreate of our table
    { absl::Status s_ = syncer.Sync(other); ASSERT_TRUE(s_.ok()) << s_; }
    EXPECT_TRUE(syncer.last_stats().recreate);
    unchanged();
    ASSERT_TRUE(syncer.Remove().ok());
    unchanged();
    EXPECT_EQ(List("inet", "romana"), "ERR");
  });
}

}  // namespace
}  // namespace romana::nft
