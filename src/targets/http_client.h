// HttpClient: the POSTs to Slack/Teams/webhooks, a thin user of net::HttpClient
// (net/http_client.h), which owns the libcurl handle (reused across requests so connections and
// TLS sessions stay open between alerts), timeouts, header capture, the User-Agent and the error
// text. What stays here is the delivery side: POST only, no "Expect: 100-continue", a 1 MiB cap on
// the kept answer, the shutdown's abandon token and the TransportError the targets classify.
//
// Errors and logs never contain the URL or the headers: webhook URLs and bearer tokens are
// secrets (docs/reference/formats.md §7.1, §7.4). Transport errors carry only curl's generic text.
//
// Thread-safety: an HttpClient is used by one thread at a time; HttpClientPool hands clients to
// many threads.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "net/http_client.h"

namespace trailwatch::targets {

struct HttpRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // name, value
  std::string body;
  std::chrono::milliseconds timeout{10000};  // whole request, connect included
};

// status, headers (names lower-cased; last value wins), body (at most 1 MiB kept).
using HttpResponse = net::HttpResponse;

// A transport failure (no HTTP answer): connection refused, timeout, TLS error.
struct TransportError {
  std::string message;
  bool timed_out = false;
};

class HttpClient {
 public:
  // A request in progress when `abandon` is requested is aborted within about a second (curl's
  // progress callback), and later requests fail at once: how a bounded shutdown drops a send to a
  // receiver that never answers. The failure is a TransportError ("abandoned").
  explicit HttpClient(std::stop_token abandon = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // POSTs and waits for the answer. Any HTTP status is a success here; the caller classifies it.
  Result<HttpResponse> Post(const HttpRequest& request, TransportError* transport_error = nullptr);

 private:
  net::HttpClient client_;
  std::stop_token abandon_;
};

// Clients for concurrent sends to one target; every client is built with the pool's `abandon`.
class HttpClientPool {
 public:
  explicit HttpClientPool(std::stop_token abandon = {}) : abandon_(std::move(abandon)) {}

  class Lease {
   public:
    Lease(HttpClientPool* pool, std::unique_ptr<HttpClient> client)
        : pool_(pool), client_(std::move(client)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (client_) pool_->Release(std::move(client_));
    }
    HttpClient& operator*() { return *client_; }
    HttpClient* operator->() { return client_.get(); }

   private:
    HttpClientPool* pool_;
    std::unique_ptr<HttpClient> client_;
  };
  Lease Acquire();

 private:
  void Release(std::unique_ptr<HttpClient> client);
  std::mutex mutex_;
  std::vector<std::unique_ptr<HttpClient>> idle_;
  std::stop_token abandon_;
};

// Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Returns the delay from `now`
// (never negative), nullopt when absent or unparseable.
std::optional<std::chrono::seconds> ParseRetryAfter(const std::string& value,
                                                    std::chrono::system_clock::time_point now);

}  // namespace trailwatch::targets
