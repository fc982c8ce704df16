// Delivery workers: backoff, Retry-After, dead letters, clean stop, bounded stop (abandoned sends),
// failure lines in the log, rate per channel.
#include "targets/delivery_worker.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "cli/cli_test_util.h"
#include "service/service_process_util.h"
#include "sources/source_test_util.h"
#include "targets/fake_servers_util.h"
#include "targets/sample_alert.h"

namespace trailwatch::targets {
namespace {

using testing::FakeHttpServer;
using testing::FakeResponse;
using testing::ScriptedAnswers;

// Makes a captured logger spdlog's default (the worker logs through it) for the test's duration.
class DefaultLogCapture {
 public:
  DefaultLogCapture() : previous_(spdlog::default_logger()), context_(":memory:") {
    spdlog::set_default_logger(context_.context().log);
  }
  ~DefaultLogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() const { return context_.log_text(); }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  sources::testing::TestContext context_;
};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class DeliveryWorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = outbox::Outbox::Open(dir_.path() + "/outbox.db");
    ASSERT_TRUE(store.ok()) << store.message();
    store_ = std::move(store.value());
  }

  config::TargetConfig Webhook(const std::string& name, const std::string& url) {
    config::TargetConfig config;
    config.name = name;
    config.type = config::TargetConfig::Type::kWebhook;
    config.url = config::Secret(url);
    config.timeout = std::chrono::seconds(5);
    config.rate_per_second = 100;
    config.burst = 100;
    return config;
  }

  void Enqueue(const config::TargetConfig& config, int count, const std::string& prefix = "e") {
    std::vector<outbox::NewEntry> entries;
    for (int i = 0; i < count; ++i) {
      entries.push_back({config.name, ChannelKey(config),
                         SampleRootSignInAlert(prefix + std::to_string(i), "rule").value()});
    }
    ASSERT_TRUE(store_->Enqueue(entries, NowMs()).ok());
  }

  // Enqueues with the channel each alert gets in production (lanes, Slack channels).
  void EnqueueByAlert(const config::TargetConfig& config, int count, const std::string& prefix,
                      int64_t now_ms = 0) {
    std::vector<outbox::NewEntry> entries;
    for (int i = 0; i < count; ++i) {
      route::Alert alert = SampleRootSignInAlert(prefix + std::to_string(i), "rule").value();
      std::string channel = ChannelKey(config, alert);
      entries.push_back({config.name, channel, std::move(alert)});
    }
    ASSERT_TRUE(store_->Enqueue(entries, now_ms ? now_ms : NowMs()).ok());
  }

  std::vector<DeliveryTarget> Targets(const std::vector<config::TargetConfig>& configs,
                                      std::stop_token abandon_sends = {}) {
    std::vector<DeliveryTarget> targets;
    for (const auto& config : configs) {
      TargetContext context;
      context.outbox = store_.get();
      context.abandon_sends = abandon_sends;
      targets.push_back({config, MakeTarget(config, context).value()});
    }
    return targets;
  }

  DeliveryOptions FastOptions() {
    DeliveryOptions options;
    options.backoff_base = std::chrono::milliseconds(20);
    options.backoff_cap = std::chrono::milliseconds(100);
    options.poll_interval = std::chrono::milliseconds(20);
    options.stop_when_empty = true;
    return options;
  }

  testing::TempDir dir_;
  std::unique_ptr<outbox::Outbox> store_;
};

TEST(DeliveryBackoff, FullJitterStaysUnderTheCappedExponential) {
  std::mt19937_64 rng(42);
  using std::chrono::milliseconds;
  for (int attempts = 1; attempts <= 20; ++attempts) {
    int64_t ceiling = std::min<int64_t>(300000, 1000LL << std::min(attempts - 1, 20));
    int64_t highest = 0;
    for (int i = 0; i < 200; ++i) {
      auto delay = DeliveryWorker::Backoff(attempts, milliseconds(1000), milliseconds(300000), rng);
      ASSERT_GE(delay.count(), 0);
      ASSERT_LE(delay.count(), ceiling) << "attempt " << attempts;
      highest = std::max(highest, static_cast<int64_t>(delay.count()));
    }
    EXPECT_GT(highest, ceiling / 2) << "jitter spans the whole range";
  }
}

