// The AlertHistory contract (store/alert_history.h) on both backends, opened through the
// StoreBackend as the service opens it: SQLite (sqlite_alert_history.h, a store file) and
// PostgreSQL (pg_alert_history.h, a fresh database of the test cluster). Deliveries come from the
// backend's own OutboxQueue (enqueue, claim, mark), so their states are the outbox's.
//
// The filters are checked against a model: every query's answer is compared with the alerts a
// plain C++ filter over the recorded data selects, newest first, page by page.
#include "store/alert_history.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cli/cli_test_util.h"
#include "store/pg_connection.h"
#include "store/pg_test_cluster_util.h"
#include "store/sqlite.h"
#include "store/store_backend.h"

namespace trailwatch::store {
namespace {

using trailwatch::testing::TempDir;

constexpr int64_t kNow = 1'700'000'000'000;  // ms; enqueue and claim times of the outbox rows

// "<prefix><n><suffix>" (append(): GCC 12 warns falsely on chains of std::string +).
std::string Named(const char* prefix, int64_t n, const char* suffix = "") {
  std::string name = prefix;
  name.append(std::to_string(n)).append(suffix);
  return name;
}

AlertQuery Limit(int64_t limit) {
  AlertQuery query;
  query.limit = limit;
  return query;
}

std::vector<int64_t> Ids(const std::vector<StoredAlert>& alerts) {
  std::vector<int64_t> ids;
  for (const StoredAlert& alert : alerts) ids.push_back(alert.id);
  return ids;
}

class AlertHistoryTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    location_ =
        postgres() ? testing::PgTestCluster::Shared().NewDatabase() : dir_.path() + "/store.db";
    StoreOptions options;
    options.owner = "alert-history-test";
    auto backend = StoreBackend::Open(location_, options);
    ASSERT_TRUE(backend.ok()) << backend.message();
    backend_ = std::move(backend.value());
    auto queue = backend_->OpenQueue();
    ASSERT_TRUE(queue.ok()) << queue.message();
    queue_ = std::move(queue.value());
    auto history = backend_->OpenAlertHistory();
    ASSERT_TRUE(history.ok()) << history.message();
    history_ = std::move(history.value());
  }

  bool postgres() const { return GetParam() == "postgresql"; }
  AlertHistory& history() { return *history_; }
  OutboxQueue& queue() { return *queue_; }

  // Text as the backend stores it (alert_history.h: PostgreSQL maps NUL and invalid UTF-8).
  std::string Stored(const std::string& text) const { return postgres() ? PgText(text) : text; }

  // SQL straight on the store, as an operator would (bulk set-up only).
  void Sql(const std::string& sql) {
    if (postgres()) {
      auto conn = PgConnection::Connect(location_);
      ASSERT_TRUE(conn.ok()) << conn.message();
      ASSERT_TRUE((*conn)->Run("test set-up", sql).ok());
      return;
    }
    auto db = sqlite::Database::Open(location_);
    ASSERT_TRUE(db.ok()) << db.message();
    sqlite3_busy_timeout((*db)->handle(), 10000);
    Status done = (*db)->Exec(sql);
    ASSERT_TRUE(done.ok()) << done.message();
  }

  // One outbox row per key, each on a channel of its own (so each is its channel's head).
  std::map<std::string, int64_t> Enqueue(const std::string& target,
                                         const std::vector<std::string>& keys) {
    std::vector<NewQueueRow> rows;
    for (const std::string& key : keys) {
      std::string channel = target;
      channel.append("#").append(key);
      rows.push_back({target, key, channel, "{}"});
    }
    auto result = queue().Enqueue(rows, kNow);
    EXPECT_TRUE(result.ok()) << result.message();
    std::map<std::string, int64_t> ids;
    if (!result.ok()) return ids;
    for (size_t i = 0; i < keys.size(); ++i) ids[keys[i]] = result->ids[i];
    return ids;
  }

  // Claims the rows `ids` (enqueued by Enqueue: channel target#key): they are in flight after.
  void Claim(const std::vector<QueueRow>& rows) {
    std::vector<QueueClaimRequest> requests;
    for (const QueueRow& row : rows) requests.push_back({row.channel_key, 0});
    auto claims = queue().ClaimHeads(requests, kNow, 10);
    ASSERT_TRUE(claims.ok()) << claims.message();
    for (size_t i = 0; i < rows.size(); ++i) {
      ASSERT_TRUE((*claims)[i].row.has_value()) << rows[i].idempotency_key;
      EXPECT_EQ((*claims)[i].row->id, rows[i].id);
    }
  }

  QueueRow Row(int64_t id) {
    auto row = queue().Get(id);
    EXPECT_TRUE(row.ok() && row->has_value()) << "no outbox row " << id;
    return row.ok() && row->has_value() ? **row : QueueRow{};
  }

  // Claims then marks: the deliverer's way (PostgreSQL's marks are fenced by the claim).
  void Deliver(const std::vector<int64_t>& ids) {
    if (ids.empty()) return;
    std::vector<QueueRow> rows;
    for (int64_t id : ids) rows.push_back(Row(id));
    Claim(rows);
    std::vector<DeliveredMark> marks;
    for (int64_t id : ids) marks.push_back({id, 200, "ok", ""});
    ASSERT_TRUE(queue().MarkDelivered(marks).ok());
  }
  void Kill(int64_t id, const std::string& error, int status) {
    Claim({Row(id)});
    ASSERT_TRUE(queue().MarkDead(id, error, status).ok());
  }
  void Postpone(int64_t id, int64_t next_attempt_at, const std::string& error, int status) {
    Claim({Row(id)});
    ASSERT_TRUE(queue().MarkRetry(id, next_attempt_at, error, status).ok());
  }

  void Record(const std::vector<NewAlert>& alerts) {
    Status done = history().Record(alerts);
    ASSERT_TRUE(done.ok()) << done.message();
  }

  StoredAlert MustGet(int64_t id) {
    auto alert = history().Get(id);
    EXPECT_TRUE(alert.ok()) << alert.message();
    EXPECT_TRUE(alert.ok() && alert->has_value()) << "no alert " << id;
    return alert.ok() && alert->has_value() ? **alert : StoredAlert{};
  }

