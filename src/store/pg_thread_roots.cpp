// PgThreadRoots (pg_thread_roots.h): the Slack thread-root SQL for PostgreSQL.
#include "store/pg_thread_roots.h"

#include "store/store_error.h"

namespace trailwatch::store {

Result<std::optional<ThreadRootRow>> PgThreadRoots::Find(const std::string& target,
                                                         const std::string& group_key) {
  auto found = pool_->Exec("finding a thread root",
                           "SELECT ts, channel, parent_alert, first_seen, count "
                           "FROM slack_thread_roots WHERE target = $1 AND group_key = $2",
                           {target, group_key});
  if (!found.ok()) return OutboxStoreError("thread root", found.message());
  if (found->rows() == 0) return std::optional<ThreadRootRow>();
  ThreadRootRow root;
  root.ts = found->Text(0, 0);
  root.channel = found->Text(0, 1);
  root.parent_alert = found->Text(0, 2);
  root.first_seen = found->Int(0, 3);
  root.count = found->Int(0, 4);
  return std::optional<ThreadRootRow>(std::move(root));
}

Status PgThreadRoots::Save(const std::string& target, const std::string& group_key,
                           const ThreadRootRow& root) {
  // An upsert rather than SQLite's INSERT OR REPLACE: one statement, so a replica saving a root
  // while another bumps it leaves one whole row, never a missing one.
  auto saved = pool_->Exec(
      "saving a thread root",
      "INSERT INTO slack_thread_roots "
      "(target, group_key, ts, channel, parent_alert, first_seen, count) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7) "
      "ON CONFLICT (target, group_key) DO UPDATE SET ts = excluded.ts, "
      "channel = excluded.channel, parent_alert = excluded.parent_alert, "
      "first_seen = excluded.first_seen, count = excluded.count",
      {target, group_key, root.ts, root.channel, root.parent_alert, root.first_seen, root.count});
  if (!saved.ok()) return OutboxStoreError("thread root", saved.message());
  return Status::Ok();
}

Result<int64_t> PgThreadRoots::Bump(const std::string& target, const std::string& group_key) {
  // One statement: the row lock makes concurrent bumps from several replicas add up.
  auto bumped = pool_->Exec("counting a thread message",
                            "UPDATE slack_thread_roots SET count = count + 1 "
                            "WHERE target = $1 AND group_key = $2 RETURNING count",
                            {target, group_key});
  if (!bumped.ok()) return OutboxStoreError("thread root", bumped.message());
  if (bumped->rows() == 0) return OutboxStoreError("thread root", "no thread root for this group");
  return bumped->Int(0, 0);
}

}  // namespace trailwatch::store
