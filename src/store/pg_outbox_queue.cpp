// PgOutboxQueue (pg_outbox_queue.h): the outbox queue SQL for PostgreSQL, channel leases and
// fencing.
#include "store/pg_outbox_queue.h"

#include <poll.h>

#include <cerrno>

#include <algorithm>
#include <numeric>
#include <set>
#include <utility>

#include "store/pg_leases.h"
#include "store/store_error.h"

namespace trailwatch::store {

namespace {

// The columns ReadRow reads, in its order (claim_generation: the fencing token, PostgreSQL only).
constexpr const char* kPgRowColumns =
    "id, target, idempotency_key, channel_key, alert, state, attempts, next_attempt_at, "
    "created_at, queued_at, last_error, response_status, response, thread_ts, claim_generation";

// A channel that another replica holds is asked again no sooner than this, even when the lease's
// end (database clock) is already past on the deliverer's clock: skewed clocks must not make the
// deliverer spin on it.
constexpr int64_t kMinRetryAfterForeignLeaseMs = 100;

QueueRow ReadRow(const PgResult& result, int i) {
  QueueRow row;
  row.id = result.Int(i, 0);
  row.target = result.Text(i, 1);
  row.idempotency_key = result.Text(i, 2);
  row.channel_key = result.Text(i, 3);
  row.payload = result.Text(i, 4);
  row.state = static_cast<QueueState>(result.Int(i, 5));
  row.attempts = static_cast<int>(result.Int(i, 6));
  row.next_attempt_at = result.Int(i, 7);
  row.created_at = result.Int(i, 8);
  row.queued_at = result.Int(i, 9);
  row.last_error = result.Text(i, 10);
  row.response_status = static_cast<int>(result.Int(i, 11));
  row.response = result.Text(i, 12);
  row.thread_ts = result.Text(i, 13);
  row.claim_generation = result.Int(i, 14);
  return row;
}

std::string SelectPgRows(const char* where) {
  std::string sql = "SELECT ";
  sql.append(kPgRowColumns);
  sql.append(" FROM outbox_entries");
  sql.append(where);
  return sql;
}

std::string ChannelLeaseName(const std::string& channel_key) {
  std::string name = "channel:";
  name.append(channel_key);
  return name;
}

// The fenced form of a mark: the row changes only while it is in flight under this owner's claim
// (and, when known, under the generation it was claimed with). $1 id, $2 owner, $3 generation or
// NULL; `set_clause` uses $4 on.
std::string FencedUpdateSql(const std::string& set_clause) {
  std::string sql = "UPDATE outbox_entries SET ";
  sql.append(set_clause);
  sql.append(
      " WHERE id = $1 AND state = 1 AND claim_owner = $2 "
      "AND ($3::bigint IS NULL OR claim_generation = $3::bigint)");
  return sql;
}

PgValue GenerationValue(const std::optional<int64_t>& generation) {
  if (generation) return PgValue(*generation);
  return PgValue(nullptr);
}

// The NOTIFY channel of committed enqueues (WatchEnqueues).
constexpr const char* kEnqueueChannel = "tw_outbox_enqueued";

}  // namespace

PgOutboxQueue::PgOutboxQueue(std::shared_ptr<PgPool> pool, std::string owner, int64_t lease_ms)
    : pool_(std::move(pool)),
      owner_(std::move(owner)),
      lease_ms_(std::max<int64_t>(lease_ms, 30)),
      safety_margin_(std::min<int64_t>(1000, lease_ms_ / 3)) {
  renewal_ = std::jthread([this](std::stop_token stop) { RenewalLoop(std::move(stop)); });
}

PgOutboxQueue::~PgOutboxQueue() {
  if (listener_.joinable()) {
    listener_.request_stop();
    listener_.join();
  }
  renewal_.request_stop();
  renewal_wake_.notify_all();
  if (renewal_.joinable()) renewal_.join();
}

Result<QueueEnqueueResult> PgOutboxQueue::Enqueue(const std::vector<NewQueueRow>& rows,
                                                  int64_t now_ms) {
  QueueEnqueueResult result;
  if (rows.empty()) return result;
  // Sorted and distinct: every enqueuer takes the channel locks in the same order.
  std::set<std::string> channels;
  for (const NewQueueRow& row : rows) channels.insert(row.channel_key);
  Status done = pool_->Transaction("enqueue", [&](PgConnection& conn) -> Status {
    result = QueueEnqueueResult{};  // a retried transaction starts over
    // Held until COMMIT: an enqueuer of the same channel in another process waits before it
    // takes its ids, so a channel's ids become visible in id order (pg_outbox_queue.h). A hash
    // collision only makes two channels' enqueuers wait for each other.
    for (const std::string& channel : channels) {
      auto locked = conn.Exec("locking the channel",
                              "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", {channel});
      if (!locked.ok()) return locked.error();
    }
    for (const NewQueueRow& row : rows) {
      auto inserted = conn.Exec(
          "inserting",
          "INSERT INTO outbox_entries (target, idempotency_key, channel_key, alert, state, "
          "next_attempt_at, created_at, queued_at) VALUES ($1, $2, $3, $4, 0, $5, $5, $5) "
          "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
          {row.target, row.idempotency_key, row.channel_key, row.payload, now_ms});
      if (!inserted.ok()) return inserted.error();
      if (inserted->rows() == 1) {
        result.ids.push_back(inserted->Int(0, 0));
        ++result.inserted;
      } else {
        result.ids.push_back(0);
        ++result.duplicates;
      }
    }
    if (result.inserted > 0) {
      // Delivered to every listening replica when (and only if) this transaction commits; the
      // replica holding the channel claims at once instead of at its next poll (WatchEnqueues).
      auto notified = conn.Exec("notifying the replicas", "SELECT pg_notify($1, '')",
                                {kEnqueueChannel});
      if (!notified.ok()) return notified.error();
    }
    return Status::Ok();
  });
  if (!done.ok()) return OutboxStoreError("enqueue", done.message());
  return result;
}

void PgOutboxQueue::WatchEnqueues(std::function<void()> wake) {
  if (listener_.joinable()) return;
  listener_ = std::jthread([this, wake = std::move(wake)](std::stop_token stop) {
    ListenLoop(std::move(stop), wake);
  });
}

void PgOutboxQueue::ListenLoop(std::stop_token stop, const std::function<void()>& wake) {
  std::unique_ptr<PgConnection> conn;
  while (!stop.stop_requested()) {
    if (!conn) {
      auto connected = pool_->ConnectDedicated();
      Status listening = connected.ok()
                             ? (*connected)->Run("listening for enqueues",
                                                 std::string("LISTEN ") + kEnqueueChannel)
                             : Status(connected.error());
      if (!listening.ok()) {
        // PostgreSQL unreachable: delivery still polls; try again in a second.
        std::mutex mutex;
        std::unique_lock lock(mutex);
        renewal_wake_.wait_for(lock, stop, std::chrono::seconds(1), [] { return false; });
        continue;
      }
      conn = std::move(connected.value());
      wake();  // enqueues may have committed while no one listened
    }
    pollfd socket{PQsocket(conn->handle()), POLLIN, 0};
    // Short, so that a stop request is noticed promptly.
    int ready = poll(&socket, 1, 250);
    if (ready < 0 && errno != EINTR) {
      conn.reset();
      continue;
    }
    if (ready <= 0) continue;
    if (PQconsumeInput(conn->handle()) == 0 || !conn->Healthy()) {
      conn.reset();  // the server went away: reconnect (and wake) above
      continue;
    }
    bool notified = false;
    while (PGnotify* notice = PQnotifies(conn->handle())) {
      notified = true;
      PQfreemem(notice);
    }
    if (notified) wake();
  }
}

Result<int64_t> PgOutboxQueue::RecoverInFlight() {
  // Nothing to do, on purpose: the rows in flight may be other live replicas' sends, and making
  // them pending would send them twice. A dead replica's rows are taken over by ClaimHeads once
  // its channel leases have expired (pg_outbox_queue.h, "Takeover").
  return int64_t{0};
}

Result<std::vector<QueueClaim>> PgOutboxQueue::ClaimHeads(
    const std::vector<QueueClaimRequest>& requests, int64_t now_ms, size_t max_expired) {
  // Before the transaction: a local deadline measured from here ends before the database's
  // lease_until, however long the query takes to answer.
  const SteadyClock::time_point asked_at = SteadyClock::now();
  // Lease rows are locked in channel-key order, so that two replicas claiming overlapping sets
  // of channels never wait on each other in a cycle; the results stay in request order.
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return requests[a].channel_key < requests[b].channel_key;
  });
  struct Granted {
    std::string channel_key;
    LeaseGrant grant;
  };
  std::vector<QueueClaim> results;
  std::vector<Granted> granted;
  std::vector<std::pair<int64_t, OutstandingClaim>> claimed;
  Status done = pool_->Transaction("claim", [&](PgConnection& conn) -> Status {
    // A retried transaction starts over.
    results.assign(requests.size(), QueueClaim{});
    granted.clear();
    claimed.clear();
    std::set<std::string> seen;
    for (size_t i : order) {
      const QueueClaimRequest& request = requests[i];
      QueueClaim& result = results[i];
      // A channel asked twice in one call is answered once: a second claim would take over the
      // head just claimed.
      if (!seen.insert(request.channel_key).second) continue;
      const std::string lease_name = ChannelLeaseName(request.channel_key);
      auto grant = AcquireLeaseIn(conn, lease_name, owner_, lease_ms_);
      if (!grant.ok()) return grant.error();
      if (!grant->has_value()) {
        // Another replica delivers this channel; ask again when its lease would end.
        auto holder = conn.Exec("reading the channel lease",
                                "SELECT lease_until FROM leases WHERE name = $1", {lease_name});
        if (!holder.ok()) return holder.error();
        const int64_t until = holder->rows() > 0 ? holder->Int(0, 0) : 0;
        result.next_due = std::max(until, now_ms + kMinRetryAfterForeignLeaseMs);
        continue;
      }
      const int64_t generation = (*grant)->generation;
      granted.push_back({request.channel_key, **grant});
      while (true) {
        // FOR UPDATE, not SKIP LOCKED: skipping a locked head would hand out the row behind it.
        // The lease already keeps other claimers away; the lock orders this claim with a
        // concurrent `outbox retry` or a late mark on the same row.
        auto head = conn.Exec(
            "reading the channel head",
            SelectPgRows(" WHERE channel_key = $1 AND state < 2 ORDER BY id LIMIT 1 FOR UPDATE"),
            {request.channel_key});
        if (!head.ok()) return head.error();
        if (head->rows() == 0) break;
        QueueRow row = ReadRow(*head, 0);
        // A head in flight is taken over as if recovered to pending first (RecoverInFlight +
        // claim on SQLite): old enough, it expires; otherwise it is claimed again, whatever its
        // next_attempt_at (it was due when it was first claimed).
        if (request.max_age_ms > 0 && now_ms - row.queued_at >= request.max_age_ms) {
          std::string why = ExpiredReason(row, now_ms, request.max_age_ms);
          auto expired = conn.Exec("expiring the channel head",
                                   "UPDATE outbox_entries SET state = 3, last_error = $2 "
                                   "WHERE id = $1",
                                   {row.id, why});
          if (!expired.ok()) return expired.error();
          row.state = QueueState::kDead;
          row.last_error = std::move(why);
          result.expired.push_back(std::move(row));
          if (result.expired.size() >= max_expired) break;
          continue;
        }
        if (row.state == QueueState::kPending && row.next_attempt_at > now_ms) {
          result.next_due = row.next_attempt_at;
          break;
        }
        auto claim = conn.Exec("claiming the channel head",
                               "UPDATE outbox_entries SET state = 1, attempts = attempts + 1, "
                               "claim_owner = $2, claim_generation = $3 WHERE id = $1",
                               {row.id, owner_, generation});
        if (!claim.ok()) return claim.error();
        row.state = QueueState::kInFlight;
        ++row.attempts;
        row.claim_generation = generation;
        claimed.emplace_back(row.id, OutstandingClaim{request.channel_key, generation});
        result.row = std::move(row);
        break;
      }
    }
    return Status::Ok();
  });
  if (!done.ok()) return OutboxStoreError("claim", done.message());
  const SteadyClock::time_point now = SteadyClock::now();
  std::lock_guard lock(mutex_);
  for (const Granted& g : granted) {
    RecordGrantLocked(g.channel_key, g.grant.generation, g.grant.until_ms, asked_at, now);
  }
  for (auto& [id, claim] : claimed) outstanding_[id] = std::move(claim);
  return results;
}

