#include "route/alert_history_writer.h"

#include <unordered_map>

#include "common/json_string.h"
#include "render/alert_view.h"

namespace trailwatch::route {
namespace {

std::string LowerAscii(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

store::AlertRecord MakeRecord(const Alert& alert,
                              const std::map<std::string, std::string>& aliases, int64_t now_ms) {
  store::AlertRecord record;
  record.alert_key = AlertHistoryKey(alert);
  record.recorded_at = now_ms;
  record.severity = static_cast<int>(alert.severity);
  record.rule = alert.rule;
  record.rules_json.push_back('[');
  for (const std::string& rule : alert.Rules()) {
    if (record.rules_json.size() > 1) record.rules_json += ',';
    AppendJsonString(record.rules_json, rule);
  }
  record.rules_json += ']';
  record.event_id = alert.envelope.DedupKey();
  record.origin = alert.origin;
  record.test = alert.test;
  record.alert_json = outbox::SerializeAlert(alert);
  // The same view the targets render, so the console names the identity as Slack did. An event
  // that is not JSON cannot reach here (the rules parsed it); keep the row with what is known.
  auto view = render::MakeAlertView(alert, aliases);
  if (view.ok()) {
    record.event_time = view->event_epoch * 1000;
    record.account = view->account_id;
    record.region = view->region;
    record.identity = view->identity;
    record.source_ip = view->source_ip;
    record.event_name = view->event_name;
  }
  record.search_text = LowerAscii(record.identity);
  record.search_text.append("\n").append(LowerAscii(record.source_ip));
  record.search_text.append("\n").append(LowerAscii(record.event_name));
  return record;
}

}  // namespace

std::string AlertHistoryKey(const Alert& alert) {
  std::string key = "[";
  AppendJsonString(key, alert.envelope.DedupKey());
  key += ',';
  AppendJsonString(key, alert.rule);
  key += ']';
  return key;
}

std::vector<store::NewAlert> MakeHistoryRecords(
    const std::vector<outbox::NewEntry>& entries,
    const std::map<std::string, std::string>& account_aliases, int64_t now_ms) {
  std::vector<store::NewAlert> records;
  std::unordered_map<std::string, size_t> by_key;
  for (const outbox::NewEntry& entry : entries) {
    if (entry.alert.test) continue;  // `send-test` samples are not alerts
    std::string key = AlertHistoryKey(entry.alert);
    auto [found, added] = by_key.try_emplace(key, records.size());
    if (added) {
      records.push_back({MakeRecord(entry.alert, account_aliases, now_ms), {}});
    }
    records[found->second].links.push_back(
        {entry.target, outbox::IdempotencyKey(entry.target, entry.alert)});
  }
  return records;
}

}  // namespace trailwatch::route
