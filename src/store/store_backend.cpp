// The SQLite and PostgreSQL store backends (store_backend.h).
#include "store/store_backend.h"

#include <unistd.h>

#include <climits>
#include <mutex>
#include <random>

#include "common/store_address.h"
#include "store/pg_alert_history.h"
#include "store/pg_checkpoints.h"
#include "store/pg_connection.h"
#include "store/pg_leases.h"
#include "store/pg_outbox_queue.h"
#include "store/pg_schema.h"
#include "store/pg_thread_roots.h"
#include "store/pg_threshold_counts.h"
#include "store/sqlite_alert_history.h"
#include "store/sqlite_checkpoints.h"
#include "store/sqlite_connection.h"
#include "store/sqlite_outbox_queue.h"
#include "store/sqlite_thread_roots.h"
#include "store/sqlite_threshold_counts.h"

namespace trailwatch::store {

namespace {

class SqliteBackend final : public StoreBackend {
 public:
  SqliteBackend(std::string path, StoreOptions options)
      : path_(std::move(path)), options_(std::move(options)) {}

  bool shared() const override { return false; }
  const std::string& shown() const override { return path_; }
  const StoreOptions& options() const override { return options_; }

  Result<std::unique_ptr<OutboxQueue>> OpenQueue() override {
    auto connection = OutboxConnection();
    if (!connection.ok()) return connection.error();
    return std::unique_ptr<OutboxQueue>(std::make_unique<SqliteOutboxQueue>(*connection));
  }
  Result<std::unique_ptr<ThreadRootStore>> OpenThreadRoots() override {
    auto connection = OutboxConnection();
    if (!connection.ok()) return connection.error();
    return std::unique_ptr<ThreadRootStore>(std::make_unique<SqliteThreadRoots>(*connection));
  }
  Result<std::unique_ptr<ThresholdCounts>> OpenThresholdCounts() override {
    auto counts = SqliteThresholdCounts::Open(path_);
    if (!counts.ok()) return counts.error();
    return std::unique_ptr<ThresholdCounts>(std::move(counts.value()));
  }
  Result<std::unique_ptr<CheckpointStore>> OpenCheckpoints() override {
    auto checkpoints = SqliteCheckpoints::Open(path_);
    if (!checkpoints.ok()) return checkpoints.error();
    return std::unique_ptr<CheckpointStore>(std::move(checkpoints.value()));
  }
  Result<std::unique_ptr<AlertHistory>> OpenAlertHistory() override {
    auto writer = OutboxConnection();
    if (!writer.ok()) return writer.error();
    auto reader = SqliteConnection::Open(path_);
    if (!reader.ok()) return reader.error();
    return std::unique_ptr<AlertHistory>(
        std::make_unique<SqliteAlertHistory>(*writer, std::move(reader.value())));
  }
  LeaseStore* leases() override { return nullptr; }
  Status Ping() override { return Status::Ok(); }

 private:
  // The outbox queue and the thread roots share one connection, as outbox::Outbox::Open always
  // did (one mutex serialises the writes of delivery and of the Slack target).
  Result<std::shared_ptr<SqliteConnection>> OutboxConnection() {
    std::lock_guard lock(mutex_);
    if (!outbox_connection_) {
      auto opened = SqliteConnection::Open(path_);
      if (!opened.ok()) return opened.error();
      outbox_connection_ = std::move(opened.value());
    }
    return outbox_connection_;
  }

  const std::string path_;
  const StoreOptions options_;
  std::mutex mutex_;
  std::shared_ptr<SqliteConnection> outbox_connection_;
};

class PostgresBackend final : public StoreBackend {
 public:
  PostgresBackend(const std::string& dsn, StoreOptions options)
      : options_(std::move(options)),
        pool_(std::make_shared<PgPool>(dsn, options_.pool_size,
                                       [](PgConnection& conn) { return MigratePostgres(conn); })),
        leases_(pool_) {}

  bool shared() const override { return true; }
  const std::string& shown() const override { return pool_->shown(); }
  const StoreOptions& options() const override { return options_; }

  Result<std::unique_ptr<OutboxQueue>> OpenQueue() override {
    return std::unique_ptr<OutboxQueue>(
        std::make_unique<PgOutboxQueue>(pool_, options_.owner, options_.lease_ms));
  }
  Result<std::unique_ptr<ThreadRootStore>> OpenThreadRoots() override {
    return std::unique_ptr<ThreadRootStore>(std::make_unique<PgThreadRoots>(pool_));
  }
  Result<std::unique_ptr<ThresholdCounts>> OpenThresholdCounts() override {
    return std::unique_ptr<ThresholdCounts>(std::make_unique<PgThresholdCounts>(pool_));
  }
  Result<std::unique_ptr<CheckpointStore>> OpenCheckpoints() override {
    return std::unique_ptr<CheckpointStore>(std::make_unique<PgCheckpoints>(pool_));
  }
  Result<std::unique_ptr<AlertHistory>> OpenAlertHistory() override {
    return std::unique_ptr<AlertHistory>(std::make_unique<PgAlertHistory>(pool_));
  }
  LeaseStore* leases() override { return &leases_; }
  Status Ping() override { return pool_->Ping(); }

 private:
  const StoreOptions options_;
  std::shared_ptr<PgPool> pool_;
  PgLeases leases_;
};

}  // namespace

std::string MakeOwnerId() {
  char host[HOST_NAME_MAX + 1] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  std::random_device random;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string suffix;
  for (int i = 0; i < 8; ++i) suffix.push_back(kHex[random() % 16]);
  std::string owner = host[0] ? host : "host";
  owner.append("/").append(std::to_string(getpid())).append("/").append(suffix);
  return owner;
}

std::string ShownStore(const std::string& store) {
  return IsPostgresUri(store) ? RedactDsn(store) : store;
}

Result<std::unique_ptr<StoreBackend>> StoreBackend::Open(const std::string& store,
                                                         StoreOptions options) {
  if (options.owner.empty()) options.owner = MakeOwnerId();
  if (IsPostgresUri(store)) {
    if (options.lease_ms < 3000) {
      return Error{"store: lease must be at least 3s (it was " +
                   std::to_string(options.lease_ms) + " ms)"};
    }
    return std::unique_ptr<StoreBackend>(std::make_unique<PostgresBackend>(store, options));
  }
  if (store.empty()) return Error{"store: empty (a SQLite file path or a postgresql:// URI)"};
  return std::unique_ptr<StoreBackend>(std::make_unique<SqliteBackend>(store, options));
}

}  // namespace trailwatch::store
