// The store's one schema owner (store/schema.h): a fresh file gets every table at the latest
// version; files written before schema.h existed (each component creating its own tables, only
// the outbox recording a version) migrate in place and keep their rows; a newer store is refused;
// concurrent opens migrate once.
#include "store/schema.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <thread>
#include <vector>

#include "cli/cli_test_util.h"
#include "outbox/outbox.h"
#include "rules/threshold_store.h"
#include "store/checkpoint_store.h"
#include "targets/sample_alert.h"

namespace trailwatch::store {
namespace {

using trailwatch::testing::TempDir;

// The statements the components ran before schema.h, copied verbatim from outbox/outbox.cpp,
// rules/threshold_store.cpp and store/checkpoint_store.cpp as they were (issue 11).
constexpr const char* kOldOutboxSchema = R"sql(
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
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
)sql";
constexpr const char* kOldOutboxVersion = "INSERT INTO schema_version (version) VALUES (1)";

constexpr const char* kOldThresholdSchema = R"sql(
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
)sql";

constexpr const char* kOldCheckpointSchema =
    "CREATE TABLE IF NOT EXISTS source_checkpoints ("
    "  source TEXT NOT NULL,"
    "  key TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  PRIMARY KEY (source, key)"
    ") WITHOUT ROWID";

// Raw sqlite3, as the old code or an operator's sqlite3 shell would.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
  }
  ~RawDb() { sqlite3_close(db_); }
  void Exec(const std::string& sql) {
    char* error = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "") << " in " << sql;
    sqlite3_free(error);
  }
  void ExecBound(const std::string& sql, const std::string& text) {
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK);
    sqlite3_bind_text(stmt, 1, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(stmt), SQLITE_DONE);
    sqlite3_finalize(stmt);
  }
  std::string Scalar(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      return std::string("error: ") + sqlite3_errmsg(db_);
    }
    std::string value;
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0)) {
      value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return value;
  }

 private:
  sqlite3* db_ = nullptr;
};

constexpr const char* kTables[] = {"schema_version",   "outbox_entries",   "slack_thread_roots",
                                   "threshold_events", "threshold_groups", "source_checkpoints"};

void ExpectEveryTable(RawDb& db) {
  for (const char* table : kTables) {
    EXPECT_EQ(db.Scalar(std::string("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' "
                                    "AND name = '") +
                        table + "'"),
              "1")
        << table;
  }
}

constexpr int64_t kSampleEventTime = 1668097474;  // the sample alert's event time

rules::RuleSpec ThresholdRule() {
  rules::RuleSpec rule;
  rule.name = "failures";
  rules::ThresholdSpec threshold;
  threshold.count = 2;
  threshold.window = std::chrono::seconds(600);
  rule.threshold = threshold;
  return rule;
}

// Rows as the old code wrote them: one outbox entry (pending), one thread root, one counted
// threshold event, one checkpoint.
void WriteOldRows(RawDb& db, bool outbox, bool thresholds, bool checkpoints) {
  if (outbox) {
    Result<route::Alert> alert = targets::SampleRootSignInAlert("evt-old", "root-signin");
    ASSERT_TRUE(alert.ok()) << alert.message();
    db.ExecBound(
        "INSERT INTO outbox_entries (target, idempotency_key, channel_key, alert, state, "
        "next_attempt_at, created_at, queued_at) VALUES ('slack', "
        "'[\"slack\",\"root-signin\",\"evt-old\"]', 'slack', ?, 0, 1000, 1000, 1000)",
        outbox::SerializeAlert(*alert));
    db.Exec(
        "INSERT INTO slack_thread_roots VALUES ('bot', 'group', '1700000000.000100', 'C1', "
        "'{}', 42, 3)");
  }
  if (thresholds) {
    db.Exec(
        "INSERT INTO threshold_events (rule, event_id, grp, event_time) VALUES "
        "('failures', 'old-event', '[]', " +
        std::to_string(kSampleEventTime) + ")");
  }
  if (checkpoints) {
    db.Exec("INSERT INTO source_checkpoints VALUES ('s3://bucket/', 'us-east-1', 'key-9', 5)");
  }
}

