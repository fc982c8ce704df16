// Alert history (issue 15; store/alert_history.h): what the web console's list costs with
// 100,000 alerts, on SQLite and on PostgreSQL. Results in docs/benchmarks.md, "Alert history".
//
// The store is filled once per backend, then each AlertHistory/ benchmark times one
// AlertHistory::Query (the page and its deliveries: two statements) or another read the console
// makes:
//   first_page            no filter, 50 newest
//   severity_critical     severities {4} (3 % of the alerts)
//   severity_high_crit    severities {3, 4} (15 %)
//   rule / rule_rare      a rule of ~4 % of the alerts / of ~1 %, grouped alerts counted
//   account               one of 30 accounts (~3 %)
//   status_dead           alerts with a dead delivery (~0.5 % of the outbox rows)
//   status_pending        alerts with a pending delivery (the newest ~2 %: a backlog)
//   status_delivered      the common state (the other way in: alert_history.h)
//   text_rare / text_common   a principal's name (~0.05 %) / an event name (~2.5 %)
//   text_none             a needle found nowhere: the whole history read
//   time_range_old        one day, three weeks back
//   combined              rule + account + severities + status delivered
//   deep_cursor           the page below the 90,000th newest alert
//   get / count_by_rule_24h / recent_20
//
// Each ConsolePage/ benchmark times one whole console request over the same store, as the HTTP
// server hands it to console::ConsoleHandler (OnHead, then OnRequest): the bearer token checked
// (twice: head and dispatch), the queries, and the HTML (or JSON) rendered; only the socket and
// HTTP framing are left out. The rules page reads CountByRule three times (1 h, 24 h, 7 days back
// from the wall clock), the sources page the outbox's stats and dead count per target.
//
// The fill (deterministic but for its time origin, seed 2026): 20 rules and 30 accounts with
// Zipf-like frequencies, 5 severities (30/30/25/12/3 %), 10 % of the alerts grouped (naming a
// second rule), ~2,000 principals, 40 event names, recorded over the 30 days that end when the
// bench starts (the console's windows count back from the wall clock); every alert goes to
// slack:secops, 60 % also to webhook:siem, 30 % to slack:audit (190,000 outbox rows). Each alert's
// JSON is what the pipeline stores (outbox::SerializeAlert of an EventBridge event of a CloudTrail
// record, ~1.2 KB), in the history and as its outbox rows' payload, so that the detail and dead
// letter pages parse and render real alerts. Outbox rows are enqueued through the backend's
// OutboxQueue, then their states set with SQL: delivered, except ~0.5 % dead and 90 % of the
// newest 2 % pending. The alerts are recorded through AlertHistory::Record (500 per call), whose
// rate is printed.
//
// SQLite: a store file under $TMPDIR (default /tmp). PostgreSQL: a new database in the cluster
// whose folder TW_TEST_POSTGRES_STATE names (tests/store/pg_test_cluster.sh ensure DIR), ANALYZEd
// after the fill as autovacuum would; without it the PostgreSQL half is skipped, with a message.
// --backends=sqlite|postgresql|sqlite,postgresql (default both) chooses what to fill and time.
#include <benchmark/benchmark.h>
#include <simdjson.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/wall_clock.h"
#include "console/alert_listing.h"
#include "console/console_auth.h"
#include "console/console_data.h"
#include "console/console_handler.h"
#include "console/console_queries.h"
#include "console/sample_events.h"
#include "envelope/validate_envelope.h"
#include "outbox/outbox.h"
#include "route/alert.h"
#include "route/alert_pipeline.h"
#include "rules/rule_spec.h"
#include "server/http_message.h"
#include "store/alert_history.h"
#include "store/pg_connection.h"
#include "store/sqlite.h"
#include "store/store_backend.h"
#include "telemetry/metrics.h"

