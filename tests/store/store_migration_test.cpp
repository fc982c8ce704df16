// MigrateSqliteToPostgres (store/store_migration.h): a SQLite store filled by the real components
// (outbox with entries in every state and a thread root, checkpoints, threshold counters) copied
// into a fresh PostgreSQL database — every row with the same values, in flight made pending, the
// file's order kept — and the refusals: a store in use without merge, a missing file, a file that
// is not a store or is newer, a database that cannot be reached (without showing the password).
#include "store/store_migration.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "cli/cli_test_util.h"
#include "outbox/outbox.h"
#include "store/checkpoint_store.h"
#include "store/pg_connection.h"
#include "store/pg_schema.h"
#include "store/pg_test_cluster_util.h"
#include "store/schema.h"
#include "store/sqlite.h"
#include "store/sqlite_threshold_counts.h"
#include "targets/target_test_util.h"

namespace trailwatch::store {
namespace {

using trailwatch::testing::TempDir;
using Rows = std::vector<std::vector<std::string>>;

constexpr int64_t kNowMs = 1700000000000;   // ms
constexpr int64_t kEventTime = 1700000000;  // s

// Every row of `sql` in the SQLite file, as text.
Rows SqliteRows(const std::string& path, const std::string& sql, int columns) {
  auto db = sqlite::Database::Open(path);
  EXPECT_TRUE(db.ok()) << db.message();
  auto statement = (*db)->Prepare(sql);
  EXPECT_TRUE(statement.ok()) << statement.message();
  Rows rows;
  while (statement->Step() == sqlite::Statement::StepResult::kRow) {
    std::vector<std::string>& row = rows.emplace_back();
    for (int column = 0; column < columns; ++column)
      row.emplace_back(statement->ColumnText(column));
  }
  return rows;
}

Rows PgRows(const std::string& dsn, const std::string& sql, int columns) {
  auto conn = PgConnection::Connect(dsn);
  EXPECT_TRUE(conn.ok()) << conn.message();
  auto result = (*conn)->Exec("test", sql);
  EXPECT_TRUE(result.ok()) << result.message();
  Rows rows;
  for (int r = 0; r < result->rows(); ++r) {
    std::vector<std::string>& row = rows.emplace_back();
    for (int column = 0; column < columns; ++column) row.emplace_back(result->Text(r, column));
  }
  return rows;
}

int64_t PgCount(const std::string& dsn, const std::string& table) {
  auto conn = PgConnection::Connect(dsn);
  EXPECT_TRUE(conn.ok()) << conn.message();
  auto result = (*conn)->Exec("test", "SELECT count(*) FROM " + table);
  EXPECT_TRUE(result.ok()) << result.message();
  return result.ok() ? result->Int(0, 0) : -1;
}

// The columns compared, in the same order on both sides (ids differ by design).
const std::string kOutboxColumns =
    "target, idempotency_key, channel_key, alert, state, attempts, next_attempt_at, created_at, "
    "queued_at, last_error, response_status, response, thread_ts";
constexpr int kOutboxColumnCount = 13;

struct KeyedTable {
  std::string table;
  std::string columns;
  int count;
  std::string order;
};

const std::vector<KeyedTable> kKeyedTables = {
    {"source_checkpoints", "source, key, value, updated_at", 4, "source, key"},
    {"threshold_events", "rule, event_id, grp, event_time, fired", 5, "rule, event_id"},
    {"threshold_groups", "rule, grp, quiet_until, fired_event_id", 4, "rule, grp"},
    {"slack_thread_roots", "target, group_key, ts, channel, parent_alert, first_seen, count", 7,
     "target, group_key"},
};

class StoreMigrationTest : public ::testing::Test {
 protected:
  void SetUp() override { dsn_ = testing::PgTestCluster::Shared().NewDatabase(); }

