#include "console/console_api.h"

#include <simdjson.h>

#include <charconv>

#include "console/alert_listing.h"
#include "render/json_writer.h"

namespace trailwatch::console {
namespace {

constexpr size_t kMaxIdsPerAction = 1000;

server::HttpResponse JsonOk(std::string body) {
  server::HttpResponse response;
  response.status = 200;
  response.content_type = "application/json";
  response.body = std::move(body);
  return response;
}

server::HttpResponse StoreError(const Error& error) {
  return JsonError(500, "StoreError", error.message);
}

std::optional<int64_t> ParseId(std::string_view text) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 1) return std::nullopt;
  return value;
}

// The request's JSON object body, or an error answer.
Result<simdjson::dom::element> ParseBody(simdjson::dom::parser& parser,
                                         const server::HttpRequest& request) {
  simdjson::dom::element root;
  if (auto error = parser.parse(request.body).get(root)) {
    return Error{std::string("the body is not JSON: ") + simdjson::error_message(error)};
  }
  if (!root.is_object()) return Error{"the body must be a JSON object"};
  return root;
}

Result<std::vector<int64_t>> IdsOf(simdjson::dom::element root) {
  simdjson::dom::array ids;
  if (root["ids"].get(ids)) return Error{"field ids: must be an array of outbox ids"};
  std::vector<int64_t> out;
  for (simdjson::dom::element id : ids) {
    int64_t value = 0;
    if (id.get(value) || value < 1) return Error{"field ids: every id must be a positive integer"};
    out.push_back(value);
    if (out.size() > kMaxIdsPerAction) {
      return Error{"field ids: at most " + std::to_string(kMaxIdsPerAction) + " ids per request"};
    }
  }
  return out;
}

// A field that is a JSON string (its value) or any other JSON value (its text), as AWS's
// TestEventPattern takes the event and the pattern as strings, and scripts find objects handier.
Result<std::string> TextOrJson(simdjson::dom::element root, std::string_view name) {
  simdjson::dom::element value;
  if (root[name].get(value)) return Error{"field " + std::string(name) + ": missing"};
  std::string_view text;
  if (!value.get(text)) return std::string(text);
  return simdjson::to_string(value);
}

server::HttpResponse Alerts(const ConsoleQueries& queries, const server::HttpRequest& request) {
  auto fields = ParseFormFields(QueryOf(request.target));
  if (!fields.ok()) return JsonError(400, "ValidationException", fields.message());
  auto page = queries.Alerts(*fields);
  if (!page.ok()) {
    if (page.message().starts_with("parameter ")) {
      return JsonError(400, "ValidationException", page.message());
    }
    return StoreError(page.error());
  }
  std::map<std::string, std::string> aliases = queries.AccountAliases();
  render::JsonWriter json;
  json.BeginObject().Key("alerts").BeginArray();
  for (const store::StoredAlert& alert : page->alerts) WriteAlertJson(json, alert, aliases, false);
  json.EndArray().Key("next_cursor");
  if (page->next_before_id != 0) {
    json.String(std::to_string(page->next_before_id));
  } else {
    json.Null();
  }
  json.EndObject();
  return JsonOk(json.Take());
}

server::HttpResponse OneAlert(const ConsoleQueries& queries, std::string_view id_text) {
  auto id = ParseId(id_text);
  if (!id) return JsonError(404, "NotFound", "no such alert");
  auto found = queries.Alert(*id);
  if (!found.ok()) return StoreError(found.error());
  if (!found.value()) return JsonError(404, "NotFound", "no such alert");
  render::JsonWriter json;
  WriteAlertJson(json, **found, queries.AccountAliases(), true);
  return JsonOk(json.Take());
}

server::HttpResponse DeadLetters(const ConsoleQueries& queries,
                                 const server::HttpRequest& request) {
  auto fields = ParseFormFields(QueryOf(request.target));
  if (!fields.ok()) return JsonError(400, "ValidationException", fields.message());
  int64_t after = 0;
  std::string cursor = FieldOr(*fields, "cursor");
  if (!cursor.empty()) {
    auto parsed = ParseId(cursor);
    if (!parsed) return JsonError(400, "ValidationException", "parameter cursor: not a cursor");
    after = *parsed;
  }
  auto page = queries.DeadLetters(after, 100);
  if (!page.ok()) return StoreError(page.error());
  render::JsonWriter json;
  json.BeginObject().Key("dead_letters").BeginArray();
  for (const outbox::Entry& entry : page->entries) {
    json.BeginObject();
    json.Key("id").Int(entry.id);
    json.Member("target", entry.target);
    json.Member("rule", entry.alert.rule);
    json.Member("event_id", entry.alert.envelope.DedupKey());
    json.Member("created_at", FormatTimeMs(entry.created_at));
    json.Key("attempts").Int(entry.attempts);
    json.Member("last_error", entry.last_error);
    json.Key("response_status").Int(entry.response_status);
    json.EndObject();
  }
  json.EndArray().Key("next_cursor");
  if (page->next_cursor != 0) {
    json.String(std::to_string(page->next_cursor));
  } else {
    json.Null();
  }
  json.EndObject();
  return JsonOk(json.Take());
}