TEST_F(DeliveryWorkerTest, DeliversEverythingAndRecordsTheAnswer) {
  FakeHttpServer fake(
      [](const testing::FakeRequest&) { return FakeResponse::Text(200, "accepted"); });
  auto config = Webhook("siem", fake.Url("/in"));
  Enqueue(config, 20);
  DeliveryWorker worker(store_.get(), Targets({config}), FastOptions());
  worker.Start();
  ASSERT_TRUE(worker.WaitFor(std::chrono::seconds(30)));
  worker.Wait();
  EXPECT_EQ(worker.counters().delivered, 20);
  EXPECT_EQ(fake.RequestCount(), 20u);
  auto delivered = store_->List(outbox::EntryState::kDelivered);
  ASSERT_TRUE(delivered.ok());
  ASSERT_EQ(delivered->size(), 20u);
  EXPECT_EQ((*delivered)[0].response, "accepted");
  EXPECT_EQ((*delivered)[0].response_status, 200);
  // Sent in enqueue order.
  auto requests = fake.Requests();
  for (int i = 0; i < 20; ++i) {
    EXPECT_NE(requests[i].body.find("\"eventID\":\"e" + std::to_string(i) + "\""),
              std::string::npos);
  }
}

TEST_F(DeliveryWorkerTest, TransientFailuresBecomeDeadAfterMaxAttempts) {
  FakeHttpServer fake([](const testing::FakeRequest&) { return FakeResponse::Text(500, "boom"); });
  auto config = Webhook("siem", fake.Url("/in"));
  config.max_attempts = 3;
  Enqueue(config, 1);
  DeliveryWorker worker(store_.get(), Targets({config}), FastOptions());
  worker.Start();
  ASSERT_TRUE(worker.WaitFor(std::chrono::seconds(30)));
  EXPECT_EQ(fake.RequestCount(), 3u);
  auto dead = store_->List(outbox::EntryState::kDead);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].attempts, 3);
  EXPECT_NE((*dead)[0].last_error.find("after 3 attempts"), std::string::npos);
  EXPECT_NE((*dead)[0].last_error.find("HTTP 500: boom"), std::string::npos)
      << (*dead)[0].last_error;
}

TEST_F(DeliveryWorkerTest, TransientFailuresBecomeDeadAfterMaxAge) {
  FakeHttpServer fake([](const testing::FakeRequest&) { return FakeResponse::Text(503, ""); });
  auto config = Webhook("siem", fake.Url("/in"));
  config.max_age = std::chrono::seconds(1);
  Enqueue(config, 1);
  DeliveryWorker worker(store_.get(), Targets({config}), FastOptions());
  worker.Start();
  ASSERT_TRUE(worker.WaitFor(std::chrono::seconds(30)));
  auto dead = store_->List(outbox::EntryState::kDead);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_NE((*dead)[0].last_error.find("older than max_age"), std::string::npos);
  EXPECT_GT(fake.RequestCount(), 1u);
}

TEST_F(DeliveryWorkerTest, PermanentErrorsAreDeadAtOnceAndDoNotBlockTheChannel) {
  ScriptedAnswers answers({FakeResponse::Text(404, "no_service")});
  FakeHttpServer fake(answers.Handler());
  auto config = Webhook("siem", fake.Url("/in"));
  Enqueue(config, 2);
  DeliveryWorker worker(store_.get(), Targets({config}), FastOptions());
  worker.Start();
  ASSERT_TRUE(worker.WaitFor(std::chrono::seconds(30)));
  EXPECT_EQ(fake.RequestCount(), 2u);
  auto stats = store_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->dead, 1);
  EXPECT_EQ(stats->delivered, 1);
}

TEST_F(DeliveryWorkerTest, RetryAfterIsHonouredForTheWholeChannel) {
  ScriptedAnswers answers({FakeResponse::TooManyRequests(1)});
  FakeHttpServer fake(answers.Handler());
  auto config = Webhook("siem", fake.Url("/in"));
  Enqueue(config, 2);
  DeliveryWorker worker(store_.get(), Targets({config}), FastOptions());
  worker.Start();
  ASSERT_TRUE(worker.WaitFor(std::chrono::seconds(30)));
  auto requests = fake.Requests();
  ASSERT_EQ(requests.size(), 3u);
  // The 429'd entry is retried first (order), and not before Retry-After.
  EXPECT_EQ(requests[1].body, requests[0].body);
  EXPECT_GE(requests[1].received_at - requests[0].received_at, std::chrono::milliseconds(990));
}