  // A store as a trailwatch that ran for a while leaves it: entries of three channels interleaved
  // and in every state, a Slack thread root, checkpoints of two sources, threshold counters with a
  // group that fired. Event ids are prefixed with `prefix` (two different stores).
  std::string FillStore(const std::string& name, const std::string& prefix = "evt") {
    const std::string path = dir_.path() + "/" + name;
    auto outbox = outbox::Outbox::Open(path);
    EXPECT_TRUE(outbox.ok()) << outbox.message();
    outbox::Outbox& box = **outbox;
    // Interleaved: a1 b1 a2 t1 b2 a3 b3 (ids in this order).
    std::vector<outbox::NewEntry> entries;
    for (const auto& [channel, n] : std::vector<std::pair<std::string, int>>{{"slack#a", 1},
                                                                             {"slack#b", 1},
                                                                             {"slack#a", 2},
                                                                             {"teams", 1},
                                                                             {"slack#b", 2},
                                                                             {"slack#a", 3},
                                                                             {"slack#b", 3}}) {
      const std::string target = channel == "teams" ? "teams" : "slack";
      entries.push_back({target, channel,
                         trailwatch::testing::SampleRootSignIn(prefix + "-" + channel + "-" +
                                                               std::to_string(n))});
    }
    EXPECT_TRUE(box.Enqueue(entries, kNowMs).ok());
    // slack#a: a1 delivered (in a thread), a2 in flight, a3 pending.
    auto a1 = box.ClaimHead("slack#a", kNowMs + 1);
    EXPECT_TRUE(a1.ok() && *a1);
    EXPECT_TRUE(box.MarkDelivered((*a1)->id, 200, "{\"ok\":true}", "1700000000.000100").ok());
    auto a2 = box.ClaimHead("slack#a", kNowMs + 2);
    EXPECT_TRUE(a2.ok() && *a2);
    // slack#b: b1 dead, b2 waiting for a retry, b3 pending.
    auto b1 = box.ClaimHead("slack#b", kNowMs + 3);
    EXPECT_TRUE(b1.ok() && *b1);
    EXPECT_TRUE(box.MarkDead((*b1)->id, "HTTP 404: channel_not_found", 404).ok());
    auto b2 = box.ClaimHead("slack#b", kNowMs + 4);
    EXPECT_TRUE(b2.ok() && *b2);
    EXPECT_TRUE(box.MarkRetry((*b2)->id, kNowMs + 60000, "HTTP 500", 500).ok());
    outbox::ThreadRoot root;
    root.ts = "1700000000.000100";
    root.channel = "C0123";
    root.parent_alert =
        outbox::SerializeAlert(trailwatch::testing::SampleRootSignIn(prefix + "-parent"));
    root.first_seen = kNowMs;
    root.count = 3;
    EXPECT_TRUE(box.SaveThreadRoot("slack", prefix + "-group", root).ok());

    auto checkpoints = CheckpointStore::Open(path);
    EXPECT_TRUE(checkpoints.ok()) << checkpoints.message();
    EXPECT_TRUE((*checkpoints)
                    ->Put("cloudtrail-s3", "111122223333/us-east-1",
                          "AWSLogs/111122223333/CloudTrail/us-east-1/" + prefix + ".json.gz")
                    .ok());
    EXPECT_TRUE((*checkpoints)
                    ->MarkFileSeen("logs-dir", "/var/log/" + prefix + ".json", {123, 456, false})
                    .ok());

    auto counts = SqliteThresholdCounts::Open(path);
    EXPECT_TRUE(counts.ok()) << counts.message();
    for (int i = 0; i < 3; ++i) {
      ThresholdObservation event{"failed-logins",
                                 prefix + "-login-" + std::to_string(i),
                                 "[\"alice\"]",
                                 kEventTime + i,
                                 300,
                                 3};
      auto outcome = (*counts)->Record(event, std::nullopt);
      EXPECT_TRUE(outcome.ok()) << outcome.message();
    }
    ThresholdObservation other{
        "failed-logins", prefix + "-login-bob", "[\"bob\"]", kEventTime, 300, 3};
    EXPECT_TRUE((*counts)->Record(other, std::nullopt).ok());
    return path;
  }

  // Asserts that every table of the file arrived in PostgreSQL with the same values.
  void ExpectSameRows(const std::string& path) {
    Rows file =
        SqliteRows(path,
                   "SELECT target, idempotency_key, channel_key, alert, "
                   "CASE state WHEN 1 THEN 0 ELSE state END, attempts, next_attempt_at, "
                   "created_at, queued_at, last_error, response_status, response, thread_ts "
                   "FROM outbox_entries ORDER BY id",
                   kOutboxColumnCount);
    // ORDER BY id on both sides: PostgreSQL's new ids are in the file's order.
    Rows migrated = PgRows(dsn_, "SELECT " + kOutboxColumns + " FROM outbox_entries ORDER BY id",
                           kOutboxColumnCount);
    EXPECT_EQ(migrated, file);
    for (const KeyedTable& table : kKeyedTables) {
      const std::string select =
          "SELECT " + table.columns + " FROM " + table.table + " ORDER BY " + table.order;
      Rows from_file = SqliteRows(path, select, table.count);
      EXPECT_FALSE(from_file.empty()) << table.table;
      EXPECT_EQ(PgRows(dsn_, select, table.count), from_file) << table.table;
    }
  }