void PgOutboxQueue::RecordGrantLocked(const std::string& channel_key, int64_t generation,
                                      int64_t lease_until, SteadyClock::time_point asked_at,
                                      SteadyClock::time_point now) {
  const SteadyClock::time_point deadline =
      asked_at + std::chrono::milliseconds(lease_ms_) - safety_margin_;
  auto [it, inserted] = held_.try_emplace(channel_key);
  HeldChannel& held = it->second;
  if (inserted || held.generation != generation) {
    held = HeldChannel{generation, lease_until, deadline, now};
    return;
  }
  // The renewal thread and ClaimHeads both extend the lease; whichever answered last may have
  // asked first, so keep the later deadline.
  held.local_deadline = std::max(held.local_deadline, deadline);
  held.lease_until = std::max(held.lease_until, lease_until);
  held.last_used = now;
}

std::optional<int64_t> PgOutboxQueue::ClaimGeneration(int64_t id) {
  std::lock_guard lock(mutex_);
  auto it = outstanding_.find(id);
  if (it == outstanding_.end()) return std::nullopt;
  return it->second.generation;
}

Status PgOutboxQueue::MarkDelivered(const std::vector<DeliveredMark>& marks) {
  if (marks.empty()) return Status::Ok();
  std::vector<std::optional<int64_t>> generations;
  generations.reserve(marks.size());
  for (const DeliveredMark& mark : marks) generations.push_back(ClaimGeneration(mark.id));
  const std::string sql = FencedUpdateSql(
      "state = 2, response_status = $4, response = $5, thread_ts = $6, last_error = ''");
  Status done = pool_->Transaction("mark delivered", [&](PgConnection& conn) -> Status {
    for (size_t i = 0; i < marks.size(); ++i) {
      const DeliveredMark& mark = marks[i];
      // A row another replica took over is left alone (it sends and marks it itself).
      auto updated = conn.Exec("marking delivered", sql,
                               std::vector<PgValue>{mark.id, owner_, GenerationValue(generations[i]),
                                                    mark.response_status,
                                                    ClipStoredText(mark.response), mark.thread_ts});
      if (!updated.ok()) return updated.error();
    }
    return Status::Ok();
  });
  if (!done.ok()) return OutboxStoreError("mark delivered", done.message());
  std::lock_guard lock(mutex_);
  for (const DeliveredMark& mark : marks) outstanding_.erase(mark.id);
  return Status::Ok();
}

