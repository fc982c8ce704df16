// The console's server-rendered pages (docs/console.md): Alerts (list and detail), Dead letters,
// Rules, Sandbox, Sources, and the sign-in page. Each is complete HTML built from ConsoleQueries,
// with every value escaped (html.h); the pages' behaviour (copy, select, retry, sandbox) is in
// the embedded console.js, since the Content-Security-Policy allows no inline script.
//
// Thread-safety: stateless functions over thread-safe queries.
#pragma once

#include <cstdint>
#include <string>

#include "console/console_queries.h"
#include "console/form_fields.h"

namespace trailwatch::console {

// What every page needs besides its content.
struct PageContext {
  std::string csrf_token;  // for the page's JS (meta tag) and the sign-out form
  std::string user;        // who is signed in ("anonymous" with auth: none)
  int64_t now_ms = 0;
};

// A page's HTML and its status (200, 400 for bad filters, 404 for an unknown alert, 500 when the
// store failed: the page then says what failed).
struct Page {
  int status = 200;
  std::string html;
};

Page LoginPage(const std::string& error);
Page AlertsPage(const ConsoleQueries& queries, const FormFields& filters, const PageContext& context);
Page AlertPage(const ConsoleQueries& queries, int64_t id, const PageContext& context);
Page DeadLettersPage(const ConsoleQueries& queries, const FormFields& fields,
                     const PageContext& context);
Page RulesPage(const ConsoleQueries& queries, const PageContext& context);
Page SandboxPage(const ConsoleQueries& queries, const PageContext& context);
Page SourcesPage(const ConsoleQueries& queries, const PageContext& context);
Page NotFoundPage(const PageContext& context);

}  // namespace trailwatch::console
