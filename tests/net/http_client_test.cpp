// net::HttpClient, the one libcurl wrapper (issue 11): what every caller relies on, checked once
// here against the fake server on 127.0.0.1: User-Agent and header capture on a reused handle,
// methods and bodies, redirects off unless asked, the body limit (fail or truncate), timeouts,
// stop, https-only, and error text that never holds the URL or a header.
#include "net/http_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <stop_token>
#include <string>
#include <thread>

#include "common/version.h"
#include "targets/fake_servers_util.h"

namespace trailwatch::net {
namespace {

using testing::FakeHttpServer;
using testing::FakeRequest;
using testing::FakeResponse;

TEST(NetHttpClient, ReusedHandleSendsUserAgentAndCapturesEachResponsesHeaders) {
  int calls = 0;
  FakeHttpServer fake([&calls](const FakeRequest&) {
    FakeResponse response = FakeResponse::Text(200, "hello");
    if (calls++ == 0) response.headers.push_back({"X-First-Only", "yes"});
    response.headers.push_back({"X-Mixed-Case", "  value with spaces  "});
    return response;
  });
  HttpClient client;
  for (int i = 0; i < 2; ++i) {
    HttpRequest request;
    request.url = fake.Url("/x");
    HttpFailure failure = HttpFailure::kTransport;
    auto response = client.Perform(request, &failure);
    ASSERT_TRUE(response.ok()) << response.message();
    EXPECT_EQ(failure, HttpFailure::kNone);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "hello");
    EXPECT_EQ(response->Header("x-mixed-case"), "value with spaces");
    EXPECT_EQ(response->Header("x-first-only"), i == 0 ? "yes" : "") << "headers are per response";
  }
  auto requests = fake.Requests();
  ASSERT_EQ(requests.size(), 2u);
  for (const FakeRequest& request : requests) {
    EXPECT_EQ(request.method, "GET");
    EXPECT_EQ(request.Header("user-agent"), std::string("trailwatch/") + Version());
  }
}

TEST(NetHttpClient, SendsMethodHeadersAndBody) {
  FakeHttpServer fake([](const FakeRequest&) { return FakeResponse::Text(201, "made"); });
  HttpClient client;
  for (const char* method : {"POST", "PUT"}) {
    HttpRequest request;
    request.method = method;
    request.url = fake.Url("/put");
    request.headers = {"Content-Type: application/json", "X-Custom: 1"};
    std::string body = std::string("{\"method\":\"") + method + "\"}";
    request.body = body;
    auto response = client.Perform(request);
    ASSERT_TRUE(response.ok()) << response.message();
    EXPECT_EQ(response->status, 201);
  }
  auto requests = fake.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].body, "{\"method\":\"POST\"}");
  EXPECT_EQ(requests[1].method, "PUT");
  EXPECT_EQ(requests[1].body, "{\"method\":\"PUT\"}");
  EXPECT_EQ(requests[1].Header("content-type"), "application/json");
  EXPECT_EQ(requests[1].Header("x-custom"), "1");
}

TEST(NetHttpClient, RedirectIsTheResponseUnlessTheRequestAsksToFollow) {
  FakeHttpServer fake([](const FakeRequest& request) {
    if (request.path == "/moved") {
      FakeResponse response = FakeResponse::Text(302, "");
      response.headers.push_back({"Location", "/target"});
      return response;
    }
    return FakeResponse::Text(200, "target");
  });
  HttpClient client;
  HttpRequest request;
  request.url = fake.Url("/moved");
  auto not_followed = client.Perform(request);
  ASSERT_TRUE(not_followed.ok()) << not_followed.message();
  EXPECT_EQ(not_followed->status, 302);
  EXPECT_EQ(not_followed->Header("location"), "/target");
  EXPECT_EQ(fake.RequestCount(), 1u);

  request.max_redirects = 3;
  auto followed = client.Perform(request);
  ASSERT_TRUE(followed.ok()) << followed.message();
  EXPECT_EQ(followed->status, 200);
  EXPECT_EQ(followed->body, "target");
  EXPECT_EQ(fake.RequestCount(), 3u);
}

