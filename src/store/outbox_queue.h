// OutboxQueue: the storage of the outbox (outbox/outbox.h), as plain store-level rows — target,
// channel, idempotency key, the alert as opaque JSON text, state, attempts, times — so that
// store/ needs nothing from outbox/ or route/ (layering), and a PostgreSQL backend can implement
// the same interface (issue 11). The SQLite implementation is sqlite_outbox_queue.h; the table
// (outbox_entries) is created by store/schema.cpp, the schema's one owner.
//
// What every implementation must keep (outbox.h explains why):
//  * idempotency_key is unique: Enqueue of an existing key stores nothing and reports 0.
//  * ids grow with enqueue order and are never reused (per-channel delivery order is id order).
//  * A channel's head is its lowest-id row that is pending or in flight; ClaimHeads claims only
//    heads, all requests in ONE transaction, and a claimed row is in flight with attempts + 1.
//  * Enqueue, MarkDelivered and MarkDead are durable when they return (fsync); claims, retries
//    and recovery may be lost to a power cut (they only leave a row pending).
//  * Stored free text (errors, far-side answers) is clipped to kMaxStoredText (ClipStoredText).
// Times are Unix milliseconds.
//
// Thread-safety: implementations may be called from many threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"

namespace trailwatch::store {

// The stored values of the state column (do not renumber: stores in the field hold them).
enum class QueueState { kPending = 0, kInFlight = 1, kDelivered = 2, kDead = 3 };

struct QueueRow {
  int64_t id = 0;
  std::string target;
  std::string idempotency_key;
  std::string channel_key;
  std::string payload;  // the alert, as the outbox serialised it (JSON text)
  QueueState state = QueueState::kPending;
  int attempts = 0;
  int64_t next_attempt_at = 0;
  int64_t created_at = 0;
  int64_t queued_at = 0;
  std::string last_error;
  int response_status = 0;
  std::string response;
  std::string thread_ts;
  // PostgreSQL (pg_outbox_queue.h): the generation of the channel lease this row was claimed
  // under, while it is in flight (fencing). 0 in SQLite.
  int64_t claim_generation = 0;
};

struct NewQueueRow {
  std::string target;
  std::string idempotency_key;
  std::string channel_key;
  std::string payload;
};

struct QueueEnqueueResult {
  std::vector<int64_t> ids;  // per input: the new row id, or 0 for a duplicate
  size_t inserted = 0;
  size_t duplicates = 0;
};

// Rows of one target pending or in flight (the per-target queue-depth metrics).
struct QueueTargetBacklog {
  int64_t undelivered = 0;
  int64_t oldest_created_at = 0;  // ms
};

struct QueueStats {
  int64_t pending = 0;
  int64_t in_flight = 0;
  int64_t delivered = 0;
  int64_t dead = 0;
  int64_t oldest_pending_created_at = 0;  // ms, 0 when nothing is pending or in flight
  std::map<std::string, QueueTargetBacklog> by_target;  // targets with rows pending or in flight
};

struct QueueClaimRequest {
  std::string channel_key;
  int64_t max_age_ms = 0;  // <= 0: no age limit
};

// What ClaimHeads found at the head of one channel.
struct QueueClaim {
  std::optional<QueueRow> row;  // claimed: now in flight, attempts counted
  int64_t next_due = 0;         // the head is pending but not due until then, else 0
  // Heads whose age (now - queued_at) reached max_age, made dead without a send (last_error says
  // why); at most max_expired per call.
  std::vector<QueueRow> expired;
};

// A channel with rows pending or in flight, and the target of its head.
struct QueueChannel {
  std::string channel_key;
  std::string target;
};

struct DeliveredMark {
  int64_t id = 0;
  int response_status = 0;
  std::string response;
  std::string thread_ts;
};

// Answers from far sides can be large HTML error pages; keep enough to diagnose.
inline constexpr size_t kMaxStoredText = 2048;
std::string ClipStoredText(const std::string& text);

// Stats: sets the count of one stored state value (backends read them as (state, count) rows).
void AddStateCount(QueueStats* stats, int64_t state, int64_t count);

// The last_error of a head that expired at its turn (shared so that backends say the same).
std::string ExpiredReason(const QueueRow& row, int64_t now_ms, int64_t max_age_ms);

class OutboxQueue {
 public:
  virtual ~OutboxQueue() = default;

