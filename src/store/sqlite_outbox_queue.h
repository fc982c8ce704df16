// SqliteOutboxQueue: the SQLite implementation of OutboxQueue (outbox_queue.h) over the
// outbox_entries table (created by store/schema.cpp, the schema's one owner). The queue SQL that
// was in outbox/outbox.cpp lives here, so that a PostgreSQL backend is a second implementation
// of the interface, not an edit of this one.
//
// Durability: Enqueue, MarkDelivered and MarkDead commit with synchronous=FULL (a lost enqueue is
// a lost alert; a lost "delivered" or "dead" mark would send the alert again after a power loss).
// Claims, retry times and recovery use NORMAL, still safe against process crashes in WAL mode:
// losing one only leaves an entry pending, which the next claim or recovery handles.
//
// Thread-safety: all methods may be called from many threads (the shared connection's mutex:
// sqlite_connection.h). Several processes may open the same file.
#pragma once

#include <memory>

#include "store/outbox_queue.h"
#include "store/sqlite_connection.h"

namespace trailwatch::store {

class SqliteOutboxQueue final : public OutboxQueue {
 public:
  explicit SqliteOutboxQueue(std::shared_ptr<SqliteConnection> connection)
      : connection_(std::move(connection)) {}

  Result<QueueEnqueueResult> Enqueue(const std::vector<NewQueueRow>& rows, int64_t now_ms) override;
  Result<int64_t> RecoverInFlight() override;
  Result<std::vector<QueueClaim>> ClaimHeads(const std::vector<QueueClaimRequest>& requests,
                                             int64_t now_ms, size_t max_expired) override;
  Status MarkDelivered(const std::vector<DeliveredMark>& marks) override;
  Status MarkRetry(int64_t id, int64_t next_attempt_at, const std::string& error,
                   int response_status) override;
  Status MarkDead(int64_t id, const std::string& error, int response_status) override;
  Result<std::vector<QueueRow>> List(std::optional<QueueState> state, int64_t limit) override;
  Result<std::optional<QueueRow>> Get(int64_t id) override;
  Result<std::vector<QueueRow>> ListAfter(QueueState state, int64_t after_id,
                                          int64_t limit) override;
  Result<int64_t> PurgeDead(const std::vector<int64_t>& ids) override;
  Result<int64_t> Retry(int64_t id, int64_t now_ms) override;
  Result<int64_t> RetryAllDead(int64_t now_ms) override;
  Result<int64_t> RetryDeadOf(const std::set<std::string>& targets, int64_t now_ms) override;
  Result<int64_t> Purge(QueueState state) override;
  Result<QueueStats> Stats() override;
  Result<int64_t> CountUndelivered(const std::vector<std::string>& channel_keys) override;
  Result<std::vector<QueueChannel>> UndeliveredChannels() override;
  Result<std::map<std::string, int64_t>> UndeliveredByTarget() override;
  Result<std::map<std::string, int64_t>> CountByTarget(QueueState state) override;
  Result<int64_t> DeadLetterTarget(const std::string& target, const std::string& error) override;

 private:
  // Call with the connection's lock held.
  Result<std::vector<QueueRow>> QueryLocked(const std::string& sql,
                                            const std::vector<int64_t>& ints);
  Result<std::map<std::string, int64_t>> CountsLocked(const char* sql, std::optional<int64_t> state,
                                                      const char* what);

  std::shared_ptr<SqliteConnection> connection_;
};

}  // namespace trailwatch::store
