// PgOutboxQueue: the PostgreSQL implementation of OutboxQueue (outbox_queue.h) over the
// outbox_entries table of the shared store (store/pg_schema.cpp), for N replicas delivering from
// one database (issue 14). Same contract as SqliteOutboxQueue; what sharing adds:
//
//  * Per-channel order across enqueuers. ids come from an identity column, so two processes
//    enqueuing on one channel could commit id 11 before id 10 and a claimer could send 11 first.
//    Enqueue therefore takes each channel's transaction-scoped advisory lock (keys sorted, so two
//    enqueuers never wait on each other in a cycle) before inserting its rows: a channel's ids
//    commit in id order. A duplicate idempotency key (two replicas reading the same event) is
//    ON CONFLICT DO NOTHING: one row, the other replica counts a duplicate.
//
//  * Channel leases. Only the holder of the lease "channel:<key>" (pg_leases.h) claims that
//    channel's head; ClaimHeads takes or renews it in the same transaction as the claim, so two
//    replicas racing on a channel are serialised by the lease row's lock and only one claims. A
//    channel held by another replica gives no claim and next_due = that lease's end (database
//    clock, close enough to the wall clock the deliverer compares it with), when it may retry.
//    A background thread renews the leases this queue uses (every lease_ms / 3) and gives up
//    those idle for 2 * lease_ms, so that an idle replica does not keep channels from the others.
//
//  * Takeover. A head in flight at claim time was left by a dead replica, a lost lease or a mark
//    that failed (the deliverer never claims a channel it is sending on), so the lease holder
//    claims it again, exactly as RecoverInFlight + claim would on SQLite: max_age expiry applies,
//    attempts count, and it is sent again — the one repeat the outbox allows. RecoverInFlight
//    itself therefore does nothing here: at start-up it cannot know which in-flight rows belong
//    to live replicas, whereas a row's channel lease says exactly that.
//
//  * Fencing. A claimed row records claim_owner and claim_generation (the lease generation).
//    MarkDelivered/MarkRetry/MarkDead change a row only while it is still in flight under this
//    queue's claim, so a replica that lost its lease mid-send cannot overwrite the row another
//    replica took over; such a mark changes nothing and is not an error. ClaimStillValid, asked
//    right before a send, is true only while this queue holds the channel at the row's generation
//    and its local deadline has not passed: the deadline is taken on the monotonic clock BEFORE
//    the query that granted the lease, minus a safety margin, so it always ends before the
//    database's lease_until even if the store cannot be reached to learn the lease was lost.
//    The CLI-facing methods (List, Retry, Purge, DeadLetterTarget, ...) are not fenced.
//
// Durability: PostgreSQL commits are durable when they return (synchronous_commit on, the
// server's default), which is what Enqueue, MarkDelivered and MarkDead need.
//
// Thread-safety: all methods may be called from many threads (each call borrows a pool
// connection; the lease map is behind a mutex). Many processes may share the database.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "store/outbox_queue.h"
#include "store/pg_connection.h"

namespace trailwatch::store {

class PgOutboxQueue final : public OutboxQueue {
 public:
  // `owner`: this process's owner id (store_backend.h MakeOwnerId), written into leases and
  // claims. `lease_ms`: how long a channel lease lasts without renewal. Starts the renewal thread.
  PgOutboxQueue(std::shared_ptr<PgPool> pool, std::string owner, int64_t lease_ms);
  // Stops the renewal thread. Does NOT release the leases (ReleaseClaims does, at a clean stop):
  // they expire after lease_ms, as when the process dies.
  ~PgOutboxQueue() override;
  PgOutboxQueue(const PgOutboxQueue&) = delete;
  PgOutboxQueue& operator=(const PgOutboxQueue&) = delete;

  Result<QueueEnqueueResult> Enqueue(const std::vector<NewQueueRow>& rows, int64_t now_ms) override;
  // Returns 0 and changes nothing (see above: takeover happens in ClaimHeads).
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

  bool ClaimStillValid(const QueueRow& row) override;
  // Releases every channel lease of this owner at once (another replica takes over without
  // waiting for expiry) and forgets them: ClaimStillValid is false afterwards. Call once no send
  // is in flight.
  void ReleaseClaims() override;

  // A thread of its own LISTENs on a dedicated connection for the NOTIFY every Enqueue sends on
  // commit, and calls `wake` for each (and after each reconnect, since notifications are lost
  // while disconnected): the replica that holds a channel then claims an alert another replica
  // committed at once, not at its next poll (about 200 ms later; docs/benchmarks.md).
  void WatchEnqueues(std::function<void()> wake) override;

  const std::string& owner() const { return owner_; }

 private:
  using SteadyClock = std::chrono::steady_clock;

  // A channel lease this queue holds, as far as it knows.
  struct HeldChannel {
    int64_t generation = 0;
    int64_t lease_until = 0;  // database clock, ms: the value this queue last set
    SteadyClock::time_point local_deadline;
    SteadyClock::time_point last_used;
  };
  // A row this queue claimed and has not marked yet.
  struct OutstandingClaim {
    std::string channel_key;
    int64_t generation = 0;
  };

  // Records a grant obtained by a query that started at `asked_at`.
  void RecordGrantLocked(const std::string& channel_key, int64_t generation, int64_t lease_until,
                         SteadyClock::time_point asked_at, SteadyClock::time_point now);
  // One renewal pass (renewal thread).
  void RenewHeldChannels();
  void RenewalLoop(std::stop_token stop);
  void ListenLoop(std::stop_token stop, const std::function<void()>& wake);
  // The generation `id` was claimed under by this queue; nullopt when it has no such claim.
  std::optional<int64_t> ClaimGeneration(int64_t id);
  // Runs a fenced update of one row (parameters: $1 id, $2 owner, $3 generation, then `more`).
  Status FencedUpdate(const char* what, const std::string& set_clause, int64_t id,
                      std::vector<PgValue> more);
  Result<std::vector<QueueRow>> Query(const char* what, const std::string& sql,
                                      const std::vector<PgValue>& params);
  Result<std::map<std::string, int64_t>> Counts(const char* what, const std::string& sql,
                                                const std::vector<PgValue>& params);
  Result<int64_t> Affected(const char* what, const std::string& sql,
                           const std::vector<PgValue>& params);

  const std::shared_ptr<PgPool> pool_;
  const std::string owner_;
  const int64_t lease_ms_;
  // How much earlier than the lease's end this queue stops trusting it (clock drift, the time a
  // query's answer takes to arrive, scheduling): 1 s, or a third of very short leases (tests).
  const std::chrono::milliseconds safety_margin_;

  std::mutex mutex_;
  std::map<std::string, HeldChannel> held_;            // by channel key
  std::map<int64_t, OutstandingClaim> outstanding_;    // by row id
  std::condition_variable_any renewal_wake_;

  // Last members: stopped and joined (by the destructor) before the members they use go away.
  std::jthread renewal_;
  std::jthread listener_;  // WatchEnqueues
};

}  // namespace trailwatch::store