  // All rows in one durable transaction; duplicates of an existing idempotency key are skipped.
  virtual Result<QueueEnqueueResult> Enqueue(const std::vector<NewQueueRow>& rows,
                                             int64_t now_ms) = 0;
  // in flight -> pending for every row; returns how many.
  virtual Result<int64_t> RecoverInFlight() = 0;
  // One claim per request, in order, in one transaction: expire heads older than max_age (up to
  // max_expired), then claim the head if it is pending and due.
  virtual Result<std::vector<QueueClaim>> ClaimHeads(const std::vector<QueueClaimRequest>& requests,
                                                     int64_t now_ms, size_t max_expired) = 0;
  // Every mark in one durable transaction (the outbox's group commit hands over its batch).
  virtual Status MarkDelivered(const std::vector<DeliveredMark>& marks) = 0;
  virtual Status MarkRetry(int64_t id, int64_t next_attempt_at, const std::string& error,
                           int response_status) = 0;
  virtual Status MarkDead(int64_t id, const std::string& error, int response_status) = 0;

  // Rows by id; `state` nullopt = all; `limit` 0 = all.
  virtual Result<std::vector<QueueRow>> List(std::optional<QueueState> state, int64_t limit) = 0;
  virtual Result<std::optional<QueueRow>> Get(int64_t id) = 0;
  // Rows in `state` with ids above `after_id`, by id, at most `limit` (a page of the console's
  // dead letters; the last id is the next page's cursor).
  virtual Result<std::vector<QueueRow>> ListAfter(QueueState state, int64_t after_id,
                                                  int64_t limit) = 0;
  // Deletes those of `ids` that are dead (never a pending, in-flight or delivered row), in one
  // transaction. Returns how many.
  virtual Result<int64_t> PurgeDead(const std::vector<int64_t>& ids) = 0;
  // dead or pending -> pending now, attempts 0, queued_at now. Return rows changed.
  virtual Result<int64_t> Retry(int64_t id, int64_t now_ms) = 0;
  virtual Result<int64_t> RetryAllDead(int64_t now_ms) = 0;
  virtual Result<int64_t> RetryDeadOf(const std::set<std::string>& targets, int64_t now_ms) = 0;
  // Deletes every row in `state` (the caller allows only dead or delivered).
  virtual Result<int64_t> Purge(QueueState state) = 0;

  virtual Result<QueueStats> Stats() = 0;
  virtual Result<int64_t> CountUndelivered(const std::vector<std::string>& channel_keys) = 0;
  // Must not scan the backlog: its cost should grow with the number of channels.
  virtual Result<std::vector<QueueChannel>> UndeliveredChannels() = 0;
  virtual Result<std::map<std::string, int64_t>> UndeliveredByTarget() = 0;
  virtual Result<std::map<std::string, int64_t>> CountByTarget(QueueState state) = 0;
  // pending -> dead for every pending row of `target`; returns how many.
  virtual Result<int64_t> DeadLetterTarget(const std::string& target, const std::string& error) = 0;

  // Whether `row`, claimed by this queue's ClaimHeads, may still be sent: asked right before the
  // send. A shared queue (PostgreSQL) answers false once this replica's lease on the row's channel
  // is lost or past its local deadline, because another replica may take the row over; a
  // single-process store always answers true.
  virtual bool ClaimStillValid(const QueueRow& row) {
    (void)row;
    return true;
  }
  // Gives up what this process holds in the shared store (channel leases) at a clean stop, so that
  // another replica takes over at once instead of after the lease expires. No-op by default.
  virtual void ReleaseClaims() {}
  // Calls `wake` (from a thread of the queue's) whenever another process commits an enqueue, so
  // that delivery need not wait for its next poll. A single-process store has no other
  // enqueuers: no-op by default.
  virtual void WatchEnqueues(std::function<void()> wake) { (void)wake; }
};

}  // namespace trailwatch::store
