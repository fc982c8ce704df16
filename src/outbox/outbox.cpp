#include "outbox/outbox.h"

#include <simdjson.h>

#include "common/json_string.h"
#include "envelope/validate_envelope.h"

namespace trailwatch::outbox {

namespace {

Entry EntryFromRow(store::QueueRow row) {
  Entry entry;
  entry.id = row.id;
  entry.target = std::move(row.target);
  entry.idempotency_key = std::move(row.idempotency_key);
  entry.channel_key = std::move(row.channel_key);
  Result<route::Alert> alert = ParseAlert(row.payload);
  if (alert.ok()) entry.alert = std::move(alert.value());
  entry.state = row.state;
  entry.attempts = row.attempts;
  entry.next_attempt_at = row.next_attempt_at;
  entry.created_at = row.created_at;
  entry.queued_at = row.queued_at;
  entry.last_error = std::move(row.last_error);
  if (!alert.ok()) entry.last_error = "stored alert is unreadable: " + alert.message();
  entry.response_status = row.response_status;
  entry.response = std::move(row.response);
  entry.thread_ts = std::move(row.thread_ts);
  entry.claim_generation = row.claim_generation;
  return entry;
}

Result<std::vector<Entry>> EntriesFromRows(Result<std::vector<store::QueueRow>> rows) {
  if (!rows.ok()) return rows.error();
  std::vector<Entry> entries;
  entries.reserve(rows->size());
  for (store::QueueRow& row : *rows) entries.push_back(EntryFromRow(std::move(row)));
  return entries;
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
  AppendJsonString(key, target);
  key += ",";
  // A grouped alert stands for every rule of the event at this target: two members, not three,
  // so it can never equal a per-rule key.
  if (!alert.grouped) {
    AppendJsonString(key, alert.rule);
    key += ",";
  }
  AppendJsonString(key, alert.envelope.DedupKey());
  key += "]";
  return key;
}

std::string SerializeAlert(const route::Alert& alert) {
  std::string out = "{\"rule\":";
  AppendJsonString(out, alert.rule);
  out += ",\"severity\":";
  AppendJsonString(out, route::SeverityName(alert.severity));
  out += ",\"event_id\":";
  AppendJsonString(out, alert.envelope.DedupKey());
  out += ",\"origin\":";
  AppendJsonString(out, alert.origin);
  if (alert.test) out += ",\"test\":\"true\"";  // absent from real alerts (and older entries)
  // Grouping (absent from per-rule alerts and from entries of older versions). Every member is a
  // string, so that an older version can still read a grouped entry (it ignores unknown members
  // and sends the primary rule); also_rules is a JSON array written as a string for that reason.
  if (alert.grouped) out += ",\"grouped\":\"true\"";
  if (!alert.also_rules.empty()) {
    std::string rules = "[";
    for (size_t i = 0; i < alert.also_rules.size(); ++i) {
      if (i > 0) rules += ",";
      AppendJsonString(rules, alert.also_rules[i]);
    }
    rules += "]";
    out += ",\"also_rules\":";
    AppendJsonString(out, rules);
  }
  out += ",\"event\":";
  AppendJsonString(out, alert.envelope.json);
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
  std::string also_rules;
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
    else if (key == "test")
      alert.test = value == "true";
    else if (key == "grouped")
      alert.grouped = value == "true";
    else if (key == "also_rules")
      also_rules = value;
  }
  if (!also_rules.empty()) {
    simdjson::dom::parser rules_parser;
    simdjson::dom::array rules;
    if (rules_parser.parse(also_rules).get_array().get(rules) != simdjson::SUCCESS) {
      return Error{"field also_rules is not a JSON array"};
    }
    for (simdjson::dom::element rule : rules) {
      std::string_view name;
      if (rule.get_string().get(name) != simdjson::SUCCESS) {
        return Error{"field also_rules holds a value that is not a string"};
      }
      alert.also_rules.emplace_back(name);
    }
  }
  if (!severity.empty() && !route::ParseSeverity(severity, &alert.severity)) {
    return Error{"unknown severity \"" + severity + "\""};
  }
  // The header fields come back from the event itself (it passed ValidateEnvelope on the way
  // in); the stored dedup key wins, so that an entry keeps the identity it was queued under.
  // Only the header is read: the stored text is kept as it is (no minified copy).
  simdjson::dom::parser event_parser;
  simdjson::dom::element event;
  if (event_parser.parse(alert.envelope.json).get(event) != simdjson::SUCCESS ||
      !envelope::ValidateEnvelope(event, &alert.envelope).ok()) {
    std::string text = std::move(alert.envelope.json);
    alert.envelope = envelope::Envelope{};
    alert.envelope.json = std::move(text);
  }
  if (alert.envelope.DedupKey() != dedup_key) alert.envelope.event_id = dedup_key;
  return alert;
}

Result<std::unique_ptr<Outbox>> Outbox::Open(const std::string& store) {
  auto backend = store::StoreBackend::Open(store);
  if (!backend.ok()) return backend.error();
  return Open(**backend);
}

Result<std::unique_ptr<Outbox>> Outbox::Open(store::StoreBackend& backend) {
  auto queue = backend.OpenQueue();
  if (!queue.ok()) return queue.error();
  auto roots = backend.OpenThreadRoots();
  if (!roots.ok()) return roots.error();
  return std::make_unique<Outbox>(std::move(queue.value()), std::move(roots.value()));
}

Result<EnqueueResult> Outbox::Enqueue(const std::vector<NewEntry>& entries, int64_t now_ms) {
  std::vector<store::NewQueueRow> rows;
  rows.reserve(entries.size());
  for (const NewEntry& entry : entries) {
    rows.push_back({entry.target, IdempotencyKey(entry.target, entry.alert), entry.channel_key,
                    SerializeAlert(entry.alert)});
  }
  return queue_->Enqueue(rows, now_ms);
}

Result<int64_t> Outbox::RecoverInFlight() { return queue_->RecoverInFlight(); }

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
  Result<std::vector<store::QueueClaim>> found =
      queue_->ClaimHeads(requests, now_ms, kMaxExpiredPerClaim);
  if (!found.ok()) return found.error();
  std::vector<Claim> claims(found->size());
  for (size_t i = 0; i < found->size(); ++i) {
    store::QueueClaim& from = (*found)[i];
    Claim& to = claims[i];
    if (from.row) to.entry = EntryFromRow(std::move(*from.row));
    to.next_due = from.next_due;
    to.expired.reserve(from.expired.size());
    for (store::QueueRow& row : from.expired) to.expired.push_back(EntryFromRow(std::move(row)));
  }
  return claims;
}

