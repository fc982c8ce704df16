// Thin RAII wrappers over the SQLite C API for the outbox: a Database owns one sqlite3*, a
// Statement owns one prepared sqlite3_stmt*. Errors come back as Status/Result with SQLite's
// message and the statement's purpose; nothing here throws.
//
// Prepared statements are cached per Database: Prepare hands out the cached sqlite3_stmt for
// that SQL text when it is not in use, and the Statement resets it (instead of finalizing it)
// when it goes. Compiling the SQL again on every call was 15 % of the service's CPU with every
// event alerting (perf, 2026-12-06): the outbox and the alert history prepare five statements
// per commit. A Statement must not outlive its Database.
//
// Thread-safety: a Database and its Statements are used by one thread at a time (the Outbox
// serialises access with its own mutex). Separate processes may share the file: SQLite's file
// locks plus the busy timeout arbitrate.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.h"

namespace trailwatch::store::sqlite {

class Statement;

class Database {
 public:
  // Opens (creating if needed) the database file at `path`.
  static Result<std::unique_ptr<Database>> Open(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements without results (DDL, PRAGMA, BEGIN/COMMIT).
  Status Exec(std::string_view sql);
  // One statement, from the cache when that SQL was prepared before and is not in use now.
  Result<Statement> Prepare(std::string_view sql);
  int64_t LastInsertRowId() const;
  int Changes() const;
  std::string ErrorMessage() const;
  sqlite3* handle() const { return db_; }

 private:
  explicit Database(sqlite3* db) : db_(db) {}

  struct CachedStatement {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
  };
  // Bounded so that SQL built at run time (the console's filters) cannot grow it without end;
  // beyond the bound, statements are prepared and finalized as before.
  static constexpr size_t kMaxCachedStatements = 128;

  sqlite3* db_;
  std::unordered_map<std::string, CachedStatement, SqlHash, std::equal_to<>> cache_;
};

class Statement {
 public:
  Statement(Statement&& other) noexcept
      : stmt_(other.stmt_), db_(other.db_), cached_in_use_(other.cached_in_use_) {
    other.stmt_ = nullptr;
    other.cached_in_use_ = nullptr;
  }
  Statement& operator=(Statement&& other) noexcept;
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binds by 1-based index. Text is copied (SQLITE_TRANSIENT).
  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, int64_t value);
  Statement& BindNull(int index);

  enum class StepResult { kRow, kDone, kError };
  StepResult Step();
  // Steps to completion; for statements without rows.
  Status Run();
  void Reset();  // reset + clear bindings, ready for reuse

  int64_t ColumnInt(int column) const;
  std::string ColumnText(int column) const;
  bool ColumnIsNull(int column) const;

 private:
  friend class Database;
  Statement(sqlite3_stmt* stmt, sqlite3* db, bool* cached_in_use = nullptr)
      : stmt_(stmt), db_(db), cached_in_use_(cached_in_use) {}
  // Finalizes the statement, or resets it and hands it back to its Database's cache.
  void Release() noexcept;

  sqlite3_stmt* stmt_;
  sqlite3* db_;
  bool* cached_in_use_;  // the cache entry's flag when the statement is cached
};

// BEGIN IMMEDIATE ... COMMIT, rolled back by the destructor unless Commit() succeeded.
// IMMEDIATE takes the write lock up front so two processes never deadlock upgrading read locks.
class Transaction {
 public:
  explicit Transaction(Database& db) : db_(db) {}
  Status Begin();
  Status Commit();
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

 private:
  Database& db_;
  bool open_ = false;
};

}  // namespace trailwatch::store::sqlite