namespace {

using namespace trailwatch;
using store::AlertQuery;
using store::QueueState;

constexpr int kAlerts = 100'000;
constexpr int kRules = 20;
constexpr int kAccounts = 30;
constexpr int kPrincipals = 2000;
constexpr int kEventNames = 40;
constexpr int64_t kDayMs = 24LL * 3600 * 1000;
constexpr int64_t kSpanMs = 30 * kDayMs;
constexpr const char* kTargets[] = {"slack:secops", "webhook:siem", "slack:audit"};

std::string Numbered(const char* prefix, int64_t n) {
  std::string text = prefix;
  text.append(std::to_string(n));
  return text;
}

std::string Lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

std::string RuleName(int k) {
  std::string name = "rule-";
  if (k < 10) name.append("0");
  name.append(std::to_string(k));
  return name;
}

std::string AccountId(int k) { return std::to_string(100000000000LL + k * 7919LL); }

// Zipf-like weights 1/(k+1).
std::discrete_distribution<int> Zipf(int n) {
  std::vector<double> weights;
  for (int k = 0; k < n; ++k) weights.push_back(1.0 / (k + 1));
  return std::discrete_distribution<int>(weights.begin(), weights.end());
}

// The EventBridge event of a CloudTrail API call as `r` describes it, as the pipeline stores it
// (minified).
envelope::Envelope EventOf(const store::AlertRecord& r, simdjson::dom::parser& parser) {
  const std::string time = console::FormatTimeMs(r.event_time);
  const std::string user = r.identity.substr(r.identity.rfind('/') + 1);
  std::string json = "{\"version\":\"0\",\"id\":\"";
  json.append(r.event_id).append("\",\"detail-type\":\"AWS API Call via CloudTrail\",");
  json.append("\"source\":\"aws.iam\",\"account\":\"").append(r.account);
  json.append("\",\"time\":\"").append(time).append("\",\"region\":\"").append(r.region);
  json.append("\",\"resources\":[],\"detail\":{\"eventVersion\":\"1.08\",\"userIdentity\":{");
  json.append("\"type\":\"IAMUser\",\"principalId\":\"AIDACKCEVSQ6C2EXAMPLE\",\"arn\":\"");
  json.append(r.identity).append("\",\"accountId\":\"").append(r.account);
  json.append("\",\"accessKeyId\":\"AKIAIOSFODNN7EXAMPLE\",\"userName\":\"").append(user);
  json.append("\"},\"eventTime\":\"").append(time);
  json.append("\",\"eventSource\":\"iam.amazonaws.com\",\"eventName\":\"").append(r.event_name);
  json.append("\",\"awsRegion\":\"").append(r.region).append("\",\"sourceIPAddress\":\"");
  json.append(r.source_ip).append("\",\"userAgent\":\"aws-cli/2.15.0 Python/3.11.6\",");
  json.append("\"requestParameters\":{\"userName\":\"").append(user);
  json.append("\",\"policyArn\":\"arn:aws:iam::aws:policy/AdministratorAccess\"},");
  json.append("\"responseElements\":null,\"eventID\":\"").append(r.event_id);
  json.append("\",\"readOnly\":false,\"eventType\":\"AwsApiCall\",");
  json.append("\"managementEvent\":true,\"recipientAccountId\":\"").append(r.account);
  json.append("\"}}");
  envelope::Envelope event;
  Status valid = envelope::ValidateEnvelopeText(json, parser, &event);
  if (!valid.ok()) {
    std::fprintf(stderr, "fill: an event is not valid: %s\n", valid.message().c_str());
    std::abort();
  }
  return event;
}

struct Fill {
  int64_t start = 0;  // the first alert's recorded_at; the last is recorded start + kSpanMs
  std::vector<store::NewAlert> alerts;
  std::vector<std::string> pending_keys;
  std::vector<std::string> dead_keys;
};

Fill MakeFill(int64_t start) {
  std::mt19937_64 random(2026);
  auto rule_of = Zipf(kRules);
  auto account_of = Zipf(kAccounts);
  std::discrete_distribution<int> severity_of({30, 30, 25, 12, 3});
  std::uniform_real_distribution<double> unit(0, 1);
  std::uniform_int_distribution<int> principal_of(0, kPrincipals - 1);
  std::uniform_int_distribution<int> event_of(0, kEventNames - 1);
  std::uniform_int_distribution<int> byte(1, 254);
  std::uniform_int_distribution<int64_t> delay(60'000, 900'000);
  simdjson::dom::parser parser;
  Fill fill;
  fill.start = start;
  fill.alerts.reserve(kAlerts);
  for (int i = 0; i < kAlerts; ++i) {
    store::NewAlert alert;
    store::AlertRecord& r = alert.record;
    const int rule = rule_of(random);
    r.alert_key = Numbered("[\"evt-", i);
    r.alert_key.append("\",\"").append(RuleName(rule)).append("\"]");
    r.recorded_at = start + kSpanMs * i / kAlerts;
    r.event_time = r.recorded_at - delay(random);
    r.severity = severity_of(random);
    r.rule = RuleName(rule);
    route::Alert alert_value;
    alert_value.rule = r.rule;
    alert_value.severity = static_cast<route::Severity>(r.severity);
    alert_value.grouped = true;
    r.rules_json = "[\"";
    r.rules_json.append(r.rule).append("\"");
    if (unit(random) < 0.10) {
      alert_value.also_rules.push_back(RuleName((rule + 1 + i % 7) % kRules));
      r.rules_json.append(",\"").append(alert_value.also_rules.back()).append("\"");
    }
    r.rules_json.append("]");
    r.account = AccountId(account_of(random));
    r.region = i % 3 == 0 ? "us-east-1" : "eu-west-1";
    const int principal = principal_of(random);
    r.identity = "arn:aws:iam::";
    r.identity.append(r.account).append(":user/").append(Numbered("Principal-", principal));
    r.source_ip = std::to_string(byte(random));
    r.source_ip.append(".").append(std::to_string(byte(random)));
    r.source_ip.append(".").append(std::to_string(byte(random)));
    r.source_ip.append(".").append(std::to_string(byte(random)));
    r.event_name = Numbered("EventName", event_of(random));
    r.event_id = Numbered("0f1e2d3c-4b5a-6978-8796-", 100000000000LL + i);
    r.origin = "s3://org-trail/AWSLogs/";
    r.origin.append(r.account)
        .append("/CloudTrail/eu-west-1/2025/12/01/")
        .append(Numbered("log-", i / 20));
    r.search_text = Lower(r.identity);
    r.search_text.append("\n").append(r.source_ip).append("\n").append(Lower(r.event_name));
    alert_value.origin = r.origin;
    alert_value.envelope = EventOf(r, parser);
    r.alert_json = outbox::SerializeAlert(alert_value);
    for (int t = 0; t < 3; ++t) {
      if ((t == 1 && unit(random) >= 0.6) || (t == 2 && unit(random) >= 0.3)) continue;
      std::string key = kTargets[t];
      key.append("/").append(std::to_string(i));
      if (i >= kAlerts - kAlerts / 50 && unit(random) < 0.9) {
        fill.pending_keys.push_back(key);
      } else if (unit(random) < 0.005) {
        fill.dead_keys.push_back(key);
      }
      alert.links.push_back({kTargets[t], std::move(key)});
    }
    fill.alerts.push_back(std::move(alert));
  }
  return fill;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// One filled store.
class BenchStore {
 public:
  virtual ~BenchStore() = default;
  virtual const char* name() const = 0;
  // SQL without results, straight on the store (the fill's state changes).
  virtual bool Sql(const std::string& sql) = 0;
  // After the fill.
  virtual void Settle() {}

  bool Open(const std::string& location) {
    store::StoreOptions options;
    options.owner = "alert-history-bench";
    auto backend = store::StoreBackend::Open(location, options);
    if (!backend.ok()) return Failed(backend.message());
    backend_ = std::move(backend.value());
    auto queue = backend_->OpenQueue();
    if (!queue.ok()) return Failed(queue.message());
    queue_ = std::move(queue.value());
    auto history = backend_->OpenAlertHistory();
    if (!history.ok()) return Failed(history.message());
    history_ = std::move(history.value());
    auto outbox = outbox::Outbox::Open(*backend_);
    if (!outbox.ok()) return Failed(outbox.message());
    outbox_ = std::move(outbox.value());
    return true;
  }

  bool FillWith(const Fill& fill) {
    auto start = std::chrono::steady_clock::now();
    std::vector<store::NewQueueRow> rows;
    int64_t rows_created_at = 0;  // each batch's rows when its first alert was recorded
    size_t enqueued = 0;
    auto flush = [&]() {
      auto result = queue_->Enqueue(rows, rows_created_at);
      if (!result.ok()) return Failed(result.message());
      enqueued += rows.size();
      rows.clear();
      return true;
    };
    for (const store::NewAlert& alert : fill.alerts) {
      if (rows.empty()) rows_created_at = alert.record.recorded_at;
      for (const store::AlertLink& link : alert.links) {
        std::string channel = link.target;
        channel.append("#C0").append(std::to_string(alert.record.severity));
        rows.push_back({link.target, link.idempotency_key, channel, alert.record.alert_json});
      }
      if (rows.size() >= 2000 && !flush()) return false;
    }
    if (!rows.empty() && !flush()) return false;
    const double enqueue_s = SecondsSince(start);
    start = std::chrono::steady_clock::now();
    if (!Sql("UPDATE outbox_entries SET state = 2, attempts = 1, response_status = 200")) {
      return false;
    }
    if (!SetState(fill.pending_keys, "state = 0, attempts = 3, last_error = 'HTTP 503'") ||
        !SetState(fill.dead_keys,
                  "state = 3, attempts = 8, last_error = 'HTTP 404: channel_not_found'")) {
      return false;
    }
    const double states_s = SecondsSince(start);
    start = std::chrono::steady_clock::now();
    constexpr size_t kBatch = 500;
    for (size_t i = 0; i < fill.alerts.size(); i += kBatch) {
      std::vector<store::NewAlert> batch(
          fill.alerts.begin() + static_cast<std::ptrdiff_t>(i),
          fill.alerts.begin() +
              static_cast<std::ptrdiff_t>(std::min(fill.alerts.size(), i + kBatch)));
      Status done = history_->Record(batch);
      if (!done.ok()) return Failed(done.message());
    }
    const double record_s = SecondsSince(start);
    start = std::chrono::steady_clock::now();
    Settle();
    std::fprintf(stderr,
                 "%s: enqueued %zu outbox rows in %.1f s, set states in %.1f s, recorded %zu "
                 "alerts in %.1f s (%.0f alerts/s, %zu per Record), settled in %.1f s\n",
                 name(), enqueued, enqueue_s, states_s, fill.alerts.size(), record_s,
                 static_cast<double>(fill.alerts.size()) / record_s, kBatch, SecondsSince(start));
    return true;
  }

  store::AlertHistory& history() { return *history_; }
  outbox::Outbox& outbox() { return *outbox_; }

 protected:
  bool Failed(const std::string& message) {
    std::fprintf(stderr, "%s: %s\n", name(), message.c_str());
    return false;
  }
  void Close() {
    outbox_.reset();
    history_.reset();
    queue_.reset();
    backend_.reset();
  }

 private:
  bool SetState(const std::vector<std::string>& keys, const char* set) {
    for (size_t i = 0; i < keys.size(); i += 500) {
      std::string sql = "UPDATE outbox_entries SET ";
      sql.append(set).append(" WHERE idempotency_key IN (");
      for (size_t k = i; k < std::min(keys.size(), i + 500); ++k) {
        sql.append(k == i ? "'" : ", '").append(keys[k]).append("'");  // plain ASCII keys
      }
      sql.append(")");
      if (!Sql(sql)) return false;
    }
    return true;
  }

  std::unique_ptr<store::StoreBackend> backend_;
  std::unique_ptr<store::OutboxQueue> queue_;
  std::unique_ptr<store::AlertHistory> history_;
  std::unique_ptr<outbox::Outbox> outbox_;
};

class SqliteBenchStore final : public BenchStore {
 public:
  SqliteBenchStore() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp && *tmp ? tmp : "/tmp") + "/trailwatch-alert-history-bench-XXXXXX";
    dir_ = mkdtemp(pattern.data());
    path_ = dir_ + "/store.db";
  }
  ~SqliteBenchStore() override {
    Close();
    std::filesystem::remove_all(dir_);
  }
  const char* name() const override { return "sqlite"; }
  bool Open() { return BenchStore::Open(path_); }
  bool Sql(const std::string& sql) override {
    auto db = store::sqlite::Database::Open(path_);
    if (!db.ok()) return Failed(db.message());
    sqlite3_busy_timeout((*db)->handle(), 10000);
    Status done = (*db)->Exec(sql);
    if (!done.ok()) return Failed(done.message());
    return true;
  }
  void Settle() override {
    // The WAL into the file, as the store's automatic checkpoints would in time.
    (void)Sql("PRAGMA wal_checkpoint(TRUNCATE)");
    std::error_code error;
    std::fprintf(stderr, "sqlite: store file %.1f MB\n",
                 static_cast<double>(std::filesystem::file_size(path_, error)) / 1e6);
  }