struct Outbox::DeliveredMark {
  store::DeliveredMark mark;
  bool done = false;
  Status result;
};

// A lost "delivered" mark would resend an alert that was not in flight at a crash — the one
// repeat issue 4 forbids — so every mark is committed durably (synchronous=FULL in SQLite) before
// the caller hears of it. What is saved is the number of fsyncs: the sends that finish while one
// commit is on its way to the disk share the next one. Nothing waits on purpose: a lone caller
// commits at once, exactly as before.
Status Outbox::MarkDelivered(int64_t id, int response_status, const std::string& response,
                             const std::string& thread_ts) {
  DeliveredMark mark;
  mark.mark.id = id;
  mark.mark.response_status = response_status;
  mark.mark.response = store::ClipStoredText(response);
  mark.mark.thread_ts = thread_ts;
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
  std::vector<store::DeliveredMark> marks;
  marks.reserve(batch.size());
  for (const DeliveredMark* mark : batch) marks.push_back(mark->mark);
  Status status = queue_->MarkDelivered(marks);
  if (status.ok()) ++delivered_commits_;
  return status;
}

void Outbox::SetGroupCommit(bool enabled) {
  std::lock_guard lock(group_mutex_);
  group_commit_ = enabled;
}

int64_t Outbox::DeliveredCommits() { return delivered_commits_.load(); }

