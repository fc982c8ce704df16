// One HTTP request/response over libcurl, shared by the S3 client and the ECS / EC2 instance
// metadata credential sources. Internal to src/aws/.
//
// A CurlEasy owns one CURL handle; reusing it for several requests keeps the connection alive
// (curl_easy_reset keeps the connection cache). Redirects are never followed: a redirect could
// carry signed requests or credentials to another host.
//
// Thread-safety: a CurlEasy is used by one thread at a time.
#pragma once

#include <cstddef>
#include <map>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace trailwatch::aws {

struct HttpExchangeRequest {
  std::string method = "GET";        // GET, PUT or POST
  std::string url;                   // already percent-encoded
  std::vector<std::string> headers;  // "Name: value"
  std::string_view body;             // sent with PUT and POST (must outlive Perform)
  long connect_timeout_ms = 10000;
  long timeout_ms = 0;        // whole request; 0 = no limit
  long stall_seconds = 0;     // fail when under 1 byte/s for this long; 0 = never
  std::string aws_sigv4;      // "aws:amz:<region>:<service>": sign with SigV4 when set
  std::string user_password;  // "<access key>:<secret>" for aws_sigv4 (a secret)
  // When stop is requested the transfer is abandoned (checked about once a second by curl's
  // progress callback), so an SQS long poll does not hold up a shutdown for 20 s.
  std::stop_token stop;
};

struct HttpExchangeResponse {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased; the last value wins
  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class CurlEasy {
 public:
  CurlEasy();
  ~CurlEasy();
  CurlEasy(const CurlEasy&) = delete;
  CurlEasy& operator=(const CurlEasy&) = delete;

  // An error only for transport failures (connect, timeout, TLS, reset); HTTP error statuses are
  // responses. The error text names the curl failure, never the URL's credentials or headers.
  Result<HttpExchangeResponse> Perform(const HttpExchangeRequest& request);

 private:
  void* handle_;  // CURL*
};

}  // namespace trailwatch::aws