TEST_F(DeliveryWorkerTest, StopLetsTheSendInFlightFinish) {
  FakeResponse slow = FakeResponse::Text(200, "ok");
  slow.delay = std::chrono::milliseconds(700);
  FakeHttpServer fake([slow](const testing::FakeRequest&) { return slow; });
  auto config = Webhook("siem", fake.Url("/in"));
  Enqueue(config, 5);
  DeliveryOptions options = FastOptions();
  options.stop_when_empty = false;
  DeliveryWorker worker(store_.get(), Targets({config}), options);
  worker.Start();
  ASSERT_TRUE(fake.WaitForRequests(1, std::chrono::seconds(10)));
  worker.Stop();
  auto stats = store_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->in_flight, 0) << "a clean stop leaves nothing in flight";
  EXPECT_EQ(stats->delivered, static_cast<int64_t>(fake.RequestCount()));
  EXPECT_LT(fake.RequestCount(), 5u);
}

TEST_F(DeliveryWorkerTest, TokenBucketLimitsEachChannelAndChannelsAreIndependent) {
  FakeHttpServer fake([](const testing::FakeRequest&) { return FakeResponse::Text(200, "ok"); });
  auto a = Webhook("a", fake.Url("/a"));
  auto b = Webhook("b", fake.Url("/b"));
  for (auto* config : {&a, &b}) {
    config->rate_per_second = 5;
    config->burst = 2;
  }
  Enqueue(a, 8, "a");
  Enqueue(b, 8, "b");
  DeliveryWorker worker(store_.get(), Targets({a, b}), FastOptions());
  auto started = std::chrono::steady_clock::now();
  worker.Start();
  ASSERT_TRUE(worker.WaitFor(std::chrono::seconds(30)));
  auto elapsed = std::chrono::steady_clock::now() - started;
  // 8 sends at 5/s with a burst of 2 need at least (8 - 2) / 5 = 1.2 s; both channels run
  // side by side, so the whole run is not twice that.
  EXPECT_GE(elapsed, std::chrono::milliseconds(1150));
  EXPECT_LT(elapsed, std::chrono::seconds(10));
  for (const char* path : {"/a", "/b"}) {
    std::vector<std::chrono::steady_clock::time_point> times;
    for (const auto& r : fake.Requests()) {
      if (r.path == path) times.push_back(r.received_at);
    }
    ASSERT_EQ(times.size(), 8u);
    for (size_t i = 0; i < times.size(); ++i) {
      for (size_t j = i + 1; j < times.size(); ++j) {
        double seconds = std::chrono::duration<double>(times[j] - times[i]).count();
        EXPECT_LE(static_cast<double>(j - i + 1), 2 + 5 * seconds + 0.5)
            << path << " " << i << ".." << j;
      }
    }
  }
}

// Counts requests the fake is answering at the same moment (each answer takes `hold`).
class ConcurrencyCounter {
 public:
  explicit ConcurrencyCounter(std::chrono::milliseconds hold) : hold_(hold) {}
  testing::FakeHandler Handler() {
    return [this](const testing::FakeRequest&) {
      int now = ++current_;
      int seen = highest_.load();
      while (now > seen && !highest_.compare_exchange_weak(seen, now)) {
      }
      std::this_thread::sleep_for(hold_);
      --current_;
      return FakeResponse::Text(200, "ok");
    };
  }
  int highest() const { return highest_.load(); }

 private:
  std::chrono::milliseconds hold_;
  std::atomic<int> current_{0};
  std::atomic<int> highest_{0};
};

