// IsLoopbackHost: whether a host name or address (as written in a URL or a listen setting) can
// only mean this machine: "localhost", 127.0.0.0/8 as a dotted quad, "::1" with or without
// brackets. Used where plain HTTP or an unauthenticated listener is allowed on loopback only
// (targets' URLs, the console's `auth: none`).
//
// Thread-safety: a pure function.
#pragma once

#include <string_view>

namespace trailwatch {

bool IsLoopbackHost(std::string_view host);

}  // namespace trailwatch
