// The store layout of group membership (docs/store-layout.md "Group membership"), on real
// backends: a host add, relabel or remove writes that host's key and the fence only, so the
// bytes a watcher receives per host change do not grow with the group; and a store written by
// the old layout (group records listing "hosts" and "host_ips") is rewritten when opened.
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ipam/expect_same_state.h"
#include "ipam/ipam_store_test_fixture.h"
#include "ipam/test_hosts.h"
#include "nlohmann/json.hpp"

namespace romana::ipam {
namespace {

using ::testing::ElementsAre;

using testing::HostIp;
using testing::HostName;
using testing::LeafGroups;

class IpamStoreLayoutTest : public IpamStoreTest {
 protected:
  // The store's watch events of revisions (after, until], grouped by revision: what romanad's
  // watch cache receives and fans out to every agent.
  std::map<store::Revision, std::vector<store::Event>> EventsBetween(store::Revision after, store::Revision until) {
    std::map<store::Revision, std::vector<store::Event>> out;
    absl::StatusOr<std::unique_ptr<store::Watcher>> w = backend_->store().Watch(prefix_ + "/", after + 1);
    EXPECT_TRUE(w.ok()) << w.status();
    if (!w.ok()) return out;
    store::Revision seen = after;
    while (seen < until) {
      absl::StatusOr<std::vector<store::Event>> events = (*w)->Next(std::chrono::seconds(10));
      EXPECT_TRUE(events.ok()) << events.status();
      if (!events.ok() || events->empty()) {
        ADD_FAILURE() << "the watch stopped at revision " << seen << " before " << until;
        break;
      }
      for (store::Event& e : *events) {
        seen = std::max(seen, e.kv.mod_revision);
        if (e.kv.mod_revision <= until) out[e.kv.mod_revision].push_back(std::move(e));
      }
    }
    return out;
  }
  // The keys of `events` other than the fence, and their bytes (key + value).
  static std::vector<std::string> Keys(const std::vector<store::Event>& events, const std::string& fence,
                                       size_t* bytes) {
    std::vector<std::string> keys;
    *bytes = 0;
    for (const store::Event& e : events) {
      if (e.kv.key == fence) continue;
      keys.push_back(e.kv.key);
      *bytes += e.kv.key.size() + e.kv.value.size();
    }
    return keys;
  }
};

TEST_P(IpamStoreLayoutTest, HostChangesWriteOnlyTheHostRecordWhateverTheGroupSize) {
  std::unique_ptr<IpamStore> s = Open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->SetTopology(LeafGroups(1)).ok());  // one flat group: every host joins it
  const store::Revision start = s->revision();
  const int hosts = 200;
  std::vector<store::Revision> adds;
  for (int i = 0; i < hosts; ++i) {
    absl::StatusOr<HostRecord> h = s->AddHost({HostName(i), HostIp(i), {{"rack", "r1"}}});
    ASSERT_TRUE(h.ok()) << h.status();
    adds.push_back(s->revision());
  }
  ASSERT_EQ(s->ipam().GroupHosts("n", "/0").size(), static_cast<size_t>(hosts));
  ASSERT_TRUE(s->SetHostLabels(HostName(7), {{"rack", "r2"}}).ok());
  const store::Revision relabel = s->revision();
  ASSERT_TRUE(s->RemoveHost(HostName(8)).ok());
  const store::Revision remove = s->revision();

  std::map<store::Revision, std::vector<store::Event>> events = EventsBetween(start, remove);
  const IpamKeys keys(prefix_);
  size_t first_bytes = 0;
  for (int i = 0; i < hosts; ++i) {
    size_t bytes = 0;
    ASSERT_THAT(Keys(events[adds[i]], keys.Fence(), &bytes), ElementsAre(keys.Host(HostName(i)))) << "add " << i;
    if (i == 0) first_bytes = bytes;
    // The host's record only: the same bytes for the 1st and the 200th host of the group.
    ASSERT_EQ(bytes, first_bytes) << "add " << i;
  }
  EXPECT_LT(first_bytes, 200u);
  size_t bytes = 0;
  EXPECT_THAT(Keys(events[relabel], keys.Fence(), &bytes), ElementsAre(keys.Host(HostName(7))));
  EXPECT_THAT(Keys(events[remove], keys.Fence(), &bytes), ElementsAre(keys.Host(HostName(8))));
  EXPECT_EQ(events[remove][0].type, store::Event::Type::kDelete);
  EXPECT_THAT(Open()->ipam().GroupHosts("n", "/0"), ::testing::SizeIs(hosts - 1));
}

TEST_P(IpamStoreLayoutTest, OldLayoutStoreIsRewrittenWhenOpened) {
  std::unique_ptr<IpamStore> s = Open();
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->SetTopology(LeafGroups(2)).ok());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(s->AddHost({HostName(i), HostIp(i), {}}).ok());
  ASSERT_TRUE(s->Allocate({"c1:eth0", HostName(0), "", ""}).ok());
  const std::vector<std::string> members0 = s->ipam().GroupHosts("n", "/0");
  ASSERT_THAT(members0, ::testing::SizeIs(3));

