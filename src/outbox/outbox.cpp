#include "outbox/outbox.h"

#include <simdjson.h>

#include "cloudtrail/json_text.h"
#include "envelope/validate_envelope.h"

namespace trailwatch::outbox {

namespace {

constexpr int64_t kSchemaVersion = 1;

// AUTOINCREMENT so ids are never reused after a purge: id order is enqueue order, which is the
// per-channel delivery order. The partial index keeps ClaimHead O(log n) however many delivered
// entries the table holds.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS outbox_entries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  target TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  channel_key TEXT NOT NULL,
  alert TEXT NOT NULL,
  state INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  queued_at INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  response_status INTEGER NOT NULL DEFAULT 0,
  response TEXT NOT NULL DEFAULT '',
  thread_ts TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS outbox_undelivered_by_channel
  ON outbox_entries (channel_key, id) WHERE state < 2;
CREATE INDEX IF NOT EXISTS outbox_by_state ON outbox_entries (state, id);
CREATE TABLE IF NOT EXISTS slack_thread_roots (
  target TEXT NOT NULL,
  group_key TEXT NOT NULL,
  ts TEXT NOT NULL,
  channel TEXT NOT NULL,
  parent_alert TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (target, group_key)
);
)sql";

constexpr const char* kEntryColumns =
    "id, target, idempotency_key, channel_key, alert, state, attempts, next_attempt_at, "
    "created_at, queued_at, last_error, response_status, response, thread_ts";

// Answers from far sides can be large HTML error pages; keep enough to diagnose.
constexpr size_t kMaxStoredText = 2048;

std::string Clip(const std::string& text) {
  if (text.size() <= kMaxStoredText) return text;
  return text.substr(0, kMaxStoredText) + "…";
}

Entry ReadEntry(const sqlite::Statement& stmt) {
  Entry entry;
  entry.id = stmt.ColumnInt(0);
  entry.target = stmt.ColumnText(1);
  entry.idempotency_key = stmt.ColumnText(2);
  entry.channel_key = stmt.ColumnText(3);
  Result<route::Alert> alert = ParseAlert(stmt.ColumnText(4));
  if (alert.ok()) {
    entry.alert = std::move(alert.value());
  }
  entry.state = static_cast<EntryState>(stmt.ColumnInt(5));
  entry.attempts = static_cast<int>(stmt.ColumnInt(6));
  entry.next_attempt_at = stmt.ColumnInt(7);
  entry.created_at = stmt.ColumnInt(8);
  entry.queued_at = stmt.ColumnInt(9);
  entry.last_error = stmt.ColumnText(10);
  if (!alert.ok()) entry.last_error = "stored alert is unreadable: " + alert.message();
  entry.response_status = static_cast<int>(stmt.ColumnInt(11));
  entry.response = stmt.ColumnText(12);
  entry.thread_ts = stmt.ColumnText(13);
  return entry;
}

Error StoreError(const std::string& what, const std::string& message) {
  return Error{"outbox: " + what + ": " + message};
}

}  // namespace

const char* EntryStateName(EntryState state) {
  switch (state) {
    case EntryState::kPending:
      return "pending";
    case EntryState::kInFlight:
      return "in_flight";
    case EntryState::kDelivered:
      return "delivered";
    case EntryState::kDead:
      return "dead";
  }
  return "pending";
}

bool ParseEntryState(const std::string& text, EntryState* out) {
  for (EntryState s :
       {EntryState::kPending, EntryState::kInFlight, EntryState::kDelivered, EntryState::kDead}) {
    if (text == EntryStateName(s)) {
      *out = s;
      return true;
    }
  }
  return false;
}

std::string IdempotencyKey(const std::string& target, const route::Alert& alert) {
  std::string key = "[";
  cloudtrail::AppendJsonString(key, target);
  key += ",";
  cloudtrail::AppendJsonString(key, alert.rule);
  key += ",";
  cloudtrail::AppendJsonString(key, alert.envelope.DedupKey());
  key += "]";
  return key;
}