TEST(DeliveryChannels, LanesAreStableAndCoverMaxConcurrency) {
  config::TargetConfig webhook;
  webhook.name = "siem";
  webhook.type = config::TargetConfig::Type::kWebhook;
  webhook.max_concurrency = 4;
  std::set<std::string> lanes;
  for (int i = 0; i < 200; ++i) {
    // Appended rather than "e" + ...: GCC 12 warns falsely (-Wstringop-overflow) on the inlined
    // concatenation.
    std::string event_id = "e";
    event_id += std::to_string(i);
    route::Alert alert = SampleRootSignInAlert(event_id, "rule").value();
    std::string lane = ChannelKey(webhook, alert);
    EXPECT_EQ(lane, ChannelKey(webhook, alert)) << "stable";
    lanes.insert(lane);
  }
  EXPECT_EQ(lanes, (std::set<std::string>{"siem", "siem/lane1", "siem/lane2", "siem/lane3"}));
  webhook.max_concurrency = 1;
  route::Alert alert = SampleRootSignInAlert("e1", "rule").value();
  EXPECT_EQ(ChannelKey(webhook, alert), "siem") << "one lane keeps the old channel key";

  config::TargetConfig slack_webhook;
  slack_webhook.name = "security-slack";
  slack_webhook.type = config::TargetConfig::Type::kSlack;
  slack_webhook.webhook_url = config::Secret("http://127.0.0.1:1/x");
  slack_webhook.max_concurrency = 4;
  EXPECT_EQ(ChannelKey(slack_webhook, alert), "security-slack") << "one channel, in order";
  EXPECT_EQ(EffectiveConcurrency(slack_webhook), 1);
  EXPECT_EQ(RateKey(webhook, "siem/lane3"), "siem") << "lanes share the target's bucket";
}

TEST_F(DeliveryWorkerTest, WebhookSendsUpToMaxConcurrencyAtOnceAndNeverMore) {
  for (int limit : {1, 4}) {
    SCOPED_TRACE("max_concurrency " + std::to_string(limit));
    ConcurrencyCounter counter(std::chrono::milliseconds(100));
    FakeHttpServer fake(counter.Handler());
    auto config = Webhook("siem-" + std::to_string(limit), fake.Url("/in"));
    config.max_concurrency = limit;
    EnqueueByAlert(config, 40, "c" + std::to_string(limit) + "-");
    DeliveryWorker worker(store_.get(), Targets({config}), FastOptions());
    worker.Start();
    ASSERT_TRUE(worker.WaitFor(std::chrono::seconds(60)));
    worker.Wait();
    EXPECT_EQ(worker.counters().delivered, 40);
    EXPECT_EQ(fake.RequestCount(), 40u);
    EXPECT_EQ(counter.highest(), limit);
  }
}

TEST_F(DeliveryWorkerTest, SlackWebhookStaysOneAtATimeInOrderWhateverMaxConcurrency) {
  ConcurrencyCounter counter(std::chrono::milliseconds(30));
  FakeHttpServer fake(counter.Handler());
  config::TargetConfig config;
  config.name = "security-slack";
  config.type = config::TargetConfig::Type::kSlack;
  config.webhook_url = config::Secret(fake.Url("/services/T/B/X"));
  config.rate_per_second = 100;
  config.burst = 100;
  config.max_concurrency = 4;
  EnqueueByAlert(config, 12, "s");
  DeliveryWorker worker(store_.get(), Targets({config}), FastOptions());
  worker.Start();
  ASSERT_TRUE(worker.WaitFor(std::chrono::seconds(60)));
  EXPECT_EQ(counter.highest(), 1);
  auto requests = fake.Requests();
  ASSERT_EQ(requests.size(), 12u);
  for (int i = 0; i < 12; ++i) {
    // The Block Kit context line names the event ID.
    EXPECT_NE(requests[i].body.find(std::string("s").append(std::to_string(i)).append("`")),
              std::string::npos)
        << i;
  }
}

TEST_F(DeliveryWorkerTest, ChannelsLeftByAnEarlierMaxConcurrencyAreStillDelivered) {
  FakeHttpServer fake([](const testing::FakeRequest&) { return FakeResponse::Text(200, "ok"); });
  auto config = Webhook("siem", fake.Url("/in"));
  config.max_concurrency = 4;
  EnqueueByAlert(config, 20, "old");
  config.max_concurrency = 1;  // the configuration changed before the deliverer ran
  DeliveryWorker worker(store_.get(), Targets({config}), FastOptions());
  worker.Start();
  ASSERT_TRUE(worker.WaitFor(std::chrono::seconds(30)));
  EXPECT_EQ(worker.counters().delivered, 20);
  EXPECT_EQ(fake.RequestCount(), 20u);
}

