// The store file's schema and its migrations (schema.h).
#include "store/schema.h"

namespace trailwatch::store {

namespace {

// Version 1, the baseline: the statements the outbox (schema_version, outbox_entries,
// slack_thread_roots), the threshold store (threshold_*) and the checkpoint store
// (source_checkpoints) ran before schema.h existed, unchanged, so that the stores they wrote are
// version 1 stores.
//
// outbox_entries: AUTOINCREMENT so ids are never reused after a purge: id order is enqueue order,
// which is the per-channel delivery order. The partial index keeps a head claim O(log n) however
// many delivered entries the table holds. state: 0 pending, 1 in flight, 2 delivered, 3 dead.
// Times are Unix milliseconds, except threshold_* (event time, Unix seconds).
constexpr const char* kBaseline = R"sql(
CREATE TABLE IF NOT EXISTS outbox_entries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  target TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  channel_key TEXT NOT NULL,
  alert TEXT NOT NULL,
  state INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  queued_at INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  response_status INTEGER NOT NULL DEFAULT 0,
  response TEXT NOT NULL DEFAULT '',
  thread_ts TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS outbox_undelivered_by_channel
  ON outbox_entries (channel_key, id) WHERE state < 2;
CREATE INDEX IF NOT EXISTS outbox_by_state ON outbox_entries (state, id);
CREATE TABLE IF NOT EXISTS slack_thread_roots (
  target TEXT NOT NULL,
  group_key TEXT NOT NULL,
  ts TEXT NOT NULL,
  channel TEXT NOT NULL,
  parent_alert TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (target, group_key)
);
CREATE TABLE IF NOT EXISTS threshold_events (
  rule TEXT NOT NULL,
  event_id TEXT NOT NULL,
  grp TEXT NOT NULL,
  event_time INTEGER NOT NULL,
  fired INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (rule, event_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS threshold_events_by_group ON threshold_events (rule, grp, event_time);
CREATE INDEX IF NOT EXISTS threshold_events_by_time ON threshold_events (rule, event_time);
CREATE TABLE IF NOT EXISTS threshold_groups (
  rule TEXT NOT NULL,
  grp TEXT NOT NULL,
  quiet_until INTEGER NOT NULL,
  fired_event_id TEXT NOT NULL,
  PRIMARY KEY (rule, grp)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS source_checkpoints (
  source TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (source, key)
) WITHOUT ROWID;
)sql";

// Version 2: the alert history of the web console (issue 15; store/alert_history.h).
//
// alert_history has the columns the console filters on and nothing wide: the alert itself
// (~1.5 KB of JSON, read only by Get and Recent) is in alert_bodies, so that a filter no index
// serves (free text, a time range) scans ~0.3 KB rows, not ~2 KB ones (docs/benchmarks.md, "Alert
// history"). AUTOINCREMENT: ids are never reused after a prune, so a console's cursor or link to
// an alert never lands on another one. The (column, id) indexes give "newest first with this
// severity / account" as one descending index range, stopped after a page.
// alert_rules: one row per rule an alert names (a grouped alert names several), for the rule
// filter (by_rule, newest first) and CountByRule (by_time: a range of recorded_at, covering).
// alert_links: which outbox row carries the alert to each target, by idempotency key (unique in
// outbox_entries, kept by `outbox retry`); by_key is the way from the outbox's state index to the
// alerts (the status filter, alert_history.h).
// The children are deleted with their alert by Prune (SQLite enforces no foreign keys here: the
// store never turns PRAGMA foreign_keys on, and the shared connection serialises the writers).
constexpr const char* kAlertHistory = R"sql(
CREATE TABLE alert_history (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  alert_key TEXT NOT NULL UNIQUE,
  recorded_at INTEGER NOT NULL,
  event_time INTEGER NOT NULL,
  severity INTEGER NOT NULL,
  rule TEXT NOT NULL,
  rules_json TEXT NOT NULL,
  account TEXT NOT NULL,
  region TEXT NOT NULL,
  identity TEXT NOT NULL,
  source_ip TEXT NOT NULL,
  event_name TEXT NOT NULL,
  event_id TEXT NOT NULL,
  origin TEXT NOT NULL,
  test INTEGER NOT NULL,
  search_text TEXT NOT NULL
);
CREATE INDEX alert_history_by_severity ON alert_history (severity, id);
CREATE INDEX alert_history_by_account ON alert_history (account, id);
CREATE INDEX alert_history_by_recorded_at ON alert_history (recorded_at);
CREATE TABLE alert_bodies (
  alert_id INTEGER PRIMARY KEY,
  alert_json TEXT NOT NULL
);
CREATE TABLE alert_rules (
  alert_id INTEGER NOT NULL,
  rule TEXT NOT NULL,
  recorded_at INTEGER NOT NULL,
  PRIMARY KEY (alert_id, rule)
) WITHOUT ROWID;
CREATE INDEX alert_rules_by_rule ON alert_rules (rule, alert_id);
CREATE INDEX alert_rules_by_time ON alert_rules (recorded_at, rule);
CREATE TABLE alert_links (
  alert_id INTEGER NOT NULL,
  target TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  PRIMARY KEY (alert_id, target)
) WITHOUT ROWID;
CREATE INDEX alert_links_by_key ON alert_links (idempotency_key);
)sql";

Error SchemaError(const std::string& what, const std::string& message) {
  return Error{"store schema: " + what + ": " + message};
}

}  // namespace

const std::vector<Migration>& SqliteMigrations() {
  // Append new migrations here, never edit or reorder the ones before: stores in the field are at
  // every version of this list.
  static const std::vector<Migration> kMigrations = {
      {1, "baseline: outbox queue, Slack thread roots, thresholds, source checkpoints", kBaseline},
      {2, "alert history of the web console: alerts, their bodies, rules and outbox links",
       kAlertHistory},
  };
  return kMigrations;
}

int64_t LatestSchemaVersion() { return SqliteMigrations().back().version; }

Result<int64_t> SqliteSchemaVersion(sqlite::Database& db) {
  auto version = db.Prepare("SELECT MAX(version) FROM schema_version");
  if (!version.ok()) return SchemaError("reading the version", version.message());
  if (version->Step() != sqlite::Statement::StepResult::kRow) {
    return SchemaError("reading the version", db.ErrorMessage());
  }
  int64_t value = version->ColumnIsNull(0) ? 0 : version->ColumnInt(0);
  version->Reset();
  return value;
}

Status MigrateSqlite(sqlite::Database& db) {
  sqlite::Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return SchemaError("begin", s.message());
  if (Status s = db.Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
      !s.ok()) {
    return SchemaError("creating schema_version", s.message());
  }
  Result<int64_t> current = SqliteSchemaVersion(db);
  if (!current.ok()) return current.error();
  const int64_t latest = LatestSchemaVersion();
  if (*current > latest) {
    return Error{"store schema version " + std::to_string(*current) +
                 " is newer than the version this trailwatch understands (" +
                 std::to_string(latest) + "): it was written by a newer trailwatch"};
  }
  bool has_row = *current > 0;
  if (!has_row) {
    // A store without a version row: new, or written before schema.h by the checkpoint or
    // threshold store alone. Either way the baseline below (IF NOT EXISTS) completes it.
    auto empty = db.Prepare("SELECT COUNT(*) FROM schema_version");
    if (!empty.ok()) return SchemaError("reading the version", empty.message());
    if (empty->Step() != sqlite::Statement::StepResult::kRow) {
      return SchemaError("reading the version", db.ErrorMessage());
    }
    has_row = empty->ColumnInt(0) > 0;
    empty->Reset();
  }
  for (const Migration& migration : SqliteMigrations()) {
    // The baseline also runs at version 1: see schema.h (older stores at version 1 may lack the
    // tables of the components that never opened them).
    const bool run = migration.version > *current || (migration.version == 1 && *current == 1);
    if (!run) continue;
    if (Status s = db.Exec(migration.sql); !s.ok()) {
      return SchemaError(
          "migration " + std::to_string(migration.version) + " (" + migration.summary + ")",
          s.message());
    }
  }
  if (latest != *current || !has_row) {
    auto write = db.Prepare(has_row ? "UPDATE schema_version SET version = ?"
                                    : "INSERT INTO schema_version (version) VALUES (?)");
    if (!write.ok()) return SchemaError("recording the version", write.message());
    if (Status s = write->Bind(1, latest).Run(); !s.ok()) {
      return SchemaError("recording the version", s.message());
    }
  }
  if (Status s = tx.Commit(); !s.ok()) return SchemaError("commit", s.message());
  return Status::Ok();
}

Result<std::unique_ptr<sqlite::Database>> OpenSqliteStore(const std::string& path) {
  Result<std::unique_ptr<sqlite::Database>> db = sqlite::Database::Open(path);
  if (!db.ok()) return db.error();  // Database::Open names the path
  sqlite::Database& database = **db;
  // Other connections (the outbox, thresholds, checkpoints each hold one) and processes (the CLI)
  // hold the write lock briefly: wait for it rather than failing with SQLITE_BUSY.
  sqlite3_busy_timeout(database.handle(), 10000);
  // WAL: readers (`outbox list`, metrics) never block the writer, and a commit is one append to
  // the log instead of a rollback-journal rewrite.
  if (Status s = database.Exec("PRAGMA journal_mode=WAL"); !s.ok()) {
    return Error{path + ": " + s.message()};
  }
  if (Status s = database.Exec("PRAGMA synchronous=NORMAL"); !s.ok()) {
    return Error{path + ": " + s.message()};
  }
  if (Status s = MigrateSqlite(database); !s.ok()) return Error{path + ": " + s.message()};
  return std::move(db.value());
}

}  // namespace trailwatch::store
