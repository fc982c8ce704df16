// SQLite store file -> PostgreSQL store (store_migration.h).
#include "store/store_migration.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <set>
#include <string_view>
#include <vector>

#include "store/pg_connection.h"
#include "store/pg_schema.h"
#include "store/schema.h"
#include "store/sqlite.h"

namespace trailwatch::store {

namespace {

// PostgreSQL takes at most 65535 parameters per statement; well under it, a staging INSERT still
// carries hundreds of rows, so a large outbox loads in few round trips.
constexpr size_t kMaxParametersPerInsert = 30000;
constexpr size_t kMaxRowsPerInsert = 1000;

// One table as it travels: read from the file with the columns in `columns` order, loaded into a
// temporary staging table, then copied with one set-based INSERT.
struct TableCopy {
  std::string_view table;                 // the same name in both stores
  std::vector<std::string_view> columns;  // copied as they are
  // The outbox's: its staging table also keeps the file's id (source_id, first), so that the copy
  // inserts in the file's order.
  bool keeps_source_id = false;
  std::string_view staging_definition;  // the columns of the temporary table
  TableMigration MigrationReport::*counts;
};

// The outbox's staging table keeps the state as it was (in flight is made pending by the copy),
// so that the in-flight entries can be counted.
const TableCopy kOutbox = {
    "outbox_entries",
    {"target", "idempotency_key", "channel_key", "alert", "state", "attempts", "next_attempt_at",
     "created_at", "queued_at", "last_error", "response_status", "response", "thread_ts"},
    true,
    "(source_id BIGINT PRIMARY KEY, target TEXT NOT NULL, idempotency_key TEXT NOT NULL UNIQUE, "
    "channel_key TEXT NOT NULL, alert TEXT NOT NULL, state SMALLINT NOT NULL, "
    "attempts INTEGER NOT NULL, next_attempt_at BIGINT NOT NULL, created_at BIGINT NOT NULL, "
    "queued_at BIGINT NOT NULL, last_error TEXT NOT NULL, response_status INTEGER NOT NULL, "
    "response TEXT NOT NULL, thread_ts TEXT NOT NULL)",
    &MigrationReport::outbox_entries,
};

// The other tables have the same columns in both stores: their staging tables are LIKE them
// (with their primary keys, which the "already there" joins use).
const std::vector<TableCopy>& KeyedTables() {
  static const std::vector<TableCopy> kTables = {
      {"source_checkpoints",
       {"source", "key", "value", "updated_at"},
       false,
       "(LIKE source_checkpoints INCLUDING INDEXES)",
       &MigrationReport::source_checkpoints},
      {"threshold_events",
       {"rule", "event_id", "grp", "event_time", "fired"},
       false,
       "(LIKE threshold_events INCLUDING INDEXES)",
       &MigrationReport::threshold_events},
      {"threshold_groups",
       {"rule", "grp", "quiet_until", "fired_event_id"},
       false,
       "(LIKE threshold_groups INCLUDING INDEXES)",
       &MigrationReport::threshold_groups},
      {"slack_thread_roots",
       {"target", "group_key", "ts", "channel", "parent_alert", "first_seen", "count"},
       false,
       "(LIKE slack_thread_roots INCLUDING INDEXES)",
       &MigrationReport::slack_thread_roots},
  };
  return kTables;
}

std::string Join(const std::vector<std::string_view>& names, std::string_view prefix = "") {
  std::string joined;
  for (std::string_view name : names) {
    if (!joined.empty()) joined.append(", ");
    joined.append(prefix).append(name);
  }
  return joined;
}

std::string StagingName(std::string_view table) { return std::string("migrating_").append(table); }

// The SQLite file, opened so that it cannot be changed, inside one read transaction.
struct SqliteSource {
  std::unique_ptr<sqlite::Database> db;
  std::set<std::string> tables;  // the trailwatch tables the file has
};

Result<SqliteSource> OpenSource(const std::string& path) {
  // sqlite::Database::Open creates a missing file: check first, and say why it is not there.
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return Error{path + ": " + std::strerror(errno)};
  if (!S_ISREG(info.st_mode)) {
    return Error{path + ": not a regular file (expected a trailwatch SQLite store file)"};
  }
  auto opened = sqlite::Database::Open(path);
  if (!opened.ok()) return opened.error();  // names the path
  SqliteSource source{std::move(opened.value()), {}};
  sqlite::Database& db = *source.db;
  // A trailwatch still writing (it should be stopped) holds the write lock only briefly.
  sqlite3_busy_timeout(db.handle(), 10000);
  // Nothing below writes; query_only makes sure of it (the file stays the user's way back).
  if (Status s = db.Exec("PRAGMA query_only = ON"); !s.ok()) {
    return Error{path + ": " + s.message()};
  }
  // One snapshot for every table (WAL: the snapshot starts at the first read below). Closing the
  // connection ends it; there is nothing to commit.
  if (Status s = db.Exec("BEGIN"); !s.ok()) return Error{path + ": " + s.message()};
  auto names = db.Prepare("SELECT name FROM sqlite_master WHERE type = 'table'");
  if (!names.ok()) return Error{path + ": " + names.message()};
  sqlite::Statement::StepResult step;
  std::set<std::string> all;
  while ((step = names->Step()) == sqlite::Statement::StepResult::kRow) {
    all.insert(names->ColumnText(0));
  }
  // "file is not a database" for a file that is not SQLite.
  if (step == sqlite::Statement::StepResult::kError) return Error{path + ": " + db.ErrorMessage()};
  names->Reset();
  std::vector<std::string> known = {std::string(kOutbox.table)};
  for (const TableCopy& table : KeyedTables()) known.emplace_back(table.table);
  for (const std::string& table : known) {
    if (all.count(table)) source.tables.insert(table);
  }
  if (source.tables.empty()) {
    return Error{path +
                 ": not a trailwatch store (it has none of the tables outbox_entries, "
                 "source_checkpoints, threshold_events, threshold_groups, slack_thread_roots)"};
  }
  int64_t version = 0;  // a store written before schema_version existed everywhere
  if (all.count("schema_version")) {
    auto read = SqliteSchemaVersion(db);
    if (!read.ok()) return Error{path + ": " + read.message()};
    version = *read;
  }
  // A newer trailwatch may have added columns this copy does not know: refuse rather than
  // drop them. (Store version 1 is every column below; a SQLite migration 2 must extend the
  // TableCopy lists — store_migration_test checks that they are reviewed.)
  if (version > LatestSchemaVersion()) {
    return Error{path + ": store schema version " + std::to_string(version) +
                 " is newer than the version this trailwatch understands (" +
                 std::to_string(LatestSchemaVersion()) +
                 "): migrate it with the trailwatch that wrote it"};
  }
  return source;
}

// INSERT INTO `table` (`names`) VALUES ($1, ...), ... for `rows` rows of `columns` values.
std::string StagingInsert(const std::string& table, const std::string& names, size_t columns,
                          size_t rows) {
  std::string sql = "INSERT INTO ";
  sql.append(table).append(" (").append(names).append(") VALUES ");
  size_t parameter = 1;
  for (size_t row = 0; row < rows; ++row) {
    sql.append(row == 0 ? "(" : ", (");
    for (size_t column = 0; column < columns; ++column) {
      if (column > 0) sql.append(", ");
      sql.append("$").append(std::to_string(parameter++));
    }
    sql.append(")");
  }
  return sql;
}

// Creates the staging table of `copy` and loads every row of the file's table into it (none when
// the file lacks the table: a store some component never opened). Returns the rows read. Errors
// are named by the caller with the file and the store.
Result<int64_t> Stage(PgConnection& pg, SqliteSource& source, const TableCopy& copy) {
  const std::string staging = StagingName(copy.table);
  std::string create = "CREATE TEMPORARY TABLE ";
  create.append(staging).append(" ").append(copy.staging_definition).append(" ON COMMIT DROP");
  if (Status s = pg.Run("creating a staging table", create); !s.ok()) return Error{s.message()};
  if (!source.tables.count(std::string(copy.table))) return int64_t{0};

  std::string query = "SELECT ";
  if (copy.keeps_source_id) query.append("id, ");
  query.append(Join(copy.columns)).append(" FROM ").append(copy.table);
  if (copy.keeps_source_id) query.append(" ORDER BY id");
  auto select = source.db->Prepare(query);
  if (!select.ok()) {
    return Error{"reading " + std::string(copy.table) + ": " + select.message()};
  }
  const std::string what = "loading " + std::string(copy.table);
  // The staging table has the SELECT's columns in the same order.
  const size_t columns = copy.columns.size() + (copy.keeps_source_id ? 1 : 0);
  const size_t batch_rows = std::min(kMaxRowsPerInsert, kMaxParametersPerInsert / columns);
  std::string names = copy.keeps_source_id ? "source_id, " : "";
  names.append(Join(copy.columns));
  const std::string batch_sql = StagingInsert(staging, names, columns, batch_rows);
  std::vector<PgValue> values;
  values.reserve(batch_rows * columns);
  size_t rows = 0;
  int64_t read = 0;
  auto flush = [&]() -> Status {
    if (rows == 0) return Status::Ok();
    // Only the last batch is shorter.
    auto inserted =
        pg.Exec(what, rows == batch_rows ? batch_sql : StagingInsert(staging, names, columns, rows),
                values);
    if (!inserted.ok()) return inserted.error();
    values.clear();
    rows = 0;
    return Status::Ok();
  };
  sqlite::Statement::StepResult step;
  while ((step = select->Step()) == sqlite::Statement::StepResult::kRow) {
    for (size_t column = 0; column < columns; ++column) {
      const int index = static_cast<int>(column);
      if (select->ColumnIsNull(index)) {
        values.emplace_back(nullptr);
      } else {
        values.emplace_back(select->ColumnText(index));
      }
    }
    ++rows;
    ++read;
    if (rows == batch_rows) {
      if (Status s = flush(); !s.ok()) return Error{s.message()};
    }
  }
  if (step == sqlite::Statement::StepResult::kError) {
    return Error{"reading " + std::string(copy.table) + ": " + source.db->ErrorMessage()};
  }
  if (Status s = flush(); !s.ok()) return Error{s.message()};
  return read;
}

// Moves one LIKE-staged table into its PostgreSQL table; returns the rows inserted.
Result<int64_t> CopyKeyedTable(PgConnection& pg, const TableCopy& copy) {
  const std::string columns = Join(copy.columns);
  std::string sql = "WITH inserted AS (INSERT INTO ";
  sql.append(copy.table).append(" (").append(columns).append(") SELECT ").append(columns);
  sql.append(" FROM ").append(StagingName(copy.table));
  sql.append(" ON CONFLICT DO NOTHING RETURNING 1) SELECT count(*) FROM inserted");
  auto inserted = pg.Exec("copying " + std::string(copy.table), sql);
  if (!inserted.ok()) return inserted.error();
  return inserted->Int(0, 0);
}

// The body of the one transaction. `refused`: set when the error is the "in use" refusal (which
// names the store itself) rather than a failure.
Status CopyInTransaction(PgConnection& pg, const std::string& path, SqliteSource& source,
                         const MigrationOptions& options, MigrationReport& report, bool* refused) {
  // See the header: replicas' enqueues and claims wait for the copy; so does a second migration.
  if (Status s =
          pg.Run("locking outbox_entries", "LOCK TABLE outbox_entries IN SHARE ROW EXCLUSIVE MODE");
      !s.ok()) {
    return s;
  }
  auto outbox_read = Stage(pg, source, kOutbox);
  if (!outbox_read.ok()) return outbox_read.error();
  report.outbox_entries.read = *outbox_read;
  for (const TableCopy& copy : KeyedTables()) {
    auto read = Stage(pg, source, copy);
    if (!read.ok()) return read.error();
    (report.*copy.counts).read = *read;
  }
  // Without statistics (autovacuum never analyses temporary tables) the joins below may be
  // planned as if the staging tables were tiny.
  if (Status s = pg.Run("analysing the staged rows", "ANALYZE migrating_outbox_entries"); !s.ok()) {
    return s;
  }

  auto others = pg.Exec("comparing the outboxes",
                        "SELECT count(*) FROM outbox_entries o WHERE NOT EXISTS (SELECT 1 FROM "
                        "migrating_outbox_entries m WHERE m.idempotency_key = o.idempotency_key)");
  if (!others.ok()) return others.error();
  report.other_outbox_entries = others->Int(0, 0);
  if (report.other_outbox_entries > 0 && !options.merge) {
    *refused = true;
    return Error{report.to + " is in use: its outbox already holds " +
                 std::to_string(report.other_outbox_entries) + " entries that did not come from " +
                 path +
                 " (running replicas, or another deployment's store); nothing was copied. "
                 "Check the DSN; to add this file's entries to it anyway, merge them "
                 "(`store migrate --merge`)"};
  }

  if (options.skip_delivered) {
    auto delivered = pg.Exec("counting delivered entries",
                             "SELECT count(*) FROM migrating_outbox_entries WHERE state = 2");
    if (!delivered.ok()) return delivered.error();
    report.delivered_left_out = delivered->Int(0, 0);
  }
  // In the file's id order, so that PostgreSQL's new ids keep each channel's order: the ORDER BY
  // keeps the SELECT a subquery, sorted before the identity's nextval is taken for each row.
  // In flight (1) becomes pending (0): see the header.
  std::string columns = Join(kOutbox.columns);
  std::string selected = Join(kOutbox.columns, "m.");
  selected.replace(selected.find("m.state"), std::string_view("m.state").size(),
                   "CASE WHEN m.state = 1 THEN 0 ELSE m.state END");
  std::string insert = "WITH inserted AS (INSERT INTO outbox_entries (";
  insert.append(columns).append(") SELECT ").append(selected);
  insert.append(" FROM migrating_outbox_entries m WHERE NOT ($1::boolean AND m.state = 2) ");
  insert.append("ORDER BY m.source_id ON CONFLICT (idempotency_key) DO NOTHING ");
  insert.append("RETURNING idempotency_key) ");
  insert.append("SELECT count(*), count(*) FILTER (WHERE m.state = 1) FROM inserted ");
  insert.append("JOIN migrating_outbox_entries m USING (idempotency_key)");
  auto outbox = pg.Exec("copying outbox_entries", insert, {options.skip_delivered});
  if (!outbox.ok()) return outbox.error();
  report.outbox_entries.copied = outbox->Int(0, 0);
  report.in_flight_made_pending = outbox->Int(0, 1);
  report.outbox_entries.already_present =
      report.outbox_entries.read - report.delivered_left_out - report.outbox_entries.copied;

  for (const TableCopy& copy : KeyedTables()) {
    auto copied = CopyKeyedTable(pg, copy);
    if (!copied.ok()) return copied.error();
    TableMigration& counts = report.*copy.counts;
    counts.copied = *copied;
    counts.already_present = counts.read - counts.copied;
  }
  // Rows this copy inserted are equal to the file's: only rows that were there before differ.
  auto differing =
      pg.Exec("comparing checkpoints",
              "SELECT count(*) FROM migrating_source_checkpoints m "
              "JOIN source_checkpoints t USING (source, key) WHERE m.value <> t.value");
  if (!differing.ok()) return differing.error();
  report.checkpoints_differing = differing->Int(0, 0);
  return Status::Ok();
}

}  // namespace

Result<MigrationReport> MigrateSqliteToPostgres(const std::string& sqlite_path,
                                                const std::string& dsn,
                                                const MigrationOptions& options) {
  const std::string shown = RedactDsn(dsn);
  // The file first: a wrong path should not need a reachable database to be reported.
  auto source = OpenSource(sqlite_path);
  if (!source.ok()) return source.error();
  auto pg = PgConnection::Connect(dsn);
  if (!pg.ok()) return pg.error();  // names the redacted DSN
  if (Status s = MigratePostgres(**pg); !s.ok()) return Error{shown + ": " + s.message()};

  MigrationReport report;
  bool refused = false;
  Status copied = PgTransaction(**pg, "copying the store", [&](PgConnection& tx) -> Status {
    // A retried transaction (serialization failure, deadlock) counts from the start again.
    report = MigrationReport{};
    report.from = sqlite_path;
    report.to = shown;
    refused = false;
    return CopyInTransaction(tx, sqlite_path, *source, options, report, &refused);
  });
  if (!copied.ok()) {
    if (refused) return Error{copied.message()};  // names the store already
    return Error{"copying " + sqlite_path + " to " + shown + ": " + copied.message()};
  }
  return report;
}

}  // namespace trailwatch::store
