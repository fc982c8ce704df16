// `trailwatch run` on a shared PostgreSQL store (issue 14; docs/high-availability.md), with the
// real binary and a real throwaway PostgreSQL:
//  * started while PostgreSQL is down, a replica is alive but not ready, refuses events with 503
//    (nothing acknowledged), and catches up by itself once PostgreSQL is up;
//  * two replicas: the same event posted to both alerts once; only the leader reads the log
//    folder; after the leader stops, the other replica leads and alerts a new file once.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <regex>
#include <thread>

#include "cli/cli_test_util.h"
#include "service/service_process_util.h"
#include "store/pg_test_cluster_util.h"
#include "targets/fake_servers_util.h"

namespace trailwatch::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string kExampleLogDir = "AWSLogs/111122223333/CloudTrail/us-east-1/2022/11/10/";
const std::string kSharedStoreApiKey = "shared-store-api-key";

// Polls `url` until `accept` holds (at most `limit`); returns the last answer.
template <typename Accept>
HttpAnswer WaitForAnswer(const std::string& url, Accept accept, milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  HttpAnswer answer;
  do {
    answer = Http("GET", url);
    if (accept(answer)) break;
    std::this_thread::sleep_for(milliseconds(100));
  } while (std::chrono::steady_clock::now() < until);
  return answer;
}

class SharedStoreTest : public ::testing::Test {
 protected:
  std::string Config() {
    return dir_.Write("trailwatch.yaml",
                      "store: {dsn: \"${env:TW_TEST_DSN}\", lease: 3s}\n"
                      "telemetry: {listen: 127.0.0.1:0}\n"
                      "sources:\n"
                      "  - {type: http, listen: \"127.0.0.1:0\", api_key: \"${env:TW_TEST_API_KEY}\"}\n"
                      "  - {type: directory, path: " + dir_.path() + "/logs}\n"
                      "targets:\n"
                      "  - {name: slack, type: slack, webhook_url: \"${env:TW_TEST_SLACK_URL}\"}\n"
                      "rules:\n"
                      "  - {pack: root-signin, targets: [slack]}\n");
  }
  std::map<std::string, std::string> Environment(const std::string& dsn, const std::string& slack) {
    return {{"TW_TEST_DSN", dsn},
            {"TW_TEST_API_KEY", kSharedStoreApiKey},
            {"TW_TEST_SLACK_URL", slack}};
  }
  TempDir dir_;
};

TEST_F(SharedStoreTest, StartsNotReadyWhilePostgresIsDownAndCatchesUp) {
  auto cluster = store::testing::PgTestCluster::StartPrivate();
  std::string dsn = cluster->NewDatabase();
  std::filesystem::create_directories(dir_.path() + "/logs");
  cluster->Stop();
  FakeHttpServer slack([](const FakeRequest&) { return FakeResponse::Text(200, "ok"); });
  ServiceProcess replica({"run", "--config", Config(), "--log-format", "json"}, dir_.path(),
                         Environment(dsn, slack.Url("/services/T0/B0/secret")));
  ASSERT_TRUE(replica.WaitForStderr("listening on port", seconds(60))) << replica.Stderr();
  std::string ops = "http://127.0.0.1:" + std::to_string(replica.OpsPort());
  std::string events = "http://127.0.0.1:" + std::to_string(replica.ListeningPort()) + "/events";

  HttpAnswer not_ready = WaitForAnswer(
      ops + "/readyz", [](const HttpAnswer& a) { return a.status == 503; }, seconds(10));
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_NE(not_ready.body.find("store: cannot connect to PostgreSQL postgresql://postgres@127.0.0.1:"),
            std::string::npos)
      << not_ready.body;
  EXPECT_EQ(Http("GET", ops + "/healthz").status, 200);  // alive, only not ready
  std::string root_event =
      ReadFixture("aws/eventbridge/root-consolelogin-success-mfa.envelope.constructed.json");
  HttpAnswer refused = Http("POST", events, root_event, {"x-api-key: " + kSharedStoreApiKey});
  EXPECT_EQ(refused.status, 503) << refused.body;  // not acknowledged: EventBridge retries
  EXPECT_TRUE(replica.Running());

  cluster->Start();
  HttpAnswer ready = WaitForAnswer(
      ops + "/readyz",
      [](const HttpAnswer& a) {
        // Ready, and the roles refreshed (every 2 s) since this replica took the folder.
        return a.status == 200 && a.body.find("leads sources: directory:") != std::string::npos;
      },
      seconds(30));
  ASSERT_EQ(ready.status, 200) << ready.body << replica.Stderr();
  EXPECT_NE(ready.body.find("replica "), std::string::npos) << ready.body;
  EXPECT_NE(ready.body.find("leads sources: directory:"), std::string::npos) << ready.body;
  // EventBridge's retry now lands.
  HttpAnswer accepted = Http("POST", events, root_event, {"x-api-key: " + kSharedStoreApiKey});
  EXPECT_EQ(accepted.status / 100, 2) << accepted.body;
  ASSERT_TRUE(slack.WaitForRequests(1, seconds(30))) << replica.Stderr();
  // The password-free DSN is all the log shows of the store.
  EXPECT_EQ(replica.Stderr().find("secret"), std::string::npos);
}

