#include "daemon/group_commit.h"

#include <atomic>
#include <string>
#include <thread>

#include "base/testing/test_env.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace romana::daemon {
namespace {

using ::testing::ElementsAre;

// While the first commit is held open, later items queue up and go together, max_batch at a time;
// each caller gets the status of its own item.
TEST(GroupCommitTest, ItemsArrivingDuringACommitShareTheNextOne) {
  std::mutex mu;
  std::vector<std::vector<int>> batches;
  std::atomic<bool> release{false};
  GroupCommit<int> gc(3, std::chrono::microseconds(0), [&](std::vector<int>& items) {
    {
      std::lock_guard lock(mu);
      batches.push_back(items);
    }
    if (items == std::vector<int>{0}) {
      while (!release) std::this_thread::yield();
    }
    std::vector<absl::Status> out;
    for (int i : items) out.push_back(i % 2 ? absl::InvalidArgumentError(std::to_string(i)) : absl::OkStatus());
    return out;
  });
  std::vector<absl::Status> results(8);
  std::vector<std::thread> threads;
  threads.emplace_back([&] { results[0] = gc.Submit(0); });
  ASSERT_TRUE(romana::testing::WaitUntil(
      [&] {
        std::lock_guard lock(mu);
        return !batches.empty();  // item 0 is being committed
      },
      std::chrono::seconds(10)));
  for (int i = 1; i < 8; ++i) {
    threads.emplace_back([&, i] { results[i] = gc.Submit(i); });
    // One at a time, so the queue order (and the batches) are known.
    ASSERT_TRUE(romana::testing::WaitUntil([&] { return gc.waiting() == static_cast<size_t>(i); }, std::chrono::seconds(10)));
  }
  release = true;
  for (std::thread& t : threads) t.join();
  EXPECT_THAT(batches, ElementsAre(std::vector<int>{0}, std::vector<int>{1, 2, 3}, std::vector<int>{4, 5, 6},
                                   std::vector<int>{7}));
  EXPECT_EQ(gc.batches(), 4u);
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(results[i].ok(), i % 2 == 0) << i;
    if (i % 2) {
      EXPECT_EQ(results[i].message(), std::to_string(i));
    }
  }
}

// After a batch of k, the next commit waits (up to the gather window) for k items, so writers
// answered together commit together again; the window ends the wait when they do not come.
TEST(GroupCommitTest, TheNextBatchGathersAsManyItemsAsTheLastOne) {
  std::mutex mu;
  std::vector<std::vector<int>> batches;
  std::atomic<bool> release{false};
  GroupCommit<int> gc(8, std::chrono::seconds(1), [&](std::vector<int>& items) {
    {
      std::lock_guard lock(mu);
      batches.push_back(items);
    }
    if (items == std::vector<int>{0}) {
      while (!release) std::this_thread::yield();
    }
    return std::vector<absl::Status>(items.size());
  });
  auto committed = [&](size_t n) {
    return romana::testing::WaitUntil([&] {
      std::lock_guard lock(mu);
      return batches.size() == n;
    });
  };
  std::vector<std::thread> threads;
  threads.emplace_back([&] { (void)gc.Submit(0); });
  ASSERT_TRUE(committed(1));
  threads.emplace_back([&] { (void)gc.Submit(1); });
  ASSERT_TRUE(romana::testing::WaitUntil([&] { return gc.waiting() == 1; }));
  threads.emplace_back([&] { (void)gc.Submit(2); });
  ASSERT_TRUE(romana::testing::WaitUntil([&] { return gc.waiting() == 2; }));
  release = true;
  ASSERT_TRUE(committed(2));  // {1, 2}: the next commit wants two items
  threads.emplace_back([&] { (void)gc.Submit(3); });
  ASSERT_TRUE(romana::testing::WaitUntil([&] { return gc.waiting() == 1; }));  // 3 is gathering
  threads.emplace_back([&] { (void)gc.Submit(4); });
  ASSERT_TRUE(committed(3));
  threads.emplace_back([&] { (void)gc.Submit(5); });  // alone: the window runs out
  ASSERT_TRUE(committed(4));
  for (std::thread& t : threads) t.join();
  EXPECT_THAT(batches, ElementsAre(std::vector<int>{0}, std::vector<int>{1, 2}, std::vector<int>{3, 4},
                                   std::vector<int>{5}));
}

// Many threads, many items: every item is committed exactly once and its caller sees its status.
TEST(GroupCommitTest, EveryItemIsCommittedExactlyOnce) {
  std::vector<int> committed;  // only the committing thread touches it
  GroupCommit<int> gc(16, std::chrono::microseconds(500), [&](std::vector<int>& items) {
    committed.insert(committed.end(), items.begin(), items.end());
    std::vector<absl::Status> out;
    for (int i : items) out.push_back(absl::Status(absl::StatusCode::kNotFound, std::to_string(i)));
    return out;
  });
  constexpr int kThreads = 8, kPerThread = 500;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int item = t * kPerThread + i;
        if (gc.Submit(item).message() != std::to_string(item)) ++wrong;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(wrong, 0);
  std::sort(committed.begin(), committed.end());
  ASSERT_EQ(committed.size(), static_cast<size_t>(kThreads * kPerThread));
  for (int i = 0; i < kThreads * kPerThread; ++i) ASSERT_EQ(committed[i], i);
  EXPECT_LE(gc.batches(), static_cast<uint64_t>(kThreads * kPerThread));
}

}  // namespace
}  // namespace romana::daemon