TEST(NetHttpClient, LargerBodyFailsOrIsTruncatedAsAsked) {
  FakeHttpServer fake(
      [](const FakeRequest&) { return FakeResponse::Text(200, std::string(5000, 'x')); });
  HttpClient client;
  HttpRequest request;
  request.url = fake.Url("/big");
  request.max_body_bytes = 1000;
  HttpFailure failure = HttpFailure::kNone;
  auto refused = client.Perform(request, &failure);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(failure, HttpFailure::kTooLarge);
  EXPECT_EQ(refused.message(), "response larger than 1000 bytes");

  request.truncate_body = true;
  auto truncated = client.Perform(request, &failure);
  ASSERT_TRUE(truncated.ok()) << truncated.message();
  EXPECT_EQ(truncated->status, 200);
  EXPECT_EQ(truncated->body, std::string(1000, 'x'));

  request.max_body_bytes = 5000;  // exactly the limit is fine
  request.truncate_body = false;
  auto exact = client.Perform(request, &failure);
  ASSERT_TRUE(exact.ok()) << exact.message();
  EXPECT_EQ(exact->body.size(), 5000u);
}

TEST(NetHttpClient, ErrorTextNeverHoldsTheUrlOrHeaders) {
  HttpClient client;
  HttpRequest request;
  request.url = "http://127.0.0.1:1/services/T0SECRET/B0SECRET?sig=SECRETSIG";
  request.headers = {"Authorization: Bearer xoxb-SECRET"};
  request.aws_sigv4 = "aws:amz:us-east-1:s3";
  request.user_password = "AKIDSECRET:SECRETKEY";
  HttpFailure failure = HttpFailure::kNone;
  auto response = client.Perform(request, &failure);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(failure, HttpFailure::kTransport);
  EXPECT_FALSE(response.message().empty());
  EXPECT_EQ(response.message().find("SECRET"), std::string::npos) << response.message();
  EXPECT_EQ(response.message().find("127.0.0.1"), std::string::npos) << response.message();
}

TEST(NetHttpClient, TimeoutIsReportedAsSuch) {
  FakeHttpServer fake([](const FakeRequest&) {
    FakeResponse response = FakeResponse::Text(200, "late");
    response.delay = std::chrono::milliseconds(3000);
    return response;
  });
  HttpClient client;
  HttpRequest request;
  request.url = fake.Url("/slow/SECRETPATH");
  request.timeout = std::chrono::milliseconds(300);
  HttpFailure failure = HttpFailure::kNone;
  auto started = std::chrono::steady_clock::now();
  auto response = client.Perform(request, &failure);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(failure, HttpFailure::kTimedOut);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(2500));
  EXPECT_EQ(response.message().find("SECRETPATH"), std::string::npos) << response.message();
}

TEST(NetHttpClient, StopAbandonsATransferInProgress) {
  FakeHttpServer fake([](const FakeRequest&) {
    FakeResponse response = FakeResponse::Text(200, "late");
    response.delay = std::chrono::milliseconds(8000);
    return response;
  });
  std::stop_source stop;
  std::jthread stopper([&stop] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stop.request_stop();
  });
  HttpClient client;
  HttpRequest request;
  request.url = fake.Url("/hang");
  request.stop = stop.get_token();
  HttpFailure failure = HttpFailure::kNone;
  auto started = std::chrono::steady_clock::now();
  auto response = client.Perform(request, &failure);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(failure, HttpFailure::kAborted);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(4000));
}

TEST(NetHttpClient, HttpsOnlyRefusesPlainHttp) {
  FakeHttpServer fake([](const FakeRequest&) { return FakeResponse::Text(200, "ok"); });
  HttpClient client;
  HttpRequest request;
  request.url = fake.Url("/cert.pem");
  request.https_only = true;
  HttpFailure failure = HttpFailure::kNone;
  auto response = client.Perform(request, &failure);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(failure, HttpFailure::kTransport);
  EXPECT_EQ(fake.RequestCount(), 0u);
}

TEST(NetHttpDate, ReadsTheThreeFormsAndRefusesGarbage) {
  const auto expected = std::chrono::system_clock::from_time_t(784111777);
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), expected);
  EXPECT_EQ(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), expected);
  EXPECT_EQ(ParseHttpDate("Sun Nov  6 08:49:37 1994"), expected);
  EXPECT_EQ(ParseHttpDate("soon"), std::nullopt);
  EXPECT_EQ(ParseHttpDate(""), std::nullopt);
}

}  // namespace
}  // namespace trailwatch::net