  TempDir dir_;
  std::string dsn_;
};

TEST_F(StoreMigrationTest, CopiesEveryRowWithItsStateAndOrder) {
  const std::string path = FillStore("trailwatch.db");
  // The file really holds every state.
  EXPECT_EQ(
      SqliteRows(path,
                 "SELECT group_concat(state) FROM (SELECT state FROM outbox_entries ORDER BY id)",
                 1),
      (Rows{{"2,3,1,0,0,0,0"}}));

  auto report = MigrateSqliteToPostgres(path, dsn_, {});
  ASSERT_TRUE(report.ok()) << report.message();
  EXPECT_EQ(report->from, path);
  EXPECT_EQ(report->to, RedactDsn(dsn_));
  EXPECT_EQ(report->outbox_entries.read, 7);
  EXPECT_EQ(report->outbox_entries.copied, 7);
  EXPECT_EQ(report->outbox_entries.already_present, 0);
  EXPECT_EQ(report->in_flight_made_pending, 1);
  EXPECT_EQ(report->delivered_left_out, 0);
  EXPECT_EQ(report->other_outbox_entries, 0);
  EXPECT_EQ(report->source_checkpoints.copied, 2);
  // Whatever the counters kept (firing removes some of the group's events).
  EXPECT_EQ(report->threshold_events.copied, report->threshold_events.read);
  EXPECT_GT(report->threshold_events.read, 0);
  EXPECT_EQ(report->threshold_groups.copied, 1);  // alice's group fired
  EXPECT_EQ(report->slack_thread_roots.copied, 1);
  EXPECT_EQ(report->checkpoints_differing, 0);
  ExpectSameRows(path);

  // The in-flight entry is pending and unclaimed; per channel, ids ascend in enqueue order.
  EXPECT_EQ(PgRows(dsn_,
                   "SELECT channel_key, state, claim_owner, claim_generation FROM outbox_entries "
                   "ORDER BY channel_key, id",
                   4),
            (Rows{{"slack#a", "2", "", "0"},
                  {"slack#a", "0", "", "0"},
                  {"slack#a", "0", "", "0"},
                  {"slack#b", "3", "", "0"},
                  {"slack#b", "0", "", "0"},
                  {"slack#b", "0", "", "0"},
                  {"teams", "0", "", "0"}}));
  // The PostgreSQL schema is the current one.
  auto conn = PgConnection::Connect(dsn_);
  ASSERT_TRUE(conn.ok());
  auto version = PostgresSchemaVersion(**conn);
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, PostgresMigrations().back().version);
}

// More rows than one staging INSERT carries (1000): the batches, and the order across them.
TEST_F(StoreMigrationTest, AManyBatchOutboxKeepsTheFilesOrder) {
  const std::string path = dir_.path() + "/big.db";
  {
    auto outbox = outbox::Outbox::Open(path);
    ASSERT_TRUE(outbox.ok()) << outbox.message();
    std::vector<outbox::NewEntry> entries;
    for (int i = 0; i < 2500; ++i) {
      const std::string channel = "slack#c" + std::to_string(i % 7);
      entries.push_back(
          {"slack", channel, trailwatch::testing::SampleRootSignIn("evt-" + std::to_string(i))});
    }
    ASSERT_TRUE((*outbox)->Enqueue(entries, kNowMs).ok());
  }
  auto report = MigrateSqliteToPostgres(path, dsn_, {});
  ASSERT_TRUE(report.ok()) << report.message();
  EXPECT_EQ(report->outbox_entries.copied, 2500);
  EXPECT_EQ(
      PgRows(dsn_, "SELECT idempotency_key, channel_key FROM outbox_entries ORDER BY id", 2),
      SqliteRows(path, "SELECT idempotency_key, channel_key FROM outbox_entries ORDER BY id", 2));
}

TEST_F(StoreMigrationTest, RunningItAgainCopiesNothingNew) {
  const std::string path = FillStore("trailwatch.db");
  ASSERT_TRUE(MigrateSqliteToPostgres(path, dsn_, {}).ok());
  auto again = MigrateSqliteToPostgres(path, dsn_, {});
  ASSERT_TRUE(again.ok()) << again.message();
  for (const TableMigration* table :
       {&again->outbox_entries, &again->source_checkpoints, &again->threshold_events,
        &again->threshold_groups, &again->slack_thread_roots}) {
    EXPECT_EQ(table->copied, 0);
    EXPECT_EQ(table->already_present, table->read);
    EXPECT_GT(table->read, 0);
  }
  EXPECT_EQ(again->in_flight_made_pending, 0);
  EXPECT_EQ(again->other_outbox_entries, 0);  // its own earlier copy is not "in use"
  EXPECT_EQ(PgCount(dsn_, "outbox_entries"), 7);
  ExpectSameRows(path);
}

TEST_F(StoreMigrationTest, AnotherStoresEntriesMakeItRefuseUnlessMerged) {
  const std::string first = FillStore("first.db", "one");
  const std::string second = FillStore("second.db", "two");
  auto copied = MigrateSqliteToPostgres(first, dsn_, {});
  ASSERT_TRUE(copied.ok()) << copied.message();
  const int64_t threshold_events = copied->threshold_events.read;

  auto refused = MigrateSqliteToPostgres(second, dsn_, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.message().find(RedactDsn(dsn_) +
                                   " is in use: its outbox already holds 7 entries "
                                   "that did not come from " +
                                   second),
            std::string::npos)
      << refused.message();
  // Nothing of the second file was written.
  EXPECT_EQ(PgCount(dsn_, "outbox_entries"), 7);
  EXPECT_EQ(PgCount(dsn_, "source_checkpoints WHERE value LIKE '%two%'"), 0);
  EXPECT_EQ(PgCount(dsn_, "threshold_events"), threshold_events);

  MigrationOptions merge;
  merge.merge = true;
  auto merged = MigrateSqliteToPostgres(second, dsn_, merge);
  ASSERT_TRUE(merged.ok()) << merged.message();
  EXPECT_EQ(merged->other_outbox_entries, 7);
  EXPECT_EQ(merged->outbox_entries.copied, 7);
  EXPECT_EQ(merged->threshold_events.copied, threshold_events);  // other event ids
  // The same (source, key) with the second file's value: the first's, already there, is kept.
  EXPECT_EQ(merged->source_checkpoints.copied, 1);  // the directory source's file differs by name
  EXPECT_EQ(merged->source_checkpoints.already_present, 1);
  EXPECT_EQ(merged->checkpoints_differing, 1);
  EXPECT_EQ(PgRows(dsn_, "SELECT value FROM source_checkpoints WHERE source = 'cloudtrail-s3'", 1),
            (Rows{{"AWSLogs/111122223333/CloudTrail/us-east-1/one.json.gz"}}));
  // The merged entries come after the ones already there.
  Rows keys = PgRows(dsn_, "SELECT idempotency_key FROM outbox_entries ORDER BY id", 1);
  ASSERT_EQ(keys.size(), 14u);
  EXPECT_NE(keys[6][0].find("one-"), std::string::npos);
  EXPECT_NE(keys[7][0].find("two-"), std::string::npos);
}

TEST_F(StoreMigrationTest, SkipDeliveredLeavesDeliveredEntriesOut) {
  const std::string path = FillStore("trailwatch.db");
  MigrationOptions options;
  options.skip_delivered = true;
  auto report = MigrateSqliteToPostgres(path, dsn_, options);
  ASSERT_TRUE(report.ok()) << report.message();
  EXPECT_EQ(report->outbox_entries.read, 7);
  EXPECT_EQ(report->outbox_entries.copied, 6);
  EXPECT_EQ(report->delivered_left_out, 1);
  EXPECT_EQ(PgCount(dsn_, "outbox_entries WHERE state = 2"), 0);
  // Again, this time with the delivered ones: only they are new.
  auto all = MigrateSqliteToPostgres(path, dsn_, {});
  ASSERT_TRUE(all.ok()) << all.message();
  EXPECT_EQ(all->outbox_entries.copied, 1);
  EXPECT_EQ(all->outbox_entries.already_present, 6);
}

TEST_F(StoreMigrationTest, CheckpointsAlreadyInPostgresKeepTheirValue) {
  const std::string path = FillStore("trailwatch.db");
  auto conn = PgConnection::Connect(dsn_);
  ASSERT_TRUE(conn.ok()) << conn.message();
  ASSERT_TRUE(MigratePostgres(**conn).ok());
  ASSERT_TRUE((*conn)
                  ->Exec("test",
                         "INSERT INTO source_checkpoints VALUES ('cloudtrail-s3', "
                         "'111122223333/us-east-1', 'AWSLogs/newer.json.gz', 1)")
                  .ok());
  auto report = MigrateSqliteToPostgres(path, dsn_, {});
  ASSERT_TRUE(report.ok()) << report.message();
  EXPECT_EQ(report->source_checkpoints.copied, 1);
  EXPECT_EQ(report->source_checkpoints.already_present, 1);
  EXPECT_EQ(report->checkpoints_differing, 1);
  EXPECT_EQ(PgRows(dsn_, "SELECT value FROM source_checkpoints WHERE source = 'cloudtrail-s3'", 1),
            (Rows{{"AWSLogs/newer.json.gz"}}));
}

TEST_F(StoreMigrationTest, AMissingFileIsRefusedWithTheReasonBeforeConnecting) {
  const std::string path = dir_.path() + "/nope.db";
  auto report = MigrateSqliteToPostgres(path, "postgresql://u:s3cret@127.0.0.1:1/x", {});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.message(), path + ": No such file or directory");
  // And it was not created by trying.
  EXPECT_NE(access(path.c_str(), F_OK), 0);
}

