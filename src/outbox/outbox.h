// Outbox: the durable queue between matching and delivery. Every alert is committed here before
// any send (issue 4), so a crash, an outage or a rate limit never loses one.
//
// An entry is one alert for one target. Its idempotency key (target + rule + CloudTrail eventID;
// target + eventID for a grouped alert, which names every rule the event matched for that target)
// is UNIQUE: the same event arriving twice (S3/SQS redelivery, docs/reference/formats.md §1.6) is
// stored once and sent once. Its channel key (the target name, plus a Slack channel or a lane:
// targets/target.h) is the ordering domain: entries of a channel are sent strictly in id order,
// and entry N+1 is never claimed while entry N is pending or in flight (ClaimHead). States:
//
//   pending --claim--> in_flight --delivered--> delivered
//      ^  |                |------retry-at----> pending (next_attempt_at in the future)
//      |  |                '------dead--------> dead (last_error kept)
//      |  '--older than max_age at its turn, or its target is not configured--> dead (no send)
//      '---- RecoverInFlight() at start-up, `outbox retry` (dead -> pending)
//
// RecoverInFlight is the only way an entry can be sent twice: a send that was in flight when the
// process died is sent again, because nobody can know whether the far side received it.
//
// Also stores Slack thread roots: (target, rule, identity, source IP) -> parent message ts, so
// repeats within the thread window become replies (docs/reference/formats.md §7.2, §7.6).
//
// Storage (issue 11): the rows live behind store::OutboxQueue and store::ThreadRootStore
// (store/outbox_queue.h, store/thread_roots.h), which speak plain store-level rows; this class
// maps route::Alert to and from them (idempotency key, serialized alert) and does the group
// commit of MarkDelivered. Open() uses the SQLite implementations (one shared connection); the
// tables are created by store/schema.cpp, the schema's one owner. A PostgreSQL backend plugs in
// through the constructor.
//
// Times are milliseconds since the Unix epoch (wall clock), because they must survive restarts.
//
// Thread-safety: all methods may be called from many threads (the store serialises).
// Several processes may open the same file (CLI while `deliver` runs); only one process should
// deliver from it at a time.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "route/alert.h"
#include "common/result.h"
#include "store/outbox_queue.h"
#include "store/store_backend.h"
#include "store/thread_roots.h"

namespace trailwatch::outbox {

// The store's states: kPending, kInFlight, kDelivered, kDead.
using EntryState = store::QueueState;
const char* EntryStateName(EntryState state);  // "pending", "in_flight", "delivered", "dead"
bool ParseEntryState(const std::string& text, EntryState* out);

struct Entry {
  int64_t id = 0;
  std::string target;
  std::string idempotency_key;
  std::string channel_key;
  route::Alert alert;
  EntryState state = EntryState::kPending;
  int attempts = 0;             // sends started (claims)
  int64_t next_attempt_at = 0;  // ms
  int64_t created_at = 0;       // ms
  int64_t queued_at = 0;        // ms; max_age counts from here (reset by `outbox retry`)
  std::string last_error;
  int response_status = 0;  // HTTP status of the last answer, 0 if none
  std::string response;     // the target's answer (truncated), on delivery
  std::string thread_ts;    // Slack: the thread this entry was posted in, if any
  int64_t claim_generation = 0;  // shared store: the channel lease it was claimed under
};

struct NewEntry {
  std::string target;
  std::string channel_key;
  route::Alert alert;
};

using EnqueueResult = store::QueueEnqueueResult;  // ids (0 = duplicate), inserted, duplicates
using OutboxStats = store::QueueStats;
using ThreadRoot = store::ThreadRootRow;  // ts, channel, parent_alert, first_seen, count

// What ClaimHeadOrExpire found at the head of a channel.
struct Claim {
  std::optional<Entry> entry;  // claimed: now in_flight, attempts counted
  int64_t next_due = 0;        // the head is pending but not due until then (ms), else 0
  // Heads older than max_age, made dead by this call without being sent (last_error says why).
  // When this holds kMaxExpiredPerClaim entries there may be more: call again.
  std::vector<Entry> expired;
};

// A channel that has entries pending or in flight, and the target they are for.
using ChannelBacklog = store::QueueChannel;  // channel_key, target

// idempotency key for (target, rule, eventID), or (target, eventID) for a grouped alert
// (route::Alert::grouped: every rule of the event at that target in one alert, so a rule added
// later cannot alert the same event there again): a JSON array text, unambiguous whatever the
// names contain, and readable in `outbox list`.
std::string IdempotencyKey(const std::string& target, const route::Alert& alert);

// Alert <-> JSON text stored in the `alert` column.
std::string SerializeAlert(const route::Alert& alert);
Result<route::Alert> ParseAlert(const std::string& json);

class Outbox {
 public:
  // Opens the store the `store` setting names (store/store_backend.h): a SQLite file (created if
  // needed; store/schema.h: WAL, busy timeout, migrations) or a postgresql:// URI.
  static Result<std::unique_ptr<Outbox>> Open(const std::string& store);
  // Over the queue and thread roots of an open backend (the service's one connection pool).
  static Result<std::unique_ptr<Outbox>> Open(store::StoreBackend& backend);
  // Over any backend.
  Outbox(std::unique_ptr<store::OutboxQueue> queue, std::unique_ptr<store::ThreadRootStore> roots)
      : queue_(std::move(queue)), thread_roots_(std::move(roots)) {}

  // Inserts all entries in one transaction (committed with synchronous=FULL). Duplicates of an
  // existing idempotency key are ignored and counted.
  Result<EnqueueResult> Enqueue(const std::vector<NewEntry>& entries, int64_t now_ms);