// Every component opens the migrated file and finds the old rows.
void ExpectOldRows(const std::string& path, bool outbox_rows, bool threshold_rows,
                   bool checkpoint_rows) {
  auto outbox = outbox::Outbox::Open(path);
  ASSERT_TRUE(outbox.ok()) << outbox.message();
  auto entries = (*outbox)->List(std::nullopt);
  ASSERT_TRUE(entries.ok()) << entries.message();
  if (outbox_rows) {
    ASSERT_EQ(entries->size(), 1u);
    EXPECT_EQ(entries->front().alert.rule, "root-signin");
    EXPECT_EQ(entries->front().alert.envelope.DedupKey(), "evt-old");
    EXPECT_EQ(entries->front().state, outbox::EntryState::kPending);
    // Still deduplicated against: the same alert again is not a second entry.
    auto again = (*outbox)->Enqueue({{"slack", "slack", entries->front().alert}}, 2000);
    ASSERT_TRUE(again.ok()) << again.message();
    EXPECT_EQ(again->duplicates, 1u);
    auto root = (*outbox)->FindThreadRoot("bot", "group");
    ASSERT_TRUE(root.ok() && root->has_value()) << root.message();
    EXPECT_EQ((*root)->count, 3);
    EXPECT_EQ((*root)->ts, "1700000000.000100");
  } else {
    EXPECT_TRUE(entries->empty());
  }

  auto thresholds = rules::ThresholdStore::Open(path);
  ASSERT_TRUE(thresholds.ok()) << thresholds.message();
  auto rows = (*thresholds)->EventRows();
  ASSERT_TRUE(rows.ok()) << rows.message();
  EXPECT_EQ(*rows, threshold_rows ? 1 : 0);
  if (threshold_rows) {
    // The old row counts: the old event again is a duplicate, and one more event in the window
    // fires the count-2 threshold.
    rules::ThresholdEvent old{"old-event", kSampleEventTime, "[]"};
    auto repeat = (*thresholds)->Record("failures", *ThresholdRule().threshold, old);
    ASSERT_TRUE(repeat.ok()) << repeat.message();
    EXPECT_TRUE(repeat->duplicate);
    rules::ThresholdEvent event{"new-event", kSampleEventTime + 1, "[]"};
    auto decision = (*thresholds)->Record("failures", *ThresholdRule().threshold, event);
    ASSERT_TRUE(decision.ok()) << decision.message();
    EXPECT_TRUE(decision->fire);
    EXPECT_EQ(decision->count, 2);
  }

  auto checkpoints = CheckpointStore::Open(path);
  ASSERT_TRUE(checkpoints.ok()) << checkpoints.message();
  auto value = (*checkpoints)->Get("s3://bucket/", "us-east-1");
  ASSERT_TRUE(value.ok()) << value.message();
  if (checkpoint_rows) {
    ASSERT_TRUE(value->has_value());
    EXPECT_EQ(**value, "key-9");
  } else {
    EXPECT_FALSE(value->has_value());
  }
}

TEST(StoreSchemaTest, MigrationsAreOrderedWithoutGaps) {
  const std::vector<Migration>& migrations = SqliteMigrations();
  ASSERT_FALSE(migrations.empty());
  for (size_t i = 0; i < migrations.size(); ++i) {
    EXPECT_EQ(migrations[i].version, static_cast<int64_t>(i + 1));
    EXPECT_NE(std::string(migrations[i].summary), "");
  }
  EXPECT_EQ(LatestSchemaVersion(), migrations.back().version);
}

TEST(StoreSchemaTest, AFreshStoreGetsEveryTableAtTheLatestVersion) {
  TempDir dir;
  const std::string path = dir.path() + "/tw.db";
  {
    auto db = OpenSqliteStore(path);
    ASSERT_TRUE(db.ok()) << db.message();
    auto version = SqliteSchemaVersion(**db);
    ASSERT_TRUE(version.ok()) << version.message();
    EXPECT_EQ(*version, LatestSchemaVersion());
  }
  {
    auto again = OpenSqliteStore(path);  // idempotent
    ASSERT_TRUE(again.ok()) << again.message();
  }
  RawDb raw(path);
  ExpectEveryTable(raw);
  EXPECT_EQ(raw.Scalar("SELECT COUNT(*) FROM schema_version"), "1");
  EXPECT_EQ(raw.Scalar("SELECT version FROM schema_version"),
            std::to_string(LatestSchemaVersion()));
  EXPECT_EQ(raw.Scalar("PRAGMA journal_mode"), "wal");
}