Status PgOutboxQueue::FencedUpdate(const char* what, const std::string& set_clause, int64_t id,
                                   std::vector<PgValue> more) {
  std::vector<PgValue> params{id, owner_, GenerationValue(ClaimGeneration(id))};
  for (PgValue& value : more) params.push_back(std::move(value));
  auto conn = pool_->Acquire();
  if (!conn.ok()) return OutboxStoreError(what, conn.message());
  // Changing nothing is not an error: another replica took the row over (see the header).
  auto updated = (*conn)->Exec(what, FencedUpdateSql(set_clause), params);
  if (!updated.ok()) return OutboxStoreError(what, updated.message());
  std::lock_guard lock(mutex_);
  outstanding_.erase(id);
  return Status::Ok();
}

Status PgOutboxQueue::MarkRetry(int64_t id, int64_t next_attempt_at, const std::string& error,
                                int response_status) {
  return FencedUpdate("mark retry",
                      "state = 0, next_attempt_at = $4, last_error = $5, response_status = $6", id,
                      {next_attempt_at, ClipStoredText(error), response_status});
}

Status PgOutboxQueue::MarkDead(int64_t id, const std::string& error, int response_status) {
  return FencedUpdate("mark dead", "state = 3, last_error = $4, response_status = $5", id,
                      {ClipStoredText(error), response_status});
}

