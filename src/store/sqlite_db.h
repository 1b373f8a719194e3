// sqlite_db.h: a thin RAII wrapper over one sqlite3 connection, with a cache of prepared
// statements, used by SqliteStore. Errors come back as absl::Status: SQLITE_BUSY/LOCKED map to
// Unavailable (retry), everything else to Internal, each with SQLite's message.
//
// Not thread-safe: the owner serialises every use (SqliteStore holds its mutex).
#ifndef ROMANA_STORE_SQLITE_DB_H_
#define ROMANA_STORE_SQLITE_DB_H_

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace romana::store {

// A prepared statement. Obtained from SqliteDb::Prepare(), which resets it; valid until the
// next Prepare() of the same SQL text.
class SqliteStatement {
 public:
  explicit SqliteStatement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~SqliteStatement() { sqlite3_finalize(stmt_); }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Parameters are 1-based, as in SQLite. Blobs are copied.
  SqliteStatement& Bind(int index, int64_t value);
  SqliteStatement& BindBlob(int index, std::string_view value);
  SqliteStatement& BindText(int index, std::string_view value);
  SqliteStatement& BindNull(int index);
  // Runs one step: true when a row is ready, false when done.
  absl::StatusOr<bool> Step();
  // Steps to completion, expecting no rows.
  absl::Status Run();

  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::string Blob(int column) const;

  void Reset();

 private:
  sqlite3_stmt* stmt_;
};

class SqliteDb {
 public:
  // Opens (creating if needed) the file at `path`. Errors: Internal / Unavailable.
  static absl::StatusOr<std::unique_ptr<SqliteDb>> Open(const std::string& path);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs one or more statements without results (DDL, pragmas, BEGIN/COMMIT).
  absl::Status Exec(const std::string& sql);
  // Runs a statement that returns one text/integer value (e.g. "PRAGMA journal_mode=WAL").
  absl::StatusOr<std::string> QueryText(const std::string& sql);
  // The cached statement for `sql`, reset with its bindings cleared.
  absl::StatusOr<SqliteStatement*> Prepare(const char* sql);

  // The status for an SQLite result code `rc` from this connection, prefixed by `what`.
  absl::Status Error(int rc, absl::string_view what) const;

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::map<std::string, std::unique_ptr<SqliteStatement>> cache_;
};

}  // namespace romana::store

#endif  // ROMANA_STORE_SQLITE_DB_H_