 private:
  std::string dir_;
  std::string path_;
};

class PostgresBenchStore final : public BenchStore {
 public:
  ~PostgresBenchStore() override {
    Close();
    if (!database_.empty()) {
      auto admin = store::PgConnection::Connect(admin_dsn_);
      if (admin.ok()) {
        std::string drop = "DROP DATABASE IF EXISTS ";
        drop.append(database_).append(" WITH (FORCE)");
        (void)(*admin)->Run("dropping the bench database", drop);
      }
    }
  }
  const char* name() const override { return "postgresql"; }

  // False (with the reason printed) when no cluster is there.
  bool Open() {
    const char* state = std::getenv("TW_TEST_POSTGRES_STATE");
    if (state == nullptr || *state == '\0') {
      std::fprintf(stderr,
                   "postgresql: skipped: TW_TEST_POSTGRES_STATE is not set (start a cluster with "
                   "tests/store/pg_test_cluster.sh ensure DIR and export "
                   "TW_TEST_POSTGRES_STATE=DIR)\n");
      return false;
    }
    std::ifstream in(std::string(state) + "/dsn");
    std::getline(in, admin_dsn_);
    std::string port;
    std::ifstream port_in(std::string(state) + "/port");
    std::getline(port_in, port);
    if (admin_dsn_.empty() || port.empty()) {
      std::fprintf(stderr, "postgresql: skipped: no cluster in %s (no dsn or port file)\n", state);
      return false;
    }
    auto admin = store::PgConnection::Connect(admin_dsn_);
    if (!admin.ok()) {
      std::fprintf(stderr, "postgresql: skipped: %s\n", admin.message().c_str());
      return false;
    }
    database_ = Numbered("tw_alert_history_bench_", getpid());
    std::string create = "CREATE DATABASE ";
    create.append(database_);
    if (Status s = (*admin)->Run("creating the bench database", create); !s.ok()) {
      database_.clear();
      return Failed(s.message());
    }
    dsn_ = "postgresql://postgres@127.0.0.1:";
    dsn_.append(port).append("/").append(database_);
    return BenchStore::Open(dsn_);
  }
  bool Sql(const std::string& sql) override {
    auto conn = store::PgConnection::Connect(dsn_);
    if (!conn.ok()) return Failed(conn.message());
    if (Status s = (*conn)->Run("bench SQL", sql); !s.ok()) return Failed(s.message());
    return true;
  }
  void Settle() override {
    // What autovacuum does after a bulk load, done now: statistics for the planner and the
    // visibility map for index-only scans.
    (void)Sql("VACUUM ANALYZE");
  }

