// SqliteOutboxQueue (sqlite_outbox_queue.h): the outbox queue SQL.
#include "store/sqlite_outbox_queue.h"

#include "store/store_error.h"

namespace trailwatch::store {

namespace {

using sqlite::Statement;

// The columns ReadRow reads, in its order.
constexpr const char* kSqliteRowColumns =
    "id, target, idempotency_key, channel_key, alert, state, attempts, next_attempt_at, "
    "created_at, queued_at, last_error, response_status, response, thread_ts";

QueueRow ReadRow(const Statement& stmt) {
  QueueRow row;
  row.id = stmt.ColumnInt(0);
  row.target = stmt.ColumnText(1);
  row.idempotency_key = stmt.ColumnText(2);
  row.channel_key = stmt.ColumnText(3);
  row.payload = stmt.ColumnText(4);
  row.state = static_cast<QueueState>(stmt.ColumnInt(5));
  row.attempts = static_cast<int>(stmt.ColumnInt(6));
  row.next_attempt_at = stmt.ColumnInt(7);
  row.created_at = stmt.ColumnInt(8);
  row.queued_at = stmt.ColumnInt(9);
  row.last_error = stmt.ColumnText(10);
  row.response_status = static_cast<int>(stmt.ColumnInt(11));
  row.response = stmt.ColumnText(12);
  row.thread_ts = stmt.ColumnText(13);
  return row;
}

std::string SelectSqliteRows(const char* where) {
  std::string sql = "SELECT ";
  sql.append(kSqliteRowColumns);
  sql.append(" FROM outbox_entries");
  sql.append(where);
  return sql;
}

}  // namespace

Result<QueueEnqueueResult> SqliteOutboxQueue::Enqueue(const std::vector<NewQueueRow>& rows,
                                                      int64_t now_ms) {
  auto lock = connection_->Lock();
  sqlite::Database& db = connection_->db();
  if (Status s = connection_->SetSynchronousFull(true); !s.ok()) {
    return OutboxStoreError("enqueue", s.message());
  }
  auto insert = db.Prepare(
      "INSERT INTO outbox_entries (target, idempotency_key, channel_key, alert, state, "
      "next_attempt_at, created_at, queued_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?) "
      "ON CONFLICT (idempotency_key) DO NOTHING");
  if (!insert.ok()) return OutboxStoreError("enqueue", insert.message());
  sqlite::Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return OutboxStoreError("enqueue", s.message());
  QueueEnqueueResult result;
  for (const NewQueueRow& row : rows) {
    insert->Bind(1, row.target)
        .Bind(2, row.idempotency_key)
        .Bind(3, row.channel_key)
        .Bind(4, row.payload)
        .Bind(5, now_ms)
        .Bind(6, now_ms)
        .Bind(7, now_ms);
    if (Status s = insert->Run(); !s.ok()) return OutboxStoreError("enqueue", s.message());
    if (db.Changes() == 1) {
      result.ids.push_back(db.LastInsertRowId());
      ++result.inserted;
    } else {
      result.ids.push_back(0);
      ++result.duplicates;
    }
  }
  if (Status s = tx.Commit(); !s.ok()) return OutboxStoreError("enqueue", s.message());
  return result;
}

Result<int64_t> SqliteOutboxQueue::RecoverInFlight() {
  auto lock = connection_->Lock();
  sqlite::Database& db = connection_->db();
  if (Status s = db.Exec("UPDATE outbox_entries SET state = 0 WHERE state = 1"); !s.ok()) {
    return OutboxStoreError("recovering in-flight entries", s.message());
  }
  return static_cast<int64_t>(db.Changes());
}

Result<std::vector<QueueClaim>> SqliteOutboxQueue::ClaimHeads(
    const std::vector<QueueClaimRequest>& requests, int64_t now_ms, size_t max_expired) {
  auto lock = connection_->Lock();
  sqlite::Database& db = connection_->db();
  // NORMAL is enough for claims and for expiry: losing either to a power cut leaves the entry
  // pending, and the next claim takes or expires it again — nothing is sent because of it.
  if (Status s = connection_->SetSynchronousFull(false); !s.ok()) {
    return OutboxStoreError("claim", s.message());
  }
  sqlite::Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return OutboxStoreError("claim", s.message());
  auto head =
      db.Prepare(SelectSqliteRows(" WHERE channel_key = ? AND state < 2 ORDER BY id LIMIT 1"));
  if (!head.ok()) return OutboxStoreError("claim", head.message());
  auto expire =
      db.Prepare("UPDATE outbox_entries SET state = 3, last_error = ? WHERE id = ? AND state = 0");
  if (!expire.ok()) return OutboxStoreError("claim", expire.message());
  auto claim = db.Prepare(
      "UPDATE outbox_entries SET state = 1, attempts = attempts + 1 WHERE id = ? AND state = 0");
  if (!claim.ok()) return OutboxStoreError("claim", claim.message());
  std::vector<QueueClaim> results(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    const QueueClaimRequest& request = requests[i];
    QueueClaim& result = results[i];
    while (true) {
      head->Bind(1, request.channel_key);
      auto step = head->Step();
      if (step == Statement::StepResult::kError) {
        std::string message = db.ErrorMessage();
        head->Reset();
        return OutboxStoreError("claim", message);
      }
      if (step == Statement::StepResult::kDone) {
        head->Reset();
        break;
      }
      QueueRow row = ReadRow(*head);
      head->Reset();
      if (row.state != QueueState::kPending) break;  // in flight: the channel is busy
      if (request.max_age_ms > 0 && now_ms - row.queued_at >= request.max_age_ms) {
        std::string why = ExpiredReason(row, now_ms, request.max_age_ms);
        expire->Bind(1, why).Bind(2, row.id);
        if (Status s = expire->Run(); !s.ok()) return OutboxStoreError("claim", s.message());
        row.state = QueueState::kDead;
        row.last_error = std::move(why);
        result.expired.push_back(std::move(row));
        if (result.expired.size() >= max_expired) break;
        continue;
      }
      if (row.next_attempt_at > now_ms) {
        result.next_due = row.next_attempt_at;
        break;
      }
      if (Status s = claim->Bind(1, row.id).Run(); !s.ok()) {
        return OutboxStoreError("claim", s.message());
      }
      row.state = QueueState::kInFlight;
      ++row.attempts;
      result.row = std::move(row);
      break;
    }
  }
  if (Status s = tx.Commit(); !s.ok()) return OutboxStoreError("claim", s.message());
  return results;
}

Status SqliteOutboxQueue::MarkDelivered(const std::vector<DeliveredMark>& marks) {
  auto lock = connection_->Lock();
  sqlite::Database& db = connection_->db();
  if (Status s = connection_->SetSynchronousFull(true); !s.ok()) return s;
  sqlite::Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return OutboxStoreError("mark delivered", s.message());
  auto update = db.Prepare(
      "UPDATE outbox_entries SET state = 2, response_status = ?, response = ?, thread_ts = ?, "
      "last_error = '' WHERE id = ?");
  if (!update.ok()) return OutboxStoreError("mark delivered", update.message());
  for (const DeliveredMark& mark : marks) {
    update->Bind(1, static_cast<int64_t>(mark.response_status))
        .Bind(2, ClipStoredText(mark.response))
        .Bind(3, mark.thread_ts)
        .Bind(4, mark.id);
    if (Status s = update->Run(); !s.ok()) return OutboxStoreError("mark delivered", s.message());
  }
  if (Status s = tx.Commit(); !s.ok()) return OutboxStoreError("mark delivered", s.message());
  return Status::Ok();
}

Status SqliteOutboxQueue::MarkRetry(int64_t id, int64_t next_attempt_at, const std::string& error,
                                    int response_status) {
  auto lock = connection_->Lock();
  if (Status s = connection_->SetSynchronousFull(false); !s.ok()) return s;
  auto update = connection_->db().Prepare(
      "UPDATE outbox_entries SET state = 0, next_attempt_at = ?, last_error = ?, "
      "response_status = ? WHERE id = ?");
  if (!update.ok()) return OutboxStoreError("mark retry", update.message());
  update->Bind(1, next_attempt_at)
      .Bind(2, ClipStoredText(error))
      .Bind(3, static_cast<int64_t>(response_status))
      .Bind(4, id);
  if (Status s = update->Run(); !s.ok()) return OutboxStoreError("mark retry", s.message());
  return Status::Ok();
}

Status SqliteOutboxQueue::MarkDead(int64_t id, const std::string& error, int response_status) {
  auto lock = connection_->Lock();
  if (Status s = connection_->SetSynchronousFull(true); !s.ok()) return s;
  auto update = connection_->db().Prepare(
      "UPDATE outbox_entries SET state = 3, last_error = ?, response_status = ? WHERE id = ?");
  if (!update.ok()) return OutboxStoreError("mark dead", update.message());
  update->Bind(1, ClipStoredText(error)).Bind(2, static_cast<int64_t>(response_status)).Bind(3, id);
  if (Status s = update->Run(); !s.ok()) return OutboxStoreError("mark dead", s.message());
  return Status::Ok();
}

Result<std::vector<QueueRow>> SqliteOutboxQueue::QueryLocked(const std::string& sql,
                                                             const std::vector<int64_t>& ints) {
  sqlite::Database& db = connection_->db();
  auto stmt = db.Prepare(sql);
  if (!stmt.ok()) return OutboxStoreError("query", stmt.message());
  for (size_t i = 0; i < ints.size(); ++i) stmt->Bind(static_cast<int>(i + 1), ints[i]);
  std::vector<QueueRow> rows;
  Statement::StepResult step;
  while ((step = stmt->Step()) == Statement::StepResult::kRow) rows.push_back(ReadRow(*stmt));
  if (step == Statement::StepResult::kError) return OutboxStoreError("query", db.ErrorMessage());
  return rows;
}

Result<std::vector<QueueRow>> SqliteOutboxQueue::List(std::optional<QueueState> state,
                                                      int64_t limit) {
  auto lock = connection_->Lock();
  std::string sql = SelectSqliteRows("");
  std::vector<int64_t> ints;
  if (state) {
    sql.append(" WHERE state = ?");
    ints.push_back(static_cast<int64_t>(*state));
  }
  sql.append(" ORDER BY id");
  if (limit > 0) {
    sql.append(" LIMIT ?");
    ints.push_back(limit);
  }
  return QueryLocked(sql, ints);
}

Result<std::optional<QueueRow>> SqliteOutboxQueue::Get(int64_t id) {
  auto lock = connection_->Lock();
  auto rows = QueryLocked(SelectSqliteRows(" WHERE id = ?"), {id});
  if (!rows.ok()) return rows.error();
  if (rows->empty()) return std::optional<QueueRow>();
  return std::optional<QueueRow>(std::move(rows->front()));
}

Result<std::vector<QueueRow>> SqliteOutboxQueue::ListAfter(QueueState state, int64_t after_id,
                                                           int64_t limit) {
  auto lock = connection_->Lock();
  return QueryLocked(SelectSqliteRows(" WHERE state = ? AND id > ? ORDER BY id LIMIT ?"),
                     {static_cast<int64_t>(state), after_id, limit});
}

Result<int64_t> SqliteOutboxQueue::PurgeDead(const std::vector<int64_t>& ids) {
  auto lock = connection_->Lock();
  sqlite::Database& db = connection_->db();
  auto del = db.Prepare("DELETE FROM outbox_entries WHERE id = ? AND state = 3");
  if (!del.ok()) return OutboxStoreError("purge", del.message());
  sqlite::Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return OutboxStoreError("purge", s.message());
  int64_t removed = 0;
  for (int64_t id : ids) {
    del->Bind(1, id);
    if (Status s = del->Run(); !s.ok()) return OutboxStoreError("purge", s.message());
    removed += db.Changes();
  }
  if (Status s = tx.Commit(); !s.ok()) return OutboxStoreError("purge", s.message());
  return removed;
}

Result<int64_t> SqliteOutboxQueue::Retry(int64_t id, int64_t now_ms) {
  auto lock = connection_->Lock();
  sqlite::Database& db = connection_->db();
  auto update = db.Prepare(
      "UPDATE outbox_entries SET state = 0, attempts = 0, next_attempt_at = ?, queued_at = ? "
      "WHERE id = ? AND state IN (0, 3)");
  if (!update.ok()) return OutboxStoreError("retry", update.message());
  update->Bind(1, now_ms).Bind(2, now_ms).Bind(3, id);
  if (Status s = update->Run(); !s.ok()) return OutboxStoreError("retry", s.message());
  return static_cast<int64_t>(db.Changes());
}

Result<int64_t> SqliteOutboxQueue::RetryAllDead(int64_t now_ms) {
  auto lock = connection_->Lock();
  sqlite::Database& db = connection_->db();
  auto update = db.Prepare(
      "UPDATE outbox_entries SET state = 0, attempts = 0, next_attempt_at = ?, queued_at = ? "
      "WHERE state = 3");
  if (!update.ok()) return OutboxStoreError("retry", update.message());
  update->Bind(1, now_ms).Bind(2, now_ms);
  if (Status s = update->Run(); !s.ok()) return OutboxStoreError("retry", s.message());
  return static_cast<int64_t>(db.Changes());
}

Result<int64_t> SqliteOutboxQueue::RetryDeadOf(const std::set<std::string>& targets,
                                               int64_t now_ms) {
  auto lock = connection_->Lock();
  sqlite::Database& db = connection_->db();
  auto update = db.Prepare(
      "UPDATE outbox_entries SET state = 0, attempts = 0, next_attempt_at = ?, queued_at = ? "
      "WHERE state = 3 AND target = ?");
  if (!update.ok()) return OutboxStoreError("retry", update.message());
  sqlite::Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return OutboxStoreError("retry", s.message());
  int64_t changed = 0;
  for (const std::string& target : targets) {
    update->Bind(1, now_ms).Bind(2, now_ms).Bind(3, target);
    if (Status s = update->Run(); !s.ok()) return OutboxStoreError("retry", s.message());
    changed += db.Changes();
  }
  if (Status s = tx.Commit(); !s.ok()) return OutboxStoreError("retry", s.message());
  return changed;
}

Result<int64_t> SqliteOutboxQueue::Purge(QueueState state) {
  auto lock = connection_->Lock();
  sqlite::Database& db = connection_->db();
  auto del = db.Prepare("DELETE FROM outbox_entries WHERE state = ?");
  if (!del.ok()) return OutboxStoreError("purge", del.message());
  del->Bind(1, static_cast<int64_t>(state));
  if (Status s = del->Run(); !s.ok()) return OutboxStoreError("purge", s.message());
  return static_cast<int64_t>(db.Changes());
}

Result<QueueStats> SqliteOutboxQueue::Stats() {
  auto lock = connection_->Lock();
  sqlite::Database& db = connection_->db();
  QueueStats stats;
  auto counts = db.Prepare("SELECT state, COUNT(*) FROM outbox_entries GROUP BY state");
  if (!counts.ok()) return OutboxStoreError("stats", counts.message());
  while (counts->Step() == Statement::StepResult::kRow) {
    AddStateCount(&stats, counts->ColumnInt(0), counts->ColumnInt(1));
  }
  auto oldest = db.Prepare("SELECT MIN(created_at) FROM outbox_entries WHERE state < 2");
  if (!oldest.ok()) return OutboxStoreError("stats", oldest.message());
  if (oldest->Step() == Statement::StepResult::kRow && !oldest->ColumnIsNull(0)) {
    stats.oldest_pending_created_at = oldest->ColumnInt(0);
  }
  auto targets = db.Prepare(
      "SELECT target, COUNT(*), MIN(created_at) FROM outbox_entries WHERE state < 2 "
      "GROUP BY target");
  if (!targets.ok()) return OutboxStoreError("stats", targets.message());
  while (targets->Step() == Statement::StepResult::kRow) {
    stats.by_target[targets->ColumnText(0)] = {targets->ColumnInt(1), targets->ColumnInt(2)};
  }
  return stats;
}

Result<int64_t> SqliteOutboxQueue::CountUndelivered(const std::vector<std::string>& channel_keys) {
  auto lock = connection_->Lock();
  sqlite::Database& db = connection_->db();
  auto count =
      db.Prepare("SELECT COUNT(*) FROM outbox_entries WHERE channel_key = ? AND state < 2");
  if (!count.ok()) return OutboxStoreError("count", count.message());
  int64_t total = 0;
  for (const std::string& key : channel_keys) {
    count->Bind(1, key);
    if (count->Step() != Statement::StepResult::kRow) {
      return OutboxStoreError("count", db.ErrorMessage());
    }
    total += count->ColumnInt(0);
    count->Reset();
  }
  return total;
}

Result<std::vector<QueueChannel>> SqliteOutboxQueue::UndeliveredChannels() {
  auto lock = connection_->Lock();
  sqlite::Database& db = connection_->db();
  // A skip scan over the partial index (channel_key, id) WHERE state < 2: each step jumps to the
  // next distinct channel, so the cost grows with the number of channels, not with the backlog
  // (SQLite 3.40 does not skip-scan DISTINCT on its own).
  auto channels = db.Prepare(
      "WITH RECURSIVE channel(key) AS ("
      "  SELECT MIN(channel_key) FROM outbox_entries WHERE state < 2"
      "  UNION ALL"
      "  SELECT (SELECT MIN(channel_key) FROM outbox_entries WHERE state < 2 AND channel_key > key)"
      "  FROM channel WHERE key IS NOT NULL) "
      "SELECT key, (SELECT target FROM outbox_entries WHERE state < 2 AND channel_key = key "
      "ORDER BY id LIMIT 1) FROM channel WHERE key IS NOT NULL");
  if (!channels.ok()) return OutboxStoreError("channels", channels.message());
  std::vector<QueueChannel> result;
  Statement::StepResult step;
  while ((step = channels->Step()) == Statement::StepResult::kRow) {
    result.push_back({channels->ColumnText(0), channels->ColumnText(1)});
  }
  if (step == Statement::StepResult::kError) return OutboxStoreError("channels", db.ErrorMessage());
  return result;
}

Result<std::map<std::string, int64_t>> SqliteOutboxQueue::CountsLocked(const char* sql,
                                                                       std::optional<int64_t> state,
                                                                       const char* what) {
  sqlite::Database& db = connection_->db();
  auto counts = db.Prepare(sql);
  if (!counts.ok()) return OutboxStoreError(what, counts.message());
  if (state) counts->Bind(1, *state);
  std::map<std::string, int64_t> result;
  Statement::StepResult step;
  while ((step = counts->Step()) == Statement::StepResult::kRow) {
    result[counts->ColumnText(0)] = counts->ColumnInt(1);
  }
  if (step == Statement::StepResult::kError) return OutboxStoreError(what, db.ErrorMessage());
  return result;
}

Result<std::map<std::string, int64_t>> SqliteOutboxQueue::UndeliveredByTarget() {
  auto lock = connection_->Lock();
  return CountsLocked("SELECT target, COUNT(*) FROM outbox_entries WHERE state < 2 GROUP BY target",
                      std::nullopt, "backlog");
}

Result<std::map<std::string, int64_t>> SqliteOutboxQueue::CountByTarget(QueueState state) {
  auto lock = connection_->Lock();
  return CountsLocked("SELECT target, COUNT(*) FROM outbox_entries WHERE state = ? GROUP BY target",
                      static_cast<int64_t>(state), "count");
}

Result<int64_t> SqliteOutboxQueue::DeadLetterTarget(const std::string& target,
                                                    const std::string& error) {
  auto lock = connection_->Lock();
  sqlite::Database& db = connection_->db();
  if (Status s = connection_->SetSynchronousFull(false); !s.ok()) {
    return OutboxStoreError("dead letter", s.message());
  }
  auto update = db.Prepare(
      "UPDATE outbox_entries SET state = 3, last_error = ? WHERE state = 0 AND target = ?");
  if (!update.ok()) return OutboxStoreError("dead letter", update.message());
  update->Bind(1, ClipStoredText(error)).Bind(2, target);
  if (Status s = update->Run(); !s.ok()) return OutboxStoreError("dead letter", s.message());
  return static_cast<int64_t>(db.Changes());
}

}  // namespace trailwatch::store
