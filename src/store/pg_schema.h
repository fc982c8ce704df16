// The schema of the shared PostgreSQL store (issue 14): every table the replicas share — the
// outbox queue with its idempotency keys and delivery claims, Slack thread roots, threshold
// counters, source checkpoints and leases — as ordered, versioned migrations, applied at start
// under an advisory lock so that replicas starting at once migrate once.
//
// It mirrors store/schema.h (the SQLite file's schema) table for table, with what several
// processes on one database need on top:
//  * outbox_entries.claim_owner / claim_generation: which replica claimed an in-flight entry,
//    under which generation of its channel's lease (fencing: see pg_outbox_queue.h);
//  * leases: named leases (a channel, a polled source) with owner, generation and expiry.
// Version numbers are PostgreSQL's own list (version 1 is this whole baseline).
//
// Thread-safety: MigratePostgres uses the connection it is given; any number of processes may
// call it at once (pg_advisory_xact_lock serialises them; the loser finds the work done).
#pragma once

#include <cstdint>
#include <vector>

#include "common/result.h"
#include "store/pg_connection.h"
#include "store/schema.h"

namespace trailwatch::store {

// Every PostgreSQL migration, ordered by version (1, 2, ...; no gaps).
const std::vector<Migration>& PostgresMigrations();
// Brings the database to the newest version in one transaction (see above). Errors: a database
// newer than this binary, SQL errors (with the migration's summary).
Status MigratePostgres(PgConnection& conn);
// The version recorded (0 for a database trailwatch never used).
Result<int64_t> PostgresSchemaVersion(PgConnection& conn);

}  // namespace trailwatch::store