server::HttpResponse DeadLetterAction(const ConsoleQueries& queries,
                                      const server::HttpRequest& request, bool retry) {
  simdjson::dom::parser parser;
  auto root = ParseBody(parser, request);
  if (!root.ok()) return JsonError(400, "ValidationException", root.message());
  auto ids = IdsOf(*root);
  if (!ids.ok()) return JsonError(400, "ValidationException", ids.message());
  auto changed = retry ? queries.RetryDeadLetters(*ids) : queries.PurgeDeadLetters(*ids);
  if (!changed.ok()) return StoreError(changed.error());
  render::JsonWriter json;
  json.BeginObject().Key(retry ? "retried" : "purged").Int(*changed).EndObject();
  return JsonOk(json.Take());
}

server::HttpResponse Rules(const ConsoleQueries& queries, int64_t now_ms) {
  auto table = queries.Rules(now_ms);
  if (!table.ok()) return StoreError(table.error());
  render::JsonWriter json;
  json.BeginObject().Key("rules").BeginArray();
  for (const RuleRow& row : table->rows) {
    const rules::RuleSpec& spec = *row.spec;
    json.BeginObject();
    json.Member("name", spec.name);
    json.Member("pack", spec.pack);
    json.Member("description", spec.description);
    json.Member("severity", route::SeverityName(spec.severity));
    json.MemberBool("enabled", spec.enabled);
    json.Key("pattern").Raw(spec.pattern_json);
    json.Key("suppress").BeginArray();
    for (const std::string& suppress : spec.suppress_json) json.Raw(suppress);
    json.EndArray();
    json.Key("targets").BeginArray();
    for (const std::string& target : spec.targets) json.String(target);
    json.EndArray();
    json.Key("threshold");
    if (spec.threshold) {
      json.BeginObject();
      json.Key("count").Int(spec.threshold->count);
      json.Key("window_seconds").Int(spec.threshold->window.count());
      json.Key("group_by").BeginArray();
      for (const std::string& path : spec.threshold->group_by) json.String(path);
      json.EndArray().EndObject();
    } else {
      json.Null();
    }
    json.Key("matches").BeginObject();
    json.Key("1h").Int(row.matches_1h);
    json.Key("24h").Int(row.matches_24h);
    json.Key("7d").Int(row.matches_7d);
    json.EndObject();
    json.EndObject();
  }
  json.EndArray().EndObject();
  return JsonOk(json.Take());
}

server::HttpResponse Sources(const ConsoleQueries& queries) {
  auto targets = queries.Targets();
  if (!targets.ok()) return StoreError(targets.error());
  render::JsonWriter json;
  json.BeginObject().Key("sources").BeginArray();
  for (const SourceStatus& source : queries.Sources()) {
    json.BeginObject();
    json.Member("name", source.name);
    json.Member("type", source.type);
    json.Member("state", source.state);
    json.Member("last_error", source.last_error);
    json.Key("newest_object_age_seconds");
    if (source.newest_object_age_seconds >= 0) {
      json.Raw(fmt::format("{:.3f}", source.newest_object_age_seconds));
    } else {
      json.Null();
    }
    json.Key("counters").BeginObject();
    for (const auto& [name, value] : source.counters) {
      json.Key(name).Raw(fmt::format("{:.0f}", value));
    }
    json.EndObject().EndObject();
  }
  json.EndArray().Key("targets").BeginArray();
  for (const TargetStatus& target : *targets) {
    json.BeginObject();
    json.Member("name", target.name);
    json.Member("type", target.type);
    json.Key("queue_depth").Int(target.queue_depth);
    json.Key("oldest_pending_age_seconds").Raw(fmt::format("{:.3f}", target.oldest_pending_age_seconds));
    json.Key("dead").Int(target.dead);
    json.EndObject();
  }
  json.EndArray().EndObject();
  return JsonOk(json.Take());
}

