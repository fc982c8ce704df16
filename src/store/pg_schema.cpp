// The shared PostgreSQL store's schema and its migrations (pg_schema.h).
#include "store/pg_schema.h"

#include <string>

namespace trailwatch::store {

namespace {

// The key of the advisory lock migrations hold: any constant no other program on the database is
// likely to use ('trailwatch' as ASCII bytes, truncated to 63 bits).
constexpr const char* kMigrationLock = "7526451289462125160";

// Version 1: store/schema.cpp's tables with PostgreSQL types, plus claims and leases.
//
// outbox_entries.id is an identity column: never reused, and per channel enqueue order, because
// enqueuers of one channel take that channel's advisory lock before inserting (pg_outbox_queue.cpp)
// so a later id is never committed before an earlier one of the same channel.
constexpr const char* kBaseline = R"sql(
CREATE TABLE outbox_entries (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  target TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  channel_key TEXT NOT NULL,
  alert TEXT NOT NULL,
  state SMALLINT NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  queued_at BIGINT NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  response_status INTEGER NOT NULL DEFAULT 0,
  response TEXT NOT NULL DEFAULT '',
  thread_ts TEXT NOT NULL DEFAULT '',
  claim_owner TEXT NOT NULL DEFAULT '',
  claim_generation BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX outbox_undelivered_by_channel ON outbox_entries (channel_key, id) WHERE state < 2;
CREATE INDEX outbox_by_state ON outbox_entries (state, id);
CREATE TABLE slack_thread_roots (
  target TEXT NOT NULL,
  group_key TEXT NOT NULL,
  ts TEXT NOT NULL,
  channel TEXT NOT NULL,
  parent_alert TEXT NOT NULL,
  first_seen BIGINT NOT NULL,
  count BIGINT NOT NULL,
  PRIMARY KEY (target, group_key)
);
CREATE TABLE threshold_events (
  rule TEXT NOT NULL,
  event_id TEXT NOT NULL,
  grp TEXT NOT NULL,
  event_time BIGINT NOT NULL,
  fired SMALLINT NOT NULL DEFAULT 0,
  PRIMARY KEY (rule, event_id)
);
CREATE INDEX threshold_events_by_group ON threshold_events (rule, grp, event_time);
CREATE INDEX threshold_events_by_time ON threshold_events (rule, event_time);
CREATE TABLE threshold_groups (
  rule TEXT NOT NULL,
  grp TEXT NOT NULL,
  quiet_until BIGINT NOT NULL,
  fired_event_id TEXT NOT NULL,
  PRIMARY KEY (rule, grp)
);
CREATE TABLE source_checkpoints (
  source TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (source, key)
);
CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  generation BIGINT NOT NULL,
  lease_until BIGINT NOT NULL,
  acquired_at BIGINT NOT NULL
);
)sql";

// Version 2: the alert history of the web console (issue 15; store/alert_history.h), the tables
// and indexes of store/schema.cpp's version 2 (which says why each exists) with PostgreSQL types.
// What differs: the children reference their alert with ON DELETE CASCADE, so that a Prune is one
// DELETE and a Record racing it cannot leave links without their alert (pg_alert_history.h).
constexpr const char* kAlertHistory = R"sql(
CREATE TABLE alert_history (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  alert_key TEXT NOT NULL UNIQUE,
  recorded_at BIGINT NOT NULL,
  event_time BIGINT NOT NULL,
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
  test BOOLEAN NOT NULL,
  search_text TEXT NOT NULL
);
CREATE INDEX alert_history_by_severity ON alert_history (severity, id);
CREATE INDEX alert_history_by_account ON alert_history (account, id);
CREATE INDEX alert_history_by_recorded_at ON alert_history (recorded_at, id);
CREATE TABLE alert_bodies (
  alert_id BIGINT PRIMARY KEY REFERENCES alert_history (id) ON DELETE CASCADE,
  alert_json TEXT NOT NULL
);
CREATE TABLE alert_rules (
  alert_id BIGINT NOT NULL REFERENCES alert_history (id) ON DELETE CASCADE,
  rule TEXT NOT NULL,
  recorded_at BIGINT NOT NULL,
  PRIMARY KEY (alert_id, rule)
);
CREATE INDEX alert_rules_by_rule ON alert_rules (rule, alert_id);
CREATE INDEX alert_rules_by_time ON alert_rules (recorded_at, rule);
CREATE TABLE alert_links (
  alert_id BIGINT NOT NULL REFERENCES alert_history (id) ON DELETE CASCADE,
  target TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  PRIMARY KEY (alert_id, target)
);
CREATE INDEX alert_links_by_key ON alert_links (idempotency_key);
)sql";

Error SchemaError(const std::string& what, const std::string& message) {
  return Error{"store schema (PostgreSQL): " + what + ": " + message};
}

}  // namespace

const std::vector<Migration>& PostgresMigrations() {
  // Append new migrations here, never edit or reorder the ones before: databases in the field are
  // at every version of this list.
  static const std::vector<Migration> kMigrations = {
      {1, "baseline: outbox queue with claims, Slack thread roots, thresholds, checkpoints, leases",
       kBaseline},
      {2, "alert history of the web console: alerts, their bodies, rules and outbox links",
       kAlertHistory},
  };
  return kMigrations;
}

Result<int64_t> PostgresSchemaVersion(PgConnection& conn) {
  auto exists = conn.Exec("reading the version", "SELECT to_regclass('schema_version') IS NOT NULL");
  if (!exists.ok()) return exists.error();
  if (exists->Text(0, 0) != "t") return int64_t{0};
  auto version = conn.Exec("reading the version", "SELECT COALESCE(MAX(version), 0) FROM schema_version");
  if (!version.ok()) return version.error();
  return version->Int(0, 0);
}

Status MigratePostgres(PgConnection& conn) {
  return PgTransaction(conn, "migrating the schema", [](PgConnection& tx) -> Status {
    // Held until COMMIT: a second replica waits here, then finds the version up to date.
    auto locked = tx.Exec("taking the migration lock", "SELECT pg_advisory_xact_lock($1::bigint)",
                          {kMigrationLock});
    if (!locked.ok()) return SchemaError("lock", locked.message());
    if (Status s = tx.Run("creating schema_version",
                          "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)");
        !s.ok()) {
      return SchemaError("creating schema_version", s.message());
    }
    auto current = PostgresSchemaVersion(tx);
    if (!current.ok()) return SchemaError("reading the version", current.message());
    const int64_t latest = PostgresMigrations().back().version;
    if (*current > latest) {
      return Error{"store schema version " + std::to_string(*current) +
                   " is newer than the version this trailwatch understands (" +
                   std::to_string(latest) + "): it was written by a newer trailwatch"};
    }
    for (const Migration& migration : PostgresMigrations()) {
      if (migration.version <= *current) continue;
      if (Status s = tx.Run(migration.summary, migration.sql); !s.ok()) {
        return SchemaError(
            "migration " + std::to_string(migration.version) + " (" + migration.summary + ")",
            s.message());
      }
    }
    if (*current == latest) return Status::Ok();
    auto cleared = tx.Exec("recording the version", "DELETE FROM schema_version");
    if (!cleared.ok()) return SchemaError("recording the version", cleared.message());
    auto written = tx.Exec("recording the version",
                           "INSERT INTO schema_version (version) VALUES ($1)", {latest});
    if (!written.ok()) return SchemaError("recording the version", written.message());
    return Status::Ok();
  });
}

}  // namespace trailwatch::store