TEST_F(StoreMigrationTest, AnUnreachableDatabaseIsNamedWithoutThePassword) {
  const std::string path = FillStore("trailwatch.db");
  auto report = MigrateSqliteToPostgres(path, "postgresql://u:s3cret@127.0.0.1:1/x", {});
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.message().find("postgresql://u@127.0.0.1:1/x"), std::string::npos)
      << report.message();
  EXPECT_EQ(report.message().find("s3cret"), std::string::npos) << report.message();
}

TEST_F(StoreMigrationTest, AFileThatIsNotATrailwatchStoreIsRefused) {
  const std::string text =
      dir_.Write("notes.txt", "these are not the tables you are looking for\n");
  auto not_sqlite = MigrateSqliteToPostgres(text, dsn_, {});
  ASSERT_FALSE(not_sqlite.ok());
  EXPECT_NE(not_sqlite.message().find(text + ": file is not a database"), std::string::npos)
      << not_sqlite.message();

  const std::string other = dir_.path() + "/other.db";
  {
    auto db = sqlite::Database::Open(other);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("CREATE TABLE songs (title TEXT)").ok());
  }
  auto foreign = MigrateSqliteToPostgres(other, dsn_, {});
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.message().find(other + ": not a trailwatch store"), std::string::npos)
      << foreign.message();
  EXPECT_EQ(PgCount(dsn_, "pg_tables WHERE tablename = 'outbox_entries'"), 0);  // never connected
}

