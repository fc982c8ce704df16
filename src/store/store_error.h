// The error texts of the store's tables: "<store>: <what failed>: <the database's message>", one
// shape per store whatever the backend.
//
// Each store has a SQLite and a PostgreSQL implementation (checkpoint_store.h, outbox_queue.h,
// thread_roots.h, threshold_counts.h); both build their errors here, so callers (outbox::Outbox,
// the rule engine's threshold store, the sources' checkpoints) and their tests see the same text
// from either backend. Internal to src/store/.
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "common/result.h"

namespace trailwatch::store {

// Source checkpoints (sqlite_checkpoints, pg_checkpoints).
inline Error CheckpointStoreError(const std::string& what, const std::string& message) {
  return Error{"checkpoint store: " + what + ": " + message};
}

// The outbox queue and the Slack thread roots (sqlite_/pg_outbox_queue, sqlite_/pg_thread_roots):
// both are the outbox to their caller.
inline Error OutboxStoreError(const std::string& what, const std::string& message) {
  return Error{"outbox: " + what + ": " + message};
}

// Threshold counts (sqlite_threshold_counts, pg_threshold_counts).
inline Error ThresholdStoreError(const std::string& what, const std::string& message) {
  return Error{"threshold store: " + what + ": " + message};
}

}  // namespace trailwatch::store