bool PgOutboxQueue::ClaimStillValid(const QueueRow& row) {
  std::lock_guard lock(mutex_);
  auto it = held_.find(row.channel_key);
  return it != held_.end() && it->second.generation == row.claim_generation &&
         SteadyClock::now() < it->second.local_deadline;
}

void PgOutboxQueue::ReleaseClaims() {
  {
    // Forgotten first: from here on this queue sends nothing more on these channels, before
    // another replica can take them.
    std::lock_guard lock(mutex_);
    held_.clear();
  }
  // A failure only means the leases expire on their own (lease_ms later).
  (void)pool_->Exec("releasing channel leases",
                    "UPDATE leases SET lease_until = 0 "
                    "WHERE owner = $1 AND left(name, 8) = 'channel:' AND lease_until > 0",
                    {owner_});
}

void PgOutboxQueue::RenewalLoop(std::stop_token stop) {
  // Three renewals per lease: one lost or slow renewal does not cost the lease.
  const auto period = std::chrono::milliseconds(std::max<int64_t>(10, lease_ms_ / 3));
  std::unique_lock lock(mutex_);
  while (!stop.stop_requested()) {
    renewal_wake_.wait_for(lock, stop, period, [] { return false; });
    if (stop.stop_requested()) break;
    lock.unlock();
    RenewHeldChannels();
    lock.lock();
  }
}

