// MigrateSqliteToPostgres: copies a SQLite store file into a PostgreSQL store (issue 14), so that
// a user moves from one box to N replicas without alerting again or skipping: the state that
// decides "already alerted" and "already read" moves with them.
//
// What is copied, and why:
//  * outbox_entries — every entry, in id order. Delivered ones too (unless skip_delivered): their
//    idempotency keys are what stops an event that arrives again (an S3 file read again from an
//    older checkpoint, an SQS redelivery) from alerting a second time. Entries in flight are
//    copied as pending: nobody is sending them now (the SQLite store's trailwatch is stopped), so
//    a replica sends them again, exactly as RecoverInFlight would have done on the old box. Dead
//    entries stay dead (`outbox retry` still works on them). PostgreSQL assigns new ids; they
//    keep the file's order, so each channel is still delivered in enqueue order.
//  * source_checkpoints, threshold_events, threshold_groups, slack_thread_roots — every row.
// A row whose key is already in PostgreSQL (idempotency key, (source, key), ...) is left as
// PostgreSQL has it and counted as already there; that is what makes running the migration again
// (after an interruption, or by mistake) copy nothing twice. For a checkpoint, PostgreSQL's value
// wins even when it differs from the file's (counted in checkpoints_differing): a differing row can
// only have been written by replicas already running on PostgreSQL, and moving their position
// back or forward under them would make them re-read or skip; the report says how many so that the
// user can look.
//
// Refusals (nothing is written, beyond the schema that MigratePostgres creates):
//  * the file is missing (the OS's reason), is not a SQLite file, has none of trailwatch's
//    tables, or was written by a newer trailwatch (schema version newer than this one knows);
//  * PostgreSQL cannot be reached, or its schema is newer than this trailwatch knows;
//  * the PostgreSQL outbox holds entries that did not come from this file (merge not set): the
//    normal target is a new, empty database, and a store that already has its own entries is in
//    use — by running replicas, or by another deployment given by mistake. An earlier migration of
//    this same file is not "in use" (every entry it wrote has its key in the file). With merge,
//    the copied entries are appended after the ones already there.
//
// Consistency: the file is read in one SQLite read transaction (one snapshot) through a
// connection that cannot write (PRAGMA query_only). Everything is written in ONE PostgreSQL
// transaction: a failure anywhere leaves PostgreSQL as it was. The rows are first loaded into
// temporary tables, then moved with set-based INSERT ... SELECT ... ON CONFLICT DO NOTHING, which
// is how "already there" and "not from this file" are counted without a round trip per row.
// outbox_entries is locked (SHARE ROW EXCLUSIVE) for the transaction: a replica's enqueue or claim
// waits rather than interleaving ids with the copy (merge into a live store), and two migrations
// run one after the other.
//
// Not checked here: whether a trailwatch is running on the file. That is the outbox's delivery
// lock (outbox/delivery_lock.h), which store/ must not depend on; the `store migrate` command
// holds it around this call.
//
// Thread-safety: a free function; it opens its own SQLite and PostgreSQL connections.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"

namespace trailwatch::store {

struct MigrationOptions {
  // Leave delivered outbox entries out. Smaller and faster, but an event they alerted for that
  // arrives again alerts again (their idempotency keys stay behind).
  bool skip_delivered = false;
  // Copy even though the PostgreSQL outbox holds entries that did not come from this file.
  bool merge = false;
};

// Rows of one table.
struct TableMigration {
  int64_t read = 0;             // rows in the SQLite file
  int64_t copied = 0;           // inserted into PostgreSQL
  int64_t already_present = 0;  // their key was already in PostgreSQL: left as they were there
};

struct MigrationReport {
  std::string from;  // the SQLite file, as given
  std::string to;    // the PostgreSQL store without its password (RedactDsn)
  TableMigration outbox_entries;
  TableMigration source_checkpoints;
  TableMigration threshold_events;
  TableMigration threshold_groups;
  TableMigration slack_thread_roots;
  // Of outbox_entries.copied: entries that were in flight in the file, now pending.
  int64_t in_flight_made_pending = 0;
  // Delivered entries not copied because of skip_delivered (not counted in copied or
  // already_present).
  int64_t delivered_left_out = 0;
  // Of source_checkpoints.already_present: PostgreSQL had another value, which was kept.
  int64_t checkpoints_differing = 0;
  // Outbox entries PostgreSQL held that are not from this file (non-zero only with merge).
  int64_t other_outbox_entries = 0;
};

// Copies the store file at `sqlite_path` into the PostgreSQL store at `dsn` (a postgresql:// URI;
// a password in it never appears in errors or the report), migrating the PostgreSQL schema first
// (pg_schema.h). Errors name the file or the redacted DSN.
Result<MigrationReport> MigrateSqliteToPostgres(const std::string& sqlite_path,
                                                const std::string& dsn,
                                                const MigrationOptions& options);

}  // namespace trailwatch::store
