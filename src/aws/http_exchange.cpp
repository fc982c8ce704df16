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

std::string UriEncode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3 / 2);
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace trailwatch::aws
