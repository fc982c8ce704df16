// The store file under `trailwatch run`, with the real binary: a damaged store refuses to start
// (exit 1, the file named, what to do); a store moved away or deleted while running is noticed,
// logged, reported by /healthz, and new events are refused (503) instead of being accepted into a
// file that is gone — until the file is back.
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

// The root sign-in envelope with its two ids changed to start with `prefix` (8 hex digits): the
// endpoint answers a repeat of an id it stored as a duplicate, without storing.
std::string RootSignInEvent(const std::string& prefix) {
  std::string body = ReadFixture(
      "aws/eventbridge/root-consolelogin-success-mfa.envelope.constructed.json");
  for (std::string id :
       {"deb1e1f9-c99b-4612-8e9f-21f93b5d79c0", "e9412cf2-bed5-5133-90d8-95d65a6da132"}) {
    size_t at = body.find(id);
    if (at != std::string::npos) body.replace(at, prefix.size(), prefix);
  }
  return body;
}

TEST(StoreFileTest, StoreMovedAwayOrDeletedWhileRunningIsLoggedAndEventsAreRefused) {
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
  targets::HttpClient client;
  auto post_event = [&](const std::string& prefix) -> long {
    targets::HttpRequest post;
    post.url = "http://127.0.0.1:" + std::to_string(port) + "/events";
    post.headers = {{"x-api-key", "k3y-for-the-test"}, {"Content-Type", "application/json"}};
    post.body = RootSignInEvent(prefix);
    auto answer = client.Post(post);
    return answer.ok() ? answer->status : -1;
  };
  // Only the service's own error line holds this (the endpoint's 503 lines quote the problem).
  const std::string kRefusing = "new events are refused (they would be stored";
  std::string health;
  EXPECT_EQ(Healthz(port, &health), 200) << health;
  EXPECT_EQ(post_event("11111111"), 202) << service.Stderr();

  // Renamed away: to the service, the path names no file, as after a delete.
  std::filesystem::rename(store, store + ".moved");
  ASSERT_TRUE(service.WaitForStderr(kRefusing, seconds(30))) << service.Stderr();
  EXPECT_NE(service.Stderr().find("the store file " + store + " was deleted while trailwatch runs"),
            std::string::npos);
  health.clear();
  EXPECT_EQ(Healthz(port, &health), 503);
  EXPECT_NE(health.find("store: the store file " + store + " was deleted"), std::string::npos)
      << health;
  EXPECT_EQ(post_event("22222222"), 503) << service.Stderr();

  // Put back: accepted again, and the event refused before is stored now.
  std::filesystem::rename(store + ".moved", store);
  ASSERT_TRUE(service.WaitForStderr("is back: accepting events again", seconds(30)))
      << service.Stderr();
  health.clear();
  EXPECT_EQ(Healthz(port, &health), 200) << health;
  EXPECT_EQ(post_event("22222222"), 202) << service.Stderr();

  // Deleted for good: a new incident, logged at once.
  std::filesystem::remove(store);
  ASSERT_TRUE(service.WaitForStderr(kRefusing, seconds(30), 2)) << service.Stderr();
  EXPECT_EQ(post_event("33333333"), 503) << service.Stderr();

  service.Signal(SIGTERM);
  EXPECT_EQ(service.WaitExit(seconds(30)), 0) << service.Stderr();
}

}  // namespace
}  // namespace trailwatch::testing
