// net::HttpClient: the one place trailwatch drives libcurl (issue 11). Its users are thin: the AWS
// requests (aws/http_exchange.h: S3, SQS, STS, ECS/EC2 credentials, signed by libcurl's SigV4),
// the alert deliveries (targets/http_client.h: Slack, Teams, webhooks) and the SNS signing
// certificate and SubscribeURL GETs (sources/sns_verifier.cpp).
//
// What it owns, so that every caller behaves the same:
//   * the easy handle (RAII), reused across requests: curl_easy_reset before each one keeps the
//     connection cache, so connections and TLS sessions stay open between requests;
//   * timeouts (connect, whole request, stall), and NOSIGNAL (worker threads: no SIGALRM);
//   * the response size limit, enforced while reading (fail or truncate), so a hostile server
//     cannot make trailwatch buffer more than asked;
//   * header capture (names lower-cased, the last value wins, reset on every new response);
//   * User-Agent: trailwatch/<version> (common/version.h) on every request;
//   * protocols (http+https, or https only), TLS peer verification always on, an optional CA
//     bundle;
//   * redirects: never followed unless the request asks (a redirect could carry a signed request,
//     a bearer token or a webhook body to another host);
//   * error text: curl_easy_strerror's generic words only ("Couldn't connect to server"), never
//     CURLOPT_ERRORBUFFER, whose text can hold the URL. Webhook URLs, headers and credentials are
//     secrets (docs/reference/formats.md §7.1, §7.4): nothing of the request ever appears in an
// error.
//
// Thread-safety: an HttpClient is used by one thread at a time; ParseHttpDate is reentrant.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace trailwatch::net {

struct HttpRequest {
  std::string method = "GET";        // GET or POST; anything else is sent as a POST with that verb
  std::string url;                   // may be a secret (webhooks): never in error text
  std::vector<std::string> headers;  // "Name: value"; "Name:" removes a header curl would add
  std::string_view body;             // sent unless the method is GET (must outlive Perform)

  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds timeout{0};  // whole request; 0 = no limit
  std::chrono::seconds stall{0};         // fail when under 1 byte/s for this long; 0 = never

  // Response body limit, enforced while reading; 0 = none.
  size_t max_body_bytes = 0;
  // false: a larger answer fails the request (HttpFailure::kTooLarge, also refused up front from
  // Content-Length). true: the first max_body_bytes are kept and the rest is read and dropped.
  bool truncate_body = false;

  bool https_only = false;  // otherwise http and https
  bool path_as_is = false;  // send "/./" and "/../" as written (S3 keys) instead of normalizing
  long max_redirects = 0;   // 0: a 3xx is the response; >0: follow at most this many
  std::string ca_file;      // PEM bundle for TLS peer verification; empty = the system store

  // libcurl's SigV4 signing (CURLOPT_AWS_SIGV4): "aws:amz:<region>:<service>". The caller (aws/)
  // decides region, service and keys; user_password "<access key>:<secret>" is a secret and is
  // cleared from the handle after the request.
  std::string aws_sigv4;
  std::string user_password;

  // When stop is requested the transfer is abandoned (checked about once a second by curl's
  // progress callback, even while no byte moves): HttpFailure::kAborted.
  std::stop_token stop;
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased; the last value wins
  std::string body;
  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// Why Perform failed (no HTTP answer was returned). HTTP error statuses are responses, not these.
enum class HttpFailure {
  kNone,
  kSetup,      // no curl handle
  kTransport,  // connect, DNS, TLS, reset, ...
  kTimedOut,   // timeout, connect timeout or stall
  kAborted,    // request.stop was requested
  kTooLarge,   // the body exceeded max_body_bytes (truncate_body false)
};

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // An error only for failures without an HTTP answer; `failure` (optional) says which. The
  // message is curl's generic text ("Couldn't connect to server"), "could not create a curl
  // handle", or "response larger than <max_body_bytes> bytes": never the URL, a header or a key.
  Result<HttpResponse> Perform(const HttpRequest& request, HttpFailure* failure = nullptr);

 private:
  struct Handle;
  std::unique_ptr<Handle> handle_;
};

// An HTTP-date (RFC 9110 §5.6.7: IMF-fixdate and the obsolete RFC 850 and asctime forms, which
// recipients must accept), via curl_getdate. nullopt when unparseable.
std::optional<std::chrono::system_clock::time_point> ParseHttpDate(const std::string& text);

}  // namespace trailwatch::net
