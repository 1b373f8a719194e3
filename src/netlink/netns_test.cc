#include "netlink/netns.h"

#include <sys/stat.h>

#include <fstream>
#include <thread>

#include "base/testing/test_env.h"
#include "gtest/gtest.h"
#include "netlink/testing/scoped_netns.h"

namespace romana::netlink {
namespace {

ino_t CurrentNetnsInode() {
  struct stat st {};
  EXPECT_EQ(stat("/proc/thread-self/ns/net", &st), 0);
  return st.st_ino;
}

ino_t InodeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_ino;
}

class NetnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!romana::testing::IsRoot()) GTEST_SKIP() << "needs root (network namespaces)";
  }
};

TEST_F(NetnsTest, OpenMissingNamespaceIsNotFound) {
  auto fd = OpenNetns("romana-no-such-netns-" + std::to_string(getpid()));
  EXPECT_TRUE(absl::IsNotFound(fd.status())) << fd.status();
  EXPECT_NE(fd.status().message().find("/var/run/netns/romana-no-such-netns"), std::string::npos);
  EXPECT_FALSE(NetnsExists("/nonexistent/ns"));
}

TEST_F(NetnsTest, OpenRegularFileIsInvalidArgument) {
  romana::testing::TempDir dir;
  std::ofstream(dir.File("f")) << "x";
  auto fd = OpenNetns(dir.File("f"));
  EXPECT_TRUE(absl::IsInvalidArgument(fd.status())) << fd.status();
}

TEST_F(NetnsTest, EnterSwitchesOnlyThisThreadAndComesBack) {
  auto ns = testing::ScopedNetns::Create("nl-enter");
  ASSERT_TRUE(ns.ok()) << ns.status();
  const ino_t original = CurrentNetnsInode();
  const ino_t target = InodeOf((*ns)->path());
  ASSERT_NE(original, target);
  ino_t inside = 0, main_while_inside = 0, after = 0;
  std::thread worker([&] {
    {
      auto entry = ScopedNetnsEntry::Enter((*ns)->name());
      ASSERT_TRUE(entry.ok()) << entry.status();
      inside = CurrentNetnsInode();
      // The main thread (tid == pid) is not affected.
      main_while_inside = InodeOf("/proc/self/task/" + std::to_string(getpid()) + "/ns/net");
    }
    after = CurrentNetnsInode();
  });
  worker.join();
  EXPECT_EQ(inside, target);
  EXPECT_EQ(main_while_inside, original);
  EXPECT_EQ(after, original);
  EXPECT_EQ(CurrentNetnsInode(), original);
}

TEST_F(NetnsTest, EnterMissingNamespaceLeavesThreadWhereItWas) {
  const ino_t original = CurrentNetnsInode();
  auto entry = ScopedNetnsEntry::Enter("romana-missing-" + std::to_string(getpid()));
  EXPECT_TRUE(absl::IsNotFound(entry.status()));
  EXPECT_EQ(CurrentNetnsInode(), original);
}

TEST_F(NetnsTest, ScopedNetnsIsRemovedOnDestruction) {
  std::string path;
  {
    auto ns = testing::ScopedNetns::Create("nl-scoped");
    ASSERT_TRUE(ns.ok()) << ns.status();
    path = (*ns)->path();
    EXPECT_TRUE(NetnsExists(path));
    auto out = (*ns)->ExecOrError({"ip", "-o", "link", "show", "lo"});
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_NE(out->find("UP"), std::string::npos) << *out;
  }
  EXPECT_FALSE(NetnsExists(path));
}

TEST_F(NetnsTest, TwoScopedNetnsHaveDistinctNames) {
  auto a = testing::ScopedNetns::Create("nl-uniq");
  auto b = testing::ScopedNetns::Create("nl-uniq");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE((*a)->name(), (*b)->name());
  EXPECT_NE(InodeOf((*a)->path()), InodeOf((*b)->path()));
}

}  // namespace
}  // namespace romana::netlink
