// HttpServerLimits: every bound the HTTP server puts on a client, with its default. Each is a key
// of the http source's configuration (docs/limits.md lists them with what happens at the limit).
//
// The defaults follow what nginx ships with, scaled to what trailwatch serves: small JSON bodies
// (an EventBridge event is at most 256 KB) from a few senders (EventBridge API destinations, SNS).
//
// Thread-safety: a plain value.
#pragma once

#include <chrono>
#include <cstddef>

namespace trailwatch::server {

struct HttpServerLimits {
  // Open connections in total; a connection beyond this is closed at once (counted). The service
  // raises its open-file limit to fit.
  size_t max_connections = 4096;
  // Open connections from one client address; beyond this a connection is closed at once.
  size_t max_connections_per_client = 256;
  // Request line and headers together; more is 431 and the connection is closed.
  size_t max_header_bytes = 16 * 1024;
  // The default body limit; a handler may lower it per request. More is 413, read no further.
  size_t max_body_bytes = 256 * 1024;
  // Requests being handled (body read, handler running) at once; beyond this the handler's
  // overload answer (429 or 503 with Retry-After) is sent without reading the body.
  size_t max_pending_requests = 64;
  // From the connection's first byte (or its TLS handshake) to the end of the request's headers.
  // A client that sends headers slower than this (slowloris) is disconnected.
  std::chrono::milliseconds header_timeout{std::chrono::seconds(10)};
  // The whole body must arrive within this; with max_body_bytes it sets a minimum rate
  // (256 KiB in 30 s: ~8.7 KB/s). A slower body: the connection is closed.
  std::chrono::milliseconds body_timeout{std::chrono::seconds(30)};
  // How long a kept-alive connection may wait for its next request.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(30)};
  // Writing one answer; a client that does not read it in time is disconnected.
  std::chrono::milliseconds write_timeout{std::chrono::seconds(10)};
};

}  // namespace trailwatch::server