 private:
  std::string admin_dsn_;
  std::string database_;
  std::string dsn_;
};

int64_t NthNewestId(store::AlertHistory& history, int64_t n) {
  AlertQuery query;
  query.limit = store::kMaxAlertQueryLimit;
  int64_t seen = 0;
  while (true) {
    auto page = history.Query(query);
    if (!page.ok() || page->alerts.empty()) return 0;
    if (seen + static_cast<int64_t>(page->alerts.size()) >= n) {
      return page->alerts[static_cast<size_t>(n - seen - 1)].id;
    }
    seen += static_cast<int64_t>(page->alerts.size());
    query.before_id = page->next_before_id;
    if (query.before_id == 0) return 0;
  }
}

void RegisterQuery(BenchStore* bench, const std::string& what, AlertQuery query) {
  std::string name = "AlertHistory/";
  name.append(bench->name()).append("/").append(what);
  benchmark::RegisterBenchmark(name.c_str(),
                               [bench, query](benchmark::State& state) {
                                 size_t rows = 0;
                                 for (auto _ : state) {
                                   auto page = bench->history().Query(query);
                                   if (!page.ok()) {
                                     state.SkipWithError(page.message().c_str());
                                     return;
                                   }
                                   rows = page->alerts.size();
                                   benchmark::DoNotOptimize(page);
                                 }
                                 state.counters["rows"] = static_cast<double>(rows);
                               })
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
}