  // What the old layout stored: each group record also listed its hosts and their IPs (the
  // form romanad wrote before; key order as its ToJson wrote them), plus the record of a group
  // an earlier topology had.
  const IpamKeys keys(prefix_);
  std::map<std::string, std::string> old_groups;
  for (const GroupRecord& g : s->ipam().Groups()) {
    nlohmann::ordered_json j = nlohmann::ordered_json::parse(ToJson(g));
    std::vector<std::string> names = s->ipam().GroupHosts(g.network, g.path), ips;
    for (const std::string& h : names) ips.push_back(s->ipam().GetHost(h)->ip.ToString());
    j["hosts"] = names;
    j["host_ips"] = ips;
    old_groups[keys.Group(g.network, g.path)] = j.dump();
  }
  old_groups[keys.Group("n", "/7")] =
      R"({"network":"n","path":"/7","name":"gone","cidr":"10.224.0.0/11","assignment":{},"leaf":true,)"
      R"("padding":false,"hosts":[],"host_ips":[]})";
  ASSERT_THAT(old_groups[keys.Group("n", "/0")], ::testing::HasSubstr(R"("hosts":[")"));
  for (const auto& [k, v] : old_groups) ASSERT_TRUE(backend_->store().Put(k, v).ok());
  s.reset();
  backend_->Restart();  // a romanad started on the old store (SQLite: the file reopened)

  auto stored_groups = [&] {
    std::map<std::string, std::string> out;
    for (const auto& [k, v] : StoredKeys()) {
      if (k.rfind(keys.GroupsPrefix(), 0) == 0) out[k] = v;
    }
    return out;
  };
  // A writer that is not the leader loads the old store as it is and writes nothing.
  std::unique_ptr<IpamStore> deposed = OpenDeposed();
  ASSERT_TRUE(deposed);
  EXPECT_EQ(deposed->ipam().GroupHosts("n", "/0"), members0);
  EXPECT_EQ(stored_groups(), old_groups);

  // The leader rewrites the group records in the current form, in one transaction.
  std::unique_ptr<IpamStore> migrated = Open();
  ASSERT_TRUE(migrated);
  EXPECT_EQ(migrated->transactions(), 1);
  std::map<std::string, std::string> want;
  for (const auto& [k, v] : ExpectedKeys(migrated->ipam())) {
    if (k.rfind(keys.GroupsPrefix(), 0) == 0) want[k] = v;
  }
  EXPECT_EQ(stored_groups(), want);
  EXPECT_EQ(want.size(), 2u);
  for (const auto& [k, v] : want) EXPECT_THAT(v, ::testing::Not(::testing::HasSubstr("hosts"))) << k;
  // Membership, blocks and addresses are untouched; the state is the one written before.
  EXPECT_EQ(migrated->ipam().GroupHosts("n", "/0"), members0);
  testing::ExpectSameState(migrated->ipam(), deposed->ipam());
  EXPECT_TRUE(migrated->ipam().GetAddress("c1:eth0").has_value());
  EXPECT_EQ(StoredKeys().size(), ExpectedKeys(migrated->ipam()).size() + 2);  // + fence and leader keys

  // Once migrated, opening writes nothing, and the store keeps working.
  std::unique_ptr<IpamStore> again = Open();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->transactions(), 0);
  ASSERT_TRUE(again->AddHost({HostName(9), HostIp(9), {}}).ok());
  EXPECT_EQ(stored_groups(), want);
}

INSTANTIATE_TEST_SUITE_P(Backends, IpamStoreLayoutTest, ::testing::ValuesIn(BackendNames()),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });

}  // namespace
}  // namespace romana::ipam