void PgOutboxQueue::RenewHeldChannels() {
  struct Task {
    std::string channel_key;
    int64_t generation = 0;
    int64_t lease_until = 0;
  };
  std::vector<Task> renew;
  std::vector<Task> release;
  {
    std::lock_guard lock(mutex_);
    const SteadyClock::time_point now = SteadyClock::now();
    // A channel with a claim not marked yet is in use however long its send takes.
    std::set<std::pair<std::string, int64_t>> sending;
    for (const auto& [id, claim] : outstanding_) sending.emplace(claim.channel_key, claim.generation);
    for (auto it = held_.begin(); it != held_.end();) {
      const HeldChannel& held = it->second;
      Task task{it->first, held.generation, held.lease_until};
      if (now - held.last_used < std::chrono::milliseconds(2 * lease_ms_) ||
          sending.count({it->first, held.generation}) > 0) {
        renew.push_back(std::move(task));
        ++it;
      } else {
        // Idle: give it to whoever needs it. Forgotten here first, released in the store below.
        release.push_back(std::move(task));
        it = held_.erase(it);
      }
    }
  }
  if (renew.empty() && release.empty()) return;
  auto drop = [this](const Task& task) {
    std::lock_guard lock(mutex_);
    auto it = held_.find(task.channel_key);
    if (it != held_.end() && it->second.generation == task.generation) held_.erase(it);
  };
  auto conn = pool_->Acquire();
  if (!conn.ok()) {
    // Unreachable store: stop trusting the leases now rather than at their deadlines.
    for (const Task& task : renew) drop(task);
    return;
  }
  for (const Task& task : renew) {
    const SteadyClock::time_point asked_at = SteadyClock::now();
    auto grant = RenewLeaseIn(**conn, ChannelLeaseName(task.channel_key), owner_, task.generation,
                              lease_ms_);
    if (!grant.ok() || !grant->has_value()) {
      // Lost (another replica has it, or it expired) or unknown: the next ClaimHeads of the
      // channel asks for it again.
      drop(task);
      continue;
    }
    std::lock_guard lock(mutex_);
    auto it = held_.find(task.channel_key);
    if (it == held_.end() || it->second.generation != task.generation) continue;
    it->second.local_deadline =
        std::max(it->second.local_deadline,
                 asked_at + std::chrono::milliseconds(lease_ms_) - safety_margin_);
    it->second.lease_until = std::max(it->second.lease_until, (*grant)->until_ms);
  }
  for (const Task& task : release) {
    // Only the lease as this queue last extended it: a ClaimHeads that took the channel again
    // meanwhile has moved lease_until, and then the release changes nothing.
    (void)(*conn)->Exec("releasing an idle channel lease",
                        "UPDATE leases SET lease_until = 0 WHERE name = $1 AND owner = $2 "
                        "AND generation = $3::bigint AND lease_until = $4::bigint",
                        {ChannelLeaseName(task.channel_key), owner_, task.generation,
                         task.lease_until});
  }
}

Result<std::vector<QueueRow>> PgOutboxQueue::Query(const char* what, const std::string& sql,
                                                   const std::vector<PgValue>& params) {
  auto conn = pool_->Acquire();
  if (!conn.ok()) return OutboxStoreError(what, conn.message());
  auto result = (*conn)->Exec(what, sql, params);
  if (!result.ok()) return OutboxStoreError(what, result.message());
  std::vector<QueueRow> rows;
  rows.reserve(static_cast<size_t>(result->rows()));
  for (int i = 0; i < result->rows(); ++i) rows.push_back(ReadRow(*result, i));
  return rows;
}

Result<int64_t> PgOutboxQueue::Affected(const char* what, const std::string& sql,
                                        const std::vector<PgValue>& params) {
  auto conn = pool_->Acquire();
  if (!conn.ok()) return OutboxStoreError(what, conn.message());
  auto result = (*conn)->Exec(what, sql, params);
  if (!result.ok()) return OutboxStoreError(what, result.message());
  return result->Affected();
}