server::HttpResponse Samples(const ConsoleQueries& queries) {
  render::JsonWriter json;
  json.BeginObject().Key("samples").BeginArray();
  for (const SampleEvent& sample : queries.Samples()) {
    json.BeginObject().Member("label", sample.label).Key("event").Raw(sample.event).EndObject();
  }
  json.EndArray().EndObject();
  return JsonOk(json.Take());
}

// The text fields `names` of a JSON object body, in order, or the 400 answer saying what is wrong.
Result<std::vector<std::string>> BodyTexts(const server::HttpRequest& request,
                                           std::initializer_list<std::string_view> names) {
  simdjson::dom::parser parser;
  auto root = ParseBody(parser, request);
  if (!root.ok()) return root.error();
  std::vector<std::string> texts;
  for (std::string_view name : names) {
    auto text = TextOrJson(*root, name);
    if (!text.ok()) return text.error();
    texts.push_back(std::move(text.value()));
  }
  return texts;
}

server::HttpResponse TestPattern(const ConsoleQueries& queries,
                                 const server::HttpRequest& request) {
  auto fields = BodyTexts(request, {"event", "pattern"});
  if (!fields.ok()) return JsonError(400, "ValidationException", fields.message());
  rules::PatternTestOutcome outcome = queries.TestPattern((*fields)[1], (*fields)[0]);
  if (!outcome.valid) return JsonError(400, outcome.error, outcome.message);
  return JsonOk(outcome.Text());
}

server::HttpResponse MatchingRules(const ConsoleQueries& queries,
                                   const server::HttpRequest& request) {
  auto fields = BodyTexts(request, {"event"});
  if (!fields.ok()) return JsonError(400, "ValidationException", fields.message());
  const std::string& event = (*fields)[0];
  // The same validation as test-pattern: an event EventBridge would refuse gets AWS's error.
  rules::PatternTestOutcome valid = queries.TestPattern("{\"source\": [{\"exists\": true}]}", event);
  if (!valid.valid) return JsonError(400, valid.error, valid.message);
  auto names = queries.MatchingRules(event);
  if (!names.ok()) return JsonError(400, "ValidationException", names.message());
  render::JsonWriter json;
  json.BeginObject().Key("rules").BeginArray();
  for (const std::string& name : *names) json.String(name);
  json.EndArray().EndObject();
  return JsonOk(json.Take());
}

}  // namespace

server::HttpResponse JsonError(int status, std::string_view code, std::string_view message) {
  render::JsonWriter json;
  json.BeginObject().Member("error", code).Member("message", message).EndObject();
  server::HttpResponse response;
  response.status = status;
  response.content_type = "application/json";
  response.body = json.Take();
  return response;
}

server::HttpResponse HandleApiRequest(const ConsoleQueries& queries,
                                      const server::HttpRequest& request, int64_t now_ms) {
  std::string_view path = std::string_view(request.path).substr(std::string_view("/api/v1/").size());
  const bool get = request.method == "GET" || request.method == "HEAD";
  const bool post = request.method == "POST";
  struct Route {
    std::string_view path;
    bool post;
  };
  if (path == "alerts" && get) return Alerts(queries, request);
  if (path.starts_with("alerts/") && get) return OneAlert(queries, path.substr(7));
  if (path == "dead-letters" && get) return DeadLetters(queries, request);
  if (path == "dead-letters/retry" && post) return DeadLetterAction(queries, request, true);
  if (path == "dead-letters/purge" && post) return DeadLetterAction(queries, request, false);
  if (path == "rules" && get) return Rules(queries, now_ms);
  if (path == "sources" && get) return Sources(queries);
  if (path == "sandbox/samples" && get) return Samples(queries);
  if (path == "sandbox/test-pattern" && post) return TestPattern(queries, request);
  if (path == "sandbox/rules" && post) return MatchingRules(queries, request);
  constexpr Route kRoutes[] = {{"alerts", false},
                               {"dead-letters", false},
                               {"dead-letters/retry", true},
                               {"dead-letters/purge", true},
                               {"rules", false},
                               {"sources", false},
                               {"sandbox/samples", false},
                               {"sandbox/test-pattern", true},
                               {"sandbox/rules", true}};
  for (const Route& route : kRoutes) {
    if (route.path == path || (route.path == "alerts" && path.starts_with("alerts/"))) {
      server::HttpResponse refused =
          JsonError(405, "MethodNotAllowed", route.post ? "use POST" : "use GET");
      refused.headers.emplace_back("Allow", route.post ? "POST" : "GET, HEAD");
      return refused;
    }
  }
  return JsonError(404, "NotFound", "no such API endpoint");
}

}  // namespace trailwatch::console