std::string SerializeAlert(const route::Alert& alert) {
  std::string out = "{\"rule\":";
  cloudtrail::AppendJsonString(out, alert.rule);
  out += ",\"severity\":";
  cloudtrail::AppendJsonString(out, route::SeverityName(alert.severity));
  out += ",\"event_id\":";
  cloudtrail::AppendJsonString(out, alert.envelope.DedupKey());
  out += ",\"origin\":";
  cloudtrail::AppendJsonString(out, alert.origin);
  out += ",\"event\":";
  cloudtrail::AppendJsonString(out, alert.envelope.json);
  out += "}";
  return out;
}

Result<route::Alert> ParseAlert(const std::string& json) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(json);
  simdjson::ondemand::document doc;
  if (parser.iterate(padded).get(doc)) return Error{"not JSON"};
  simdjson::ondemand::object object;
  if (doc.get_object().get(object)) return Error{"not a JSON object"};
  route::Alert alert;
  std::string severity;
  std::string dedup_key;
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return Error{"bad key"};
    std::string_view value;
    if (field.value().get_string().get(value))
      return Error{"field " + std::string(key) + " is not a string"};
    if (key == "rule")
      alert.rule = value;
    else if (key == "severity")
      severity = value;
    else if (key == "event_id")
      dedup_key = value;
    else if (key == "origin")
      alert.origin = value;
    else if (key == "event")
      alert.envelope.json = value;
  }
  if (!severity.empty() && !route::ParseSeverity(severity, &alert.severity)) {
    return Error{"unknown severity \"" + severity + "\""};
  }
  // The header fields come back from the event itself (it passed ValidateEnvelope on the way
  // in); the stored dedup key wins, so that an entry keeps the identity it was queued under.
  simdjson::dom::parser event_parser;
  std::string text = std::move(alert.envelope.json);
  if (!envelope::ValidateEnvelopeText(text, event_parser, &alert.envelope).ok()) {
    alert.envelope = envelope::Envelope{};
  }
  alert.envelope.json = std::move(text);
  if (alert.envelope.DedupKey() != dedup_key) alert.envelope.event_id = dedup_key;
  return alert;
}

Result<std::unique_ptr<Outbox>> Outbox::Open(const std::string& path) {
  Result<std::unique_ptr<sqlite::Database>> db = sqlite::Database::Open(path);
  if (!db.ok()) return db.error();
  std::unique_ptr<Outbox> outbox(new Outbox(std::move(db.value())));
  Status status = outbox->Initialise();
  if (!status.ok()) return Error{path + ": " + status.message()};
  return outbox;
}

Status Outbox::Initialise() {
  // Another process (the CLI, a second delivering process) may hold the write lock briefly; wait
  // for it rather than failing with SQLITE_BUSY.
  sqlite3_busy_timeout(db_->handle(), 10000);
  // WAL: readers (`outbox list`, metrics) never block the delivering writer, and a commit is one
  // append to the log instead of a rollback-journal rewrite.
  if (Status s = db_->Exec("PRAGMA journal_mode=WAL"); !s.ok()) return s;
  if (Status s = SetSynchronousFull(false); !s.ok()) return s;
  sqlite::Transaction tx(*db_);
  if (Status s = tx.Begin(); !s.ok()) return s;
  if (Status s = db_->Exec(kSchema); !s.ok()) return Error{"creating the schema: " + s.message()};
  auto version = db_->Prepare("SELECT MAX(version) FROM schema_version");
  if (!version.ok()) return version.error();
  if (version->Step() != sqlite::Statement::StepResult::kRow) return Error{db_->ErrorMessage()};
  if (version->ColumnIsNull(0)) {
    auto insert = db_->Prepare("INSERT INTO schema_version (version) VALUES (?)");
    if (!insert.ok()) return insert.error();
    if (Status s = insert->Bind(1, kSchemaVersion).Run(); !s.ok()) return s;
  } else if (version->ColumnInt(0) != kSchemaVersion) {
    return Error{"outbox schema version " + std::to_string(version->ColumnInt(0)) +
                 " is not the version this trailwatch understands (" +
                 std::to_string(kSchemaVersion) + ")"};
  }
  version->Reset();
  return tx.Commit();
}