template <typename Read>
void RegisterRead(BenchStore* bench, const std::string& what, Read read) {
  std::string name = "AlertHistory/";
  name.append(bench->name()).append("/").append(what);
  benchmark::RegisterBenchmark(name.c_str(),
                               [bench, read](benchmark::State& state) {
                                 for (auto _ : state) {
                                   if (!read(bench->history())) {
                                     state.SkipWithError("read failed");
                                     return;
                                   }
                                 }
                               })
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
}

void RegisterAll(BenchStore* bench, int64_t start) {
  auto with = [](auto set) {
    AlertQuery query;
    set(query);
    return query;
  };
  RegisterQuery(bench, "first_page", {});
  RegisterQuery(bench, "severity_critical", with([](AlertQuery& q) { q.severities = {4}; }));
  RegisterQuery(bench, "severity_high_crit", with([](AlertQuery& q) { q.severities = {3, 4}; }));
  RegisterQuery(bench, "rule", with([](AlertQuery& q) { q.rule = RuleName(5); }));
  RegisterQuery(bench, "rule_rare", with([](AlertQuery& q) { q.rule = RuleName(19); }));
  RegisterQuery(bench, "account", with([](AlertQuery& q) { q.account = AccountId(7); }));
  RegisterQuery(bench, "status_dead", with([](AlertQuery& q) { q.status = QueueState::kDead; }));
  RegisterQuery(bench, "status_pending",
                with([](AlertQuery& q) { q.status = QueueState::kPending; }));
  RegisterQuery(bench, "status_delivered",
                with([](AlertQuery& q) { q.status = QueueState::kDelivered; }));
  RegisterQuery(bench, "text_rare", with([](AlertQuery& q) { q.text = "user/principal-1234\n"; }));
  RegisterQuery(bench, "text_common", with([](AlertQuery& q) { q.text = "eventname17"; }));
  RegisterQuery(bench, "text_none", with([](AlertQuery& q) { q.text = "no such principal"; }));
  RegisterQuery(bench, "time_range_old", with([start](AlertQuery& q) {
                  q.event_time_from = start + 8 * kDayMs;
                  q.event_time_to = start + 9 * kDayMs;
                }));
  RegisterQuery(bench, "combined", with([](AlertQuery& q) {
                  q.rule = RuleName(2);
                  q.account = AccountId(1);
                  q.severities = {1, 2, 3};
                  q.status = QueueState::kDelivered;
                }));
  AlertQuery deep;
  deep.before_id = NthNewestId(bench->history(), 90'000);
  RegisterQuery(bench, "deep_cursor", deep);
  const int64_t some_id = NthNewestId(bench->history(), 1234);
  RegisterRead(bench, "get", [some_id](store::AlertHistory& history) {
    auto alert = history.Get(some_id);
    return alert.ok() && alert->has_value();
  });
  RegisterRead(bench, "count_by_rule_24h", [start](store::AlertHistory& history) {
    return history.CountByRule(start + kSpanMs - kDayMs).ok();
  });
  RegisterRead(bench, "recent_20",
               [](store::AlertHistory& history) { return history.Recent(20).ok(); });
}

// The web console over one filled store, wired as the service wires it: the fill's 20 rules
// (configured and compiled) routing to its three targets, its accounts with aliases, a bearer
// token, and two running sources.
class ConsoleFront {
 public:
  static constexpr const char* kToken = "alert-history-bench-token-0123456789";

  ConsoleFront() = default;
  ConsoleFront(const ConsoleFront&) = delete;  // data_.rules points at this
  ConsoleFront& operator=(const ConsoleFront&) = delete;

  // False (with the reason printed) when the rules do not compile.
  bool Open(BenchStore* bench) {
    config::TargetsConfig targets;
    for (const char* name : kTargets) {
      config::TargetConfig target;
      target.name = name;
      target.type = std::string_view(name).starts_with("slack:")
                        ? config::TargetConfig::Type::kSlack
                        : config::TargetConfig::Type::kWebhook;
      targets.targets.push_back(std::move(target));
    }
    for (int k = 0; k < kAccounts; ++k) targets.accounts[AccountId(k)] = Numbered("workload-", k);
    std::vector<rules::RuleSpec> specs;
    for (int k = 0; k < kRules; ++k) {
      rules::RuleSpec spec;
      spec.name = RuleName(k);
      spec.description = "An IAM user changed permissions.";
      spec.pattern_json = R"({"source":["aws.iam"],"detail":{"eventName":[")";
      spec.pattern_json.append(Numbered("EventName", 2 * k)).append(R"(",")");
      spec.pattern_json.append(Numbered("EventName", 2 * k + 1)).append(R"("]}})");
      spec.severity = static_cast<route::Severity>(k % 5);
      spec.targets.assign(std::begin(kTargets), std::end(kTargets));
      specs.push_back(std::move(spec));
    }
    configured_ = std::make_shared<const std::vector<rules::RuleSpec>>(std::move(specs));
    auto running = route::CompilePipelineRules(*configured_, targets);
    if (!running.ok()) {
      std::fprintf(stderr, "%s: console rules: %s\n", bench->name(), running.message().c_str());
      return false;
    }
    running_ = std::move(running.value());
    data_.history = &bench->history();
    data_.outbox = &bench->outbox();
    data_.metrics = &metrics_;
    data_.rules = [this] { return console::RulesSnapshot{configured_, running_}; };
    data_.sources = [] { return Sources(); };
    data_.wake_delivery = [] {};
    queries_ = std::make_unique<console::ConsoleQueries>(&data_, console::PackSampleEvents());
    console::ConsoleAuthSettings settings;
    settings.token = kToken;
    auth_ = std::make_unique<console::ConsoleAuth>(settings);
    auto log = std::make_shared<spdlog::logger>("alert-history-bench",
                                                std::make_shared<spdlog::sinks::null_sink_mt>());
    handler_ = std::make_unique<console::ConsoleHandler>(queries_.get(), auth_.get(), &metrics_,
                                                         std::move(log), false);
    return true;
  }

  console::ConsoleHandler& handler() { return *handler_; }

 private:
  static std::vector<console::SourceStatus> Sources() {
    console::SourceStatus trail;
    trail.name = "org-trail";
    trail.type = "s3";
    trail.state = "running";
    trail.newest_object_age_seconds = 312;
    trail.counters = {{"events", 18'204'551}, {"objects read", 611'042}, {"errors", 3}};
    console::SourceStatus http;
    http.name = "eventbridge-http";
    http.type = "http";
    http.state = "running";
    http.counters = {{"events", 90'113}, {"requests", 88'250}, {"errors", 0}};
    return {trail, http};
  }

  telemetry::Metrics metrics_;
  std::shared_ptr<const std::vector<rules::RuleSpec>> configured_;
  std::shared_ptr<const route::PipelineRules> running_;
  console::ConsoleData data_;
  std::unique_ptr<console::ConsoleQueries> queries_;
  std::unique_ptr<console::ConsoleAuth> auth_;
  std::unique_ptr<console::ConsoleHandler> handler_;
};

size_t Occurrences(const std::string& text, std::string_view needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

// One GET of `target` with the bearer token, as server::HttpServer hands it to the handler: OnHead,
// then (the head asking for the body) OnRequest. The answer must be 200 and hold `expect` (what
// shows the page did its work: rows listed, the alert parsed and rendered). Counters: the
// answer's bytes and, for an alert list page, its rows.
void RegisterPage(BenchStore* bench, ConsoleFront* front, const std::string& what,
                  const std::string& target, const std::string& expect) {
  std::string name = "ConsolePage/";
  name.append(bench->name()).append("/").append(what);
  server::HttpRequest request;
  request.method = "GET";
  request.target = target;
  request.path = target.substr(0, target.find('?'));
  std::string authorization = "Bearer ";
  authorization.append(ConsoleFront::kToken);
  request.headers.emplace_back("authorization", std::move(authorization));
  request.remote_address = "127.0.0.1";
  benchmark::RegisterBenchmark(
      name.c_str(),
      [front, request, expect](benchmark::State& state) {
        size_t bytes = 0;
        size_t rows = 0;
        for (auto _ : state) {
          server::HeadDecision head = front->handler().OnHead(request);
          if (head.answer) {
            std::string error = "answered at the head: ";
            error.append(std::to_string(head.answer->status));
            state.SkipWithError(error.c_str());
            return;
          }
          server::HttpResponse response = front->handler().OnRequest(request);
          if (response.status != 200 || response.body.find(expect) == std::string::npos) {
            std::string error = "status ";
            error.append(std::to_string(response.status)).append(": ");
            error.append(response.body.substr(0, 300));
            state.SkipWithError(error.c_str());
            return;
          }
          bytes = response.body.size();
          rows = Occurrences(response.body, "<tr class=\"alert\"");
          benchmark::DoNotOptimize(response);
        }
        state.counters["bytes"] = static_cast<double>(bytes);
        if (rows > 0) state.counters["rows"] = static_cast<double>(rows);
      })
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
}

void RegisterPages(BenchStore* bench, ConsoleFront* front, int64_t start) {
  const std::string row = "<tr class=\"alert\"";
  RegisterPage(bench, front, "alerts", "/alerts", row);
  RegisterPage(bench, front, "alerts_severity_critical", "/alerts?severity=critical", row);
  std::string target = "/alerts?rule=";
  RegisterPage(bench, front, "alerts_rule", target.append(RuleName(5)), row);
  target = "/alerts?account=";
  RegisterPage(bench, front, "alerts_account", target.append(AccountId(7)), row);
  RegisterPage(bench, front, "alerts_status_dead", "/alerts?status=dead", row);
  RegisterPage(bench, front, "alerts_q_event_name", "/alerts?q=EventName17", row);
  RegisterPage(bench, front, "alerts_q_rare_principal", "/alerts?q=Principal-1234", row);
  target = "/alerts?from=";
  target.append(console::FormatTimeMs(start + 8 * kDayMs));
  target.append("&to=").append(console::FormatTimeMs(start + 9 * kDayMs));
  RegisterPage(bench, front, "alerts_from_to_old_day", target, row);
  RegisterPage(bench, front, "api_alerts", "/api/v1/alerts", "{\"alerts\":[{");
  RegisterPage(bench, front, "alert_detail",
               Numbered("/alerts/", NthNewestId(bench->history(), 1234)),
               "<section id=\"rendered\">");
  RegisterPage(bench, front, "rules", "/rules", "<tr class=\"rule\" data-name=\"rule-19\"");
  RegisterPage(bench, front, "dead_letters", "/dead-letters", "<td class=\"rule\">rule-");
  RegisterPage(bench, front, "sources", "/sources",
               "<tr class=\"target\" data-name=\"webhook:siem\"");
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  std::string backends = "sqlite,postgresql";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--backends=", 0) == 0) {
      backends = arg.substr(11);
    } else {
      std::fprintf(stderr, "unknown flag %s\n", arg.c_str());
      return 2;
    }
  }
  // The 30 days up to now (to the minute): the console counts back from the wall clock.
  const int64_t now_ms = WallClockMs();
  const Fill fill = MakeFill(now_ms - now_ms % 60'000 - kSpanMs);
  size_t json_bytes = 0;
  for (const store::NewAlert& alert : fill.alerts) json_bytes += alert.record.alert_json.size();
  std::fprintf(stderr,
               "fill: %d alerts from %s to %s, alert JSON %.0f bytes on average, %zu pending and "
               "%zu dead outbox rows\n",
               kAlerts, console::FormatTimeMs(fill.start).c_str(),
               console::FormatTimeMs(fill.start + kSpanMs).c_str(),
               static_cast<double>(json_bytes) / kAlerts, fill.pending_keys.size(),
               fill.dead_keys.size());
  std::unique_ptr<SqliteBenchStore> sqlite;
  std::unique_ptr<PostgresBenchStore> postgres;
  std::vector<std::unique_ptr<ConsoleFront>> consoles;
  auto register_all = [&](BenchStore* bench) {
    RegisterAll(bench, fill.start);
    consoles.push_back(std::make_unique<ConsoleFront>());
    if (!consoles.back()->Open(bench)) return false;
    RegisterPages(bench, consoles.back().get(), fill.start);
    return true;
  };
  if (backends.find("sqlite") != std::string::npos) {
    sqlite = std::make_unique<SqliteBenchStore>();
    if (!sqlite->Open() || !sqlite->FillWith(fill) || !register_all(sqlite.get())) return 1;
  }
  if (backends.find("postgresql") != std::string::npos) {
    postgres = std::make_unique<PostgresBenchStore>();
    if (postgres->Open()) {
      if (!postgres->FillWith(fill) || !register_all(postgres.get())) return 1;
    }
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
