// The store file under `trailwatch run`, with the real binary: a damaged store refuses to start
// (exit 1, the file named, what to do); a store deleted while running is noticed, logged, and new
// events are refused (503) instead of being accepted into a file that is gone.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "scan/scan_test_util.h"
#include "service/service_process_util.h"
#include "store/store_test_util.h"
#include "targets/http_client.h"

namespace trailwatch::testing {
namespace {

using std::chrono::seconds;

TEST(StoreFileTest, DamagedStoreRefusesToStartAndSaysWhatToDo) {
  TempDir dir;
  std::string store = dir.path() + "/tw.db";
  store::testing::WriteDamagedStore(store);
  std::filesystem::create_directories(dir.path() + "/logs");
  std::string config =
      dir.Write("trailwatch.yaml", "store: " + store +
                                       "\n"
                                       "sources:\n"
                                       "  - {type: directory, path: " +
                                       dir.path() +
                                       "/logs}\n"
                                       "targets:\n"
                                       "  - {name: console, type: stdout}\n"
                                       "rules:\n"
                                       "  - {pack: root-signin, targets: [console]}\n");
  ServiceProcess service({"run", "--config", config, "--log-format", "json"}, dir.path());
  EXPECT_EQ(service.WaitExit(seconds(60)), 1) << service.Stderr();
  EXPECT_NE(service.Stderr().find(store + ": the store is damaged (SQLite quick_check: "),
            std::string::npos)
      << service.Stderr();
  EXPECT_NE(service.Stderr().find(".damaged"), std::string::npos) << service.Stderr();
}

TEST(StoreFileTest, StoreDeletedWhileRunningIsLoggedAndEventsAreRefused) {
  TempDir dir;
  std::string store = dir.path() + "/tw.db";
  std::string config = dir.Write(
      "trailwatch.yaml",
      "store: " + store +
          "\n"
          "sources:\n"
          "  - {type: http, listen: \"127.0.0.1:0\", api_key: \"${env:TW_TEST_API_KEY}\"}\n"
          "targets:\n"
          "  - {name: console, type: stdout}\n"
          "rules:\n"
          "  - {pack: root-signin, targets: [console]}\n");
  ServiceProcess service({"run", "--config", config, "--log-format", "json"}, dir.path(),
                         {{"TW_TEST_API_KEY", "k3y-for-the-test"}});
  ASSERT_TRUE(service.WaitForStderr("listening on port", seconds(60))) << service.Stderr();
  int port = service.ListeningPort();
  ASSERT_GT(port, 0) << service.Stderr();
  targets::HttpRequest post;
  post.url = "http://127.0.0.1:" + std::to_string(port) + "/events";
  post.headers = {{"x-api-key", "k3y-for-the-test"}, {"Content-Type", "application/json"}};
  post.body = scan::testing::Fixture(
      "aws/eventbridge/root-consolelogin-success-mfa.envelope.constructed.json");
  targets::HttpClient client;
  auto accepted = client.Post(post);
  ASSERT_TRUE(accepted.ok()) << accepted.message();
  EXPECT_EQ(accepted->status / 100, 2) << accepted->body;

  std::filesystem::remove(store);
  ASSERT_TRUE(service.WaitForStderr("was deleted while trailwatch runs", seconds(30)))
      << service.Stderr();
  EXPECT_NE(service.Stderr().find("new events are refused"), std::string::npos);
  auto refused = client.Post(post);
  ASSERT_TRUE(refused.ok()) << refused.message();
  EXPECT_EQ(refused->status, 503) << refused->body;

  service.Signal(SIGTERM);
  EXPECT_EQ(service.WaitExit(seconds(30)), 0) << service.Stderr();
}

}  // namespace
}  // namespace trailwatch::testing
