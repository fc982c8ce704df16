// HttpServer on 127.0.0.1:0 with a recording handler, driven by raw sockets: RFC 9112 framing,
// pipelining, bodies refused unread, limits while reading (chunked and sized), 100 Continue,
// every timeout, connection limits and the overload answer.
#include "server/http_server.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "server/raw_http_client_util.h"

namespace trailwatch::server {
namespace {

using namespace std::chrono_literals;
using testing::PostRequest;
using testing::RawHttpClient;

class RecordingHandler : public HttpHandler {
 public:
  HeadDecision OnHead(const HttpRequest& request) override {
    if (request.path == "/refuse") return HeadDecision::Answer(HttpResponse::Text(401, "no"));
    if (request.path == "/small") return HeadDecision::ReadBody(1024, 429);
    return HeadDecision::ReadBody(0, 503);
  }
  HttpResponse OnRequest(const HttpRequest& request) override {
    ++handled;
    if (request.path == "/block") {
      std::unique_lock lock(mutex_);
      release_cv_.wait(lock, [this] { return released_; });
    }
    return HttpResponse::Text(
        200, "got " + std::to_string(request.body.size()) + ": " + request.body.substr(0, 40));
  }
  void OnAnswered(const HttpRequest&, int) override { ++answered; }
  void OnRejected(const ServerRejection& rejection) override {
    std::lock_guard lock(mutex_);
    rejections_.emplace_back(rejection.reason);
  }
  std::vector<std::string> Rejections() {
    std::lock_guard lock(mutex_);
    return rejections_;
  }
  // Whether `reason` was reported, waiting up to a second: on a timeout the stream closes the
  // socket before the server's handler runs, so the client may see the close first.
  bool Rejected(const std::string& reason) {
    for (int i = 0; i < 200; ++i) {
      auto all = Rejections();
      if (std::find(all.begin(), all.end(), reason) != all.end()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }
  void Release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    release_cv_.notify_all();
  }

  std::atomic<int> handled{0};
  std::atomic<int> answered{0};

 private:
  std::mutex mutex_;
  std::condition_variable release_cv_;
  bool released_ = false;
  std::vector<std::string> rejections_;
};

class RunningServer {
 public:
  explicit RunningServer(HttpServerLimits limits = {}) {
    HttpServerOptions options;
    options.limits = limits;
    server_ = std::make_unique<HttpServer>(
        options, &handler_,
        std::make_shared<spdlog::logger>("t", std::make_shared<spdlog::sinks::null_sink_mt>()));
    EXPECT_TRUE(server_->Bind().ok());
    thread_ = std::jthread([this](std::stop_token stop) { EXPECT_TRUE(server_->Run(stop).ok()); });
  }
  ~RunningServer() {
    handler_.Release();
    thread_.request_stop();
    thread_.join();
  }
  int port() const { return server_->port(); }
  RecordingHandler& handler() { return handler_; }
  HttpServer& server() { return *server_; }

