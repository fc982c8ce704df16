#include "console/console_pages.h"

#include <fmt/format.h>

#include "console/alert_listing.h"
#include "console/html.h"
#include "outbox/outbox.h"
#include "render/alert_view.h"
#include "render/renderers.h"

namespace trailwatch::console {
namespace {

constexpr const char* kNav[][2] = {{"/alerts", "Alerts"},
                                   {"/dead-letters", "Dead letters"},
                                   {"/rules", "Rules"},
                                   {"/sandbox", "Sandbox"},
                                   {"/sources", "Sources"}};

// The frame of every signed-in page: head (stylesheet, script, CSRF token), navigation, content.
Page Framed(int status, std::string_view title, std::string_view active, const PageContext& context,
            std::string_view content) {
  Page page;
  page.status = status;
  std::string& html = page.html;
  html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
  html.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
  html.append("<meta name=\"csrf-token\" content=\"");
  AppendEscapedHtml(html, context.csrf_token);
  html.append("\"><title>");
  AppendEscapedHtml(html, title);
  html.append(" · trailwatch</title><link rel=\"stylesheet\" href=\"/assets/console.css\">");
  html.append("<script src=\"/assets/console.js\" defer></script></head><body>");
  html.append("<header><span class=\"brand\">trailwatch</span><nav>");
  for (const auto& [href, label] : kNav) {
    html.append("<a href=\"").append(href).append("\"");
    if (active == href) html.append(" class=\"active\" aria-current=\"page\"");
    html.append(">").append(label).append("</a>");
  }
  html.append("</nav><form id=\"logout\" method=\"post\" action=\"/logout\">");
  html.append("<input type=\"hidden\" name=\"csrf\" value=\"");
  AppendEscapedHtml(html, context.csrf_token);
  html.append("\"><span class=\"user\">");
  AppendEscapedHtml(html, context.user);
  html.append("</span> <button type=\"submit\">Sign out</button></form></header><main>");
  html.append(content);
  html.append("</main></body></html>\n");
  return page;
}

Page ErrorPage(int status, std::string_view title, std::string_view active,
               const PageContext& context, std::string_view message) {
  std::string content = "<h1>";
  AppendEscapedHtml(content, title);
  content.append("</h1><p class=\"error\">");
  AppendEscapedHtml(content, message);
  content.append("</p>");
  return Framed(status, title, active, context, content);
}

void AppendDeliveries(std::string& html, const store::StoredAlert& alert) {
  for (const store::AlertDelivery& delivery : alert.deliveries) {
    std::string_view status = DeliveryStatusName(delivery);
    html.append("<span class=\"delivery ").append(status).append("\" data-target=\"");
    AppendEscapedHtml(html, delivery.target);
    html.append("\" title=\"");
    if (status == "pending" && delivery.next_attempt_at > 0) {
      html.append("next attempt ").append(FormatTimeMs(delivery.next_attempt_at));
    } else if (!delivery.last_error.empty()) {
      AppendEscapedHtml(html, delivery.last_error);
    }
    html.append("\">");
    AppendEscapedHtml(html, delivery.target);
    html.append(": ").append(status).append("</span> ");
  }
}

void AppendOption(std::string& html, std::string_view value, std::string_view label,
                  std::string_view selected) {
  html.append("<option value=\"");
  AppendEscapedHtml(html, value);
  html.append("\"");
  if (value == selected) html.append(" selected");
  html.append(">");
  AppendEscapedHtml(html, label);
  html.append("</option>");
}

void AppendTextInput(std::string& html, std::string_view name, std::string_view label,
                     std::string_view value, std::string_view placeholder) {
  html.append("<label>");
  AppendEscapedHtml(html, label);
  html.append(" <input type=\"text\" name=\"").append(name).append("\" value=\"");
  AppendEscapedHtml(html, value);
  html.append("\" placeholder=\"");
  AppendEscapedHtml(html, placeholder);
  html.append("\"></label> ");
}

std::string AccountLabel(const std::map<std::string, std::string>& aliases,
                         const std::string& account) {
  auto alias = aliases.find(account);
  if (alias == aliases.end() || alias->second.empty()) return account;
  return account + " (" + alias->second + ")";
}

}  // namespace

Page LoginPage(const std::string& error) {
  Page page;
  page.status = error.empty() ? 200 : 401;
  std::string& html = page.html;
  html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
  html.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
  html.append("<title>Sign in · trailwatch</title>");
  html.append("<link rel=\"stylesheet\" href=\"/assets/console.css\"></head><body class=\"login\">");
  html.append("<main><h1>trailwatch</h1>");
  if (!error.empty()) {
    html.append("<p class=\"error\">");
    AppendEscapedHtml(html, error);
    html.append("</p>");
  }
  html.append(
      "<form id=\"login-form\" method=\"post\" action=\"/login\">"
      "<label>User <input type=\"text\" name=\"user\" autocomplete=\"username\" "
      "placeholder=\"empty to sign in with the token\"></label>"
      "<label>Password or token <input type=\"password\" name=\"password\" "
      "autocomplete=\"current-password\" required></label>"
      "<button type=\"submit\">Sign in</button></form></main></body></html>\n");
  return page;
}

Page AlertsPage(const ConsoleQueries& queries, const FormFields& filters,
                const PageContext& context) {
  std::string html = "<h1>Alerts</h1>";
  html.append("<form id=\"alert-filters\" method=\"get\" action=\"/alerts\">");
  AppendTextInput(html, "from", "From", FieldOr(filters, "from"), "2022-11-10T00:00:00Z");
  AppendTextInput(html, "to", "To", FieldOr(filters, "to"), "2022-11-11T00:00:00Z");
  html.append("<label>Severity <select name=\"severity\">");
  std::string severity = FieldOr(filters, "severity");
  AppendOption(html, "", "any", severity);
  for (int i = 4; i >= 0; --i) AppendOption(html, SeverityLabel(i), SeverityLabel(i), severity);
  html.append("</select></label> ");
  AppendTextInput(html, "rule", "Rule", FieldOr(filters, "rule"), "root-signin");
  AppendTextInput(html, "account", "Account", FieldOr(filters, "account"), "111122223333");
  html.append("<label>Status <select name=\"status\">");
  std::string status = FieldOr(filters, "status");
  AppendOption(html, "", "any", status);
  for (const char* name : {"delivered", "pending", "dead"}) AppendOption(html, name, name, status);
  html.append("</select></label> ");
  AppendTextInput(html, "q", "Search", FieldOr(filters, "q"), "identity, IP or event name");
  html.append("<button type=\"submit\">Filter</button> <a href=\"/alerts\">Clear</a></form>");

  auto page = queries.Alerts(filters);
  if (!page.ok()) {
    bool bad_filter = page.message().starts_with("parameter ");
    return ErrorPage(bad_filter ? 400 : 500, "Alerts", "/alerts", context,
                     bad_filter ? page.message() : "the alert history cannot be read: " + page.message());
  }
  std::map<std::string, std::string> aliases = queries.AccountAliases();
  if (page->alerts.empty()) {
    html.append("<p id=\"empty\">No alerts match.</p>");
  }
  html.append(
      "<table id=\"alerts\"><thead><tr><th>Time (UTC)</th><th>Severity</th><th>Rule</th>"
      "<th>Account</th><th>Region</th><th>Identity</th><th>Source IP</th><th>Event</th>"
      "<th>Targets</th><th></th></tr></thead><tbody>");
  for (const store::StoredAlert& alert : page->alerts) {
    const store::AlertRecord& record = alert.record;
    html.append(fmt::format("<tr class=\"alert\" data-id=\"{}\">", alert.id));
    html.append("<td class=\"time\">").append(FormatTimeMs(record.event_time)).append("</td>");
    std::string_view severity_label = SeverityLabel(record.severity);
    html.append("<td class=\"severity ").append(severity_label).append("\">");
    html.append(severity_label).append("</td><td class=\"rule\">");
    AppendEscapedHtml(html, record.rule);
    html.append("</td><td class=\"account\">");
    AppendEscapedHtml(html, AccountLabel(aliases, record.account));
    html.append("</td><td class=\"region\">");
    AppendEscapedHtml(html, record.region);
    html.append("</td><td class=\"identity\">");
    AppendEscapedHtml(html, record.identity);
    html.append("</td><td class=\"source-ip\">");
    AppendEscapedHtml(html, record.source_ip);
    html.append("</td><td class=\"event-name\">");
    AppendEscapedHtml(html, record.event_name);
    html.append("</td><td class=\"status\">");
    AppendDeliveries(html, alert);
    html.append(fmt::format("</td><td><a class=\"detail\" href=\"/alerts/{}\">details</a>",
                            alert.id));
    std::string console_url = render::CloudTrailEventUrl(record.region, record.event_id);
    if (!console_url.empty()) {
      html.append(" <a class=\"cloudtrail\" rel=\"noreferrer noopener\" target=\"_blank\" href=\"");
      AppendEscapedHtml(html, console_url);
      html.append("\">CloudTrail</a>");
    }
    html.append("</td></tr>");
  }
  html.append("</tbody></table>");
  if (page->next_before_id != 0) {
    std::string next = "/alerts?";
    for (const auto& [name, value] : filters) {
      if (name == "cursor" || value.empty()) continue;
      next.append(EncodeUriComponent(name)).append("=").append(EncodeUriComponent(value)).append("&");
    }
    next.append("cursor=").append(std::to_string(page->next_before_id));
    html.append("<p><a id=\"next-page\" href=\"");
    AppendEscapedHtml(html, next);
    html.append("\">Older alerts →</a></p>");
  }
  return Framed(200, "Alerts", "/alerts", context, html);
}

Page AlertPage(const ConsoleQueries& queries, int64_t id, const PageContext& context) {
  auto found = queries.Alert(id);
  if (!found.ok()) {
    return ErrorPage(500, "Alert", "/alerts", context,
                     "the alert history cannot be read: " + found.message());
  }
  if (!found.value()) {
    return ErrorPage(404, "Alert", "/alerts", context,
                     fmt::format("there is no alert {} (it may have been pruned)", id));
  }
  const store::StoredAlert& alert = **found;
  const store::AlertRecord& record = alert.record;
  auto parsed = outbox::ParseAlert(record.alert_json);
  std::map<std::string, std::string> aliases = queries.AccountAliases();
  std::string html = "<p><a href=\"/alerts\">← Alerts</a></p><h1>";
  std::string title;
  if (parsed.ok()) {
    auto view = render::MakeAlertView(*parsed, aliases);
    if (view.ok()) title = view->title;
  }
  AppendEscapedHtml(html, title.empty() ? record.rule : title);
  html.append("</h1><dl class=\"facts\">");
  auto fact = [&html](std::string_view name, std::string_view value) {
    html.append("<dt>").append(name).append("</dt><dd>");
    AppendEscapedHtml(html, value);
    html.append("</dd>");
  };
  fact("Event time", FormatTimeMs(record.event_time));
  fact("Severity", SeverityLabel(record.severity));
  std::string rules_text;
  if (parsed.ok()) {
    for (const std::string& rule : parsed->Rules()) {
      if (!rules_text.empty()) rules_text.append(", ");
      rules_text.append(rule);
    }
  }
  fact("Rules", rules_text.empty() ? record.rule : rules_text);
  fact("Account", AccountLabel(aliases, record.account));
  fact("Region", record.region);
  fact("Identity", record.identity);
  fact("Source IP", record.source_ip);
  fact("Event", record.event_name);
  fact("Event ID", record.event_id);
  fact("From", record.origin);
  html.append("</dl>");
  std::string console_url = render::CloudTrailEventUrl(record.region, record.event_id);
  if (!console_url.empty()) {
    html.append("<p><a class=\"cloudtrail\" rel=\"noreferrer noopener\" target=\"_blank\" href=\"");
    AppendEscapedHtml(html, console_url);
    html.append("\">Open in the CloudTrail console</a></p>");
  }
  html.append(
      "<h2>Deliveries</h2><table id=\"deliveries\"><thead><tr><th>Target</th><th>State</th>"
      "<th>Attempts</th><th>Next attempt</th><th>Last error</th><th>Outbox id</th></tr></thead>"
      "<tbody>");
  for (const store::AlertDelivery& delivery : alert.deliveries) {
    html.append("<tr class=\"delivery\" data-target=\"");
    AppendEscapedHtml(html, delivery.target);
    html.append("\"><td>");
    AppendEscapedHtml(html, delivery.target);
    std::string_view status = DeliveryStatusName(delivery);
    html.append("</td><td class=\"state ").append(status).append("\">").append(status);
    html.append(fmt::format("</td><td>{}</td><td>", delivery.attempts));
    if (status == "pending") html.append(FormatTimeMs(delivery.next_attempt_at));
    html.append("</td><td class=\"error\">");
    AppendEscapedHtml(html, delivery.last_error);
    html.append(fmt::format("</td><td>{}</td></tr>", delivery.outbox_id));
  }
  html.append("</tbody></table>");
  if (parsed.ok()) {
    auto view = render::MakeAlertView(*parsed, aliases);
    if (view.ok()) {
      html.append("<h2>As sent</h2><section id=\"rendered\"><pre>");
      AppendEscapedHtml(html, render::RenderStdout(*view, *parsed, true));
      html.append("</pre></section>");
    }
    html.append(
        "<details id=\"event\" open><summary>Event JSON</summary>"
        "<button type=\"button\" id=\"copy-event\">Copy</button><pre id=\"event-json\">");
    // Pretty-printed by console.js; the server sends the exact text the rules saw.
    AppendEscapedHtml(html, parsed->envelope.json);
    html.append("</pre></details>");
  }
  return Framed(200, "Alert", "/alerts", context, html);
}

Page DeadLettersPage(const ConsoleQueries& queries, const FormFields& fields,
                     const PageContext& context) {
  int64_t after = 0;
  std::string cursor = FieldOr(fields, "cursor");
  if (!cursor.empty()) {
    char* end = nullptr;
    after = std::strtoll(cursor.c_str(), &end, 10);
    if (end == nullptr || *end != '\0' || after < 0) {
      return ErrorPage(400, "Dead letters", "/dead-letters", context,
                       "parameter cursor: must be the cursor of a previous page");
    }
  }
  auto page = queries.DeadLetters(after, 100);
  if (!page.ok()) {
    return ErrorPage(500, "Dead letters", "/dead-letters", context,
                     "the outbox cannot be read: " + page.message());
  }
  std::string html =
      "<h1>Dead letters</h1><p>Alerts a target refused for good or that waited longer than its "
      "max_age. Retry queues them again (attempts reset); purge deletes them.</p>"
      "<div class=\"actions\"><button type=\"button\" id=\"select-all\">Select all</button> "
      "<button type=\"button\" id=\"retry-selected\">Retry selected</button> "
      "<button type=\"button\" id=\"purge-selected\" class=\"danger\">Purge selected</button> "
      "<span id=\"action-result\" role=\"status\"></span></div>";
  if (page->entries.empty()) html.append("<p id=\"empty\">No dead letters.</p>");
  html.append(
      "<table id=\"dead-letters\"><thead><tr><th></th><th>Id</th><th>Created (UTC)</th>"
      "<th>Target</th><th>Rule</th><th>Attempts</th><th>Last error</th></tr></thead><tbody>");
  for (const outbox::Entry& entry : page->entries) {
    html.append(fmt::format(
        "<tr class=\"dead\" data-id=\"{0}\"><td><input class=\"select\" type=\"checkbox\" "
        "value=\"{0}\" aria-label=\"select {0}\"></td><td>{0}</td><td>{1}</td><td class=\"target\">",
        entry.id, FormatTimeMs(entry.created_at)));
    AppendEscapedHtml(html, entry.target);
    html.append("</td><td class=\"rule\">");
    AppendEscapedHtml(html, entry.alert.rule);
    html.append(fmt::format("</td><td>{}</td><td class=\"error\">", entry.attempts));
    AppendEscapedHtml(html, entry.last_error);
    html.append("</td></tr>");
  }
  html.append("</tbody></table>");
  if (page->next_cursor != 0) {
    html.append(fmt::format("<p><a id=\"next-page\" href=\"/dead-letters?cursor={}\">More →</a></p>",
                            page->next_cursor));
  }
  return Framed(200, "Dead letters", "/dead-letters", context, html);
}

Page RulesPage(const ConsoleQueries& queries, const PageContext& context) {
  auto table = queries.Rules(context.now_ms);
  if (!table.ok()) {
    return ErrorPage(500, "Rules", "/rules", context,
                     "the alert history cannot be read: " + table.message());
  }
  std::string html =
      "<h1>Rules</h1><p>Matches are alerts recorded in the last hour, day and week (every rule "
      "an alert names counts).</p><table id=\"rules\"><thead><tr><th>Rule</th><th>Pack</th>"
      "<th>Severity</th><th>Targets</th><th>Suppressions</th><th>Threshold</th><th>Enabled</th>"
      "<th>1 h</th><th>24 h</th><th>7 d</th></tr></thead><tbody>";
  for (const RuleRow& row : table->rows) {
    const rules::RuleSpec& spec = *row.spec;
    html.append("<tr class=\"rule\" data-name=\"");
    AppendEscapedHtml(html, spec.name);
    html.append("\"><td class=\"name\"><details><summary>");
    AppendEscapedHtml(html, spec.name);
    html.append("</summary>");
    if (!spec.description.empty()) {
      html.append("<p>");
      AppendEscapedHtml(html, spec.description);
      html.append("</p>");
    }
    html.append("<pre class=\"pattern\">");
    AppendEscapedHtml(html, spec.pattern_json);
    html.append("</pre>");
    for (const std::string& suppress : spec.suppress_json) {
      html.append("<p>Suppressed when:</p><pre class=\"pattern\">");
      AppendEscapedHtml(html, suppress);
      html.append("</pre>");
    }
    html.append("</details></td><td class=\"pack\">");
    AppendEscapedHtml(html, spec.pack);
    html.append("</td><td class=\"severity\">");
    html.append(route::SeverityName(spec.severity));
    html.append("</td><td class=\"targets\">");
    for (size_t i = 0; i < spec.targets.size(); ++i) {
      if (i > 0) html.append(", ");
      AppendEscapedHtml(html, spec.targets[i]);
    }
    html.append(fmt::format("</td><td class=\"suppressions\">{}</td><td class=\"threshold\">",
                            spec.suppress_json.size()));
    if (spec.threshold) {
      html.append(fmt::format("{} in {} s", spec.threshold->count, spec.threshold->window.count()));
    }
    html.append("</td><td class=\"enabled\">").append(spec.enabled ? "yes" : "no");
    html.append(fmt::format(
        "</td><td class=\"matches-1h\">{}</td><td class=\"matches-24h\">{}</td>"
        "<td class=\"matches-7d\">{}</td></tr>",
        row.matches_1h, row.matches_24h, row.matches_7d));
  }
  html.append("</tbody></table>");
  return Framed(200, "Rules", "/rules", context, html);
}

Page SandboxPage(const ConsoleQueries& queries, const PageContext& context) {
  std::string html =
      "<h1>Sandbox</h1><p>Test an EventBridge event pattern against an event, as "
      "<code>aws events test-event-pattern</code> and <code>trailwatch test-pattern</code> do, and "
      "see which of the running rules alert on the event.</p>"
      "<label>Sample event <select id=\"sample-event\"><option value=\"\">choose a sample…"
      "</option>";
  std::vector<SampleEvent> samples = queries.Samples();
  for (size_t i = 0; i < samples.size(); ++i) {
    html.append("<option value=\"");
    AppendEscapedHtml(html, samples[i].event);
    html.append("\">");
    AppendEscapedHtml(html, samples[i].label);
    html.append("</option>");
  }
  html.append(
      "</select></label>"
      "<div class=\"sandbox\"><label>Event<textarea id=\"event\" spellcheck=\"false\" "
      "rows=\"18\"></textarea></label><label>Pattern<textarea id=\"pattern\" spellcheck=\"false\" "
      "rows=\"18\">{\"detail-type\": [\"AWS Console Sign In via CloudTrail\"]}</textarea></label>"
      "</div><p><button type=\"button\" id=\"test-pattern\">Test pattern</button> "
      "<button type=\"button\" id=\"match-rules\">Which rules alert?</button></p>"
      "<h2>Result</h2><pre id=\"pattern-result\" role=\"status\"></pre>"
      "<h2>Rules that alert on this event</h2><ul id=\"matching-rules\"></ul>");
  return Framed(200, "Sandbox", "/sandbox", context, html);
}

Page SourcesPage(const ConsoleQueries& queries, const PageContext& context) {
  std::string html =
      "<h1>Sources</h1><table id=\"sources\"><thead><tr><th>Source</th><th>Type</th>"
      "<th>State</th><th>Newest object age</th><th>Counters</th><th>Last error</th></tr></thead>"
      "<tbody>";
  for (const SourceStatus& source : queries.Sources()) {
    html.append("<tr class=\"source\" data-name=\"");
    AppendEscapedHtml(html, source.name);
    html.append("\"><td class=\"name\">");
    AppendEscapedHtml(html, source.name);
    html.append("</td><td class=\"type\">");
    AppendEscapedHtml(html, source.type);
    html.append("</td><td class=\"state\">");
    AppendEscapedHtml(html, source.state);
    html.append("</td><td class=\"age\">");
    if (source.newest_object_age_seconds >= 0) {
      html.append(fmt::format("{:.0f} s", source.newest_object_age_seconds));
    }
    html.append("</td><td class=\"counters\">");
    for (const auto& [name, value] : source.counters) {
      html.append("<span>");
      AppendEscapedHtml(html, name);
      html.append(fmt::format(": {:.0f}</span> ", value));
    }
    html.append("</td><td class=\"last-error\">");
    AppendEscapedHtml(html, source.last_error);
    html.append("</td></tr>");
  }
  html.append(
      "</tbody></table><h2>Targets</h2><table id=\"targets\"><thead><tr><th>Target</th>"
      "<th>Type</th><th>Queue depth</th><th>Oldest pending</th><th>Dead</th></tr></thead><tbody>");
  auto targets = queries.Targets();
  if (!targets.ok()) {
    html.append("</tbody></table><p class=\"error\">");
    AppendEscapedHtml(html, "the outbox cannot be read: " + targets.message());
    html.append("</p>");
    return Framed(500, "Sources", "/sources", context, html);
  }
  for (const TargetStatus& target : *targets) {
    html.append("<tr class=\"target\" data-name=\"");
    AppendEscapedHtml(html, target.name);
    html.append("\"><td class=\"name\">");
    AppendEscapedHtml(html, target.name);
    html.append("</td><td class=\"type\">").append(target.type);
    html.append(fmt::format(
        "</td><td class=\"queue-depth\">{}</td><td class=\"oldest-pending\">{}</td>"
        "<td class=\"dead\">{}</td></tr>",
        target.queue_depth,
        target.queue_depth > 0 ? fmt::format("{:.0f} s", target.oldest_pending_age_seconds) : "",
        target.dead));
  }
  html.append("</tbody></table>");
  return Framed(200, "Sources", "/sources", context, html);
}

Page NotFoundPage(const PageContext& context) {
  return ErrorPage(404, "Not found", "", context, "There is no such page.");
}

}  // namespace trailwatch::console