TEST_F(DeliveryWorkerTest, EntryOlderThanMaxAgeIsDeadWithoutASend) {
  FakeHttpServer fake([](const testing::FakeRequest&) { return FakeResponse::Text(200, "ok"); });
  auto config = Webhook("siem", fake.Url("/in"));
  config.max_age = std::chrono::seconds(3600);
  EnqueueByAlert(config, 2, "old", NowMs() - 2 * 3600 * 1000);
  EnqueueByAlert(config, 1, "new");
  std::vector<std::string> dispositions;
  std::mutex mutex;
  DeliveryOptions options = FastOptions();
  options.on_outcome = [&](const outbox::Entry&, const Outcome& outcome, const std::string& d) {
    std::lock_guard lock(mutex);
    dispositions.push_back(d + (std::holds_alternative<Permanent>(outcome) ? "/permanent" : ""));
  };
  DeliveryWorker worker(store_.get(), Targets({config}), options);
  worker.Start();
  ASSERT_TRUE(worker.WaitFor(std::chrono::seconds(30)));
  worker.Wait();
  ASSERT_EQ(fake.RequestCount(), 1u) << "only the fresh entry is sent";
  EXPECT_NE(fake.Requests()[0].body.find("\"eventID\":\"new0\""), std::string::npos);
  EXPECT_EQ(worker.counters().expired, 2);
  EXPECT_EQ(worker.counters().dead, 2);
  EXPECT_EQ(worker.counters().delivered, 1);
  auto dead = store_->List(outbox::EntryState::kDead);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 2u);
  for (const outbox::Entry& entry : *dead) {
    EXPECT_EQ(entry.attempts, 0) << "never claimed for a send";
    EXPECT_NE(entry.last_error.find("expired"), std::string::npos) << entry.last_error;
    EXPECT_NE(entry.last_error.find("older than max_age"), std::string::npos) << entry.last_error;
    EXPECT_NE(entry.last_error.find("never sent"), std::string::npos) << entry.last_error;
  }
  std::sort(dispositions.begin(), dispositions.end());
  EXPECT_EQ(dispositions,
            (std::vector<std::string>{"dead/permanent", "dead/permanent", "delivered"}));
}

TEST_F(DeliveryWorkerTest, EntriesOfUnconfiguredTargetsAreDeadLetteredAndCanComeBack) {
  FakeHttpServer fake([](const testing::FakeRequest&) { return FakeResponse::Text(200, "ok"); });
  auto kept = Webhook("kept", fake.Url("/kept"));
  auto removed = Webhook("removed", fake.Url("/removed"));
  EnqueueByAlert(kept, 2, "k");
  EnqueueByAlert(removed, 3, "r");
  {
    DeliveryWorker worker(store_.get(), Targets({kept}), FastOptions());
    worker.Start();
    ASSERT_TRUE(worker.WaitFor(std::chrono::seconds(30)));
    worker.Wait();
    EXPECT_EQ(worker.counters().delivered, 2);
    EXPECT_EQ(worker.counters().unconfigured, 3);
  }
  auto dead = store_->List(outbox::EntryState::kDead);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 3u);
  EXPECT_NE((*dead)[0].last_error.find("\"removed\" is not in the configuration"),
            std::string::npos)
      << (*dead)[0].last_error;
  // Retrying only for configured targets leaves them dead; once the target is back they go.
  auto none = store_->RetryDeadOf({"kept"}, NowMs());
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);
  auto back = store_->RetryDeadOf({"kept", "removed"}, NowMs());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, 3);
  DeliveryWorker worker(store_.get(), Targets({kept, removed}), FastOptions());
  worker.Start();
  ASSERT_TRUE(worker.WaitFor(std::chrono::seconds(30)));
  worker.Wait();
  EXPECT_EQ(worker.counters().delivered, 3);
  EXPECT_EQ(fake.RequestCount(), 5u);
}

TEST_F(DeliveryWorkerTest, WithoutDeadLetteringOtherTargetsWaitUntouched) {
  FakeHttpServer fake([](const testing::FakeRequest&) { return FakeResponse::Text(200, "ok"); });
  auto mine = Webhook("mine", fake.Url("/mine"));
  auto other = Webhook("other", fake.Url("/other"));
  EnqueueByAlert(mine, 1, "m");
  EnqueueByAlert(other, 2, "o");
  DeliveryOptions options = FastOptions();
  options.dead_letter_unconfigured = false;
  DeliveryWorker worker(store_.get(), Targets({mine}), options);
  worker.Start();
  ASSERT_TRUE(worker.WaitFor(std::chrono::seconds(30)));
  worker.Wait();
  auto stats = store_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->delivered, 1);
  EXPECT_EQ(stats->pending, 2);
  EXPECT_EQ(stats->dead, 0);
}

