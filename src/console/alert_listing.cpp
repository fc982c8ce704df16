#include "console/alert_listing.h"

#include <charconv>
#include <chrono>

#include "cloudtrail/event_time.h"
#include "outbox/outbox.h"
#include "render/alert_view.h"
#include "render/renderers.h"

namespace trailwatch::console {
namespace {

constexpr std::string_view kSeverityLabels[] = {"info", "low", "medium", "high", "critical"};

Error BadFilter(std::string_view name, std::string_view what) {
  std::string message = "parameter ";
  message.append(name).append(": ").append(what);
  return Error{message};
}

Result<std::optional<int64_t>> TimeFilter(const FormFields& fields, std::string_view name) {
  std::string text = FieldOr(fields, name);
  if (text.empty()) return std::optional<int64_t>();
  auto parsed = cloudtrail::ParseEventTime(text);
  if (!parsed) return BadFilter(name, "must be an RFC 3339 time like 2022-11-10T16:00:00Z");
  return std::optional<int64_t>(parsed->time_since_epoch().count() * 1000);
}

std::string LowerAscii(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

}  // namespace

Result<store::AlertQuery> ParseAlertFilters(const FormFields& fields) {
  store::AlertQuery query;
  auto from = TimeFilter(fields, "from");
  if (!from.ok()) return from.error();
  query.event_time_from = *from;
  auto to = TimeFilter(fields, "to");
  if (!to.ok()) return to.error();
  query.event_time_to = *to;
  std::string severities = FieldOr(fields, "severity");
  size_t start = 0;
  while (!severities.empty() && start <= severities.size()) {
    size_t comma = severities.find(',', start);
    std::string_view one = std::string_view(severities).substr(
        start, comma == std::string::npos ? std::string::npos : comma - start);
    bool known = false;
    for (int i = 0; i < 5; ++i) {
      if (one == kSeverityLabels[i]) {
        query.severities.push_back(i);
        known = true;
      }
    }
    if (!known) return BadFilter("severity", "must be info, low, medium, high or critical");
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  query.rule = FieldOr(fields, "rule");
  if (query.rule.size() > 256) return BadFilter("rule", "is longer than 256 characters");
  query.account = FieldOr(fields, "account");
  if (query.account.size() > 64) return BadFilter("account", "is longer than 64 characters");
  std::string status = FieldOr(fields, "status");
  if (status == "delivered") {
    query.status = store::QueueState::kDelivered;
  } else if (status == "pending") {
    query.status = store::QueueState::kPending;
  } else if (status == "dead") {
    query.status = store::QueueState::kDead;
  } else if (!status.empty()) {
    return BadFilter("status", "must be delivered, pending or dead");
  }
  query.text = LowerAscii(FieldOr(fields, "q"));
  if (query.text.size() > 256) return BadFilter("q", "is longer than 256 characters");
  for (const auto& [name, cursor_text] : fields) {
    if (name != "cursor" && name != "limit") continue;
    if (cursor_text.empty()) continue;
    int64_t value = 0;
    auto [end, error] =
        std::from_chars(cursor_text.data(), cursor_text.data() + cursor_text.size(), value);
    if (error != std::errc() || end != cursor_text.data() + cursor_text.size() || value < 1 ||
        (name == "limit" && value > 500)) {
      return BadFilter(name, name == "limit" ? "must be a number from 1 to 500"
                                             : "must be the next_cursor of a previous page");
    }
    (name == "cursor" ? query.before_id : query.limit) = value;
  }
  return query;
}

std::string FormatTimeMs(int64_t ms) {
  if (ms <= 0) return "";
  auto formatted = cloudtrail::FormatEventTime(
      std::chrono::sys_seconds(std::chrono::seconds(ms / 1000)));
  return formatted ? *formatted : "";
}

std::string_view DeliveryStatusName(const store::AlertDelivery& delivery) {
  if (!delivery.state) return "purged";
  switch (*delivery.state) {
    case store::QueueState::kDelivered: return "delivered";
    case store::QueueState::kDead: return "dead";
    case store::QueueState::kPending:
    case store::QueueState::kInFlight: return "pending";
  }
  return "pending";
}

std::string_view SeverityLabel(int severity) {
  if (severity < 0 || severity > 4) return "unknown";
  return kSeverityLabels[severity];
}

void WriteAlertJson(render::JsonWriter& json, const store::StoredAlert& stored,
                    const std::map<std::string, std::string>& account_aliases, bool full) {
  const store::AlertRecord& record = stored.record;
  json.BeginObject();
  json.Key("id").Int(stored.id);
  json.Member("recorded_at", FormatTimeMs(record.recorded_at));
  json.Member("event_time", FormatTimeMs(record.event_time));
  json.Member("severity", SeverityLabel(record.severity));
  json.Member("rule", record.rule);
  json.Key("rules").Raw(record.rules_json.empty() ? "[]" : record.rules_json);
  json.Member("account", record.account);
  auto alias = account_aliases.find(record.account);
  json.Member("account_alias", alias == account_aliases.end() ? "" : alias->second);
  json.Member("region", record.region);
  json.Member("identity", record.identity);
  json.Member("source_ip", record.source_ip);
  json.Member("event_name", record.event_name);
  json.Member("event_id", record.event_id);
  json.Member("origin", record.origin);
  json.Member("cloudtrail_url", render::CloudTrailEventUrl(record.region, record.event_id));
  json.Key("deliveries").BeginArray();
  for (const store::AlertDelivery& delivery : stored.deliveries) {
    json.BeginObject();
    json.Member("target", delivery.target);
    json.Member("status", DeliveryStatusName(delivery));
    json.Key("outbox_id").Int(delivery.outbox_id);
    json.Key("attempts").Int(delivery.attempts);
    if (delivery.state == store::QueueState::kPending && delivery.next_attempt_at > 0) {
      json.Member("next_attempt_at", FormatTimeMs(delivery.next_attempt_at));
    }
    if (!delivery.last_error.empty()) json.Member("last_error", delivery.last_error);
    json.EndObject();
  }
  json.EndArray();
  if (full) {
    auto alert = outbox::ParseAlert(record.alert_json);
    if (alert.ok()) {
      json.Key("event").Raw(alert->envelope.json);
      auto view = render::MakeAlertView(*alert, account_aliases);
      if (view.ok()) json.Member("rendered", render::RenderStdout(*view, *alert, true));
    }
  }
  json.EndObject();
}

}  // namespace trailwatch::console