Result<std::map<std::string, int64_t>> PgOutboxQueue::Counts(const char* what,
                                                             const std::string& sql,
                                                             const std::vector<PgValue>& params) {
  auto conn = pool_->Acquire();
  if (!conn.ok()) return OutboxStoreError(what, conn.message());
  auto result = (*conn)->Exec(what, sql, params);
  if (!result.ok()) return OutboxStoreError(what, result.message());
  std::map<std::string, int64_t> counts;
  for (int i = 0; i < result->rows(); ++i) counts[result->Text(i, 0)] = result->Int(i, 1);
  return counts;
}

Result<std::vector<QueueRow>> PgOutboxQueue::List(std::optional<QueueState> state,
                                                  int64_t limit) {
  std::string sql = SelectPgRows("");
  std::vector<PgValue> params;
  if (state) {
    params.emplace_back(static_cast<int64_t>(*state));
    sql.append(" WHERE state = $").append(std::to_string(params.size()));
  }
  sql.append(" ORDER BY id");
  if (limit > 0) {
    params.emplace_back(limit);
    sql.append(" LIMIT $").append(std::to_string(params.size()));
  }
  return Query("list", sql, params);
}

Result<std::optional<QueueRow>> PgOutboxQueue::Get(int64_t id) {
  auto rows = Query("get", SelectPgRows(" WHERE id = $1"), {id});
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return std::optional<QueueRow>();
  return std::optional<QueueRow>(std::move(rows->front()));
}

Result<std::vector<QueueRow>> PgOutboxQueue::ListAfter(QueueState state, int64_t after_id,
                                                       int64_t limit) {
  return Query("list",
               SelectPgRows(" WHERE state = $1 AND id > $2 ORDER BY id LIMIT $3"),
               {static_cast<int64_t>(state), after_id, limit});
}

Result<int64_t> PgOutboxQueue::PurgeDead(const std::vector<int64_t>& ids) {
  int64_t removed = 0;
  Status done = pool_->Transaction("purge", [&](PgConnection& conn) -> Status {
    removed = 0;
    for (int64_t id : ids) {
      auto deleted =
          conn.Exec("purging", "DELETE FROM outbox_entries WHERE id = $1 AND state = 3", {id});
      if (!deleted.ok()) return deleted.error();
      removed += deleted->Affected();
    }
    return Status::Ok();
  });
  if (!done.ok()) return OutboxStoreError("purge", done.message());
  return removed;
}

Result<int64_t> PgOutboxQueue::Retry(int64_t id, int64_t now_ms) {
  return Affected("retry",
                  "UPDATE outbox_entries SET state = 0, attempts = 0, next_attempt_at = $2, "
                  "queued_at = $2 WHERE id = $1 AND state IN (0, 3)",
                  {id, now_ms});
}

Result<int64_t> PgOutboxQueue::RetryAllDead(int64_t now_ms) {
  return Affected("retry",
                  "UPDATE outbox_entries SET state = 0, attempts = 0, next_attempt_at = $1, "
                  "queued_at = $1 WHERE state = 3",
                  {now_ms});
}

Result<int64_t> PgOutboxQueue::RetryDeadOf(const std::set<std::string>& targets, int64_t now_ms) {
  int64_t changed = 0;
  Status done = pool_->Transaction("retry", [&](PgConnection& conn) -> Status {
    changed = 0;
    for (const std::string& target : targets) {
      auto updated = conn.Exec("retrying",
                               "UPDATE outbox_entries SET state = 0, attempts = 0, "
                               "next_attempt_at = $1, queued_at = $1 WHERE state = 3 AND target = $2",
                               {now_ms, target});
      if (!updated.ok()) return updated.error();
      changed += updated->Affected();
    }
    return Status::Ok();
  });
  if (!done.ok()) return OutboxStoreError("retry", done.message());
  return changed;
}

Result<int64_t> PgOutboxQueue::Purge(QueueState state) {
  return Affected("purge", "DELETE FROM outbox_entries WHERE state = $1",
                  {static_cast<int64_t>(state)});
}