TEST_F(DeliveryWorkerTest, SlackApiChannelsChosenPerEntryKeepOrderPerChannel) {
  testing::FakeSlackApi slack;
  config::TargetConfig config;
  config.name = "security-bot";
  config.type = config::TargetConfig::Type::kSlack;
  config.token = config::Secret("xoxb-TEST");
  config.channel = "C0DEFAULT01";
  config.rate_per_second = 100;
  config.burst = 100;
  config.max_concurrency = 2;
  config.thread_window = std::chrono::seconds(0);
  std::vector<outbox::NewEntry> entries;
  for (int i = 0; i < 6; ++i) {
    route::Alert alert = SampleRootSignInAlert("x" + std::to_string(i), "rule").value();
    std::string channel = ChannelKey(config, alert, i % 2 ? "C0SECOND001" : "");
    entries.push_back({config.name, channel, std::move(alert)});
  }
  ASSERT_TRUE(store_->Enqueue(entries, NowMs()).ok());
  TargetContext context;
  context.outbox = store_.get();
  context.slack_api_url = slack.api_url();
  std::vector<DeliveryTarget> targets;
  targets.push_back({config, MakeTarget(config, context).value()});
  DeliveryWorker worker(store_.get(), std::move(targets), FastOptions());
  worker.Start();
  ASSERT_TRUE(worker.WaitFor(std::chrono::seconds(30)));
  worker.Wait();
  EXPECT_EQ(worker.counters().delivered, 6);
  std::map<std::string, std::vector<std::string>> per_channel;
  for (const auto& post : slack.Posts()) {
    simdjson::dom::parser parser;
    simdjson::dom::element message;
    ASSERT_EQ(parser.parse(post.body).get(message), simdjson::SUCCESS);
    std::string channel(message["channel"].get_string().value());
    std::string text(message["text"].get_string().value());
    for (int i = 0; i < 6; ++i) {
      std::string event_id = std::string("x").append(std::to_string(i));
      if (post.body.find(event_id + "`") != std::string::npos) {
        per_channel[channel].push_back(event_id);
      }
    }
  }
  EXPECT_EQ(per_channel["C0DEFAULT01"], (std::vector<std::string>{"x0", "x2", "x4"}));
  EXPECT_EQ(per_channel["C0SECOND001"], (std::vector<std::string>{"x1", "x3", "x5"}));
}

TEST_F(DeliveryWorkerTest, RetriedFailuresAreLoggedOncePerIntervalPerTargetWithoutTheUrl) {
  DefaultLogCapture log;
  FakeHttpServer fake([](const testing::FakeRequest&) { return FakeResponse::Text(503, "busy"); });
  auto config = Webhook("siem", fake.Url("/hooks/T0SECRET/B0SECRET"));
  config.max_attempts = 5;
  Enqueue(config, 1);
  DeliveryOptions options = FastOptions();
  options.failure_log_interval = std::chrono::seconds(60);
  DeliveryWorker worker(store_.get(), Targets({config}), options);
  worker.Start();
  ASSERT_TRUE(worker.WaitFor(std::chrono::seconds(30)));
  EXPECT_EQ(fake.RequestCount(), 5u);
  std::string text = log.text();
  // Four retried failures within the interval: one line, at the first.
  EXPECT_EQ(testing::CountOccurrences(text, "target siem: delivery failed"), 1u) << text;
  EXPECT_NE(text.find("HTTP 503"), std::string::npos) << text;
  EXPECT_NE(text.find("retrying"), std::string::npos) << text;
  // The fifth made the entry dead: that has its own line.
  EXPECT_NE(text.find("is dead"), std::string::npos) << text;
  EXPECT_EQ(text.find("SECRET"), std::string::npos) << text;
  EXPECT_EQ(text.find("127.0.0.1"), std::string::npos) << text;
}

