#include "store/sqlite_db.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace romana::store {
namespace {

absl::Status StatusFor(int rc, absl::string_view what, const char* message) {
  std::string text = absl::StrCat("sqlite: ", what, ": ", message != nullptr ? message : "",
                                  " (", sqlite3_errstr(rc), ")");
  int primary = rc & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) return absl::UnavailableError(text);
  return absl::InternalError(text);
}

}  // namespace

SqliteStatement& SqliteStatement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

SqliteStatement& SqliteStatement::BindBlob(int index, std::string_view value) {
  // A null pointer would bind NULL; an empty blob needs a non-null one.
  static const char kEmpty[1] = {0};
  sqlite3_bind_blob(stmt_, index, value.empty() ? kEmpty : value.data(),
                    static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}

SqliteStatement& SqliteStatement::BindText(int index, std::string_view value) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}

SqliteStatement& SqliteStatement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

absl::StatusOr<bool> SqliteStatement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3* db = sqlite3_db_handle(stmt_);
  return StatusFor(rc, sqlite3_sql(stmt_), sqlite3_errmsg(db));
}

absl::Status SqliteStatement::Run() {
  absl::StatusOr<bool> row = Step();
  if (!row.ok()) return row.status();
  if (*row) return absl::InternalError(absl::StrCat("sqlite: unexpected row from ", sqlite3_sql(stmt_)));
  return absl::OkStatus();
}

std::string SqliteStatement::Blob(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr || size <= 0) return std::string();
  return std::string(static_cast<const char*>(data), static_cast<size_t>(size));
}

void SqliteStatement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

absl::StatusOr<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path) {
  // The store holds every secret-adjacent record of the cluster: create it readable by its owner
  // only (SQLite would use 0644; its -wal and -shm files take the database file's mode).
  if (path != ":memory:") {
    int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return absl::InternalError(absl::StrCat("sqlite: open ", path, ": ", std::strerror(errno)));
    close(fd);
  }
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    absl::Status status = StatusFor(rc, absl::StrCat("open ", path), db ? sqlite3_errmsg(db) : "");
    sqlite3_close(db);
    return status;
  }
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<SqliteDb>(new SqliteDb(db));
}

SqliteDb::~SqliteDb() {
  cache_.clear();  // finalize statements before closing
  sqlite3_close(db_);
}

absl::Status SqliteDb::Exec(const std::string& sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return absl::OkStatus();
  absl::Status status = StatusFor(rc, sql, message);
  sqlite3_free(message);
  return status;
}

absl::StatusOr<std::string> SqliteDb::QueryText(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
  if (rc != SQLITE_OK) return Error(rc, sql);
  SqliteStatement owned(stmt);
  absl::StatusOr<bool> row = owned.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::string();
  const unsigned char* text = sqlite3_column_text(stmt, 0);
  return std::string(text != nullptr ? reinterpret_cast<const char*>(text) : "");
}

absl::StatusOr<SqliteStatement*> SqliteDb::Prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return Error(rc, sql);
    it = cache_.emplace(sql, std::make_unique<SqliteStatement>(stmt)).first;
  }
  it->second->Reset();
  return it->second.get();
}

absl::Status SqliteDb::Error(int rc, absl::string_view what) const {
  return StatusFor(rc, what, sqlite3_errmsg(db_));
}

}  // namespace romana::store