TEST_F(SharedStoreTest, TwoReplicasAlertOnceAndTheFolderMovesToTheSurvivor) {
  std::string dsn = store::testing::PgTestCluster::Shared().NewDatabase();
  FakeHttpServer slack([](const FakeRequest&) { return FakeResponse::Text(200, "ok"); });
  std::string config = Config();
  auto environment = Environment(dsn, slack.Url("/services/T0/B0/secret"));
  for (const char* folder : {"/logs", "/a", "/b"}) std::filesystem::create_directories(dir_.path() + folder);
  auto a = std::make_unique<ServiceProcess>(
      std::vector<std::string>{"run", "--config", config, "--log-format", "json"},
      dir_.path() + "/a", environment);
  auto b = std::make_unique<ServiceProcess>(
      std::vector<std::string>{"run", "--config", config, "--log-format", "json"},
      dir_.path() + "/b", environment);
  ASSERT_TRUE(a->WaitForStderr("listening on port", seconds(60))) << a->Stderr();
  ASSERT_TRUE(b->WaitForStderr("listening on port", seconds(60))) << b->Stderr();

  // The same event at both replicas (an EventBridge retry that reached another one): one alert.
  std::string root_event =
      ReadFixture("aws/eventbridge/root-consolelogin-success-mfa.envelope.constructed.json");
  for (ServiceProcess* replica : {a.get(), b.get()}) {
    std::string events = "http://127.0.0.1:" + std::to_string(replica->ListeningPort()) + "/events";
    EXPECT_EQ(Http("POST", events, root_event, {"x-api-key: " + kSharedStoreApiKey}).status / 100,
              2);
  }
  ASSERT_TRUE(slack.WaitForRequests(1, seconds(30)));

  // One replica leads the folder: a file is read once.
  auto leads = [](ServiceProcess& replica) {
    return replica.Stderr().find("this replica leads it now") != std::string::npos;
  };
  for (int i = 0; i < 100 && !leads(*a) && !leads(*b); ++i) std::this_thread::sleep_for(milliseconds(100));
  ASSERT_NE(leads(*a), leads(*b)) << "A:\n" << a->Stderr() << "\nB:\n" << b->Stderr();
  WriteFileAtomically(dir_.path() + "/logs/" + kExampleLogDir +
                          "111122223333_CloudTrail_us-east-1_20221110T1630Z_bbbb.json",
                      LogFile({"root-consolelogin-failure.json"}));
  ASSERT_TRUE(slack.WaitForRequests(2, seconds(30)));

  // The leader stops (a rolling update): the other takes the folder at once and reads the next
  // file; nothing was alerted twice.
  std::unique_ptr<ServiceProcess>& leader = leads(*a) ? a : b;
  std::unique_ptr<ServiceProcess>& survivor = leads(*a) ? b : a;
  leader->Signal(SIGTERM);
  EXPECT_EQ(leader->WaitExit(seconds(30)), 0) << leader->Stderr();
  ASSERT_TRUE(survivor->WaitForStderr("this replica leads it now", seconds(10))) << survivor->Stderr();
  // A root sign-in of its own (the fixtures' other successful sign-ins share the eventID of the
  // event posted above, and would rightly be deduplicated).
  std::string record = ReadFixture("aws/cloudtrail/root-consolelogin-success-no-mfa.json");
  record.replace(record.find("deb1e1f9-c99b-4612-8e9f-21f93b5d79c0"), 36,
                 "0e5b3f7a-1c2d-4e8f-9a0b-c1d2e3f4a5b6");
  WriteFileAtomically(dir_.path() + "/logs/" + kExampleLogDir +
                          "111122223333_CloudTrail_us-east-1_20221110T1635Z_cccc.json",
                      "{\"Records\":[" + record + "]}");
  ASSERT_TRUE(slack.WaitForRequests(3, seconds(30))) << survivor->Stderr();
  std::this_thread::sleep_for(seconds(2));  // a repeat would arrive within this
  EXPECT_EQ(slack.Requests().size(), 3u);
}

}  // namespace
}  // namespace trailwatch::testing
