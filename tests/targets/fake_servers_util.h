// Fake HTTP servers for the delivery tests: Slack incoming webhooks, the Slack Web API, Teams
// Workflows webhooks and generic webhooks, on 127.0.0.1 with an ephemeral port.
//
// They reproduce the answers documented in docs/reference/formats.md §7 and §9.7: "200 ok", the 4xx
// bodies (invalid_payload, channel_not_found, no_service), 429 with Retry-After, 500/503, a hang
// past the client's timeout, and chat.postMessage's {"ok":true,"ts":...} / {"ok":false,"error":...}
// with HTTP 200. Every request is recorded (method, path, headers, body, arrival time) so tests can
// assert content, threading, order and pacing.
//
// The server is a small HTTP/1.1 implementation (keep-alive, Content-Length bodies) on plain
// sockets: Debian's cpp-httplib package ships httplib.h as a compiled library
// (libcpp-httplib.so) that the test binary does not link, and what the fakes need is tiny.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace trailwatch::testing {

struct FakeRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::chrono::steady_clock::time_point received_at;
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct FakeResponse {
  int status = 200;
  std::string body = "ok";
  std::string content_type = "text/plain";
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds delay{0};  // wait before answering (a slow server)

  static FakeResponse Text(int status, std::string body) {
    FakeResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
  }
  static FakeResponse Json(int status, std::string body) {
    FakeResponse r;
    r.status = status;
    r.body = std::move(body);
    r.content_type = "application/json; charset=utf-8";
    return r;
  }
  static FakeResponse TooManyRequests(int retry_after_seconds) {
    FakeResponse r = Text(429, "");
    r.headers.push_back({"Retry-After", std::to_string(retry_after_seconds)});
    return r;
  }
};

using FakeHandler = std::function<FakeResponse(const FakeRequest&)>;

class FakeHttpServer {
 public:
  explicit FakeHttpServer(FakeHandler handler);
  ~FakeHttpServer();
  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;

  int port() const { return port_; }
  std::string Url(const std::string& path) const;  // http://127.0.0.1:<port><path>
  std::vector<FakeRequest> Requests() const;
  size_t RequestCount() const;
  // Waits until at least `count` requests arrived.
  bool WaitForRequests(size_t count, std::chrono::milliseconds timeout) const;

 private:
  void AcceptLoop();
  void Serve(int fd);

  FakeHandler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  mutable std::condition_variable arrived_;
  std::vector<FakeRequest> requests_;
  std::set<int> open_fds_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

// Answers in script order, then `fallback` for every later request. Thread-safe.
class ScriptedAnswers {
 public:
  explicit ScriptedAnswers(std::vector<FakeResponse> script,
                           FakeResponse fallback = FakeResponse::Text(200, "ok"));
  FakeResponse Next();
  FakeHandler Handler();

 private:
  std::mutex mutex_;
  std::deque<FakeResponse> script_;
  FakeResponse fallback_;
};

// The Slack Web API: chat.postMessage and chat.update. Answers {"ok":true,"channel":...,"ts":...}
// with increasing ts unless an error code is scripted (HTTP 200 {"ok":false,"error":code}), or a
// raw response is scripted. Thread-safe.
class FakeSlackApi {
 public:
  FakeSlackApi();
  // Scripts the next chat.postMessage answers: error codes ("" = ok).
  void ScriptPostErrors(std::vector<std::string> codes);
  void ScriptPostResponses(std::vector<FakeResponse> responses);
  std::string api_url() const { return server_.Url("/api"); }
  FakeHttpServer& server() { return server_; }
  std::vector<FakeRequest> Posts() const;    // chat.postMessage requests
  std::vector<FakeRequest> Updates() const;  // chat.update requests

 private:
  FakeResponse Answer(const FakeRequest& request);
  mutable std::mutex mutex_;
  std::deque<std::string> post_errors_;
  std::deque<FakeResponse> post_responses_;
  int64_t next_ts_ = 1;
  FakeHttpServer server_;
};

// HMAC-SHA256 of `message` keyed with `key`, lower-case hex, written with OpenSSL directly (not
// with the product's helper) so that the tests check the product against an independent reference.
std::string ReferenceHmacSha256Hex(const std::string& key, const std::string& message);

// A generic webhook receiver that checks what docs/webhook-signatures.md asks receivers to check:
// User-Agent is trailwatch/<version>, X-Trailwatch-Timestamp is Unix seconds within `tolerance` of
// the receiver's clock, and X-Trailwatch-Signature is "sha256=" + hex HMAC-SHA256 over
// "<timestamp>.<body>" with `secret`. Answers 204 when all hold, else 401 (or 400 for a wrong
// User-Agent) and records why. Thread-safe.
class FakeWebhookReceiver {
 public:
  explicit FakeWebhookReceiver(std::string secret,
                               std::chrono::seconds tolerance = std::chrono::minutes(5));
  std::string url() const { return server_.Url("/hook"); }
  FakeHttpServer& server() { return server_; }
  struct Tally {
    size_t accepted = 0;
    std::vector<std::string> refusals;  // one reason per refused request, in order
  };
  Tally Counts() const;

 private:
  FakeResponse Answer(const FakeRequest& request);
  std::string secret_;
  std::chrono::seconds tolerance_;
  mutable std::mutex mutex_;
  Tally tally_;
  FakeHttpServer server_;
};

}  // namespace trailwatch::testing
