// The store file under `trailwatch run`, with the real binary: a damaged store refuses to start
// (exit 1, the file named, what to do); a store deleted while running is noticed, logged, and new
// events are refused (503) instead of being accepted into a file that is gone.
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <memory>

#include "scan/scan_test_util.h"
#include "service/service_process_util.h"
#include "store/store_test_util.h"
#include "targets/http_client.h"

namespace trailwatch::testing {
namespace {

using std::chrono::seconds;

// GET /healthz: the status, and the body into *body.
long Healthz(int port, std::string* body) {
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/healthz";
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 10L);
  auto append = +[](char* data, size_t size, size_t count, void* out) {
    static_cast<std::string*>(out)->append(data, size * count);
    return size * count;
  };
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, body);
  long status = 0;
  if (curl_easy_perform(curl.get()) == CURLE_OK) {
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  }
  return status;
}

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
  std::string health;
  EXPECT_EQ(Healthz(port, &health), 200) << health;
  auto accepted = client.Post(post);
  ASSERT_TRUE(accepted.ok()) << accepted.message();
  EXPECT_EQ(accepted->status / 100, 2) << accepted->body;

  std::filesystem::remove(store);
  ASSERT_TRUE(service.WaitForStderr("was deleted while trailwatch runs", seconds(30)))
      << service.Stderr();
  EXPECT_NE(service.Stderr().find("new events are refused"), std::string::npos);
  health.clear();
  EXPECT_EQ(Healthz(port, &health), 503);
  EXPECT_NE(health.find("store: the store file " + store + " was deleted"), std::string::npos)
      << health;
  // Another event (the same one again would be answered as a duplicate without storing).
  for (std::string id :
       {"deb1e1f9-c99b-4612-8e9f-21f93b5d79c0", "e9412cf2-bed5-5133-90d8-95d65a6da132"}) {
    ASSERT_NE(post.body.find(id), std::string::npos) << id;
    post.body.replace(post.body.find(id), 8, "0d0d0d0d");
  }
  auto refused = client.Post(post);
  ASSERT_TRUE(refused.ok()) << refused.message();
  EXPECT_EQ(refused->status, 503) << refused->body << service.Stderr();

  service.Signal(SIGTERM);
  EXPECT_EQ(service.WaitExit(seconds(30)), 0) << service.Stderr();
}

}  // namespace
}  // namespace trailwatch::testing