TEST_F(DeliveryWorkerTest, FailureLinesAfterTheIntervalCarryTheCountOfSuppressedOnes) {
  DefaultLogCapture log;
  FakeHttpServer fake([](const testing::FakeRequest&) { return FakeResponse::Text(500, "boom"); });
  auto config = Webhook("siem", fake.Url("/in"));
  config.max_attempts = 8;
  Enqueue(config, 1);
  DeliveryOptions options = FastOptions();
  options.backoff_base = std::chrono::milliseconds(1);
  options.backoff_cap = std::chrono::milliseconds(1);
  // Far longer than attempts 1-4 take (a few ms each); the interval elapses once, between
  // attempts 4 and 5 (the sender sleeps in on_outcome).
  options.failure_log_interval = std::chrono::seconds(1);
  std::atomic<int> seen{0};
  options.on_outcome = [&](const outbox::Entry&, const Outcome&, const std::string&) {
    if (++seen == 4) std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  };
  DeliveryWorker worker(store_.get(), Targets({config}), options);
  worker.Start();
  ASSERT_TRUE(worker.WaitFor(std::chrono::seconds(30)));
  std::string text = log.text();
  EXPECT_EQ(testing::CountOccurrences(text, "target siem: delivery failed (webhook"), 1u) << text;
  // Attempts 2, 3, 4 were suppressed; attempt 5 reports them with itself.
  EXPECT_EQ(testing::CountOccurrences(text, "target siem: 4 deliveries failed (HTTP 500)"), 1u)
      << text;
}

TEST_F(DeliveryWorkerTest, StopWithGraceAbandonsAHangingSendAndLeavesItQueued) {
  DefaultLogCapture log;
  FakeResponse hang = FakeResponse::Text(200, "ok");
  hang.delay = std::chrono::seconds(120);
  FakeHttpServer fake([hang](const testing::FakeRequest&) { return hang; });
  auto config = Webhook("siem", fake.Url("/in"));
  config.timeout = std::chrono::minutes(5);
  Enqueue(config, 2);
  DeliveryOptions options = FastOptions();
  options.stop_when_empty = false;
  DeliveryWorker worker(store_.get(), Targets({config}, options.abandon.get_token()), options);
  worker.Start();
  ASSERT_TRUE(fake.WaitForRequests(1, std::chrono::seconds(10)));
  auto started = std::chrono::steady_clock::now();
  worker.Stop(std::chrono::milliseconds(300));
  // The grace period, then curl's progress callback (about once a second) aborts the send.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  EXPECT_EQ(worker.counters().abandoned, 1);
  EXPECT_EQ(worker.counters().retried, 0);
  auto pending = store_->List(outbox::EntryState::kPending);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 2u) << "nothing in flight, nothing dead";
  const outbox::Entry& abandoned = (*pending)[0];
  EXPECT_EQ(abandoned.attempts, 1);
  EXPECT_NE(abandoned.last_error.find("abandoned at shutdown"), std::string::npos);
  EXPECT_LE(abandoned.next_attempt_at, NowMs()) << "due at once in the next run";
  EXPECT_EQ(fake.RequestCount(), 1u);
  std::string text = log.text();
  EXPECT_NE(text.find("1 send(s) still in flight after shutdown_timeout"), std::string::npos)
      << text;
  EXPECT_EQ(text.find("delivery failed"), std::string::npos) << "not the receiver's failure";
}

TEST_F(DeliveryWorkerTest, StopWithGraceLetsSendsThatFinishInTimeBeRecorded) {
  FakeResponse slow = FakeResponse::Text(200, "ok");
  slow.delay = std::chrono::milliseconds(400);
  FakeHttpServer fake([slow](const testing::FakeRequest&) { return slow; });
  auto config = Webhook("siem", fake.Url("/in"));
  Enqueue(config, 3);
  DeliveryOptions options = FastOptions();
  options.stop_when_empty = false;
  DeliveryWorker worker(store_.get(), Targets({config}, options.abandon.get_token()), options);
  worker.Start();
  ASSERT_TRUE(fake.WaitForRequests(1, std::chrono::seconds(10)));
  worker.Stop(std::chrono::seconds(10));
  EXPECT_EQ(worker.counters().abandoned, 0);
  EXPECT_EQ(worker.counters().delivered, 1);
  auto stats = store_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->delivered, 1);
  EXPECT_EQ(stats->in_flight, 0);
}

}  // namespace
}  // namespace trailwatch::targets
