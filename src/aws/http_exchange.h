// One HTTP request/response for the S3 and SQS clients and the ECS / EC2 instance metadata
// credential sources. Internal to src/aws/.
//
// A thin user of net::HttpClient (net/http_client.h), which owns the libcurl handle, timeouts,
// header capture, the User-Agent and the error text. What is AWS-specific stays here: requests
// are signed with SigV4 (libcurl's CURLOPT_AWS_SIGV4, from the provider string and keys the
// clients pass) and paths are sent exactly as encoded (S3 keys may contain "/./" or "/../").
//
// A CurlEasy owns one handle; reusing it for several requests keeps the connection alive.
// Redirects are never followed: a redirect could carry signed requests or credentials to another
// host.
//
// Thread-safety: a CurlEasy is used by one thread at a time.
#pragma once

#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "net/http_client.h"

namespace trailwatch::aws {

// Percent-encoding as SigV4 canonicalises it (RFC 3986 unreserved characters stay, everything
// else is %XX in upper-case hex), which is also what S3 paths, STS form bodies and the SSO
// portal's query want. `keep_slash`: '/' stays (S3 object keys in a path).
std::string UriEncode(std::string_view text, bool keep_slash = false);

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

// status, headers (names lower-cased; the last value wins), body, Header(lower_name).
using HttpExchangeResponse = net::HttpResponse;

class CurlEasy {
 public:
  CurlEasy() = default;
  CurlEasy(const CurlEasy&) = delete;
  CurlEasy& operator=(const CurlEasy&) = delete;

  // An error only for transport failures (connect, timeout, TLS, reset); HTTP error statuses are
  // responses. The error text names the curl failure, never the URL's credentials or headers.
  Result<HttpExchangeResponse> Perform(const HttpExchangeRequest& request);

 private:
  net::HttpClient client_;
};

}  // namespace trailwatch::aws