// synchronous=FULL makes COMMIT wait for the WAL to reach the disk (fsync), so the commit survives
// a power loss or kernel crash, not only a process crash. It is set for the commits whose loss
// would break a promise: Enqueue (the caller may acknowledge the source message after it: a lost
// enqueue is a lost alert) and MarkDelivered/MarkDead (a lost "delivered" would send the alert a
// second time after a power loss). Claims and retry times use NORMAL (still safe against process
// crashes in WAL mode): losing one only makes an entry pending again, which recovery handles.
Status Outbox::SetSynchronousFull(bool full) {
  if (full == synchronous_full_) return Status::Ok();
  Status status = db_->Exec(full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
  if (status.ok()) synchronous_full_ = full;
  return status;
}

Result<EnqueueResult> Outbox::Enqueue(const std::vector<NewEntry>& entries, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  if (Status s = SetSynchronousFull(true); !s.ok()) return StoreError("enqueue", s.message());
  auto insert = db_->Prepare(
      "INSERT INTO outbox_entries (target, idempotency_key, channel_key, alert, state, "
      "next_attempt_at, created_at, queued_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?) "
      "ON CONFLICT (idempotency_key) DO NOTHING");
  if (!insert.ok()) return StoreError("enqueue", insert.message());
  sqlite::Transaction tx(*db_);
  if (Status s = tx.Begin(); !s.ok()) return StoreError("enqueue", s.message());
  EnqueueResult result;
  for (const NewEntry& entry : entries) {
    insert->Bind(1, entry.target)
        .Bind(2, IdempotencyKey(entry.target, entry.alert))
        .Bind(3, entry.channel_key)
        .Bind(4, SerializeAlert(entry.alert))
        .Bind(5, now_ms)
        .Bind(6, now_ms)
        .Bind(7, now_ms);
    if (Status s = insert->Run(); !s.ok()) return StoreError("enqueue", s.message());
    if (db_->Changes() == 1) {
      result.ids.push_back(db_->LastInsertRowId());
      ++result.inserted;
    } else {
      result.ids.push_back(0);
      ++result.duplicates;
    }
  }
  if (Status s = tx.Commit(); !s.ok()) return StoreError("enqueue", s.message());
  return result;
}

Result<int64_t> Outbox::RecoverInFlight() {
  std::lock_guard lock(mutex_);
  if (Status s = db_->Exec("UPDATE outbox_entries SET state = 0 WHERE state = 1"); !s.ok()) {
    return StoreError("recovering in-flight entries", s.message());
  }
  return static_cast<int64_t>(db_->Changes());
}

Result<std::optional<Entry>> Outbox::ClaimHead(const std::string& channel_key, int64_t now_ms,
                                               int64_t* next_due) {
  Result<Claim> claim = ClaimHeadOrExpire(channel_key, now_ms, 0);
  if (next_due) *next_due = 0;
  if (!claim.ok()) return claim.error();
  if (next_due) *next_due = claim->next_due;
  return std::move(claim->entry);
}

Result<Claim> Outbox::ClaimHeadOrExpire(const std::string& channel_key, int64_t now_ms,
                                        int64_t max_age_ms) {
  Result<std::vector<Claim>> claims = ClaimHeads({{channel_key, max_age_ms}}, now_ms);
  if (!claims.ok()) return claims.error();
  return std::move(claims->front());
}

Result<std::vector<Claim>> Outbox::ClaimHeads(const std::vector<ClaimRequest>& requests,
                                              int64_t now_ms) {
  std::lock_guard lock(mutex_);
  // NORMAL is enough for claims and for expiry: losing either to a power cut leaves the entry
  // pending, and the next claim takes or expires it again — nothing is sent because of it.
  if (Status s = SetSynchronousFull(false); !s.ok()) return StoreError("claim", s.message());
  sqlite::Transaction tx(*db_);
  if (Status s = tx.Begin(); !s.ok()) return StoreError("claim", s.message());
  auto head = db_->Prepare(std::string("SELECT ") + kEntryColumns +
                           " FROM outbox_entries WHERE channel_key = ? AND state < 2 "
                           "ORDER BY id LIMIT 1");
  if (!head.ok()) return StoreError("claim", head.message());
  auto expire = db_->Prepare(
      "UPDATE outbox_entries SET state = 3, last_error = ? WHERE id = ? AND state = 0");
  if (!expire.ok()) return StoreError("claim", expire.message());
  auto claim = db_->Prepare(
      "UPDATE outbox_entries SET state = 1, attempts = attempts + 1 WHERE id = ? AND state = 0");
  if (!claim.ok()) return StoreError("claim", claim.message());
  std::vector<Claim> results(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    const ClaimRequest& request = requests[i];
    Claim& result = results[i];
    while (true) {
      head->Bind(1, request.channel_key);
      auto step = head->Step();
      if (step == sqlite::Statement::StepResult::kError) {
        std::string message = db_->ErrorMessage();
        head->Reset();
        return StoreError("claim", message);
      }
      if (step == sqlite::Statement::StepResult::kDone) {
        head->Reset();
        break;
      }
      Entry entry = ReadEntry(*head);
      head->Reset();
      if (entry.state != EntryState::kPending) break;  // in flight: the channel is busy
      if (request.max_age_ms > 0 && now_ms - entry.queued_at >= request.max_age_ms) {
        std::string why = "expired: queued " + std::to_string((now_ms - entry.queued_at) / 1000) +
                          " s ago, older than max_age (" +
                          std::to_string(request.max_age_ms / 1000) + " s); ";
        why += entry.attempts == 0 ? "never sent"
                                   : "not sent again after " + std::to_string(entry.attempts) +
                                         " attempts; last error: " + entry.last_error;
        expire->Bind(1, Clip(why)).Bind(2, entry.id);
        if (Status s = expire->Run(); !s.ok()) return StoreError("claim", s.message());
        entry.state = EntryState::kDead;
        entry.last_error = Clip(why);
        result.expired.push_back(std::move(entry));
        if (result.expired.size() >= kMaxExpiredPerClaim) break;
        continue;
      }
      if (entry.next_attempt_at > now_ms) {
        result.next_due = entry.next_attempt_at;
        break;
      }
      if (Status s = claim->Bind(1, entry.id).Run(); !s.ok()) {
        return StoreError("claim", s.message());
      }
      entry.state = EntryState::kInFlight;
      ++entry.attempts;
      result.entry = std::move(entry);
      break;
    }
  }
  if (Status s = tx.Commit(); !s.ok()) return StoreError("claim", s.message());
  return results;
}

struct Outbox::DeliveredMark {
  int64_t id = 0;
  int response_status = 0;
  std::string response;
  std::string thread_ts;
  bool done = false;
  Status result;
};

// A lost "delivered" mark would resend an alert that was not in flight at a crash — the one
// repeat issue 4 forbids — so every mark is committed with synchronous=FULL before the caller
// hears of it. What is saved is the number of fsyncs: the sends that finish while one commit is
// on its way to the disk share the next one. Nothing waits on purpose: a lone caller commits at
// once, exactly as before.
Status Outbox::MarkDelivered(int64_t id, int response_status, const std::string& response,
                             const std::string& thread_ts) {
  DeliveredMark mark;
  mark.id = id;
  mark.response_status = response_status;
  mark.response = Clip(response);
  mark.thread_ts = thread_ts;
  std::unique_lock lock(group_mutex_);
  if (!group_commit_) {
    lock.unlock();
    return CommitDelivered({&mark});
  }
  group_queue_.push_back(&mark);
  while (!mark.done) {
    if (group_committing_) {
      group_done_.wait(lock);
      continue;
    }
    group_committing_ = true;
    std::vector<DeliveredMark*> batch;
    batch.swap(group_queue_);
    lock.unlock();
    Status status = CommitDelivered(batch);
    lock.lock();
    for (DeliveredMark* done : batch) {
      done->result = status;
      done->done = true;
    }
    group_committing_ = false;
    group_done_.notify_all();
  }
  return mark.result;
}

Status Outbox::CommitDelivered(const std::vector<DeliveredMark*>& batch) {
  std::lock_guard lock(mutex_);
  if (Status s = SetSynchronousFull(true); !s.ok()) return s;
  sqlite::Transaction tx(*db_);
  if (Status s = tx.Begin(); !s.ok()) return StoreError("mark delivered", s.message());
  auto update = db_->Prepare(
      "UPDATE outbox_entries SET state = 2, response_status = ?, response = ?, thread_ts = ?, "
      "last_error = '' WHERE id = ?");
  if (!update.ok()) return StoreError("mark delivered", update.message());
  for (const DeliveredMark* mark : batch) {
    update->Bind(1, static_cast<int64_t>(mark->response_status))
        .Bind(2, mark->response)
        .Bind(3, mark->thread_ts)
        .Bind(4, mark->id);
    if (Status s = update->Run(); !s.ok()) return StoreError("mark delivered", s.message());
  }
  if (Status s = tx.Commit(); !s.ok()) return StoreError("mark delivered", s.message());
  ++delivered_commits_;
  return Status::Ok();
}

void Outbox::SetGroupCommit(bool enabled) {
  std::lock_guard lock(group_mutex_);
  group_commit_ = enabled;
}

int64_t Outbox::DeliveredCommits() {
  std::lock_guard lock(mutex_);
  return delivered_commits_;
}

Status Outbox::MarkRetry(int64_t id, int64_t next_attempt_at, const std::string& error,
                         int response_status) {
  std::lock_guard lock(mutex_);
  if (Status s = SetSynchronousFull(false); !s.ok()) return s;
  auto update = db_->Prepare(
      "UPDATE outbox_entries SET state = 0, next_attempt_at = ?, last_error = ?, "
      "response_status = ? WHERE id = ?");
  if (!update.ok()) return StoreError("mark retry", update.message());
  update->Bind(1, next_attempt_at)
      .Bind(2, Clip(error))
      .Bind(3, static_cast<int64_t>(response_status))
      .Bind(4, id);
  if (Status s = update->Run(); !s.ok()) return StoreError("mark retry", s.message());
  return Status::Ok();
}

Status Outbox::MarkDead(int64_t id, const std::string& error, int response_status) {
  std::lock_guard lock(mutex_);
  if (Status s = SetSynchronousFull(true); !s.ok()) return s;
  auto update = db_->Prepare(
      "UPDATE outbox_entries SET state = 3, last_error = ?, response_status = ? WHERE id = ?");
  if (!update.ok()) return StoreError("mark dead", update.message());
  update->Bind(1, Clip(error)).Bind(2, static_cast<int64_t>(response_status)).Bind(3, id);
  if (Status s = update->Run(); !s.ok()) return StoreError("mark dead", s.message());
  return Status::Ok();
}

Result<std::vector<Entry>> Outbox::Query(const std::string& sql, const std::vector<int64_t>& ints) {
  auto stmt = db_->Prepare(sql);
  if (!stmt.ok()) return StoreError("query", stmt.message());
  for (size_t i = 0; i < ints.size(); ++i) stmt->Bind(static_cast<int>(i + 1), ints[i]);
  std::vector<Entry> entries;
  sqlite::Statement::StepResult step;
  while ((step = stmt->Step()) == sqlite::Statement::StepResult::kRow) {
    entries.push_back(ReadEntry(*stmt));
  }
  if (step == sqlite::Statement::StepResult::kError) {
    return StoreError("query", db_->ErrorMessage());
  }
  return entries;
}

Result<std::vector<Entry>> Outbox::List(std::optional<EntryState> state, int64_t limit) {
  std::lock_guard lock(mutex_);
  std::string sql = std::string("SELECT ") + kEntryColumns + " FROM outbox_entries";
  std::vector<int64_t> ints;
  if (state) {
    sql += " WHERE state = ?";
    ints.push_back(static_cast<int64_t>(*state));
  }
  sql += " ORDER BY id";
  if (limit > 0) {
    sql += " LIMIT ?";
    ints.push_back(limit);
  }
  return Query(sql, ints);
}

Result<std::optional<Entry>> Outbox::Get(int64_t id) {
  std::lock_guard lock(mutex_);
  auto entries =
      Query(std::string("SELECT ") + kEntryColumns + " FROM outbox_entries WHERE id = ?", {id});
  if (!entries.ok()) return entries.error();
  if (entries->empty()) return std::optional<Entry>();
  return std::optional<Entry>(std::move(entries->front()));
}

Result<int64_t> Outbox::Retry(int64_t id, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto update = db_->Prepare(
      "UPDATE outbox_entries SET state = 0, attempts = 0, next_attempt_at = ?, queued_at = ? "
      "WHERE id = ? AND state IN (0, 3)");
  if (!update.ok()) return StoreError("retry", update.message());
  update->Bind(1, now_ms).Bind(2, now_ms).Bind(3, id);
  if (Status s = update->Run(); !s.ok()) return StoreError("retry", s.message());
  return static_cast<int64_t>(db_->Changes());
}

Result<int64_t> Outbox::RetryAllDead(int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto update = db_->Prepare(
      "UPDATE outbox_entries SET state = 0, attempts = 0, next_attempt_at = ?, queued_at = ? "
      "WHERE state = 3");
  if (!update.ok()) return StoreError("retry", update.message());
  update->Bind(1, now_ms).Bind(2, now_ms);
  if (Status s = update->Run(); !s.ok()) return StoreError("retry", s.message());
  return static_cast<int64_t>(db_->Changes());
}

Result<int64_t> Outbox::RetryDeadOf(const std::set<std::string>& targets, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto update = db_->Prepare(
      "UPDATE outbox_entries SET state = 0, attempts = 0, next_attempt_at = ?, queued_at = ? "
      "WHERE state = 3 AND target = ?");
  if (!update.ok()) return StoreError("retry", update.message());
  sqlite::Transaction tx(*db_);
  if (Status s = tx.Begin(); !s.ok()) return StoreError("retry", s.message());
  int64_t changed = 0;
  for (const std::string& target : targets) {
    update->Bind(1, now_ms).Bind(2, now_ms).Bind(3, target);
    if (Status s = update->Run(); !s.ok()) return StoreError("retry", s.message());
    changed += db_->Changes();
  }
  if (Status s = tx.Commit(); !s.ok()) return StoreError("retry", s.message());
  return changed;
}

Result<int64_t> Outbox::Purge(EntryState state) {
  if (state != EntryState::kDead && state != EntryState::kDelivered) {
    return Error{"outbox: only dead or delivered entries can be purged"};
  }
  std::lock_guard lock(mutex_);
  auto del = db_->Prepare("DELETE FROM outbox_entries WHERE state = ?");
  if (!del.ok()) return StoreError("purge", del.message());
  del->Bind(1, static_cast<int64_t>(state));
  if (Status s = del->Run(); !s.ok()) return StoreError("purge", s.message());
  return static_cast<int64_t>(db_->Changes());
}

Result<OutboxStats> Outbox::Stats() {
  std::lock_guard lock(mutex_);
  OutboxStats stats;
  auto counts = db_->Prepare("SELECT state, COUNT(*) FROM outbox_entries GROUP BY state");
  if (!counts.ok()) return StoreError("stats", counts.message());
  while (counts->Step() == sqlite::Statement::StepResult::kRow) {
    int64_t n = counts->ColumnInt(1);
    switch (static_cast<EntryState>(counts->ColumnInt(0))) {
      case EntryState::kPending:
        stats.pending = n;
        break;
      case EntryState::kInFlight:
        stats.in_flight = n;
        break;
      case EntryState::kDelivered:
        stats.delivered = n;
        break;
      case EntryState::kDead:
        stats.dead = n;
        break;
    }
  }
  auto oldest = db_->Prepare("SELECT MIN(created_at) FROM outbox_entries WHERE state < 2");
  if (!oldest.ok()) return StoreError("stats", oldest.message());
  if (oldest->Step() == sqlite::Statement::StepResult::kRow && !oldest->ColumnIsNull(0)) {
    stats.oldest_pending_created_at = oldest->ColumnInt(0);
  }
  return stats;
}

Result<int64_t> Outbox::CountUndelivered(const std::vector<std::string>& channel_keys) {
  std::lock_guard lock(mutex_);
  auto count =
      db_->Prepare("SELECT COUNT(*) FROM outbox_entries WHERE channel_key = ? AND state < 2");
  if (!count.ok()) return StoreError("count", count.message());
  int64_t total = 0;
  for (const std::string& key : channel_keys) {
    count->Bind(1, key);
    if (count->Step() != sqlite::Statement::StepResult::kRow) {
      return StoreError("count", db_->ErrorMessage());
    }
    total += count->ColumnInt(0);
    count->Reset();
  }
  return total;
}

Result<std::vector<ChannelBacklog>> Outbox::UndeliveredChannels() {
  std::lock_guard lock(mutex_);
  // A skip scan over the partial index (channel_key, id) WHERE state < 2: each step jumps to the
  // next distinct channel, so the cost grows with the number of channels, not with the backlog
  // (SQLite 3.40 does not skip-scan DISTINCT on its own).
  auto channels = db_->Prepare(
      "WITH RECURSIVE channel(key) AS ("
      "  SELECT MIN(channel_key) FROM outbox_entries WHERE state < 2"
      "  UNION ALL"
      "  SELECT (SELECT MIN(channel_key) FROM outbox_entries WHERE state < 2 AND channel_key > key)"
      "  FROM channel WHERE key IS NOT NULL) "
      "SELECT key, (SELECT target FROM outbox_entries WHERE state < 2 AND channel_key = key "
      "ORDER BY id LIMIT 1) FROM channel WHERE key IS NOT NULL");
  if (!channels.ok()) return StoreError("channels", channels.message());
  std::vector<ChannelBacklog> result;
  sqlite::Statement::StepResult step;
  while ((step = channels->Step()) == sqlite::Statement::StepResult::kRow) {
    result.push_back({channels->ColumnText(0), channels->ColumnText(1)});
  }
  if (step == sqlite::Statement::StepResult::kError) {
    return StoreError("channels", db_->ErrorMessage());
  }
  return result;
}

Result<std::map<std::string, int64_t>> Outbox::UndeliveredByTarget() {
  std::lock_guard lock(mutex_);
  auto counts =
      db_->Prepare("SELECT target, COUNT(*) FROM outbox_entries WHERE state < 2 GROUP BY target");
  if (!counts.ok()) return StoreError("backlog", counts.message());
  std::map<std::string, int64_t> result;
  sqlite::Statement::StepResult step;
  while ((step = counts->Step()) == sqlite::Statement::StepResult::kRow) {
    result[counts->ColumnText(0)] = counts->ColumnInt(1);
  }
  if (step == sqlite::Statement::StepResult::kError) {
    return StoreError("backlog", db_->ErrorMessage());
  }
  return result;
}

Result<std::map<std::string, int64_t>> Outbox::CountByTarget(EntryState state) {
  std::lock_guard lock(mutex_);
  auto counts =
      db_->Prepare("SELECT target, COUNT(*) FROM outbox_entries WHERE state = ? GROUP BY target");
  if (!counts.ok()) return StoreError("count", counts.message());
  counts->Bind(1, static_cast<int64_t>(state));
  std::map<std::string, int64_t> result;
  sqlite::Statement::StepResult step;
  while ((step = counts->Step()) == sqlite::Statement::StepResult::kRow) {
    result[counts->ColumnText(0)] = counts->ColumnInt(1);
  }
  if (step == sqlite::Statement::StepResult::kError) {
    return StoreError("count", db_->ErrorMessage());
  }
  return result;
}

Result<int64_t> Outbox::DeadLetterTarget(const std::string& target, const std::string& error) {
  std::lock_guard lock(mutex_);
  if (Status s = SetSynchronousFull(false); !s.ok()) return StoreError("dead letter", s.message());
  auto update = db_->Prepare(
      "UPDATE outbox_entries SET state = 3, last_error = ? WHERE state = 0 AND target = ?");
  if (!update.ok()) return StoreError("dead letter", update.message());
  update->Bind(1, Clip(error)).Bind(2, target);
  if (Status s = update->Run(); !s.ok()) return StoreError("dead letter", s.message());
  return static_cast<int64_t>(db_->Changes());
}

Result<std::optional<ThreadRoot>> Outbox::FindThreadRoot(const std::string& target,
                                                         const std::string& group_key) {
  std::lock_guard lock(mutex_);
  auto find = db_->Prepare(
      "SELECT ts, channel, parent_alert, first_seen, count FROM slack_thread_roots "
      "WHERE target = ? AND group_key = ?");
  if (!find.ok()) return StoreError("thread root", find.message());
  find->Bind(1, target).Bind(2, group_key);
  auto step = find->Step();
  if (step == sqlite::Statement::StepResult::kError) {
    return StoreError("thread root", db_->ErrorMessage());
  }
  if (step == sqlite::Statement::StepResult::kDone) return std::optional<ThreadRoot>();
  ThreadRoot root;
  root.ts = find->ColumnText(0);
  root.channel = find->ColumnText(1);
  root.parent_alert = find->ColumnText(2);
  root.first_seen = find->ColumnInt(3);
  root.count = find->ColumnInt(4);
  return std::optional<ThreadRoot>(std::move(root));
}

Status Outbox::SaveThreadRoot(const std::string& target, const std::string& group_key,
                              const ThreadRoot& root) {
  std::lock_guard lock(mutex_);
  auto save = db_->Prepare(
      "INSERT OR REPLACE INTO slack_thread_roots "
      "(target, group_key, ts, channel, parent_alert, first_seen, count) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  if (!save.ok()) return StoreError("thread root", save.message());
  save->Bind(1, target)
      .Bind(2, group_key)
      .Bind(3, root.ts)
      .Bind(4, root.channel)
      .Bind(5, root.parent_alert)
      .Bind(6, root.first_seen)
      .Bind(7, root.count);
  if (Status s = save->Run(); !s.ok()) return StoreError("thread root", s.message());
  return Status::Ok();
}

Result<int64_t> Outbox::BumpThreadRoot(const std::string& target, const std::string& group_key) {
  std::lock_guard lock(mutex_);
  auto bump = db_->Prepare(
      "UPDATE slack_thread_roots SET count = count + 1 WHERE target = ? AND group_key = ? "
      "RETURNING count");
  if (!bump.ok()) return StoreError("thread root", bump.message());
  bump->Bind(1, target).Bind(2, group_key);
  if (bump->Step() != sqlite::Statement::StepResult::kRow) {
    return StoreError("thread root", "no thread root for this group");
  }
  int64_t count = bump->ColumnInt(0);
  bump->Reset();
  return count;
}

}  // namespace trailwatch::outbox