TEST_F(StoreMigrationTest, AStoreWrittenByANewerTrailwatchIsRefused) {
  const std::string path = FillStore("trailwatch.db");
  {
    auto db = sqlite::Database::Open(path);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("UPDATE schema_version SET version = 99").ok());
  }
  auto report = MigrateSqliteToPostgres(path, dsn_, {});
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.message().find(path + ": store schema version 99 is newer than the version this "
                                         "trailwatch understands (2)"),
            std::string::npos)
      << report.message();
  // Left as it was (the migration opens the file without writing).
  EXPECT_EQ(SqliteRows(path, "SELECT version FROM schema_version", 1), (Rows{{"99"}}));
}

TEST_F(StoreMigrationTest, AStoreThatOnlySomeComponentsOpenedIsCopiedToo) {
  // Written before schema.h: only the checkpoint table, no schema_version.
  const std::string path = dir_.path() + "/old.db";
  {
    auto db = sqlite::Database::Open(path);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)
                    ->Exec("CREATE TABLE source_checkpoints (source TEXT NOT NULL, key TEXT NOT "
                           "NULL, value TEXT NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY "
                           "(source, key)) WITHOUT ROWID;"
                           "INSERT INTO source_checkpoints VALUES ('s3', 'k', 'v', 5)")
                    .ok());
  }
  auto report = MigrateSqliteToPostgres(path, dsn_, {});
  ASSERT_TRUE(report.ok()) << report.message();
  EXPECT_EQ(report->source_checkpoints.copied, 1);
  EXPECT_EQ(report->outbox_entries.read, 0);
  EXPECT_EQ(PgRows(dsn_, "SELECT source, key, value, updated_at FROM source_checkpoints", 4),
            (Rows{{"s3", "k", "v", "5"}}));
}

// store_migration.cpp names every column of store version 1. A SQLite migration 2 (a new column or
// table) must be copied too: when this fails, extend the TableCopy lists there and this test's
// tables, then raise the number here.
TEST(StoreMigrationSchemaTest, TheCopyKnowsEveryColumnOfTheLatestSqliteSchema) {
  // Version 2 added the web console's alert history (alert_history, alert_bodies, alert_rules,
  // alert_links), which `store migrate` leaves behind on purpose: it is a listing of alerts the
  // outbox already holds, and the new store records from its first alert on
  // (docs/store-migration.md).
  EXPECT_EQ(LatestSchemaVersion(), 2)
      << "a SQLite store migration was added: teach store/store_migration.cpp its columns";
}

}  // namespace
}  // namespace trailwatch::store
