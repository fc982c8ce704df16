// SIGTERM with a send in flight to a receiver that never answers: `trailwatch run` exits 0 within
// shutdown_timeout (plus about a second for curl to notice), the alert stays queued, and the next
// run delivers it to a working receiver exactly once. The real binary, the real store, a fake
// webhook on loopback.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>

#include "outbox/outbox.h"
#include "scan/scan_test_util.h"
#include "service/service_process_util.h"
#include "targets/fake_servers_util.h"

namespace trailwatch::testing {
namespace {

using std::chrono::seconds;

TEST(ShutdownDrainTest, SigtermAbandonsAHangingSendWithinShutdownTimeoutAndTheNextRunSendsIt) {
  TempDir dir;
  std::atomic<bool> hang{true};
  FakeHttpServer receiver([&](const FakeRequest&) {
    FakeResponse answer = FakeResponse::Text(200, "ok");
    if (hang) answer.delay = std::chrono::minutes(10);
    return answer;
  });
  std::string logs = dir.path() + "/logs";
  scan::testing::RecordSpec root;
  root.event_id = "5e1f0c2a-0000-4000-8000-00000000d0d0";
  scan::testing::WriteFile(
      logs, scan::testing::LogKey("111122223333", "us-east-1", "2024-05-01", "1200", "drain"),
      scan::testing::Gzip(scan::testing::LogFile({scan::testing::Record(root)})));
  std::string store = dir.path() + "/tw.db";
  std::string config =
      dir.Write("trailwatch.yaml", "store: " + store +
                                       "\n"
                                       "shutdown_timeout: 2s\n"
                                       "sources:\n"
                                       "  - {type: directory, path: " +
                                       logs +
                                       "}\n"
                                       "targets:\n"
                                       "  - {name: siem, type: webhook, url: \"" +
                                       receiver.Url("/in") +
                                       "\", timeout: 5m}\n"
                                       "rules:\n"
                                       "  - {pack: root-signin, targets: [siem]}\n");
  {
    ServiceProcess service({"run", "--config", config, "--log-format", "json"}, dir.path());
    ASSERT_TRUE(receiver.WaitForRequests(1, seconds(60))) << service.Stderr();
    auto signalled = std::chrono::steady_clock::now();
    service.Signal(SIGTERM);
    int exit_code = service.WaitExit(seconds(30));
    auto took = std::chrono::steady_clock::now() - signalled;
    EXPECT_EQ(exit_code, 0) << service.Stderr();
    // 2 s of grace, then up to a second for curl's progress callback, plus the sources' stop
    // (about 2.5 s in all on an idle machine; the margin is for a busy one).
    EXPECT_LT(took, std::chrono::milliseconds(4500)) << service.Stderr();
    EXPECT_NE(service.Stderr().find("1 send(s) still in flight after shutdown_timeout (2 s)"),
              std::string::npos)
        << service.Stderr();
  }
  {
    auto outbox = outbox::Outbox::Open(store);
    ASSERT_TRUE(outbox.ok()) << outbox.message();
    auto stats = (*outbox)->Stats();
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->pending, 1) << "the abandoned alert stays queued";
    EXPECT_EQ(stats->in_flight, 0);
    EXPECT_EQ(stats->delivered, 0);
  }
  {
    // `trailwatch deliver` is bounded the same way, by --shutdown-timeout.
    ServiceProcess deliver({"deliver", "--config", config, "--shutdown-timeout", "1"}, dir.path());
    ASSERT_TRUE(receiver.WaitForRequests(2, seconds(60))) << deliver.Stderr();
    auto signalled = std::chrono::steady_clock::now();
    deliver.Signal(SIGTERM);
    EXPECT_EQ(deliver.WaitExit(seconds(30)), 0) << deliver.Stderr();
    EXPECT_LT(std::chrono::steady_clock::now() - signalled, std::chrono::milliseconds(3500))
        << deliver.Stderr();
    auto outbox = outbox::Outbox::Open(store);
    ASSERT_TRUE(outbox.ok()) << outbox.message();
    auto stats = (*outbox)->Stats();
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->pending, 1) << "abandoned by deliver, still queued";
  }
  hang = false;
  {
    ServiceProcess service({"run", "--config", config, "--log-format", "json"}, dir.path());
    ASSERT_TRUE(receiver.WaitForRequests(3, seconds(60))) << service.Stderr();
    // Give a wrong second send time to happen before stopping.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    service.Signal(SIGTERM);
    EXPECT_EQ(service.WaitExit(seconds(30)), 0) << service.Stderr();
  }
  auto requests = receiver.Requests();
  ASSERT_EQ(requests.size(), 3u) << "two hung sends, then exactly one delivery";
  EXPECT_EQ(requests[2].Header("idempotency-key"), requests[0].Header("idempotency-key"));
  EXPECT_NE(requests[2].body.find(root.event_id), std::string::npos);
  auto outbox = outbox::Outbox::Open(store);
  ASSERT_TRUE(outbox.ok());
  auto stats = (*outbox)->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->delivered, 1);
  EXPECT_EQ(stats->pending, 0);
}

}  // namespace
}  // namespace trailwatch::testing