 private:
  RecordingHandler handler_;
  std::unique_ptr<HttpServer> server_;
  std::jthread thread_;
};

std::vector<int> Exchange(int port, const std::string& bytes, size_t answers = 1) {
  RawHttpClient client(port);
  EXPECT_TRUE(client.connected());
  client.Send(bytes);
  return client.ReadAnswers(answers, 5s);
}

TEST(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  RunningServer server;
  RawHttpClient client(server.port());
  ASSERT_TRUE(client.Send(PostRequest("/a", "one") + PostRequest("/b", "two-two") +
                          PostRequest("/c", "three-three-three")));
  EXPECT_EQ(client.ReadAnswers(3, 5s), (std::vector<int>{200, 200, 200}));
  size_t one = client.received().find("got 3: one");
  size_t two = client.received().find("got 7: two-two");
  size_t three = client.received().find("got 17: three-three-three");
  ASSERT_NE(one, std::string::npos) << client.received();
  ASSERT_NE(two, std::string::npos);
  ASSERT_NE(three, std::string::npos);
  EXPECT_LT(one, two);
  EXPECT_LT(two, three);
  EXPECT_EQ(server.handler().handled, 3);
}

TEST(HttpServerTest, AmbiguousFramingIs400AndTheConnectionCloses) {
  RunningServer server;
  const std::vector<std::string> bad = {
      // two different lengths, either order
      "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde",
      "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 3\r\n\r\nabcde",
      // length and chunked, either order
      "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n0\r\n\r\n",
      "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
      "3\r\nabc\r\n0\r\n\r\n",
      // no Host in HTTP/1.1, two Hosts
      "POST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
      "GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
      // negative, overflowing, non-numeric lengths
      "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
      "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n",
      "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 12abc\r\n\r\n",
      // not HTTP at all
      "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 garbage\r\n\r\n",
  };
  for (const std::string& request : bad) {
    RawHttpClient client(server.port());
    ASSERT_TRUE(client.Send(request));
    EXPECT_EQ(client.ReadAnswers(1, 5s), std::vector<int>{400}) << request;
    EXPECT_TRUE(client.WaitClosed(5s)) << request;
  }
  EXPECT_EQ(server.handler().handled, 0);
  // An unknown transfer coding leaves the body's end unknown: 501.
  EXPECT_EQ(
      Exchange(server.port(), "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\nabc"),
      std::vector<int>{501});
  // HTTP/1.0 needs no Host.
  EXPECT_EQ(Exchange(server.port(), "POST /x HTTP/1.0\r\nContent-Length: 2\r\n\r\nok"),
            std::vector<int>{200});
}

TEST(HttpServerTest, ARefusedRequestsBodyIsNeverRead) {
  RunningServer server;
  RawHttpClient client(server.port());
  // A gigabyte announced, none sent: the answer comes from the headers alone.
  ASSERT_TRUE(
      client.Send("POST /refuse HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000000\r\n\r\n"));
  EXPECT_EQ(client.ReadAnswers(1, 2s), std::vector<int>{401});
  EXPECT_TRUE(client.WaitClosed(5s));
  EXPECT_EQ(server.handler().handled, 0);
}

TEST(HttpServerTest, BodiesOverTheLimitAre413ChunkedOrSized) {
  RunningServer server;
  {  // sized: refused from the header, before any body byte
    RawHttpClient client(server.port());
    ASSERT_TRUE(client.Send("POST /small HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n"));
    EXPECT_EQ(client.ReadAnswers(1, 2s), std::vector<int>{413});
    EXPECT_TRUE(client.WaitClosed(5s));
  }
  {  // chunked: refused as soon as the chunks pass the limit; the rest is never read
    RawHttpClient client(server.port());
    ASSERT_TRUE(
        client.Send("POST /small HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"));
    std::string chunk = testing::Chunk(512, 'x');
    for (int i = 0; i < 3; ++i) client.Send(chunk);
    EXPECT_EQ(client.ReadAnswers(1, 2s), std::vector<int>{413});
    EXPECT_TRUE(client.WaitClosed(5s));
  }
  {  // within the limit, chunked
    RawHttpClient client(server.port());
    ASSERT_TRUE(
        client.Send("POST /small HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
    EXPECT_EQ(client.ReadAnswers(1, 2s), std::vector<int>{200});
    EXPECT_NE(client.received().find("got 5: abcde"), std::string::npos);
  }
  EXPECT_EQ(server.handler().handled, 1);
  EXPECT_TRUE(server.handler().Rejected("too_large"));
}

TEST(HttpServerTest, ContinueIsSentOnlyForAnAcceptedRequest) {
  RunningServer server;
  RawHttpClient accepted(server.port());
  ASSERT_TRUE(accepted.Send(
      "POST /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"));
  EXPECT_TRUE(accepted.ReadAnswers(1, 300ms).empty());
  EXPECT_NE(accepted.received().find("HTTP/1.1 100 Continue"), std::string::npos);
  ASSERT_TRUE(accepted.Send("body"));
  EXPECT_EQ(accepted.ReadAnswers(1, 2s), std::vector<int>{200});

  RawHttpClient refused(server.port());
  ASSERT_TRUE(refused.Send(
      "POST /refuse HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"));
  EXPECT_EQ(refused.ReadAnswers(1, 2s), std::vector<int>{401});
  EXPECT_EQ(refused.received().find("100 Continue"), std::string::npos);
}

TEST(HttpServerTest, SlowHeadersSlowBodiesAndIdleConnectionsAreCutOff) {
  HttpServerLimits limits;
  limits.header_timeout = 300ms;
  limits.body_timeout = 300ms;
  limits.idle_timeout = 300ms;
  RunningServer server(limits);
  RawHttpClient slowloris(server.port());
  ASSERT_TRUE(slowloris.Send("POST /x HTTP/1.1\r\n"));
  for (int i = 0; i < 3 && slowloris.Send("X"); ++i) std::this_thread::sleep_for(100ms);
  EXPECT_TRUE(slowloris.WaitClosed(2s));
  EXPECT_TRUE(server.handler().Rejected("header_timeout"));

  RawHttpClient slow_body(server.port());
  ASSERT_TRUE(slow_body.Send("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nabc"));
  EXPECT_TRUE(slow_body.WaitClosed(2s));
  EXPECT_TRUE(server.handler().Rejected("body_timeout"));

  RawHttpClient idle(server.port());
  ASSERT_TRUE(idle.Send(PostRequest("/x", "ok")));
  EXPECT_EQ(idle.ReadAnswers(1, 2s), std::vector<int>{200});
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(idle.WaitClosed(2s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
}

TEST(HttpServerTest, ConnectionsBeyondTheLimitsAreClosed) {
  HttpServerLimits limits;
  limits.max_connections = 3;
  limits.max_connections_per_client = 2;
  RunningServer server(limits);
  std::vector<RawHttpClient> held;
  held.emplace_back(server.port(), "127.0.0.2");
  held.emplace_back(server.port(), "127.0.0.2");
  for (auto& client : held) ASSERT_TRUE(client.connected());
  RawHttpClient third(server.port(), "127.0.0.2");
  ASSERT_TRUE(third.connected());  // the kernel accepts; the server closes it at once
  EXPECT_TRUE(third.WaitClosed(2s));
  EXPECT_TRUE(server.handler().Rejected("client_connections"));
  // Another address still gets in, up to the total.
  RawHttpClient other(server.port(), "127.0.0.3");
  ASSERT_TRUE(other.Send(PostRequest("/x", "hi")));
  EXPECT_EQ(other.ReadAnswers(1, 2s), std::vector<int>{200});
  RawHttpClient fourth(server.port(), "127.0.0.4");
  EXPECT_TRUE(fourth.WaitClosed(2s));
  EXPECT_TRUE(server.handler().Rejected("connections"));
  // Closing one frees its place.
  held.clear();
  bool served = false;
  for (int i = 0; i < 50 && !served; ++i) {
    RawHttpClient again(server.port(), "127.0.0.2");
    again.Send(PostRequest("/x", "hi"));
    served = again.ReadAnswers(1, 200ms) == std::vector<int>{200};
  }
  EXPECT_TRUE(served);
}

TEST(HttpServerTest, BeyondMaxPendingTheOverloadAnswerComesWithoutReadingTheBody) {
  HttpServerLimits limits;
  limits.max_pending_requests = 1;
  RunningServer server(limits);
  RawHttpClient blocked(server.port());
  ASSERT_TRUE(blocked.Send(PostRequest("/block", "x")));
  for (int i = 0; i < 200 && server.handler().handled == 0; ++i) std::this_thread::sleep_for(5ms);
  ASSERT_EQ(server.handler().handled, 1);
  RawHttpClient busy(server.port());
  ASSERT_TRUE(busy.Send("POST /small HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n"));
  EXPECT_EQ(busy.ReadAnswers(1, 2s), std::vector<int>{429});
  EXPECT_NE(busy.received().find("Retry-After: 1"), std::string::npos);
  EXPECT_TRUE(server.handler().Rejected("overload"));
  server.handler().Release();
  EXPECT_EQ(blocked.ReadAnswers(1, 2s), std::vector<int>{200});
}

TEST(HttpServerTest, HeadersOverTheLimitAre431) {
  RunningServer server;
  std::string request = "GET /x HTTP/1.1\r\nHost: a\r\nX-Big: ";
  request.append(20000, 'a');
  request.append("\r\n\r\n");
  EXPECT_EQ(Exchange(server.port(), request), std::vector<int>{431});
}

TEST(HttpServerTest, StopsPromptlyWithClientsConnected) {
  auto server = std::make_unique<RunningServer>();
  std::vector<RawHttpClient> clients;
  for (int i = 0; i < 20; ++i) clients.emplace_back(server->port());
  RawHttpClient blocked(server->port());
  blocked.Send(PostRequest("/x", "x"));
  EXPECT_EQ(blocked.ReadAnswers(1, 2s), std::vector<int>{200});
  auto start = std::chrono::steady_clock::now();
  server.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  for (auto& client : clients) EXPECT_TRUE(client.WaitClosed(2s));
}

}  // namespace
}  // namespace trailwatch::server
