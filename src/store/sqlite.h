// Thin RAII wrappers over the SQLite C API for the outbox: a Database owns one sqlite3*, a
// Statement owns one prepared sqlite3_stmt*. Errors come back as Status/Result with SQLite's
// message and the statement's purpose; nothing here throws.
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
  Result<Statement> Prepare(std::string_view sql);
  int64_t LastInsertRowId() const;
  int Changes() const;
  std::string ErrorMessage() const;
  sqlite3* handle() const { return db_; }

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

class Statement {
 public:
  Statement(Statement&& other) noexcept : stmt_(other.stmt_), db_(other.db_) {
    other.stmt_ = nullptr;
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
  Statement(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
  sqlite3_stmt* stmt_;
  sqlite3* db_;
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
