// PgAlertHistory (pg_alert_history.h): the alert history SQL for PostgreSQL.
#include "store/pg_alert_history.h"

#include <limits>
#include <unordered_map>

namespace trailwatch::store {

namespace {

// The columns of a listed alert, in ReadPgAlert's order (alert_json, when read, comes last).
constexpr const char* kPgAlertColumns =
    "h.id, h.alert_key, h.recorded_at, h.event_time, h.severity, h.rule, h.rules_json, "
    "h.account, h.region, h.identity, h.source_ip, h.event_name, h.event_id, h.origin, h.test, "
    "h.search_text";
constexpr int kPgAlertJsonColumn = 16;

// The advisory lock Record holds until COMMIT (pg_alert_history.h, "Recording order"): the
// two-key form, whose keys never meet the one-key locks of the outbox's channels and the schema
// migration. 0x74776168 is "twah".
constexpr const char* kPgAlertRecordLock = "SELECT pg_advisory_xact_lock(1953980776, 15)";

// Rows per multi-row INSERT of rules or links (3 parameters each, far below the 65,535 limit).
constexpr size_t kPgAlertRowsPerInsert = 1000;

// How often Record tries again when the alert it found was pruned before it could lock it.
constexpr int kPgAlertRecordAttempts = 3;

Error PgAlertError(const std::string& what, const std::string& message) {
  std::string text = "alert history: ";
  text.append(what).append(": ").append(message);
  return Error{std::move(text)};
}

StoredAlert ReadPgAlert(const PgResult& result, int row, bool with_json) {
  StoredAlert alert;
  alert.id = result.Int(row, 0);
  AlertRecord& record = alert.record;
  record.alert_key = result.Text(row, 1);
  record.recorded_at = result.Int(row, 2);
  record.event_time = result.Int(row, 3);
  record.severity = static_cast<int>(result.Int(row, 4));
  record.rule = result.Text(row, 5);
  record.rules_json = result.Text(row, 6);
  record.account = result.Text(row, 7);
  record.region = result.Text(row, 8);
  record.identity = result.Text(row, 9);
  record.source_ip = result.Text(row, 10);
  record.event_name = result.Text(row, 11);
  record.event_id = result.Text(row, 12);
  record.origin = result.Text(row, 13);
  record.test = result.Text(row, 14) == "t";
  record.search_text = result.Text(row, 15);
  if (with_json) record.alert_json = result.Text(row, kPgAlertJsonColumn);
  return alert;
}

// Adds `value` to `params` and returns its placeholder ("$3").
std::string PgAlertParam(std::vector<PgValue>& params, PgValue value) {
  params.push_back(std::move(value));
  std::string placeholder = "$";
  placeholder.append(std::to_string(params.size()));
  return placeholder;
}

// One row of a multi-row INSERT of rules or links.
struct PgAlertChildRow {
  int64_t alert_id = 0;
  std::string first;
  PgValue second;
};

// INSERT INTO `into` VALUES (...), ... ON CONFLICT DO NOTHING, in chunks.
Status InsertPgAlertChildren(PgConnection& conn, const char* what, const char* into,
                             const std::vector<PgAlertChildRow>& rows) {
  for (size_t start = 0; start < rows.size(); start += kPgAlertRowsPerInsert) {
    const size_t end = std::min(rows.size(), start + kPgAlertRowsPerInsert);
    std::string sql = "INSERT INTO ";
    sql.append(into).append(" VALUES ");
    std::vector<PgValue> params;
    params.reserve((end - start) * 3);
    for (size_t i = start; i < end; ++i) {
      sql.append(i == start ? "(" : ", (");
      sql.append(PgAlertParam(params, rows[i].alert_id)).append("::bigint, ");
      sql.append(PgAlertParam(params, rows[i].first)).append(", ");
      sql.append(PgAlertParam(params, rows[i].second)).append(")");
    }
    sql.append(" ON CONFLICT DO NOTHING");
    auto inserted = conn.Exec(what, sql, params);
    if (!inserted.ok()) return inserted.error();
  }
  return Status::Ok();
}

// "{1,2,3}": a bigint[] parameter.
std::string PgAlertIdArray(const std::vector<StoredAlert>& alerts) {
  std::string array = "{";
  for (size_t i = 0; i < alerts.size(); ++i) {
    if (i > 0) array.append(",");
    array.append(std::to_string(alerts[i].id));
  }
  array.append("}");
  return array;
}

}  // namespace

Status PgAlertHistory::Record(const std::vector<NewAlert>& alerts) {
  if (alerts.empty()) return Status::Ok();
  // Every alert is checked before anything is written: one bad alert records nothing.
  std::vector<std::vector<std::string>> rules;
  rules.reserve(alerts.size());
  for (const NewAlert& alert : alerts) {
    auto names = AlertRuleNames(alert.record);
    if (!names.ok()) return names.error();
    rules.push_back(std::move(names.value()));
  }
  Status done = pool_->Transaction("record", [&](PgConnection& conn) -> Status {
    auto locked = conn.Exec("waiting for other recorders", kPgAlertRecordLock);
    if (!locked.ok()) return locked.error();
    std::vector<PgAlertChildRow> rule_rows;
    std::vector<PgAlertChildRow> link_rows;
    for (size_t i = 0; i < alerts.size(); ++i) {
      const AlertRecord& record = alerts[i].record;
      int64_t id = 0;
      bool added = false;
      for (int attempt = 0; attempt < kPgAlertRecordAttempts && id == 0; ++attempt) {
        auto inserted = conn.Exec(
            "recording an alert",
            "WITH added AS (INSERT INTO alert_history (alert_key, recorded_at, event_time, "
            "severity, rule, rules_json, account, region, identity, source_ip, event_name, "
            "event_id, origin, test, search_text) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
            "$11, $12, $13, $14, $15) ON CONFLICT (alert_key) DO NOTHING RETURNING id), "
            "body AS (INSERT INTO alert_bodies (alert_id, alert_json) SELECT id, $16 FROM added) "
            "SELECT id FROM added",
            std::vector<PgValue>{record.alert_key, record.recorded_at, record.event_time,
                                 record.severity, record.rule, record.rules_json, record.account,
                                 record.region, record.identity, record.source_ip,
                                 record.event_name, record.event_id, record.origin, record.test,
                                 record.search_text, record.alert_json});
        if (!inserted.ok()) return inserted.error();
        if (inserted->rows() == 1) {
          id = inserted->Int(0, 0);
          added = true;
          break;
        }
        // Recorded before: keep the row and add the links it lacks, with the row locked against
        // a concurrent Prune. Not found: a Prune deleted it since the INSERT looked; insert again.
        auto found = conn.Exec("finding a recorded alert",
                               "SELECT id FROM alert_history WHERE alert_key = $1 FOR SHARE",
                               {record.alert_key});
        if (!found.ok()) return found.error();
        if (found->rows() == 1) id = found->Int(0, 0);
      }
      if (id == 0) {
        std::string message = "alert ";
        message.append(record.alert_key).append(" was deleted while it was being recorded");
        return Error{std::move(message)};
      }
      if (added) {
        for (const std::string& name : rules[i]) {
          rule_rows.push_back({id, name, PgValue(record.recorded_at)});
        }
      }
      for (const AlertLink& link : alerts[i].links) {
        link_rows.push_back({id, link.target, PgValue(link.idempotency_key)});
      }
    }
    if (Status s = InsertPgAlertChildren(conn, "recording the rules",
                                         "alert_rules (alert_id, rule, recorded_at)", rule_rows);
        !s.ok()) {
      return s;
    }
    return InsertPgAlertChildren(conn, "recording the links",
                                 "alert_links (alert_id, target, idempotency_key)", link_rows);
  });
  if (!done.ok()) return PgAlertError("record", done.message());
  return Status::Ok();
}

Result<AlertPage> PgAlertHistory::Query(const AlertQuery& query) {
  if (Status s = CheckAlertQuery(query); !s.ok()) return Error{s.message()};
  auto conn = pool_->Acquire();
  if (!conn.ok()) return PgAlertError("query", conn.message());

  // The status filter's way in (alert_history.h, kAlertStatusSetMaxRows).
  bool status_from_outbox = false;
  if (query.status) {
    auto probe = (*conn)->Exec(
        "counting the outbox rows in the state",
        "SELECT COUNT(*) FROM (SELECT 1 FROM outbox_entries WHERE state = $1 LIMIT $2) s",
        {static_cast<int64_t>(*query.status), kAlertStatusSetMaxRows});
    if (!probe.ok()) return PgAlertError("query", probe.message());
    status_from_outbox = probe->Int(0, 0) < kAlertStatusSetMaxRows;
  }

  std::vector<PgValue> params;
  std::string sql = "SELECT ";
  sql.append(kPgAlertColumns);
  const int64_t before =
      query.before_id > 0 ? query.before_id : std::numeric_limits<int64_t>::max();
  if (!query.rule.empty()) {
    // Driven by alert_rules_by_rule, newest first: every rule the alert names counts.
    sql.append(" FROM alert_rules r JOIN alert_history h ON h.id = r.alert_id WHERE r.rule = ");
    sql.append(PgAlertParam(params, query.rule));
    sql.append(" AND r.alert_id < ").append(PgAlertParam(params, before));
  } else {
    sql.append(" FROM alert_history h WHERE h.id < ").append(PgAlertParam(params, before));
  }
  if (query.event_time_from) {
    sql.append(" AND h.event_time >= ").append(PgAlertParam(params, *query.event_time_from));
  }
  if (query.event_time_to) {
    sql.append(" AND h.event_time < ").append(PgAlertParam(params, *query.event_time_to));
  }
  if (!query.severities.empty()) {
    sql.append(" AND h.severity IN (");
    for (size_t i = 0; i < query.severities.size(); ++i) {
      if (i > 0) sql.append(", ");
      sql.append(PgAlertParam(params, query.severities[i]));
    }
    sql.append(")");
  }
  if (!query.account.empty()) {
    sql.append(" AND h.account = ").append(PgAlertParam(params, query.account));
  }
  if (!query.text.empty()) {
    // strpos, not LIKE: the needle's % and _ are plain characters.
    sql.append(" AND strpos(h.search_text, ").append(PgAlertParam(params, query.text));
    sql.append(") > 0");
  }
  if (query.status) {
    const std::string state = PgAlertParam(params, static_cast<int64_t>(*query.status));
    if (status_from_outbox) {
      sql.append(
          " AND h.id IN (SELECT l.alert_id FROM outbox_entries o "
          "JOIN alert_links l ON l.idempotency_key = o.idempotency_key WHERE o.state = ");
      sql.append(state).append(")");
    } else {
      sql.append(
          " AND EXISTS (SELECT 1 FROM alert_links l JOIN outbox_entries o "
          "ON o.idempotency_key = l.idempotency_key WHERE l.alert_id = h.id AND o.state = ");
      sql.append(state).append(")");
    }
  }
  sql.append(query.rule.empty() ? " ORDER BY h.id DESC LIMIT "
                                : " ORDER BY r.alert_id DESC LIMIT ");
  sql.append(PgAlertParam(params, query.limit + 1));  // one more: is there a next page?

  auto rows = (*conn)->Exec("listing alerts", sql, params);
  if (!rows.ok()) return PgAlertError("query", rows.message());
  AlertPage page;
  page.alerts.reserve(static_cast<size_t>(rows->rows()));
  for (int i = 0; i < rows->rows(); ++i) page.alerts.push_back(ReadPgAlert(*rows, i, false));
  if (static_cast<int64_t>(page.alerts.size()) > query.limit) {
    page.alerts.pop_back();
    page.next_before_id = page.alerts.back().id;
  }
  if (Status s = ReadDeliveries(**conn, page.alerts); !s.ok()) return Error{s.message()};
  return page;
}

Status PgAlertHistory::ReadDeliveries(PgConnection& conn, std::vector<StoredAlert>& alerts) {
  if (alerts.empty()) return Status::Ok();
  std::unordered_map<int64_t, size_t> index;
  for (size_t i = 0; i < alerts.size(); ++i) index.emplace(alerts[i].id, i);
  auto rows = conn.Exec(
      "reading deliveries",
      "SELECT l.alert_id, l.target, o.id, o.state, o.attempts, o.next_attempt_at, o.last_error, "
      "o.response_status FROM alert_links l "
      "LEFT JOIN outbox_entries o ON o.idempotency_key = l.idempotency_key "
      "WHERE l.alert_id = ANY($1::bigint[]) ORDER BY l.alert_id, l.target",
      {PgAlertIdArray(alerts)});
  if (!rows.ok()) return PgAlertError("deliveries", rows.message());
  for (int i = 0; i < rows->rows(); ++i) {
    auto it = index.find(rows->Int(i, 0));
    if (it == index.end()) continue;
    AlertDelivery delivery;
    delivery.target = rows->Text(i, 1);
    if (!rows->IsNull(i, 2)) {  // else the outbox row was purged
      delivery.outbox_id = rows->Int(i, 2);
      delivery.state = static_cast<QueueState>(rows->Int(i, 3));
      delivery.attempts = static_cast<int>(rows->Int(i, 4));
      delivery.next_attempt_at = rows->Int(i, 5);
      delivery.last_error = rows->Text(i, 6);
      delivery.response_status = static_cast<int>(rows->Int(i, 7));
    }
    alerts[it->second].deliveries.push_back(std::move(delivery));
  }
  return Status::Ok();
}

Result<std::optional<StoredAlert>> PgAlertHistory::Get(int64_t id) {
  auto conn = pool_->Acquire();
  if (!conn.ok()) return PgAlertError("get", conn.message());
  std::string sql = "SELECT ";
  sql.append(kPgAlertColumns)
      .append(
          ", b.alert_json FROM alert_history h LEFT JOIN alert_bodies b ON b.alert_id = h.id "
          "WHERE h.id = $1");
  auto rows = (*conn)->Exec("reading an alert", sql, {id});
  if (!rows.ok()) return PgAlertError("get", rows.message());
  if (rows->rows() == 0) return std::optional<StoredAlert>();
  std::vector<StoredAlert> found{ReadPgAlert(*rows, 0, true)};
  if (Status s = ReadDeliveries(**conn, found); !s.ok()) return Error{s.message()};
  return std::optional<StoredAlert>(std::move(found.front()));
}

Result<std::map<std::string, int64_t>> PgAlertHistory::CountByRule(int64_t since) {
  auto counts = pool_->Exec(
      "counting alerts by rule",
      "SELECT rule, COUNT(*) FROM alert_rules WHERE recorded_at >= $1 GROUP BY rule", {since});
  if (!counts.ok()) return PgAlertError("count by rule", counts.message());
  std::map<std::string, int64_t> result;
  for (int i = 0; i < counts->rows(); ++i) result[counts->Text(i, 0)] = counts->Int(i, 1);
  return result;
}

Result<std::vector<StoredAlert>> PgAlertHistory::Recent(int64_t limit) {
  AlertQuery bounds;
  bounds.limit = limit;
  if (Status s = CheckAlertQuery(bounds); !s.ok()) return Error{s.message()};
  std::string sql = "SELECT ";
  sql.append(kPgAlertColumns)
      .append(
          ", b.alert_json FROM alert_history h LEFT JOIN alert_bodies b ON b.alert_id = h.id "
          "ORDER BY h.id DESC LIMIT $1");
  auto rows = pool_->Exec("reading the newest alerts", sql, {limit});
  if (!rows.ok()) return PgAlertError("recent", rows.message());
  std::vector<StoredAlert> alerts;
  alerts.reserve(static_cast<size_t>(rows->rows()));
  for (int i = 0; i < rows->rows(); ++i) alerts.push_back(ReadPgAlert(*rows, i, true));
  return alerts;
}

Result<int64_t> PgAlertHistory::Prune(int64_t cutoff, int64_t max_rows) {
  if (max_rows < 1) {
    std::string message = "max_rows must be at least 1 (it was ";
    message.append(std::to_string(max_rows)).append(")");
    return PgAlertError("prune", message);
  }
  // Oldest first; an alert with a link whose outbox row is pending, in flight or dead is kept (a
  // purged row is no reason to keep it). The rules, links and body go with it (ON DELETE CASCADE).
  // SKIP LOCKED: rows a Record is adding links to, or another replica is pruning, are left.
  auto deleted =
      pool_->Exec("pruning alerts",
                  "DELETE FROM alert_history WHERE id IN (SELECT h.id FROM alert_history h "
                  "WHERE h.recorded_at < $1 AND NOT EXISTS (SELECT 1 FROM alert_links l "
                  "JOIN outbox_entries o ON o.idempotency_key = l.idempotency_key "
                  "WHERE l.alert_id = h.id AND o.state <> 2) "
                  "ORDER BY h.recorded_at, h.id LIMIT $2 FOR UPDATE OF h SKIP LOCKED)",
                  {cutoff, max_rows});
  if (!deleted.ok()) return PgAlertError("prune", deleted.message());
  return deleted->Affected();
}

}  // namespace trailwatch::store
