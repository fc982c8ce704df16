// Request framing: the RFC 9112 rules the HTTP server enforces on every request, and the one
// place that turns Beast's parser into HttpRequest values — used by the live server and, over
// raw bytes, by the fuzz target and the tests, so that both see exactly the server's rules.
//
// Beast's parser already refuses (and the server answers 400 and closes): two different
// Content-Length values, Content-Length together with Transfer-Encoding (either order), a
// negative, non-numeric or overflowing Content-Length, bad chunk framing, a body over its limit
// (413) and headers over their limit (431). CheckRequestHead adds what it leaves to the
// application (RFC 9112 §3.2, §6.1): HTTP/1.1 without exactly one valid Host, and a
// Transfer-Encoding other than a single "chunked" (a coding trailwatch cannot decode).
//
// Thread-safety: pure functions.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http_limits.h"
#include "server/http_message.h"

namespace trailwatch::server {

// A request the server refuses as framed: answered with `status` (400, 413, 431, 501) and the
// connection closed, since the next request's start is unknown.
struct FramingError {
  int status = 400;
  std::string reason;   // the rejection reason label ("malformed", "too_large", ...)
  std::string message;  // for the client and the log; never holds request bytes
};

std::optional<FramingError> CheckRequestHead(const HttpRequest& head);

// Parses `bytes` as a client's stream of requests, as the server would: each head is checked,
// `on_head` decides (an answer stops the stream when a body was announced, as the server closes
// the connection then), bodies are read up to the decision's limit. Returns the requests read in
// full (with bodies), and the error that ended the stream, if any. Incomplete trailing bytes are
// neither a request nor an error.
struct ParsedRequests {
  std::vector<HttpRequest> requests;
  std::optional<FramingError> error;
};
ParsedRequests ParseRequestStream(std::string_view bytes, const HttpServerLimits& limits,
                                  const std::function<HeadDecision(const HttpRequest&)>& on_head);

}  // namespace trailwatch::server
