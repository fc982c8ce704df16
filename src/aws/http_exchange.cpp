#include "aws/http_exchange.h"

#include <chrono>

namespace trailwatch::aws {

Result<HttpExchangeResponse> CurlEasy::Perform(const HttpExchangeRequest& request) {
  net::HttpRequest http;
  http.method = request.method;
  http.url = request.url;
  http.headers = request.headers;
  http.body = request.body;
  http.connect_timeout = std::chrono::milliseconds(request.connect_timeout_ms);
  http.timeout = std::chrono::milliseconds(request.timeout_ms);
  http.stall = std::chrono::seconds(request.stall_seconds);
  // S3 keys may contain "/./" or "/../": send the path exactly as encoded (and as signed).
  http.path_as_is = true;
  http.aws_sigv4 = request.aws_sigv4;
  http.user_password = request.user_password;
  http.stop = request.stop;
  // No body limit: S3 objects are whole log files (the reader bounds what it inflates).
  return client_.Perform(http);
}

}  // namespace trailwatch::aws
