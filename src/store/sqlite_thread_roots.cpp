// SqliteThreadRoots (sqlite_thread_roots.h): the Slack thread-root SQL.
#include "store/sqlite_thread_roots.h"

#include "store/store_error.h"

namespace trailwatch::store {

Result<std::optional<ThreadRootRow>> SqliteThreadRoots::Find(const std::string& target,
                                                             const std::string& group_key) {
  auto lock = connection_->Lock();
  sqlite::Database& db = connection_->db();
  auto find = db.Prepare(
      "SELECT ts, channel, parent_alert, first_seen, count FROM slack_thread_roots "
      "WHERE target = ? AND group_key = ?");
  if (!find.ok()) return OutboxStoreError("thread root", find.message());
  find->Bind(1, target).Bind(2, group_key);
  auto step = find->Step();
  if (step == sqlite::Statement::StepResult::kError) {
    return OutboxStoreError("thread root", db.ErrorMessage());
  }
  if (step == sqlite::Statement::StepResult::kDone) return std::optional<ThreadRootRow>();
  ThreadRootRow root;
  root.ts = find->ColumnText(0);
  root.channel = find->ColumnText(1);
  root.parent_alert = find->ColumnText(2);
  root.first_seen = find->ColumnInt(3);
  root.count = find->ColumnInt(4);
  return std::optional<ThreadRootRow>(std::move(root));
}

Status SqliteThreadRoots::Save(const std::string& target, const std::string& group_key,
                               const ThreadRootRow& root) {
  auto lock = connection_->Lock();
  auto save = connection_->db().Prepare(
      "INSERT OR REPLACE INTO slack_thread_roots "
      "(target, group_key, ts, channel, parent_alert, first_seen, count) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  if (!save.ok()) return OutboxStoreError("thread root", save.message());
  save->Bind(1, target)
      .Bind(2, group_key)
      .Bind(3, root.ts)
      .Bind(4, root.channel)
      .Bind(5, root.parent_alert)
      .Bind(6, root.first_seen)
      .Bind(7, root.count);
  if (Status s = save->Run(); !s.ok()) return OutboxStoreError("thread root", s.message());
  return Status::Ok();
}

Result<int64_t> SqliteThreadRoots::Bump(const std::string& target, const std::string& group_key) {
  auto lock = connection_->Lock();
  auto bump = connection_->db().Prepare(
      "UPDATE slack_thread_roots SET count = count + 1 WHERE target = ? AND group_key = ? "
      "RETURNING count");
  if (!bump.ok()) return OutboxStoreError("thread root", bump.message());
  bump->Bind(1, target).Bind(2, group_key);
  if (bump->Step() != sqlite::Statement::StepResult::kRow) {
    return OutboxStoreError("thread root", "no thread root for this group");
  }
  int64_t count = bump->ColumnInt(0);
  bump->Reset();
  return count;
}

}  // namespace trailwatch::store
