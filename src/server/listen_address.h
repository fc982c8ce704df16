// ListenAddress: the `host:port` (or `[v6]:port`) text of a listen setting — the http source's
// `listen` and the ops listener's `telemetry.listen` — parsed into what HttpServerOptions takes.
//
// Thread-safety: pure function; ListenAddress is a plain value.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace trailwatch::server {

struct ListenAddress {
  std::string host;  // without IPv6 brackets
  int port = 0;      // 0 = an ephemeral port
};

// "127.0.0.1:9464", "[::1]:9464", "0.0.0.0:8080". The error is the reason alone, for the caller
// to prefix with the field: "must be host:port, like 127.0.0.1:8080", "has no host (...)",
// "the port must be a number from 0 to 65535", ...
Result<ListenAddress> ParseListenAddress(std::string_view text);

}  // namespace trailwatch::server
