#include "targets/http_client.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace trailwatch::targets {

HttpClient::HttpClient(std::stop_token abandon) : abandon_(std::move(abandon)) {}

HttpClient::~HttpClient() = default;

Result<HttpResponse> HttpClient::Post(const HttpRequest& request, TransportError* transport_error) {
  if (abandon_.stop_requested()) {
    if (transport_error) transport_error->message = "HTTP request abandoned: shutting down";
    return Error{"HTTP request abandoned: shutting down"};
  }
  net::HttpRequest http;
  http.method = "POST";
  http.url = request.url;
  for (const auto& [name, value] : request.headers) {
    std::string line = name;
    line.append(": ").append(value);
    http.headers.push_back(std::move(line));
  }
  // libcurl adds "Expect: 100-continue" to large POSTs; Slack and most webhooks do not need the
  // extra round trip.
  http.headers.push_back("Expect:");
  http.body = request.body;
  http.timeout = request.timeout;  // whole request, connect included
  http.connect_timeout =
      std::chrono::milliseconds(std::min<int64_t>(request.timeout.count(), 10000));
  // Answers are small (Slack: "ok" or a JSON object); cap what we keep against a hostile server.
  http.max_body_bytes = 1 << 20;
  http.truncate_body = true;
  // Redirects stay off (net's default): a redirect could carry the signed body or the bearer
  // token elsewhere.
  http.stop = abandon_;  // aborts a send in progress within about a second
  net::HttpFailure failure = net::HttpFailure::kNone;
  auto response = client_.Perform(http, &failure);
  if (response.ok()) return response;
  if (failure == net::HttpFailure::kSetup) return Error{"HTTP client could not be created"};
  // net's text is curl's generic words ("Timeout was reached"), never the URL.
  std::string message = failure == net::HttpFailure::kAborted
                            ? std::string("HTTP request abandoned: shutting down")
                            : "HTTP request failed: " + response.message();
  if (transport_error) {
    transport_error->message = message;
    transport_error->timed_out = failure == net::HttpFailure::kTimedOut;
  }
  return Error{message};
}

HttpClientPool::Lease HttpClientPool::Acquire() {
  std::unique_ptr<HttpClient> client;
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      client = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (!client) client = std::make_unique<HttpClient>(abandon_);
  return Lease(this, std::move(client));
}

void HttpClientPool::Release(std::unique_ptr<HttpClient> client) {
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(client));
}

std::optional<std::chrono::seconds> ParseRetryAfter(const std::string& value,
                                                    std::chrono::system_clock::time_point now) {
  size_t start = value.find_first_not_of(" \t");
  if (start == std::string::npos) return std::nullopt;
  size_t end = value.find_last_not_of(" \t\r\n");
  std::string text = value.substr(start, end - start + 1);
  if (std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) {
    if (text.size() > 9) return std::chrono::seconds(999999999);
    return std::chrono::seconds(std::stoll(text));
  }
  // IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", or the obsolete RFC 850 and asctime forms RFC
  // 9110 asks recipients to accept.
  std::optional<std::chrono::system_clock::time_point> when = net::ParseHttpDate(text);
  if (!when) return std::nullopt;
  auto delta = *when - now;
  auto seconds = std::chrono::ceil<std::chrono::seconds>(delta);
  return std::max(seconds, std::chrono::seconds(0));
}

}  // namespace trailwatch::targets