  // in_flight -> pending for every entry; call once when a delivering process starts. Returns how
  // many were recovered (each may be sent a second time).
  Result<int64_t> RecoverInFlight();

  // The head of `channel_key` (lowest id that is pending or in flight). If it is pending and due
  // (next_attempt_at <= now), it is marked in_flight, its attempts counted, and returned;
  // otherwise nullopt. `next_due` (if given) receives the head's next_attempt_at when it is
  // pending but not yet due, else 0.
  Result<std::optional<Entry>> ClaimHead(const std::string& channel_key, int64_t now_ms,
                                         int64_t* next_due = nullptr);

  // Like ClaimHead, but a head whose age (now - queued_at) is max_age_ms or more becomes dead
  // without a send — before its first attempt as well as between retries — and the next head is
  // looked at. max_age_ms <= 0: no age limit.
  static constexpr size_t kMaxExpiredPerClaim = 100;
  Result<Claim> ClaimHeadOrExpire(const std::string& channel_key, int64_t now_ms,
                                  int64_t max_age_ms);
  // ClaimHeadOrExpire for several channels in one transaction (one result per request, in
  // order): the deliverer claims every ready channel at once instead of one write each.
  using ClaimRequest = store::QueueClaimRequest;  // channel_key, max_age_ms
  Result<std::vector<Claim>> ClaimHeads(const std::vector<ClaimRequest>& requests, int64_t now_ms);

  // Group commit: concurrent callers share one transaction and one fsync (synchronous=FULL). The
  // first caller commits what is queued; callers arriving during its fsync are committed together
  // by the next one. Each call returns only once its own mark is durable.
  Status MarkDelivered(int64_t id, int response_status, const std::string& response,
                       const std::string& thread_ts);
  // Transactions MarkDelivered has committed (for benchmarks: entries per fsync).
  int64_t DeliveredCommits();
  // For benchmarks only: false makes every MarkDelivered commit alone, as before group commit.
  void SetGroupCommit(bool enabled);
  Status MarkRetry(int64_t id, int64_t next_attempt_at, const std::string& error,
                   int response_status);
  Status MarkDead(int64_t id, const std::string& error, int response_status);

  // CLI. `limit` 0 = all.
  Result<std::vector<Entry>> List(std::optional<EntryState> state, int64_t limit = 0);
  Result<std::optional<Entry>> Get(int64_t id);
  // dead (or pending) -> pending now, attempts 0, queued_at now. Returns entries changed.
  Result<int64_t> Retry(int64_t id, int64_t now_ms);
  Result<int64_t> RetryAllDead(int64_t now_ms);
  // The dead entries of these targets only (`outbox retry --dead` skips unconfigured targets).
  Result<int64_t> RetryDeadOf(const std::set<std::string>& targets, int64_t now_ms);
  Result<int64_t> Purge(EntryState state);  // only kDead or kDelivered
  // Console: entries in `state` with ids above `after_id`, by id, at most `limit`.
  Result<std::vector<Entry>> ListAfter(EntryState state, int64_t after_id, int64_t limit);
  // Deletes those of `ids` that are dead; returns how many.
  Result<int64_t> PurgeDead(const std::vector<int64_t>& ids);

  // Metrics.
  Result<OutboxStats> Stats();
  // Entries pending or in flight in these channels (delivery uses it for --until-empty).
  Result<int64_t> CountUndelivered(const std::vector<std::string>& channel_keys);
  // The channels with entries pending or in flight, whatever their target (one index probe per
  // channel, not a scan of the backlog): how the deliverer finds lanes and Slack channels.
  Result<std::vector<ChannelBacklog>> UndeliveredChannels();
  // Entries pending or in flight per target (scans the backlog: start-up and CLI only).
  Result<std::map<std::string, int64_t>> UndeliveredByTarget();
  // Entries in `state` per target (CLI).
  Result<std::map<std::string, int64_t>> CountByTarget(EntryState state);
  // pending -> dead for every pending entry of `target`, with `error`. Returns how many.
  Result<int64_t> DeadLetterTarget(const std::string& target, const std::string& error);

  // Right before a send: whether this process may still send `entry`, which it claimed. False
  // when the store is shared (PostgreSQL) and this replica's lease on the entry's channel is lost
  // or past its deadline: another replica may have taken the entry over (store/lease_store.h).
  bool ClaimStillValid(const Entry& entry);
  // At a clean stop: gives up this process's channel leases so that another replica takes over at
  // once.
  void ReleaseClaims();
  // Calls `wake` whenever another process (a replica on a shared store) commits an alert, so
  // that delivery claims it at once rather than at its next poll. No-op on SQLite.
  void WatchEnqueues(std::function<void()> wake);

  // Slack thread roots, keyed by target and group key (rule, identity, source IP).
  Result<std::optional<ThreadRoot>> FindThreadRoot(const std::string& target,
                                                   const std::string& group_key);
  Status SaveThreadRoot(const std::string& target, const std::string& group_key,
                        const ThreadRoot& root);
  // count + 1; returns the new count.
  Result<int64_t> BumpThreadRoot(const std::string& target, const std::string& group_key);

 private:
  struct DeliveredMark;
  Status CommitDelivered(const std::vector<DeliveredMark*>& batch);

  std::unique_ptr<store::OutboxQueue> queue_;
  std::unique_ptr<store::ThreadRootStore> thread_roots_;

  // Group commit of MarkDelivered (see there).
  std::mutex group_mutex_;
  std::condition_variable group_done_;
  std::vector<DeliveredMark*> group_queue_;
  bool group_committing_ = false;
  bool group_commit_ = true;
  std::atomic<int64_t> delivered_commits_{0};
};

}  // namespace trailwatch::outbox