Result<QueueStats> PgOutboxQueue::Stats() {
  QueueStats stats;
  // One snapshot for the three queries, so that the counts and the oldest times agree.
  Status done = pool_->Transaction(
      "stats",
      [&](PgConnection& conn) -> Status {
        stats = QueueStats{};
        auto counts =
            conn.Exec("counting", "SELECT state, COUNT(*) FROM outbox_entries GROUP BY state");
        if (!counts.ok()) return counts.error();
        for (int i = 0; i < counts->rows(); ++i) {
          AddStateCount(&stats, counts->Int(i, 0), counts->Int(i, 1));
        }
        auto oldest =
            conn.Exec("oldest", "SELECT MIN(created_at) FROM outbox_entries WHERE state < 2");
        if (!oldest.ok()) return oldest.error();
        if (oldest->rows() > 0 && !oldest->IsNull(0, 0)) {
          stats.oldest_pending_created_at = oldest->Int(0, 0);
        }
        auto targets = conn.Exec("by target",
                                 "SELECT target, COUNT(*), MIN(created_at) FROM outbox_entries "
                                 "WHERE state < 2 GROUP BY target");
        if (!targets.ok()) return targets.error();
        for (int i = 0; i < targets->rows(); ++i) {
          stats.by_target[targets->Text(i, 0)] = {targets->Int(i, 1), targets->Int(i, 2)};
        }
        return Status::Ok();
      },
      "REPEATABLE READ");
  if (!done.ok()) return OutboxStoreError("stats", done.message());
  return stats;
}

Result<int64_t> PgOutboxQueue::CountUndelivered(const std::vector<std::string>& channel_keys) {
  if (channel_keys.empty()) return int64_t{0};
  auto conn = pool_->Acquire();
  if (!conn.ok()) return OutboxStoreError("count", conn.message());
  int64_t total = 0;
  for (const std::string& key : channel_keys) {
    auto count = (*conn)->Exec("counting",
                               "SELECT COUNT(*) FROM outbox_entries WHERE channel_key = $1 "
                               "AND state < 2",
                               {key});
    if (!count.ok()) return OutboxStoreError("count", count.message());
    total += count->Int(0, 0);
  }
  return total;
}

Result<std::vector<QueueChannel>> PgOutboxQueue::UndeliveredChannels() {
  // A loose index scan over the partial index (channel_key, id) WHERE state < 2: each step jumps
  // to the next distinct channel, then one probe reads its head's target, so the cost grows with
  // the number of channels, not with the backlog (PostgreSQL 15 has no skip scan of its own).
  auto conn = pool_->Acquire();
  if (!conn.ok()) return OutboxStoreError("channels", conn.message());
  auto channels = (*conn)->Exec(
      "listing channels",
      "WITH RECURSIVE channel(key) AS ("
      "  SELECT (SELECT channel_key FROM outbox_entries WHERE state < 2"
      "          ORDER BY channel_key LIMIT 1)"
      "  UNION ALL"
      "  SELECT (SELECT channel_key FROM outbox_entries WHERE state < 2 AND channel_key > channel.key"
      "          ORDER BY channel_key LIMIT 1)"
      "  FROM channel WHERE channel.key IS NOT NULL) "
      "SELECT channel.key, (SELECT target FROM outbox_entries WHERE state < 2 "
      "                     AND channel_key = channel.key ORDER BY id LIMIT 1) "
      "FROM channel WHERE channel.key IS NOT NULL");
  if (!channels.ok()) return OutboxStoreError("channels", channels.message());
  std::vector<QueueChannel> result;
  result.reserve(static_cast<size_t>(channels->rows()));
  for (int i = 0; i < channels->rows(); ++i) {
    result.push_back({channels->Text(i, 0), channels->Text(i, 1)});
  }
  return result;
}

Result<std::map<std::string, int64_t>> PgOutboxQueue::UndeliveredByTarget() {
  return Counts("backlog",
                "SELECT target, COUNT(*) FROM outbox_entries WHERE state < 2 GROUP BY target", {});
}

Result<std::map<std::string, int64_t>> PgOutboxQueue::CountByTarget(QueueState state) {
  return Counts("count",
                "SELECT target, COUNT(*) FROM outbox_entries WHERE state = $1 GROUP BY target",
                {static_cast<int64_t>(state)});
}

Result<int64_t> PgOutboxQueue::DeadLetterTarget(const std::string& target,
                                                const std::string& error) {
  return Affected("dead letter",
                  "UPDATE outbox_entries SET state = 3, last_error = $1 "
                  "WHERE state = 0 AND target = $2",
                  {ClipStoredText(error), target});
}

}  // namespace trailwatch::store