TEST(StoreSchemaTest, AStoreWrittenByTheOldCodeMigratesAndKeepsItsRows) {
  TempDir dir;
  const std::string path = dir.path() + "/tw.db";
  {
    RawDb old(path);
    old.Exec(kOldOutboxSchema);
    old.Exec(kOldOutboxVersion);
    old.Exec(kOldThresholdSchema);
    old.Exec(kOldCheckpointSchema);
    WriteOldRows(old, true, true, true);
  }
  // The checkpoint store is the first to open it (a `trailwatch run` whose source starts first).
  {
    auto checkpoints = CheckpointStore::Open(path);
    ASSERT_TRUE(checkpoints.ok()) << checkpoints.message();
  }
  ExpectOldRows(path, true, true, true);
  RawDb raw(path);
  ExpectEveryTable(raw);
  EXPECT_EQ(raw.Scalar("SELECT COUNT(*) FROM schema_version"), "1");
  EXPECT_EQ(raw.Scalar("SELECT version FROM schema_version"),
            std::to_string(LatestSchemaVersion()));
}

TEST(StoreSchemaTest, AnOldOutboxOnlyStoreGetsTheOtherTables) {
  // Written by `trailwatch deliver` or `send-test` alone: version 1, outbox tables only.
  TempDir dir;
  const std::string path = dir.path() + "/tw.db";
  {
    RawDb old(path);
    old.Exec(kOldOutboxSchema);
    old.Exec(kOldOutboxVersion);
    WriteOldRows(old, true, false, false);
  }
  {
    // The threshold store opens first: before schema.h it would have created only its tables.
    auto thresholds = rules::ThresholdStore::Open(path);
    ASSERT_TRUE(thresholds.ok()) << thresholds.message();
  }
  RawDb raw(path);
  ExpectEveryTable(raw);
  ExpectOldRows(path, true, false, false);
}

TEST(StoreSchemaTest, AnOldStoreWithoutAVersionGetsOne) {
  // Written by the checkpoint store and the threshold store only (no outbox, no schema_version).
  TempDir dir;
  const std::string path = dir.path() + "/tw.db";
  {
    RawDb old(path);
    old.Exec(kOldThresholdSchema);
    old.Exec(kOldCheckpointSchema);
    WriteOldRows(old, false, true, true);
  }
  ExpectOldRows(path, false, true, true);
  RawDb raw(path);
  ExpectEveryTable(raw);
  EXPECT_EQ(raw.Scalar("SELECT COUNT(*) FROM schema_version"), "1");
  EXPECT_EQ(raw.Scalar("SELECT version FROM schema_version"),
            std::to_string(LatestSchemaVersion()));
}

TEST(StoreSchemaTest, AStoreFromANewerTrailwatchIsRefusedByEveryComponent) {
  TempDir dir;
  const std::string path = dir.path() + "/tw.db";
  { ASSERT_TRUE(OpenSqliteStore(path).ok()); }
  {
    RawDb raw(path);
    raw.Exec("UPDATE schema_version SET version = " + std::to_string(LatestSchemaVersion() + 1));
  }
  const std::string expected = "schema version " + std::to_string(LatestSchemaVersion() + 1);
  auto checkpoints = CheckpointStore::Open(path);
  ASSERT_FALSE(checkpoints.ok());
  EXPECT_NE(checkpoints.message().find(expected), std::string::npos) << checkpoints.message();
  EXPECT_NE(checkpoints.message().find(path), std::string::npos) << checkpoints.message();
  auto thresholds = rules::ThresholdStore::Open(path);
  ASSERT_FALSE(thresholds.ok());
  EXPECT_NE(thresholds.message().find(expected), std::string::npos) << thresholds.message();
  auto outbox = outbox::Outbox::Open(path);
  ASSERT_FALSE(outbox.ok());
  EXPECT_NE(outbox.message().find(expected), std::string::npos) << outbox.message();
}

TEST(StoreSchemaTest, ConcurrentOpensOfAFreshStoreMigrateItOnce) {
  TempDir dir;
  const std::string path = dir.path() + "/tw.db";
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&, i] {
      Status status = Status::Ok();
      if (i % 3 == 0) {
        auto opened = outbox::Outbox::Open(path);
        if (!opened.ok()) status = opened.error();
      } else if (i % 3 == 1) {
        auto opened = rules::ThresholdStore::Open(path);
        if (!opened.ok()) status = opened.error();
      } else {
        auto opened = CheckpointStore::Open(path);
        if (!opened.ok()) status = opened.error();
      }
      if (!status.ok()) {
        ADD_FAILURE() << status.message();
        ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  RawDb raw(path);
  ExpectEveryTable(raw);
  EXPECT_EQ(raw.Scalar("SELECT COUNT(*) FROM schema_version"), "1");
}

}  // namespace
}  // namespace trailwatch::store
