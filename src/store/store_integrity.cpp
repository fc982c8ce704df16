#include "store/store_integrity.h"

#include <sys/stat.h>

#include "store/sqlite.h"

namespace trailwatch::store {
namespace {

// SQLite's own findings, at most this many: the first few say enough, and a badly damaged file
// can produce thousands of lines.
constexpr int kMaxFindings = 3;

Error Damaged(const std::string& path, const std::string& findings) {
  return Error{path + ": the store is damaged (SQLite quick_check: " + findings +
               "). trailwatch does not start on a damaged store. Stop every trailwatch process "
               "using it, then either salvage it (`sqlite3 " +
               path + " .recover | sqlite3 " + path +
               ".recovered`, and use the .recovered file as the store) or move it aside "
               "together with its -wal and -shm files (`mv " +
               path + " " + path +
               ".damaged`) and start again with a new, empty store: its queued alerts, "
               "checkpoints and dedup history are then lost, so sources may alert again on "
               "events already seen."};
}

// Damage (SQLITE_CORRUPT, SQLITE_NOTADB) is told apart from a store that could not be read now
// (busy, I/O error, permissions), which is not a reason to advise moving the file aside.
bool IsDamage(sqlite3* db) {
  int code = sqlite3_errcode(db) & 0xff;
  return code == SQLITE_CORRUPT || code == SQLITE_NOTADB;
}

Error Failure(const std::string& path, sqlite3* db) {
  if (IsDamage(db)) return Damaged(path, sqlite3_errmsg(db));
  return Error{path + ": cannot check the store: " + std::string(sqlite3_errmsg(db))};
}

}  // namespace

Status CheckStoreIntegrity(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return Status::Ok();  // created by Outbox::Open
  auto db = store::sqlite::Database::Open(path);
  if (!db.ok()) return db.error();
  sqlite3* handle = (*db)->handle();
  // Another process (the CLI) may hold the write lock for a moment.
  sqlite3_busy_timeout(handle, 10000);
  auto check = (*db)->Prepare("PRAGMA quick_check(" + std::to_string(kMaxFindings) + ")");
  // A file whose header is not SQLite's fails already here ("file is not a database").
  if (!check.ok()) return Failure(path, handle);
  std::string findings;
  while (true) {
    auto step = check->Step();
    if (step == store::sqlite::Statement::StepResult::kDone) break;
    if (step == store::sqlite::Statement::StepResult::kError) return Failure(path, handle);
    std::string line = check->ColumnText(0);
    if (line == "ok") return Status::Ok();
    if (!findings.empty()) findings += "; ";
    findings += line;
  }
  if (findings.empty()) return Status::Ok();
  return Damaged(path, findings);
}

}  // namespace trailwatch::store