  // Every alert the query selects, following the cursor page by page (query.limit each), with a
  // check that pages never repeat an id and that only the last page has no cursor.
  std::vector<int64_t> AllPages(AlertQuery query) {
    std::vector<int64_t> ids;
    for (int page = 0; page < 1000; ++page) {
      auto result = history().Query(query);
      EXPECT_TRUE(result.ok()) << result.message();
      if (!result.ok()) return ids;
      EXPECT_LE(static_cast<int64_t>(result->alerts.size()), query.limit);
      for (const StoredAlert& alert : result->alerts) {
        EXPECT_TRUE(alert.record.alert_json.empty()) << "Query rows carry no alert_json";
        ids.push_back(alert.id);
      }
      if (result->next_before_id == 0) return ids;
      EXPECT_EQ(static_cast<int64_t>(result->alerts.size()), query.limit)
          << "a page with a next cursor is full";
      EXPECT_EQ(result->next_before_id, result->alerts.back().id);
      query.before_id = result->next_before_id;
    }
    ADD_FAILURE() << "the cursor never ended";
    return ids;
  }

  TempDir dir_;
  std::string location_;
  std::unique_ptr<StoreBackend> backend_;
  std::unique_ptr<OutboxQueue> queue_;
  std::unique_ptr<AlertHistory> history_;
};

AlertRecord Alert(const std::string& key) {
  AlertRecord record;
  record.alert_key = key;
  record.recorded_at = kNow;
  record.event_time = kNow - 60'000;
  record.severity = 3;
  record.rule = "root-login";
  record.rules_json = R"(["root-login"])";
  record.account = "111122223333";
  record.region = "eu-west-1";
  record.identity = "arn:aws:iam::111122223333:root";
  record.source_ip = "203.0.113.7";
  record.event_name = "ConsoleLogin";
  record.event_id = "11111111-2222-3333-4444-";
  record.event_id.append(key);
  record.origin = "s3://trail/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/12/01/f.json.gz";
  record.search_text = "arn:aws:iam::111122223333:root\n203.0.113.7\nconsolelogin";
  record.alert_json = R"({"rule":"root-login","event":{"eventName":"ConsoleLogin"}})";
  return record;
}

void ExpectSameRecord(const AlertRecord& got, const AlertRecord& want, bool with_json) {
  EXPECT_EQ(got.alert_key, want.alert_key);
  EXPECT_EQ(got.recorded_at, want.recorded_at);
  EXPECT_EQ(got.event_time, want.event_time);
  EXPECT_EQ(got.severity, want.severity);
  EXPECT_EQ(got.rule, want.rule);
  EXPECT_EQ(got.rules_json, want.rules_json);
  EXPECT_EQ(got.account, want.account);
  EXPECT_EQ(got.region, want.region);
  EXPECT_EQ(got.identity, want.identity);
  EXPECT_EQ(got.source_ip, want.source_ip);
  EXPECT_EQ(got.event_name, want.event_name);
  EXPECT_EQ(got.event_id, want.event_id);
  EXPECT_EQ(got.origin, want.origin);
  EXPECT_EQ(got.test, want.test);
  EXPECT_EQ(got.search_text, want.search_text);
  EXPECT_EQ(got.alert_json, with_json ? want.alert_json : "");
}

TEST_P(AlertHistoryTest, RecordThenGetReadsEveryColumnBack) {
  AlertRecord record = Alert("a1");
  record.test = true;
  record.severity = 4;
  Record({{record, {{"slack:ops", "key-1"}}}});
  auto page = history().Query({});
  ASSERT_TRUE(page.ok()) << page.message();
  ASSERT_EQ(page->alerts.size(), 1u);
  EXPECT_EQ(page->next_before_id, 0);
  const StoredAlert listed = page->alerts[0];
  EXPECT_GT(listed.id, 0);
  ExpectSameRecord(listed.record, record, false);
  ExpectSameRecord(MustGet(listed.id).record, record, true);

  auto missing = history().Get(listed.id + 1000);
  ASSERT_TRUE(missing.ok()) << missing.message();
  EXPECT_FALSE(missing->has_value());
  // Nothing to record is not an error.
  EXPECT_TRUE(history().Record({}).ok());
}

TEST_P(AlertHistoryTest, RecordingAKeyAgainKeepsTheRowAndAddsTheLinksItLacks) {
  auto ops = Enqueue("slack:ops", {"ops-1", "ops-2"});
  auto siem = Enqueue("webhook:siem", {"siem-1"});
  AlertRecord first = Alert("same");
  Record({{first, {{"slack:ops", "ops-1"}}}});
  const int64_t id = MustGet(Ids(history().Query({})->alerts).at(0)).id;

  // The same alert recorded again (a retried batch), with other columns: the row is kept; the
  // link to a target it has is kept as it was, the new target's link is added. Twice in one
  // batch is harmless too.
  AlertRecord again = Alert("same");
  again.severity = 0;
  again.rule = "other";
  again.rules_json = R"(["other"])";
  again.alert_json = "{}";
  Record({{again, {{"slack:ops", "ops-2"}, {"webhook:siem", "siem-1"}}},
          {again, {{"webhook:siem", "siem-1"}}}});

  auto page = history().Query({});
  ASSERT_TRUE(page.ok()) << page.message();
  ASSERT_EQ(page->alerts.size(), 1u);
  const StoredAlert stored = MustGet(id);
  EXPECT_EQ(stored.id, id);
  ExpectSameRecord(stored.record, first, true);
  ASSERT_EQ(stored.deliveries.size(), 2u);
  EXPECT_EQ(stored.deliveries[0].target, "slack:ops");
  EXPECT_EQ(stored.deliveries[0].outbox_id, ops["ops-1"]);
  EXPECT_EQ(stored.deliveries[1].target, "webhook:siem");
  EXPECT_EQ(stored.deliveries[1].outbox_id, siem["siem-1"]);
  // The rule rows are the first recording's: "other" was never recorded.
  auto counts = history().CountByRule(0);
  ASSERT_TRUE(counts.ok()) << counts.message();
  EXPECT_EQ(*counts, (std::map<std::string, int64_t>{{"root-login", 1}}));
}

