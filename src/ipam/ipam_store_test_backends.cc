// The backends of ipam_store_test: MemoryStore and SqliteStore (ipam_store_test_fixture.h).
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/testing/test_env.h"
#include "gtest/gtest.h"
#include "ipam/ipam_store_test_fixture.h"
#include "store/memory_store.h"
#include "store/sqlite_store.h"

namespace romana::ipam {
namespace {

class MemoryBackend : public Backend {
 public:
  MemoryBackend() : store_(store::MemoryStore::Create(clock_)) {}
  store::Store& store() override { return *store_; }
  void Restart() override {}  // the data lives in the object
  std::string prefix() override { return "/romana"; }

 private:
  base::FakeClock clock_;
  std::unique_ptr<store::MemoryStore> store_;
};

class SqliteBackend : public Backend {
 public:
  SqliteBackend() { Restart(); }
  store::Store& store() override { return *store_; }
  void Restart() override {
    store_.reset();  // closes the file
    auto s = store::SqliteStore::Create({.path = dir_.File("romana.db")}, clock_);
    EXPECT_TRUE(s.ok()) << s.status();
    store_ = *std::move(s);
  }
  std::string prefix() override { return "/romana"; }

 private:
  romana::testing::TempDir dir_;
  base::FakeClock clock_;
  std::unique_ptr<store::SqliteStore> store_;
};

}  // namespace

std::vector<std::string> BackendNames() { return {"Memory", "Sqlite"}; }

std::unique_ptr<Backend> MakeBackend(const std::string& name) {
  if (name == "Memory") return std::make_unique<MemoryBackend>();
  return std::make_unique<SqliteBackend>();
}

}  // namespace romana::ipam
