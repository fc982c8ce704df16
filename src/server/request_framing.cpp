#include "server/request_framing.h"

#include <boost/asio/buffer.hpp>

#include "server/beast_request.h"

namespace trailwatch::server {
namespace {

// RFC 9110 §7.2 / RFC 3986 §3.2.2: host [":" port]; a reg-name, IPv4 or [IPv6] literal. This is
// a shape check (no control characters, spaces, '/', '@' ...), not a DNS check.
bool ValidHostValue(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("-._~!$&'()*+,;=:[]%").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::optional<FramingError> CheckRequestHead(const HttpRequest& head) {
  size_t hosts = 0;
  std::string_view host;
  size_t transfer_encodings = 0;
  std::string_view transfer_encoding;
  for (const auto& [name, value] : head.headers) {
    if (name == "host") {
      ++hosts;
      host = value;
    } else if (name == "transfer-encoding") {
      ++transfer_encodings;
      transfer_encoding = value;
    }
  }
  if (head.version >= 11 && hosts == 0) {
    return FramingError{400, "malformed", "malformed request: HTTP/1.1 requires a Host header"};
  }
  if (hosts > 1) return FramingError{400, "malformed", "malformed request: more than one Host"};
  if (hosts == 1 && !ValidHostValue(host)) {
    return FramingError{400, "malformed", "malformed request: invalid Host"};
  }
  // Beast refuses a second Transfer-Encoding only after a chunked one; any other coding would
  // leave the body's end unknown (RFC 9112 §6.1: 501 for a coding the server does not know).
  if (transfer_encodings > 1) {
    return FramingError{400, "malformed", "malformed request: more than one Transfer-Encoding"};
  }
  if (transfer_encodings == 1 &&
      !boost::beast::iequals(
          boost::beast::string_view(transfer_encoding.data(), transfer_encoding.size()),
          "chunked")) {
    return FramingError{501, "malformed", "Transfer-Encoding other than chunked is not supported"};
  }
  return std::nullopt;
}

ParsedRequests ParseRequestStream(std::string_view bytes, const HttpServerLimits& limits,
                                  const std::function<HeadDecision(const HttpRequest&)>& on_head) {
  namespace http = boost::beast::http;
  ParsedRequests out;
  boost::system::error_code error;
  while (!bytes.empty()) {
    beast_glue::HeadParser head_parser;
    beast_glue::ConfigureHeadParser(head_parser, limits);
    head_parser.eager(false);
    // Feed the head: put() consumes what it can; the header is complete when is_header_done().
    while (!head_parser.is_header_done()) {
      size_t used = head_parser.put(boost::asio::buffer(bytes.data(), bytes.size()), error);
      if (error == http::error::need_more) return out;  // incomplete: neither request nor error
      if (error) {
        out.error = beast_glue::FromParserError(error);
        return out;
      }
      bytes.remove_prefix(used);
    }
    HttpRequest request = beast_glue::ToHttpRequest(head_parser.get(), "fuzz");
    if (auto framing = CheckRequestHead(request)) {
      out.error = std::move(framing);
      return out;
    }
    HeadDecision decision = on_head(request);
    if (decision.answer) {
      if (beast_glue::AnnouncesBody(head_parser)) return out;  // the server closes here
      if (!head_parser.is_done()) return out;
      continue;
    }
    const size_t body_limit =
        decision.body_limit != 0 ? decision.body_limit : limits.max_body_bytes;
    if (beast_glue::BodyLimitExceeded(head_parser, body_limit)) {
      out.error = FramingError{413, "too_large", "request body too large"};
      return out;
    }
    beast_glue::BodyParser body_parser(std::move(head_parser));
    body_parser.body_limit(body_limit);
    body_parser.eager(true);
    while (!body_parser.is_done()) {
      if (bytes.empty()) return out;
      size_t used = body_parser.put(boost::asio::buffer(bytes.data(), bytes.size()), error);
      if (error == http::error::need_more) {
        if (used == 0) return out;
        error = {};
      }
      if (error) {
        out.error = beast_glue::FromParserError(error);
        return out;
      }
      bytes.remove_prefix(used);
    }
    request.body = body_parser.release().body();
    out.requests.push_back(std::move(request));
  }
  return out;
}

}  // namespace trailwatch::server