TEST_P(AlertHistoryTest, IdsGrowWithRecordingOrderAndPagesAreNewestFirst) {
  std::vector<NewAlert> batch;
  for (int i = 0; i < 5; ++i) batch.push_back({Alert(Named("k", i)), {}});
  Record(batch);
  Record({{Alert("k5"), {}}});
  auto page = history().Query({});
  ASSERT_TRUE(page.ok()) << page.message();
  ASSERT_EQ(page->alerts.size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(page->alerts[i].record.alert_key, Named("k", static_cast<int64_t>(5 - i)));
    if (i > 0) {
      EXPECT_LT(page->alerts[i].id, page->alerts[i - 1].id);
    }
  }
}

TEST_P(AlertHistoryTest, DeliveriesAreReadLiveFromTheOutbox) {
  auto ops = Enqueue("slack:ops", {"ops-1"});
  auto siem = Enqueue("webhook:siem", {"siem-1"});
  auto teams = Enqueue("teams:sec", {"teams-1"});
  auto mail = Enqueue("webhook:mail", {"mail-1"});
  Record({{Alert("a"),
           {{"webhook:siem", "siem-1"},
            {"slack:ops", "ops-1"},
            {"teams:sec", "teams-1"},
            {"webhook:mail", "mail-1"},
            {"webhook:never", "never-enqueued"}}}});
  const int64_t id = history().Query({})->alerts.at(0).id;

  auto by_target = [&](const StoredAlert& alert) {
    std::map<std::string, AlertDelivery> deliveries;
    for (const AlertDelivery& delivery : alert.deliveries) deliveries[delivery.target] = delivery;
    return deliveries;
  };
  {
    StoredAlert alert = MustGet(id);
    ASSERT_EQ(alert.deliveries.size(), 5u);
    // By target name.
    std::vector<std::string> targets;
    for (const AlertDelivery& delivery : alert.deliveries) targets.push_back(delivery.target);
    EXPECT_EQ(targets, (std::vector<std::string>{"slack:ops", "teams:sec", "webhook:mail",
                                                 "webhook:never", "webhook:siem"}));
    auto d = by_target(alert);
    EXPECT_EQ(d["slack:ops"].state, QueueState::kPending);
    EXPECT_EQ(d["slack:ops"].outbox_id, ops["ops-1"]);
    EXPECT_EQ(d["slack:ops"].attempts, 0);
    EXPECT_EQ(d["webhook:never"].state, std::nullopt);
    EXPECT_EQ(d["webhook:never"].outbox_id, 0);
  }

  Deliver({ops["ops-1"]});
  Kill(siem["siem-1"], "HTTP 500: \"boom\"", 500);
  Postpone(teams["teams-1"], kNow + 30'000, "HTTP 429", 429);
  Claim({Row(mail["mail-1"])});  // in flight
  {
    // Query and Get read the same, live.
    auto page = history().Query({});
    ASSERT_TRUE(page.ok()) << page.message();
    for (const StoredAlert& alert : {page->alerts.at(0), MustGet(id)}) {
      auto d = by_target(alert);
      EXPECT_EQ(d["slack:ops"].state, QueueState::kDelivered);
      EXPECT_EQ(d["slack:ops"].attempts, 1);
      EXPECT_EQ(d["slack:ops"].response_status, 200);
      EXPECT_EQ(d["webhook:siem"].state, QueueState::kDead);
      EXPECT_EQ(d["webhook:siem"].last_error, "HTTP 500: \"boom\"");
      EXPECT_EQ(d["webhook:siem"].response_status, 500);
      EXPECT_EQ(d["webhook:siem"].outbox_id, siem["siem-1"]);
      EXPECT_EQ(d["teams:sec"].state, QueueState::kPending);
      EXPECT_EQ(d["teams:sec"].attempts, 1);
      EXPECT_EQ(d["teams:sec"].next_attempt_at, kNow + 30'000);
      EXPECT_EQ(d["teams:sec"].last_error, "HTTP 429");
      EXPECT_EQ(d["webhook:mail"].state, QueueState::kInFlight);
    }
  }

  // Purged rows read as "no longer in the outbox"; `outbox retry` keeps the link.
  ASSERT_EQ(*queue().Purge(QueueState::kDelivered), 1);
  ASSERT_EQ(*queue().Retry(siem["siem-1"], kNow), 1);
  auto d = by_target(MustGet(id));
  EXPECT_EQ(d["slack:ops"].state, std::nullopt);
  EXPECT_EQ(d["slack:ops"].outbox_id, 0);
  EXPECT_EQ(d["slack:ops"].attempts, 0);
  EXPECT_EQ(d["webhook:siem"].state, QueueState::kPending);
  EXPECT_EQ(d["webhook:siem"].outbox_id, siem["siem-1"]);
}

// --- Filters, against a model ----------------------------------------------------------------

struct ModelAlert {
  int64_t id = 0;
  AlertRecord record;
  std::set<std::string> rules;
  std::set<QueueState> states;  // of its links whose outbox rows exist
};

std::vector<int64_t> ModelIds(const std::vector<ModelAlert>& alerts, const AlertQuery& query) {
  std::vector<int64_t> ids;
  for (const ModelAlert& alert : alerts) {
    const AlertRecord& r = alert.record;
    if (query.before_id > 0 && alert.id >= query.before_id) continue;
    if (query.event_time_from && r.event_time < *query.event_time_from) continue;
    if (query.event_time_to && r.event_time >= *query.event_time_to) continue;
    if (!query.severities.empty() && std::find(query.severities.begin(), query.severities.end(),
                                               r.severity) == query.severities.end()) {
      continue;
    }
    if (!query.rule.empty() && !alert.rules.count(query.rule)) continue;
    if (!query.account.empty() && r.account != query.account) continue;
    if (query.status && !alert.states.count(*query.status)) continue;
    if (!query.text.empty() && r.search_text.find(query.text) == std::string::npos) continue;
    ids.push_back(alert.id);
  }
  std::sort(ids.rbegin(), ids.rend());
  return ids;
}

class AlertHistoryFilterTest : public AlertHistoryTest {
 protected:
  // 60 alerts over 5 severities, 3 accounts, 4 rules (every 5th grouped with a second rule), event
  // times not in recording order, each linked to slack (delivered; every 10th from 3 dead, from 7
  // pending, from 5 in flight) and every 4th also to a webhook left pending; alert 11's slack row
  // is purged, alert 17's link names a row that never existed.
  void SetUp() override {
    AlertHistoryTest::SetUp();
    if (HasFatalFailure()) return;
    constexpr int kAlerts = 60;
    std::vector<std::string> slack_keys;
    std::vector<std::string> hook_keys;
    for (int i = 0; i < kAlerts; ++i) {
      slack_keys.push_back(Named("slack-", i));
      if (i % 4 == 0) hook_keys.push_back(Named("hook-", i));
    }
    auto slack = Enqueue("slack:ops", slack_keys);
    Enqueue("webhook:siem", hook_keys);
    std::vector<int64_t> delivered;
    std::vector<NewAlert> batch;
    for (int i = 0; i < kAlerts; ++i) {
      AlertRecord record = Alert(Named("alert-", i));
      record.severity = i % 5;
      record.account = i % 3 == 0 ? "111111111111" : i % 3 == 1 ? "222222222222" : "333333333333";
      record.rule = Named("rule-", i % 4);
      record.rules_json = "[\"";
      record.rules_json.append(record.rule).append("\"]");
      std::set<std::string> rules{record.rule};
      if (i % 5 == 0) {
        std::string second = Named("rule-", (i + 1) % 4);
        record.rules_json = "[\"";
        record.rules_json.append(record.rule).append("\",\"").append(second).append("\"]");
        rules.insert(second);
      }
      record.recorded_at = kNow + i * 1000;
      record.event_time = kNow + ((i * 37) % kAlerts) * 60'000;  // a permutation of the minutes
      record.identity = Named("arn:aws:iam::111122223333:user/user-", i % 6);
      record.source_ip = Named("10.0.0.", i);
      record.event_name = i % 2 == 0 ? "ConsoleLogin" : "DeleteTrail";
      record.search_text = Named("arn:aws:iam::111122223333:user/user-", i % 6);
      record.search_text.append("\n").append(record.source_ip).append("\n");
      record.search_text.append(i % 2 == 0 ? "consolelogin" : "deletetrail");
      NewAlert alert{record, {{"slack:ops", Named("slack-", i)}}};
      ModelAlert model{0, record, rules, {}};
      const int64_t slack_id = slack[Named("slack-", i)];
      if (i % 10 == 3) {
        Kill(slack_id, "HTTP 404", 404);
        model.states.insert(QueueState::kDead);
      } else if (i % 10 == 7) {
        model.states.insert(QueueState::kPending);
      } else if (i % 10 == 5) {
        Claim({Row(slack_id)});
        model.states.insert(QueueState::kInFlight);
      } else {
        delivered.push_back(slack_id);
        if (i != 11) model.states.insert(QueueState::kDelivered);
      }
      if (i % 4 == 0) {
        alert.links.push_back({"webhook:siem", Named("hook-", i)});
        model.states.insert(QueueState::kPending);
      }
      if (i == 17) alert.links.push_back({"webhook:gone", "never-enqueued"});
      batch.push_back(alert);
      model_.push_back(model);
    }
    Deliver(delivered);
    Sql("DELETE FROM outbox_entries WHERE idempotency_key = 'slack-11'");
    // Two batches, so that ids are not one transaction's.
    Record(std::vector<NewAlert>(batch.begin(), batch.begin() + 25));
    Record(std::vector<NewAlert>(batch.begin() + 25, batch.end()));
    auto all = history().Query(Limit(500));
    ASSERT_TRUE(all.ok()) << all.message();
    ASSERT_EQ(all->alerts.size(), model_.size());
    for (const StoredAlert& alert : all->alerts) {
      const int i = std::stoi(alert.record.alert_key.substr(6));
      model_[static_cast<size_t>(i)].id = alert.id;
    }
  }

  // The query's answer in pages of 1, 7 and 500 against the model.
  void ExpectModel(AlertQuery query, const char* what) {
    SCOPED_TRACE(what);
    const std::vector<int64_t> expected = ModelIds(model_, query);
    for (int64_t limit : {int64_t{1}, int64_t{7}, int64_t{500}}) {
      query.limit = limit;
      EXPECT_EQ(AllPages(query), expected) << "pages of " << limit;
    }
  }

  std::vector<ModelAlert> model_;
};

TEST_P(AlertHistoryFilterTest, EachFilterAlone) {
  auto with = [](auto set) {
    AlertQuery query;
    set(query);
    return query;
  };
  ExpectModel({}, "no filter");
  ExpectModel(with([](AlertQuery& q) { q.severities = {4}; }), "severity 4");
  ExpectModel(with([](AlertQuery& q) { q.severities = {0, 2, 2}; }), "severities 0, 2");
  ExpectModel(with([](AlertQuery& q) { q.rule = "rule-1"; }), "rule-1 (grouped alerts too)");
  ExpectModel(with([](AlertQuery& q) { q.rule = "rule-9"; }), "an unknown rule");
  ExpectModel(with([](AlertQuery& q) { q.account = "222222222222"; }), "account");
  ExpectModel(with([](AlertQuery& q) { q.event_time_from = kNow + 20 * 60'000; }), "from");
  ExpectModel(with([](AlertQuery& q) { q.event_time_to = kNow + 20 * 60'000; }), "to");
  ExpectModel(with([](AlertQuery& q) {
                q.event_time_from = kNow + 10 * 60'000;
                q.event_time_to = kNow + 11 * 60'000;
              }),
              "one minute: from inclusive, to exclusive");
  for (QueueState state :
       {QueueState::kPending, QueueState::kInFlight, QueueState::kDelivered, QueueState::kDead}) {
    AlertQuery query;
    query.status = state;
    ExpectModel(query, Named("status ", static_cast<int64_t>(state)).c_str());
  }
  ExpectModel(with([](AlertQuery& q) { q.text = "user-3"; }), "text");
  ExpectModel(with([](AlertQuery& q) { q.text = "10.0.0.1\n"; }), "text across a line end");
  ExpectModel(with([](AlertQuery& q) { q.text = "nowhere"; }), "text found nowhere");
  ExpectModel(with([](AlertQuery& q) { q.before_id = 0; }), "before_id 0 is the newest");
  // The model must select something for the filters above to mean anything.
  EXPECT_EQ(ModelIds(model_, with([](AlertQuery& q) { q.rule = "rule-1"; })).size(), 18u);
  EXPECT_EQ(ModelIds(model_, with([](AlertQuery& q) { q.status = QueueState::kDead; })).size(), 6u);
}

TEST_P(AlertHistoryFilterTest, FiltersCombined) {
  AlertQuery query;
  query.severities = {1, 3};
  query.account = "111111111111";
  ExpectModel(query, "severity + account");
  query = {};
  query.rule = "rule-3";
  query.status = QueueState::kDead;
  ExpectModel(query, "rule + status");
  query = {};
  query.account = "333333333333";
  query.text = "deletetrail";
  query.event_time_from = kNow + 5 * 60'000;
  query.event_time_to = kNow + 50 * 60'000;
  ExpectModel(query, "account + text + time");
  query = {};
  query.rule = "rule-0";
  query.severities = {0, 4};
  query.status = QueueState::kPending;
  query.text = "consolelogin";
  query.event_time_to = kNow + 55 * 60'000;
  ExpectModel(query, "rule + severities + status + text + time");
  EXPECT_FALSE(ModelIds(model_, query).empty());
  query = {};
  query.rule = "rule-2";
  query.account = "222222222222";
  query.status = QueueState::kDelivered;
  ExpectModel(query, "rule + account + status");
}

TEST_P(AlertHistoryFilterTest, CursorPagesHaveNoGapsNorRepeats) {
  // 60 alerts in pages of 12: five full pages, the fifth without a cursor (limit + 1 read).
  AlertQuery query;
  query.limit = 12;
  std::vector<int64_t> seen;
  int pages = 0;
  while (true) {
    auto page = history().Query(query);
    ASSERT_TRUE(page.ok()) << page.message();
    ++pages;
    ASSERT_EQ(page->alerts.size(), 12u);
    for (const StoredAlert& alert : page->alerts) seen.push_back(alert.id);
    if (page->next_before_id == 0) break;
    query.before_id = page->next_before_id;
  }
  EXPECT_EQ(pages, 5);
  EXPECT_EQ(seen, ModelIds(model_, {}));
  // A cursor between ids (an alert since pruned) continues below it.
  query.before_id = seen[10] + 1;
  query.limit = 3;
  auto page = history().Query(query);
  ASSERT_TRUE(page.ok()) << page.message();
  EXPECT_EQ(Ids(page->alerts), (std::vector<int64_t>{seen[10], seen[11], seen[12]}));
  EXPECT_EQ(page->next_before_id, seen[12]);
  // Alerts recorded while someone pages appear on a new first page, never inside the pages.
  AlertQuery first;
  first.limit = 10;
  auto before = history().Query(first);
  ASSERT_TRUE(before.ok());
  Record({{Alert("late"), {}}});
  AlertQuery second = first;
  second.before_id = before->next_before_id;
  auto next = history().Query(second);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(Ids(next->alerts), std::vector<int64_t>(seen.begin() + 10, seen.begin() + 20));
  auto fresh = history().Query(first);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->alerts.front().record.alert_key, "late");
}

TEST_P(AlertHistoryFilterTest, StatusFilterAnswersTheSameWhenTheStateIsCommon) {
  // Over kAlertStatusSetMaxRows rows delivered and dead (alerts of a week before, already pruned
  // from the history): the filter then checks the alerts' links instead of collecting the ids
  // from the outbox (alert_history.h). Same answers either way.
  const std::string rows = std::to_string(kAlertStatusSetMaxRows);
  for (const char* state : {"2", "3"}) {
    std::string sql;
    if (postgres()) {
      sql.append(
             "INSERT INTO outbox_entries (target, idempotency_key, channel_key, alert, state, "
             "next_attempt_at, created_at, queued_at) SELECT 'old', 'old-")
          .append(state)
          .append("-' || n, 'old', '{}', ")
          .append(state)
          .append(", 0, 0, 0 FROM generate_series(1, ")
          .append(rows)
          .append(") n");
    } else {
      sql.append("WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ")
          .append(rows)
          .append(
              ") INSERT INTO outbox_entries (target, idempotency_key, channel_key, alert, "
              "state, next_attempt_at, created_at, queued_at) SELECT 'old', 'old-")
          .append(state)
          .append("-' || n, 'old', '{}', ")
          .append(state)
          .append(", 0, 0, 0 FROM g");
    }
    Sql(sql);
  }
  for (QueueState state : {QueueState::kDelivered, QueueState::kDead}) {
    AlertQuery query;
    query.status = state;
    ExpectModel(query, Named("common status ", static_cast<int64_t>(state)).c_str());
    query.account = "111111111111";
    ExpectModel(query, Named("common status + account ", static_cast<int64_t>(state)).c_str());
  }
  AlertQuery rare;
  rare.status = QueueState::kInFlight;
  ExpectModel(rare, "a rare status beside common ones");
}

TEST_P(AlertHistoryFilterTest, RefusesLimitsOutOfRange) {
  for (int64_t limit : {int64_t{0}, int64_t{-1}, kMaxAlertQueryLimit + 1}) {
    AlertQuery query;
    query.limit = limit;
    auto page = history().Query(query);
    ASSERT_FALSE(page.ok()) << limit;
    EXPECT_NE(page.message().find("limit must be 1 ... 500 (it was " + std::to_string(limit)),
              std::string::npos)
        << page.message();
  }
  AlertQuery negative;
  negative.before_id = -5;
  EXPECT_FALSE(history().Query(negative).ok());
  AlertQuery most;
  most.limit = kMaxAlertQueryLimit;
  EXPECT_TRUE(history().Query(most).ok());
  EXPECT_FALSE(history().Recent(0).ok());
  EXPECT_FALSE(history().Recent(kMaxAlertQueryLimit + 1).ok());
}

// --- CountByRule, Recent, Prune ---------------------------------------------------------------

TEST_P(AlertHistoryTest, CountByRuleCountsEveryRuleAnAlertNames) {
  AlertRecord grouped = Alert("grouped");
  grouped.rule = "root-login";
  grouped.rules_json = R"(["root-login","console-no-mfa","root-login"])";  // a repeat counts once
  grouped.recorded_at = kNow;
  AlertRecord single = Alert("single");
  single.rule = "console-no-mfa";
  single.rules_json = R"(["console-no-mfa"])";
  single.recorded_at = kNow + 10;
  AlertRecord old = Alert("old");
  old.rule = "delete-trail";
  old.rules_json = "";  // empty: the rule alone
  old.recorded_at = kNow - 1;
  AlertRecord unlisted = Alert("unlisted");
  unlisted.rule = "s3-public";
  unlisted.rules_json = R"(["other-rule"])";  // `rule` counts even when rules_json omits it
  unlisted.recorded_at = kNow + 20;
  Record({{grouped, {}}, {single, {}}, {old, {}}, {unlisted, {}}});

  auto counts = history().CountByRule(kNow);
  ASSERT_TRUE(counts.ok()) << counts.message();
  EXPECT_EQ(*counts,
            (std::map<std::string, int64_t>{
                {"console-no-mfa", 2}, {"other-rule", 1}, {"root-login", 1}, {"s3-public", 1}}));
  auto all = history().CountByRule(0);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ((*all)["delete-trail"], 1);
  EXPECT_TRUE(history().CountByRule(kNow + 21)->empty());
  // The rule filter sees the grouped alert under both its rules.
  AlertQuery query;
  query.rule = "console-no-mfa";
  auto page = history().Query(query);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->alerts.size(), 2u);
  EXPECT_EQ(page->alerts[0].record.alert_key, "single");
  EXPECT_EQ(page->alerts[1].record.alert_key, "grouped");
}

TEST_P(AlertHistoryTest, ABadRulesJsonRecordsNothingAndNamesTheAlert) {
  for (const char* rules_json : {"not json", R"({"rule":"x"})", R"(["a", 3])", "[\"a\""}) {
    AlertRecord bad = Alert("bad-alert");
    bad.rules_json = rules_json;
    Status done = history().Record({{Alert("good"), {}}, {bad, {}}});
    ASSERT_FALSE(done.ok()) << rules_json;
    EXPECT_NE(done.message().find("bad-alert"), std::string::npos) << done.message();
    EXPECT_NE(done.message().find("rules_json"), std::string::npos) << done.message();
  }
  auto page = history().Query({});
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->alerts.empty()) << "the good alert of the failed batch was recorded";
}

TEST_P(AlertHistoryTest, RecentIsTheNewestAlertsWithTheirJson) {
  for (int i = 0; i < 4; ++i) {
    AlertRecord record = Alert(Named("r", i));
    record.alert_json = Named("{\"n\":", i, "}");
    Record({{record, {}}});
  }
  auto recent = history().Recent(3);
  ASSERT_TRUE(recent.ok()) << recent.message();
  ASSERT_EQ(recent->size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ((*recent)[i].record.alert_key, Named("r", 3 - i));
    EXPECT_EQ((*recent)[i].record.alert_json, Named("{\"n\":", 3 - i, "}"));
    EXPECT_EQ((*recent)[i].record.identity, Alert("x").identity);
  }
  EXPECT_EQ(history().Recent(500)->size(), 4u);
}

TEST_P(AlertHistoryTest, PruneKeepsWhatSomeoneMustActOnAndRespectsMaxRows) {
  // Old alerts (recorded before the cutoff) in every delivery situation, and new ones.
  const int64_t cutoff = kNow;
  auto rows = Enqueue("slack:ops", {"delivered-1", "delivered-2", "dead", "pending", "in-flight",
                                    "purged", "mixed-delivered", "mixed-dead", "new-delivered"});
  Deliver({rows["delivered-1"], rows["delivered-2"], rows["purged"], rows["mixed-delivered"],
           rows["new-delivered"]});
  Kill(rows["dead"], "HTTP 410", 410);
  Kill(rows["mixed-dead"], "HTTP 410", 410);
  Claim({Row(rows["in-flight"])});
  Sql("DELETE FROM outbox_entries WHERE idempotency_key = 'purged'");
  auto old = [&](const char* key, int64_t age, std::vector<AlertLink> links) {
    AlertRecord record = Alert(key);
    record.recorded_at = cutoff - age;
    record.rules_json = R"(["root-login","pruned-rule"])";
    return NewAlert{record, std::move(links)};
  };
  auto fresh = old("new-delivered", -5, {{"slack:ops", "new-delivered"}});
  fresh.record.rules_json = R"(["root-login"])";
  Record({old("delivered-1", 500, {{"slack:ops", "delivered-1"}}),
          old("dead", 400, {{"slack:ops", "dead"}}),
          old("pending", 350, {{"slack:ops", "pending"}}),
          old("in-flight", 340, {{"slack:ops", "in-flight"}}),
          old("delivered-2", 300, {{"slack:ops", "delivered-2"}}),
          old("purged", 200, {{"slack:ops", "purged"}}), old("no-links", 150, {}),
          old("mixed", 100, {{"slack:ops", "mixed-delivered"}, {"webhook", "mixed-dead"}}),
          old("at-cutoff", 0, {}),  // not before the cutoff: kept
          fresh});
  auto keys = [&]() {
    std::set<std::string> found;
    auto page = history().Query(Limit(500));
    EXPECT_TRUE(page.ok()) << page.message();
    if (page.ok()) {
      for (const StoredAlert& alert : page->alerts) found.insert(alert.record.alert_key);
    }
    return found;
  };
  const int64_t delivered_1 = history().Recent(500)->back().id;

  // Oldest first, at most max_rows per call: delivered-1 (500), then delivered-2 (300).
  auto pruned = history().Prune(cutoff, 2);
  ASSERT_TRUE(pruned.ok()) << pruned.message();
  EXPECT_EQ(*pruned, 2);
  EXPECT_FALSE(keys().count("delivered-1"));
  EXPECT_FALSE(keys().count("delivered-2"));
  EXPECT_TRUE(keys().count("purged"));
  EXPECT_EQ(*history().Prune(cutoff, 1), 1);   // purged
  EXPECT_EQ(*history().Prune(cutoff, 10), 1);  // no-links
  EXPECT_EQ(*history().Prune(cutoff, 10), 0);
  EXPECT_EQ(keys(), (std::set<std::string>{"dead", "pending", "in-flight", "mixed", "at-cutoff",
                                           "new-delivered"}));
  // Its rules and links went with it.
  auto counts = history().CountByRule(0);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ((*counts)["pruned-rule"], 5);  // dead, pending, in-flight, mixed, at-cutoff
  EXPECT_FALSE(history().Get(delivered_1)->has_value());
  // Recorded again after its prune: a new alert with a new id, not the old one.
  Record({old("delivered-1", 500, {{"slack:ops", "delivered-1"}})});
  auto again = history().Query(Limit(1));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->alerts.at(0).record.alert_key, "delivered-1");
  EXPECT_GT(again->alerts.at(0).id, delivered_1);
  ASSERT_EQ(again->alerts.at(0).deliveries.size(), 1u);

  // Once the dead row is retried and delivered, the alert may go.
  ASSERT_EQ(*queue().Retry(rows["dead"], kNow), 1);
  Deliver({rows["dead"]});
  EXPECT_EQ(*history().Prune(cutoff, 10), 2);  // dead and the re-recorded delivered-1
  EXPECT_FALSE(keys().count("dead"));
  EXPECT_FALSE(history().Prune(cutoff, 0).ok());
}

// --- Hostile text -------------------------------------------------------------------------------

TEST_P(AlertHistoryTest, HostileTextIsStoredAsGivenAndSearchedLiterally) {
  const std::string nul("user\0admin", 10);
  const std::string invalid = "caf\xC3 \xFF\xFE bytes";
  AlertRecord hostile = Alert("k'ey\"; DROP TABLE alert_history; --");
  hostile.rule = "rule 'quoted' \"double\" \\ back";
  hostile.rules_json = R"(["rule 'quoted' \"double\" \\ back","ümlaut ✓"])";
  hostile.account = "1'; --";
  hostile.identity = nul;
  hostile.source_ip = invalid;
  hostile.event_name = "100%_done";
  hostile.region = "emoji 🚨";
  hostile.origin = std::string("file\0name", 9);
  hostile.search_text = nul;
  hostile.search_text.append("\n").append(invalid).append("\n100%_done\nit's");
  hostile.alert_json = std::string("{\"t\":\"\0\"}", 10);
  AlertRecord plain = Alert("plain");
  plain.search_text = "1000 xdone\nuserxadmin\nits";
  AlertRecord wild = Alert("wild");
  wild.search_text = "100x_done\n100%xdone\n\xC3\xA9t\xC3\xA9";
  Record({{hostile, {{"slack 'ops'", "idem\"key"}}}, {plain, {}}, {wild, {}}});

  auto page = history().Query({});
  ASSERT_TRUE(page.ok()) << page.message();
  ASSERT_EQ(page->alerts.size(), 3u);
  const StoredAlert got = MustGet(page->alerts[2].id);
  EXPECT_EQ(got.record.alert_key, hostile.alert_key);
  EXPECT_EQ(got.record.rule, hostile.rule);
  EXPECT_EQ(got.record.rules_json, hostile.rules_json);
  EXPECT_EQ(got.record.account, hostile.account);
  EXPECT_EQ(got.record.identity, Stored(nul));
  EXPECT_EQ(got.record.source_ip, Stored(invalid));
  EXPECT_EQ(got.record.event_name, hostile.event_name);
  EXPECT_EQ(got.record.region, hostile.region);
  EXPECT_EQ(got.record.origin, Stored(hostile.origin));
  EXPECT_EQ(got.record.search_text, Stored(hostile.search_text));
  EXPECT_EQ(got.record.alert_json, Stored(hostile.alert_json));
  ASSERT_EQ(got.deliveries.size(), 1u);
  EXPECT_EQ(got.deliveries[0].target, "slack 'ops'");
  if (!postgres()) {
    EXPECT_EQ(got.record.identity.size(), 10u) << "SQLite keeps the NUL byte and what follows";
  }

  auto keys_for_text = [&](const std::string& text) {
    AlertQuery query;
    query.text = text;
    std::vector<std::string> keys;
    auto result = history().Query(query);
    EXPECT_TRUE(result.ok()) << result.message();
    if (result.ok()) {
      for (const StoredAlert& alert : result->alerts) keys.push_back(alert.record.alert_key);
    }
    return keys;
  };
  const std::vector<std::string> only_hostile{hostile.alert_key};
  // % and _ are characters, not wildcards.
  EXPECT_EQ(keys_for_text("100%_done"), only_hostile);
  EXPECT_EQ(keys_for_text("%"), (std::vector<std::string>{"wild", hostile.alert_key}));
  EXPECT_EQ(keys_for_text("_done"), (std::vector<std::string>{"wild", hostile.alert_key}));
  EXPECT_EQ(keys_for_text("%_d"), only_hostile);
  EXPECT_TRUE(keys_for_text("1_0").empty());  // LIKE would match "100"
  EXPECT_TRUE(keys_for_text("100%%").empty());
  // A NUL byte, a quote and invalid UTF-8 in the needle.
  EXPECT_EQ(keys_for_text(nul), only_hostile);
  EXPECT_EQ(keys_for_text(std::string("\0admin", 6)), only_hostile);
  EXPECT_EQ(keys_for_text("it's"), only_hostile);
  EXPECT_EQ(keys_for_text("\xFF\xFE"), only_hostile);
  EXPECT_EQ(keys_for_text("caf\xC3"), only_hostile);
  if (!postgres()) {
    // Bytes, not characters: a needle starting inside a UTF-8 sequence ("été" holds A9 74). On
    // PostgreSQL the lone byte is U+FFFD (PgText) and matches nothing here.
    EXPECT_EQ(keys_for_text("\xA9t"), std::vector<std::string>{"wild"});
  }
  // Other filters with quotes and odd bytes.
  AlertQuery query;
  query.account = "1'; --";
  auto by_account = history().Query(query);
  ASSERT_TRUE(by_account.ok());
  ASSERT_EQ(by_account->alerts.size(), 1u);
  query = {};
  query.rule = "ümlaut ✓";
  auto by_rule = history().Query(query);
  ASSERT_TRUE(by_rule.ok());
  ASSERT_EQ(by_rule->alerts.size(), 1u);
  EXPECT_EQ(by_rule->alerts[0].record.alert_key, hostile.alert_key);
}

// --- Two writers --------------------------------------------------------------------------------

TEST_P(AlertHistoryTest, TwoRecordersOfTheSameAlertsLeaveOneRowEachWithEveryLink) {
  // A second backend on the same store: another process (SQLite) or replica (PostgreSQL).
  StoreOptions options;
  options.owner = "alert-history-test-2";
  auto other_backend = StoreBackend::Open(location_, options);
  ASSERT_TRUE(other_backend.ok()) << other_backend.message();
  auto other = (*other_backend)->OpenAlertHistory();
  ASSERT_TRUE(other.ok()) << other.message();
  constexpr int kAlerts = 40;
  auto batch = [&](const char* target) {
    std::vector<NewAlert> alerts;
    for (int i = 0; i < kAlerts; ++i) {
      alerts.push_back({Alert(Named("shared-", i)), {{target, Named(target, i)}}});
    }
    return alerts;
  };
  std::vector<std::thread> threads;
  for (AlertHistory* recorder : {history_.get(), other->get()}) {
    const char* target = recorder == history_.get() ? "one:" : "two:";
    threads.emplace_back([recorder, target, &batch] {
      for (int round = 0; round < 3; ++round) {
        Status done = recorder->Record(batch(target));
        EXPECT_TRUE(done.ok()) << done.message();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  AlertQuery query;
  query.limit = 500;
  auto page = history().Query(query);
  ASSERT_TRUE(page.ok()) << page.message();
  ASSERT_EQ(page->alerts.size(), static_cast<size_t>(kAlerts));
  std::set<std::string> keys;
  for (const StoredAlert& alert : page->alerts) {
    keys.insert(alert.record.alert_key);
    ASSERT_EQ(alert.deliveries.size(), 2u) << alert.record.alert_key;
    EXPECT_EQ(alert.deliveries[0].target, "one:");
    EXPECT_EQ(alert.deliveries[1].target, "two:");
  }
  EXPECT_EQ(keys.size(), static_cast<size_t>(kAlerts));
  auto counts = history().CountByRule(0);
  ASSERT_TRUE(counts.ok()) << counts.message();
  EXPECT_EQ(counts->at("root-login"), kAlerts);
}

TEST_P(AlertHistoryTest, AnIdNeverBecomesVisibleAfterAHigherOne) {
  // Two replicas record while a console polls the newest alerts: whatever a poll shows, every
  // alert with an id between its lowest and highest must already be in it (otherwise a console
  // asking for "above the newest I have" would miss it). PostgreSQL gives ids before commit;
  // Record's lock keeps their commits in order (pg_alert_history.h). Without it this fails
  // within a few hundred polls.
  std::vector<std::unique_ptr<StoreBackend>> replicas;
  std::vector<std::unique_ptr<AlertHistory>> recorders;
  for (int r = 0; r < 2; ++r) {
    StoreOptions options;
    options.owner = Named("alert-history-recorder-", r);
    auto backend = StoreBackend::Open(location_, options);
    ASSERT_TRUE(backend.ok()) << backend.message();
    auto recorder = (*backend)->OpenAlertHistory();
    ASSERT_TRUE(recorder.ok()) << recorder.message();
    replicas.push_back(std::move(backend.value()));
    recorders.push_back(std::move(recorder.value()));
  }
  std::atomic<int> running{2};
  std::vector<std::thread> threads;
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&, r] {
      for (int n = 0; n < 150; ++n) {
        std::vector<NewAlert> batch;
        for (int k = 0; k < 3; ++k) {
          std::string key = Named("r", r);
          key.append(Named("-", n * 3 + k));
          batch.push_back({Alert(key), {{"slack:ops", key}}});
        }
        Status done = recorders[static_cast<size_t>(r)]->Record(batch);
        EXPECT_TRUE(done.ok()) << done.message();
      }
      --running;
    });
  }
  std::vector<std::vector<int64_t>> polls;
  while (running > 0) {
    auto page = history().Query(Limit(kMaxAlertQueryLimit));
    ASSERT_TRUE(page.ok()) << page.message();
    polls.push_back(Ids(page->alerts));
  }
  for (std::thread& thread : threads) thread.join();
  auto final_page = history().Query(Limit(kMaxAlertQueryLimit));
  ASSERT_TRUE(final_page.ok());
  std::vector<int64_t> all;
  for (AlertQuery query = Limit(kMaxAlertQueryLimit);;) {
    auto page = history().Query(query);
    ASSERT_TRUE(page.ok()) << page.message();
    for (const StoredAlert& alert : page->alerts) all.push_back(alert.id);
    if (page->next_before_id == 0) break;
    query.before_id = page->next_before_id;
  }
  ASSERT_EQ(all.size(), 900u);
  std::set<int64_t> final_ids(all.begin(), all.end());
  int checked = 0;
  for (const std::vector<int64_t>& poll : polls) {
    if (poll.empty()) continue;
    ++checked;
    const std::set<int64_t> seen(poll.begin(), poll.end());
    for (auto it = final_ids.lower_bound(poll.back()); it != final_ids.end() && *it <= poll.front();
         ++it) {
      ASSERT_TRUE(seen.count(*it)) << "alert " << *it << " appeared after " << poll.front();
    }
  }
  EXPECT_GT(checked, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, AlertHistoryTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });
INSTANTIATE_TEST_SUITE_P(Backends, AlertHistoryFilterTest,
                         ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace trailwatch::store
