// ConsoleHandler: the web console's HTTP front (issue 15): authentication, CSRF, security headers
// and routing to the pages (console_pages.h), the JSON API (console_api.h) and the embedded assets.
//
// Decided from the headers alone, before any body is read (server/http_handler.h):
//   * /assets/* and GET /login are public; POST /login reads at most 4 KiB (the sign-in form);
//   * everything else needs a principal (ConsoleAuth: bearer token, session cookie, or auth: none);
//     without one, pages redirect to /login (303) and the API answers 401;
//   * a state-changing request (POST) needs the session's CSRF token in X-CSRF-Token (the sign-out
//     form's hidden field is checked after its small body is read), else 403 — a bearer-token
//     script needs none (it carries no ambient credential);
//   * bodies are capped at 1 MiB (sandbox events) or 64 KiB (actions).
// Every answer carries Content-Security-Policy (no inline script or style), X-Frame-Options: DENY,
// Referrer-Policy: no-referrer, X-Content-Type-Options: nosniff and Cache-Control: no-store (the
// assets may be cached).
//
// Thread-safety: OnHead/OnRequest run on the server's threads concurrently; all state is in the
// thread-safe ConsoleAuth and ConsoleQueries.
#pragma once

#include <spdlog/logger.h>

#include <memory>

#include "console/console_auth.h"
#include "console/console_queries.h"
#include "server/http_handler.h"
#include "telemetry/metrics.h"

namespace trailwatch::console {

class ConsoleHandler : public server::HttpHandler {
 public:
  // All pointers must outlive the handler. `tls`: the listener speaks HTTPS (cookies get Secure).
  ConsoleHandler(const ConsoleQueries* queries, ConsoleAuth* auth, telemetry::Metrics* metrics,
                 std::shared_ptr<spdlog::logger> log, bool tls);

  server::HeadDecision OnHead(const server::HttpRequest& request) override;
  server::HttpResponse OnRequest(const server::HttpRequest& request) override;
  void OnAnswered(const server::HttpRequest& request, int status) override;
  void OnRejected(const server::ServerRejection& rejection) override;

 private:
  server::HttpResponse Dispatch(const server::HttpRequest& request);
  server::HttpResponse Login(const server::HttpRequest& request);
  server::HttpResponse Logout(const server::HttpRequest& request, const Principal& principal);
  server::HttpResponse RenderPage(const server::HttpRequest& request, const Principal& principal);
  // The answer for a request without a principal: redirect (pages) or 401 (API), 429 when the
  // client is rate-limited.
  server::HttpResponse Unauthenticated(const server::HttpRequest& request) const;
  void CountLoginFailure(std::string_view reason);

  const ConsoleQueries* queries_;
  ConsoleAuth* auth_;
  telemetry::Metrics* metrics_;
  std::shared_ptr<spdlog::logger> log_;
  bool tls_;
};

// Adds the console's security headers to `response` (exposed for tests).
void AddSecurityHeaders(server::HttpResponse& response, bool cacheable);

}  // namespace trailwatch::console
