// Crash safety of grouped alerts (issue 13, item 7): `trailwatch run` commits one alert per event
// and target, naming every matching rule, and is SIGKILLed before any is delivered. Restarted with
// one more rule, it delivers each committed alert once, with the rules it was committed with; the
// same events read again (another log file holding them) add nothing, although the new rule
// matches them: a grouped target's key is (target, eventID).
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "cli/cli_test_util.h"
#include "outbox/outbox.h"
#include "service/service_process_util.h"
#include "targets/fake_servers_util.h"

namespace trailwatch {
namespace {

using std::chrono::seconds;
using testing::CountOccurrences;
using testing::FakeHttpServer;
using testing::FakeResponse;
using testing::ServiceProcess;

const std::string kLogDir = "AWSLogs/111122223333/CloudTrail/us-east-1/2022/11/10/";
const std::string kExampleName =
    "111122223333_CloudTrail_us-east-1_20221110T1625Z_a1b2c3d4e5f6a7b8.json";
const std::string kExampleLog =
    std::string(TW_SOURCE_DIR) + "/examples/cloudtrail/" + kLogDir + kExampleName;

std::string GroupingConfig(const testing::TempDir& dir, const std::string& url, bool extra_rule) {
  std::string config = "store: " + dir.path() + "/tw.db\n" +
                       "telemetry: false\n"
                       "sources:\n"
                       "  - {type: directory, path: " + dir.path() + "/logs}\n"
                       "targets:\n"
                       "  - {name: slack, type: slack, webhook_url: '" + url +
                       "', rate_per_second: 100, burst: 100, timeout: 60s}\n"
                       "rules:\n"
                       "  - {pack: root-signin, targets: [slack]}\n"
                       "  - {pack: root-activity, targets: [slack]}\n";
  if (extra_rule) {
    config +=
        "  - name: any-root-sign-in\n"
        "    pattern: {\"source\": [\"aws.signin\"], \"detail\": {\"userIdentity\": {\"type\": "
        "[\"Root\"]}}}\n"
        "    severity: critical\n"
        "    targets: [slack]\n";
  }
  return config;
}

TEST(GroupingCrashTest, AGroupedAlertCommittedBeforeACrashIsSentOnceAndARuleAddedLaterAddsNothing) {
  // /down holds every request (the send stays in flight until the kill); /up accepts.
  std::atomic<bool> stop{false};
  FakeHttpServer fake([&](const testing::FakeRequest& request) {
    if (request.path == "/down") {
      for (int i = 0; i < 300 && !stop.load(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      return FakeResponse::Text(503, "down");
    }
    return FakeResponse::Text(200, "ok");
  });
  testing::TempDir dir;
  std::string log = testing::ReadFile(kExampleLog);
  ASSERT_FALSE(log.empty());
  testing::WriteFileAtomically(dir.path() + "/logs/" + kLogDir + kExampleName, log);

  // 1. Committed, one send in flight, then SIGKILL: nothing delivered.
  std::string config = dir.Write("trailwatch.yaml", GroupingConfig(dir, fake.Url("/down"), false));
  {
    ServiceProcess service({"run", "--config", config, "--log-format", "text"}, dir.path());
    ASSERT_TRUE(service.WaitForStderr("4 alert(s) queued", seconds(60))) << service.Stderr();
    // Delivery claims the first alert and sends it to /down, which holds it (a request is
    // recorded by the fake only once answered).
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    service.Signal(SIGKILL);
    service.WaitExit(seconds(30));
  }
  stop = true;
  {
    auto store = outbox::Outbox::Open(dir.path() + "/tw.db");
    ASSERT_TRUE(store.ok()) << store.message();
    auto entries = (*store)->List(std::nullopt);
    ASSERT_TRUE(entries.ok());
    // Three root sign-in records (root-signin + root-activity) and a root API call (root-activity).
    ASSERT_EQ(entries->size(), 4u);
    int grouped = 0;
    for (const outbox::Entry& entry : *entries) {
      EXPECT_NE(entry.state, outbox::EntryState::kDelivered);
      EXPECT_TRUE(entry.alert.grouped);
      if (entry.alert.Rules() == std::vector<std::string>{"root-signin", "root-activity"}) {
        ++grouped;
        EXPECT_EQ(entry.alert.severity, route::Severity::kCritical);
      }
    }
    EXPECT_EQ(grouped, 3);
  }

  // 2. Restarted with one more rule that matches the root sign-ins, the target up again. The
  // same records arrive again in another file, one of them with a new eventID.
  config = dir.Write("trailwatch.yaml", GroupingConfig(dir, fake.Url("/up"), true));
  ServiceProcess service({"run", "--config", config, "--log-format", "text"}, dir.path());
  ASSERT_TRUE(service.WaitForStderr("watching", seconds(60))) << service.Stderr();
  std::string again = log;
  const std::string old_id = "deb1e1f9-c99b-4612-8e9f-21f93b5d79c0";
  const std::string new_id = "0c0ffee0-c99b-4612-8e9f-21f93b5d79c0";
  ASSERT_NE(again.find(old_id), std::string::npos);
  again.replace(again.find(old_id), old_id.size(), new_id);
  testing::WriteFileAtomically(dir.path() + "/logs/" + kLogDir +
                          "111122223333_CloudTrail_us-east-1_20221110T1630Z_c0ffee00c0ffee00.json",
                      again);
  ASSERT_TRUE(service.WaitForStderr("1 alert(s) queued, 3 already queued", seconds(60)))
      << service.Stderr();
  auto up = [&] {
    std::vector<testing::FakeRequest> sent;
    for (testing::FakeRequest& request : fake.Requests()) {
      if (request.path == "/up") sent.push_back(std::move(request));
    }
    return sent;
  };
  for (int i = 0; i < 300 && up().size() < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // nothing more may come
  service.Signal(SIGTERM);
  EXPECT_EQ(service.WaitExit(seconds(30)), 0) << service.Stderr();

  std::vector<testing::FakeRequest> sent = up();
  ASSERT_EQ(sent.size(), 5u) << "4 committed before the crash, 1 new event; no repeat";
  size_t old_rules = 0, new_rules = 0, old_event = 0;
  for (const testing::FakeRequest& request : sent) {
    old_rules += CountOccurrences(request.body, "rules `root-signin`, `root-activity` ");
    new_rules += CountOccurrences(request.body,
                                  "rules `root-signin`, `any-root-sign-in`, `root-activity` ");
    old_event += CountOccurrences(request.body, "`" + old_id + "`");
  }
  EXPECT_EQ(old_rules, 3u) << "committed alerts keep the rules they were grouped with";
  EXPECT_EQ(new_rules, 1u) << "the new event names the new rule too";
  EXPECT_EQ(old_event, 1u) << "an event already alerted is not alerted again for the new rule";
}

}  // namespace
}  // namespace trailwatch
