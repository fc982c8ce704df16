// HttpRequest, HttpResponse and HeadDecision: what the HTTP server hands its handler and takes
// back. Plain values without Boost types, so that handlers (and their fuzz target) compile
// without Beast.
//
// Thread-safety: plain values.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace trailwatch::server {

struct HttpRequest {
  std::string method;                                        // as sent: "POST"
  std::string target;                                        // as sent: "/events?x=1"
  std::string path;                                          // target up to '?'
  int version = 11;                                          // 10 = HTTP/1.0, 11 = HTTP/1.1
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case, in order
  std::string body;                                          // empty until the body was read
  std::string remote_address;  // the client's IP address, for logs and limits

  // The first value of a header (name in lower case); empty when absent.
  std::string_view Header(std::string_view lower_name) const {
    for (const auto& [name, value] : headers) {
      if (name == lower_name) return value;
    }
    return {};
  }
  bool HasHeader(std::string_view lower_name) const {
    for (const auto& header : headers) {
      if (header.first == lower_name) return true;
    }
    return false;
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Retry-After, ...)
  bool close = false;  // close the connection after this answer

  static HttpResponse Text(int status, std::string text) {
    HttpResponse response;
    response.status = status;
    response.body = std::move(text);
    if (response.body.empty() || response.body.back() != '\n') response.body += '\n';
    return response;
  }
};

// What a handler decides from a request's headers, before any byte of the body is read.
struct HeadDecision {
  // Set: answer with this, without reading the body (the connection is closed if a body was
  // announced, so that its bytes are never parsed as a next request).
  std::optional<HttpResponse> answer;
  // Otherwise the body is read, up to this many bytes (0 = the server's max_body_bytes) ...
  size_t body_limit = 0;
  // ... unless max_pending_requests are in progress: then this status, with Retry-After: 1.
  int overload_status = 503;

  static HeadDecision Answer(HttpResponse response) {
    HeadDecision decision;
    decision.answer = std::move(response);
    return decision;
  }
  static HeadDecision ReadBody(size_t body_limit, int overload_status) {
    HeadDecision decision;
    decision.body_limit = body_limit;
    decision.overload_status = overload_status;
    return decision;
  }
};

// Something the server refused or cut off on its own, before or instead of the handler.
struct ServerRejection {
  // "connections" (max_connections), "client_connections" (max_connections_per_client),
  // "header_timeout", "body_timeout", "write_timeout", "malformed" (RFC 9112 framing),
  // "headers_too_large", "too_large", "overload", "tls_handshake".
  std::string_view reason;
  int status = 0;         // the answer sent, 0 when the connection was just closed
  std::string_view path;  // the request's path when the headers were read, else empty
  std::string_view remote_address;
  std::string_view detail;  // e.g. the parser's message; never request bytes
};

}  // namespace trailwatch::server
