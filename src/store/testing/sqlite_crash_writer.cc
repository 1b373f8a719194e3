// sqlite_crash_writer: a test-only program for the SqliteStore durability test.
//
//   sqlite_crash_writer DB_PATH FIRST
//
// Commits transaction FIRST, FIRST+1, ... forever. Transaction n puts the four keys
// /crash/<n>/{a,b,c,d} = "<n>" and /crash/last = "<n>" atomically, and only after Commit()
// returned OK prints "acked <n>" (flushed). The test SIGKILLs it mid-stream and checks that
// every acknowledged transaction is in the file and no transaction is there in part.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "base/clock.h"
#include "store/sqlite_store.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s DB_PATH FIRST\n", argv[0]);
    return 2;
  }
  romana::base::SystemClock clock;
  auto store = romana::store::SqliteStore::Create({.path = argv[1]}, clock);
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    return 1;
  }
  for (long n = std::atol(argv[2]);; ++n) {
    const std::string v = std::to_string(n);
    romana::store::Txn txn;
    for (const char* part : {"a", "b", "c", "d"}) {
      txn.success.push_back(romana::store::Op::Put("/crash/" + v + "/" + part, v));
    }
    txn.success.push_back(romana::store::Op::Put("/crash/last", v));
    auto result = (*store)->Commit(txn);
    if (!result.ok()) {
      std::fprintf(stderr, "commit %ld: %s\n", n, result.status().ToString().c_str());
      return 1;
    }
    std::printf("acked %ld\n", n);
    std::fflush(stdout);
  }
}
