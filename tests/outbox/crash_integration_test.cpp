// Crash test (issue 4): 1,000 alerts queued, `trailwatch deliver` killed with SIGKILL at random
// moments and restarted; every alert must arrive at the fake, and a repeat is allowed only for the
// send that was in flight at a kill — it must be the first request after the restart and carry the
// same key as the last request before the kill.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <iostream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "cli/cli_test_util.h"
#include "outbox/outbox.h"
#include "targets/fake_servers_util.h"

extern char** environ;

namespace trailwatch {
namespace {

using testing::FakeHttpServer;
using testing::FakeResponse;

pid_t SpawnDeliver(const std::string& config, const std::string& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  std::vector<std::string> args = {TW_BINARY, "deliver", "--config", config};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, TW_BINARY, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

TEST(CrashTest, SigkilledDelivererLosesNothingAndRepeatsOnlyInFlightSends) {
  constexpr int kAlerts = 1000;
  constexpr int kKills = 5;
  constexpr int kMaxConcurrency = 1;  // one channel: one send in flight at a time
  FakeHttpServer fake([](const testing::FakeRequest&) { return FakeResponse::Text(200, "ok"); });
  testing::TempDir dir;
  std::string config = dir.Write("trailwatch.yaml", "store: " + dir.path() +
                                                        "/trailwatch.db\n"
                                                        "targets:\n"
                                                        "  - name: siem\n"
                                                        "    type: webhook\n"
                                                        "    url: " +
                                                        fake.Url("/ingest") +
                                                        "\n"
                                                        "    rate_per_second: 100\n"
                                                        "    burst: 100\n"
                                                        "    max_concurrency: 1\n");
  auto queued = testing::RunTrailwatch({"outbox", "enqueue-sample", "--config", config, "--target",
                                        "siem", "--count", std::to_string(kAlerts)});
  ASSERT_EQ(queued.exit_code, 0) << queued.err;

  std::random_device device;
  unsigned seed = device();
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> moment_ms(150, 900);
  std::string log = dir.path() + "/deliver.log";
  std::vector<size_t> requests_at_kill;
  for (int kill_number = 0; kill_number < kKills; ++kill_number) {
    pid_t pid = SpawnDeliver(config, log);
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(moment_ms(rng)));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "deliver ended before the kill: " << testing::ReadFile(log);
    // Let the fake finish reading what the dead process had already written to its socket.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    requests_at_kill.push_back(fake.RequestCount());
  }
  auto last = testing::RunTrailwatch({"deliver", "--config", config, "--until-empty"});
  ASSERT_EQ(last.exit_code, 0) << last.err;

  auto requests = fake.Requests();
  std::map<std::string, int> per_key;
  for (const auto& r : requests) ++per_key[r.Header("idempotency-key")];
  int repeats = static_cast<int>(requests.size()) - static_cast<int>(per_key.size());
  std::cout << "[ crash    ] seed " << seed << ": " << kKills << " kills after";
  for (size_t n : requests_at_kill) std::cout << " " << n;
  std::cout << " requests; " << requests.size() << " requests, " << per_key.size()
            << " distinct alerts, " << repeats << " repeats\n";

  EXPECT_EQ(per_key.size(), static_cast<size_t>(kAlerts)) << "every alert arrived";
  EXPECT_LE(repeats, kKills * kMaxConcurrency);
  // Each repeat is the first request after a restart and re-sends the one in flight at the kill.
  std::set<size_t> restarts(requests_at_kill.begin(), requests_at_kill.end());
  std::set<std::string> seen;
  for (size_t i = 0; i < requests.size(); ++i) {
    std::string key = requests[i].Header("idempotency-key");
    if (seen.insert(key).second) continue;
    EXPECT_TRUE(restarts.count(i) == 1 && i > 0 && requests[i - 1].Header("idempotency-key") == key)
        << "request " << i << " repeats an alert that was not in flight at a kill";
  }
  auto store = outbox::Outbox::Open(dir.path() + "/trailwatch.db");
  ASSERT_TRUE(store.ok());
  auto stats = (*store)->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->delivered, kAlerts);
  EXPECT_EQ(stats->pending + stats->in_flight + stats->dead, 0);
}

}  // namespace
}  // namespace trailwatch