Status Outbox::MarkRetry(int64_t id, int64_t next_attempt_at, const std::string& error,
                         int response_status) {
  return queue_->MarkRetry(id, next_attempt_at, error, response_status);
}

Status Outbox::MarkDead(int64_t id, const std::string& error, int response_status) {
  return queue_->MarkDead(id, error, response_status);
}

Result<std::vector<Entry>> Outbox::List(std::optional<EntryState> state, int64_t limit) {
  return EntriesFromRows(queue_->List(state, limit));
}

Result<std::vector<Entry>> Outbox::ListAfter(EntryState state, int64_t after_id, int64_t limit) {
  return EntriesFromRows(queue_->ListAfter(state, after_id, limit));
}

Result<int64_t> Outbox::PurgeDead(const std::vector<int64_t>& ids) { return queue_->PurgeDead(ids); }

Result<std::optional<Entry>> Outbox::Get(int64_t id) {
  Result<std::optional<store::QueueRow>> row = queue_->Get(id);
  if (!row.ok()) return row.error();
  if (!row->has_value()) return std::optional<Entry>();
  return std::optional<Entry>(EntryFromRow(std::move(**row)));
}

Result<int64_t> Outbox::Retry(int64_t id, int64_t now_ms) { return queue_->Retry(id, now_ms); }

Result<int64_t> Outbox::RetryAllDead(int64_t now_ms) { return queue_->RetryAllDead(now_ms); }

Result<int64_t> Outbox::RetryDeadOf(const std::set<std::string>& targets, int64_t now_ms) {
  return queue_->RetryDeadOf(targets, now_ms);
}

Result<int64_t> Outbox::Purge(EntryState state) {
  if (state != EntryState::kDead && state != EntryState::kDelivered) {
    return Error{"outbox: only dead or delivered entries can be purged"};
  }
  return queue_->Purge(state);
}

Result<OutboxStats> Outbox::Stats() { return queue_->Stats(); }

Result<int64_t> Outbox::CountUndelivered(const std::vector<std::string>& channel_keys) {
  return queue_->CountUndelivered(channel_keys);
}

Result<std::vector<ChannelBacklog>> Outbox::UndeliveredChannels() {
  return queue_->UndeliveredChannels();
}

Result<std::map<std::string, int64_t>> Outbox::UndeliveredByTarget() {
  return queue_->UndeliveredByTarget();
}

Result<std::map<std::string, int64_t>> Outbox::CountByTarget(EntryState state) {
  return queue_->CountByTarget(state);
}

Result<int64_t> Outbox::DeadLetterTarget(const std::string& target, const std::string& error) {
  return queue_->DeadLetterTarget(target, error);
}

Result<std::optional<ThreadRoot>> Outbox::FindThreadRoot(const std::string& target,
                                                         const std::string& group_key) {
  return thread_roots_->Find(target, group_key);
}

Status Outbox::SaveThreadRoot(const std::string& target, const std::string& group_key,
                              const ThreadRoot& root) {
  return thread_roots_->Save(target, group_key, root);
}

Result<int64_t> Outbox::BumpThreadRoot(const std::string& target, const std::string& group_key) {
  return thread_roots_->Bump(target, group_key);
}

bool Outbox::ClaimStillValid(const Entry& entry) {
  store::QueueRow row;
  row.id = entry.id;
  row.channel_key = entry.channel_key;
  row.claim_generation = entry.claim_generation;
  return queue_->ClaimStillValid(row);
}

void Outbox::ReleaseClaims() { queue_->ReleaseClaims(); }

void Outbox::WatchEnqueues(std::function<void()> wake) { queue_->WatchEnqueues(std::move(wake)); }

}  // namespace trailwatch::outbox
