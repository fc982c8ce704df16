// The console's JSON API under /api/v1/ (docs/console.md has the reference). Every page reads
// through the same ConsoleQueries, so a script sees what the page shows:
//
//   GET  /api/v1/alerts[?filters]          alerts, newest first: {"alerts": [...], "next_cursor"}
//   GET  /api/v1/alerts/ID                 one alert with its event and its rendered text
//   GET  /api/v1/dead-letters[?cursor=]    dead outbox entries, oldest first, 100 per page
//   POST /api/v1/dead-letters/retry        {"ids": [..]} -> {"retried": N}
//   POST /api/v1/dead-letters/purge        {"ids": [..]} -> {"purged": N}
//   GET  /api/v1/rules                     rules with match counts (1 h, 24 h, 7 d)
//   GET  /api/v1/sources                   sources' state and targets' queues
//   GET  /api/v1/sandbox/samples           the packs' sample events and the last alerts' events
//   POST /api/v1/sandbox/test-pattern      {"event", "pattern"} -> {"Result": bool} or AWS's error
//   POST /api/v1/sandbox/rules             {"event"} -> {"rules": [names]}
//
// Errors are {"error": "<code>", "message": "..."} with 400 (the message names the parameter or
// field), 404, 405 or 500 (the store's error).
//
// Thread-safety: stateless over thread-safe queries.
#pragma once

#include <cstdint>

#include "console/console_queries.h"
#include "server/http_message.h"

namespace trailwatch::console {

// `request.path` starts with /api/v1/. Authentication and CSRF were checked by the caller.
server::HttpResponse HandleApiRequest(const ConsoleQueries& queries,
                                      const server::HttpRequest& request, int64_t now_ms);

// {"error": code, "message": message} with `status`.
server::HttpResponse JsonError(int status, std::string_view code, std::string_view message);

}  // namespace trailwatch::console
