// StoreBackend: where trailwatch keeps its state — the outbox queue, Slack thread roots, threshold
// counters, source checkpoints, the alert history and (shared stores only) leases — chosen by the
// `store` setting:
//   store: ./trailwatch.db                                 SQLite, embedded, one process (default)
//   store: postgresql://trailwatch@db:5432/trailwatch      PostgreSQL, shared by N replicas
//   store: {dsn: "${env:TRAILWATCH_DSN}", lease: 15s}      the same, DSN from the environment
// (issue 14; docs/high-availability.md). Every component opens its tables through the backend, so
// the service, the sources and the CLI never name an implementation.
//
// SQLite: each Open* opens its own connection to the file (store/schema.h migrates it on open).
// PostgreSQL: every Open* shares one connection pool (store/pg_connection.h), which migrates the
// database (store/pg_schema.h) on its first connection. Opening never needs the server up: a
// PostgreSQL that is down makes the operations fail (and be retried by their callers) until it is
// back — a replica starts, reports "not ready", and catches up.
//
// Thread-safety: the backend and what it opens may be used from many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/result.h"
#include "store/alert_history.h"
#include "store/checkpoint_store.h"
#include "store/lease_store.h"
#include "store/outbox_queue.h"
#include "store/thread_roots.h"
#include "store/threshold_counts.h"

namespace trailwatch::store {

struct StoreOptions {
  // Leases of a shared store (channels, polled sources): how long one lasts without renewal, so
  // how long a killed replica's work waits before another takes it over.
  int64_t lease_ms = 15000;
  // This process's owner id in leases and claims (MakeOwnerId()); never reused.
  std::string owner;
  // PostgreSQL connections of this process.
  size_t pool_size = 8;
};

// "<hostname>/<pid>/<random hex>": unique per process start, readable in `store leases`.
std::string MakeOwnerId();
// The store setting as it may be shown: a path as is, a DSN without its password.
std::string ShownStore(const std::string& store);

class StoreBackend {
 public:
  // `store`: a SQLite file path, or a postgresql:// (postgres://) URI. Errors name the store
  // (shown without a password).
  static Result<std::unique_ptr<StoreBackend>> Open(const std::string& store,
                                                    StoreOptions options = {});
  virtual ~StoreBackend() = default;

  // True for PostgreSQL: several replicas may share it.
  virtual bool shared() const = 0;
  // ShownStore of the setting.
  virtual const std::string& shown() const = 0;
  virtual const StoreOptions& options() const = 0;

  virtual Result<std::unique_ptr<OutboxQueue>> OpenQueue() = 0;
  virtual Result<std::unique_ptr<ThreadRootStore>> OpenThreadRoots() = 0;
  virtual Result<std::unique_ptr<ThresholdCounts>> OpenThresholdCounts() = 0;
  virtual Result<std::unique_ptr<CheckpointStore>> OpenCheckpoints() = 0;
  // The web console's alert list (store/alert_history.h). SQLite: writes share the outbox's
  // connection, reads have a connection of their own (sqlite_alert_history.h).
  virtual Result<std::unique_ptr<AlertHistory>> OpenAlertHistory() = 0;
  // Null for SQLite (one process owns everything).
  virtual LeaseStore* leases() = 0;
  // Whether the store answers now (readiness): a SQLite file always does.
  virtual Status Ping() = 0;
};

}  // namespace trailwatch::store
