// The schema of the store file: every CREATE TABLE / CREATE INDEX of the SQLite store (outbox
// queue, Slack thread roots, threshold counters, source checkpoints) in one ordered list of
// versioned migrations, and the one function that applies them (issue 11).
//
// Why one owner: the outbox, the threshold store and the checkpoint store each open their own
// connection to the same file, in whatever order the process starts them (the CLI opens only
// some). Before, each created its own tables and only the outbox kept a schema_version; a column
// added by one of them had no version to hang on. Now every component opens the file through
// OpenSqliteStore, which brings the whole file to the latest version before anyone uses it. A
// PostgreSQL backend (see outbox_queue.h, threshold_counts.h, checkpoints.h) will keep its own list
// beside this one, with the same version numbers, so that both backends move in step.
//
// Versions: schema_version holds one row, the version of the newest migration applied.
//  * Version 1 is the baseline: the tables exactly as trailwatch created them before this file
//    existed. Those stores say version 1 (or have no schema_version at all when only the
//    checkpoint or threshold store had opened them) yet may lack some tables, since each
//    component created only its own; so the baseline's statements are all IF NOT EXISTS and run
//    whenever a store is at version 0 or 1. Because the baseline is the old schema unchanged,
//    an older trailwatch still opens a store migrated by this one.
//  * Migrations 2 and later run exactly once each, in order, and must be written for the
//    version before them (ALTER TABLE ..., new tables).
//  * A store at a version newer than this binary knows is refused, not misread.
// All of it runs in one BEGIN IMMEDIATE transaction: two processes opening a fresh file at once
// migrate it once, and a crash mid-migration leaves the previous version intact.
//
// Thread-safety: MigrateSqlite uses the connection it is given (one thread at a time, like every
// sqlite::Database); several connections and processes may migrate the same file concurrently
// (SQLite's write lock serialises them). OpenSqliteStore is a free function.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "store/sqlite.h"

namespace trailwatch::store {

struct Migration {
  int64_t version = 0;
  const char* summary = "";  // one line, for the changelog and error messages
  const char* sql = "";      // one or more statements
};

// Every migration, ordered by version (1, 2, ...; no gaps).
const std::vector<Migration>& SqliteMigrations();
// The version a store has once every migration ran.
int64_t LatestSchemaVersion();

// Brings the store behind `db` to LatestSchemaVersion() in one IMMEDIATE transaction (see above).
// Errors: a store newer than this binary ("store schema version N is newer than ..."), SQL errors.
Status MigrateSqlite(sqlite::Database& db);

// The version recorded in the store (0 when it has no schema_version row).
Result<int64_t> SqliteSchemaVersion(sqlite::Database& db);

// Opens (creating if needed) the store file at `path` the way every component uses it: a 10 s
// busy timeout (other connections and processes hold the write lock briefly), WAL (readers never
// block the writer), synchronous=NORMAL (components that need FULL for some commits switch it
// themselves), then MigrateSqlite. Errors name the path.
Result<std::unique_ptr<sqlite::Database>> OpenSqliteStore(const std::string& path);

}  // namespace trailwatch::store
