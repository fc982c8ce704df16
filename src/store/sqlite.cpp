#include "store/sqlite.h"

namespace trailwatch::store::sqlite {

Result<std::unique_ptr<Database>> Database::Open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Error{path + ": cannot open the outbox store: " + message};
  }
  return std::unique_ptr<Database>(new Database(db));
}

Database::~Database() {
  for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
  sqlite3_close(db_);
}

Status Database::Exec(std::string_view sql) {
  char* message = nullptr;
  std::string text(sql);
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string error = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    return Error{error};
  }
  return Status::Ok();
}

Result<Statement> Database::Prepare(std::string_view sql) {
  auto found = cache_.find(sql);
  if (found != cache_.end() && !found->second.in_use) {
    found->second.in_use = true;
    return Statement(found->second.stmt, db_, &found->second.in_use);
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return Error{std::string(sqlite3_errmsg(db_))};
  // In use already (a nested use of the same SQL) or the cache is full: this one is not cached.
  if (found != cache_.end() || cache_.size() >= kMaxCachedStatements) return Statement(stmt, db_);
  // The map's nodes do not move, so the flag's address stays valid for the Statement.
  CachedStatement& cached = cache_[std::string(sql)];
  cached.stmt = stmt;
  cached.in_use = true;
  return Statement(stmt, db_, &cached.in_use);
}

int64_t Database::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
int Database::Changes() const { return sqlite3_changes(db_); }
std::string Database::ErrorMessage() const { return sqlite3_errmsg(db_); }

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    Release();
    stmt_ = other.stmt_;
    db_ = other.db_;
    cached_in_use_ = other.cached_in_use_;
    other.stmt_ = nullptr;
    other.cached_in_use_ = nullptr;
  }
  return *this;
}

Statement::~Statement() { Release(); }

void Statement::Release() noexcept {
  if (stmt_ == nullptr) return;
  if (cached_in_use_ != nullptr) {
    // Reset ends a read the caller left half-stepped, as finalizing would have.
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    *cached_in_use_ = false;
    cached_in_use_ = nullptr;
  } else {
    sqlite3_finalize(stmt_);
  }
  stmt_ = nullptr;
}

Statement& Statement::Bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}
Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Statement::StepResult Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return StepResult::kRow;
  if (rc == SQLITE_DONE) return StepResult::kDone;
  return StepResult::kError;
}

Status Statement::Run() {
  StepResult result;
  while ((result = Step()) == StepResult::kRow) {
  }
  if (result == StepResult::kError) {
    std::string message = sqlite3_errmsg(db_);
    Reset();
    return Error{message};
  }
  Reset();
  return Status::Ok();
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t Statement::ColumnInt(int column) const { return sqlite3_column_int64(stmt_, column); }
std::string Statement::ColumnText(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (!text) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}
bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

namespace {

// One cached statement run to its end: BEGIN/COMMIT/ROLLBACK on every transaction, compiled
// once per connection instead of once per call (sqlite3_exec compiles every time).
Status RunCached(Database& db, std::string_view sql) {
  Result<Statement> statement = db.Prepare(sql);
  if (!statement.ok()) return statement.error();
  return statement->Run();
}

}  // namespace

Status Transaction::Begin() {
  Status status = RunCached(db_, "BEGIN IMMEDIATE");
  open_ = status.ok();
  return status;
}

Status Transaction::Commit() {
  Status status = RunCached(db_, "COMMIT");
  if (status.ok()) open_ = false;
  return status;
}

Transaction::~Transaction() {
  if (open_) (void)RunCached(db_, "ROLLBACK");
}

}  // namespace trailwatch::store::sqlite
