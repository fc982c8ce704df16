// Beast glue shared by the server's .cpp files (never included by a header outside server/):
// the parser set up with the server's limits, a parsed head as an HttpRequest, and a Beast parser
// error as a FramingError.
//
// Thread-safety: pure functions.
#pragma once

#include <boost/beast/http.hpp>
#include <limits>
#include <string>

#include "server/http_limits.h"
#include "server/http_message.h"
#include "server/request_framing.h"

namespace trailwatch::server::beast_glue {

namespace http = boost::beast::http;

using HeadParser = http::request_parser<http::empty_body>;
using BodyParser = http::request_parser<http::string_body>;

// No body limit on the head parser: the handler decides the body's limit after the headers
// (BodyLimitExceeded), so that a refused request is answered from its headers whatever length it
// announces.
inline void ConfigureHeadParser(HeadParser& parser, const HttpServerLimits& limits) {
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  // (Not boost::none: Beast 1.74 compares a Content-Length against the empty optional as "over".)
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
}

// Whether a Content-Length already says the body is over `limit` (chunked bodies are checked
// while they are read).
inline bool BodyLimitExceeded(const HeadParser& parser, size_t limit) {
  return parser.content_length().value_or(0) > limit;
}

// The head as an HttpRequest (no body), header names in lower case.
inline HttpRequest ToHttpRequest(const http::request_header<>& head, std::string remote) {
  HttpRequest request;
  request.method = std::string(head.method_string());
  request.target = std::string(head.target());
  request.path = request.target.substr(0, request.target.find('?'));
  request.version = static_cast<int>(head.version());
  for (const auto& field : head) {
    std::string name(field.name_string());
    for (char& c : name) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    request.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  request.remote_address = std::move(remote);
  return request;
}

// Whether the head announces a body (so that an unread one forces the connection closed).
inline bool AnnouncesBody(const HeadParser& parser) {
  return parser.chunked() || parser.content_length().value_or(0) > 0;
}

inline FramingError FromParserError(const boost::system::error_code& error) {
  if (error == http::error::body_limit) {
    return {413, "too_large", "request body too large"};
  }
  if (error == http::error::header_limit) {
    return {431, "headers_too_large", "request headers too large"};
  }
  return {400, "malformed", "malformed request: " + error.message()};
}

}  // namespace trailwatch::server::beast_glue
