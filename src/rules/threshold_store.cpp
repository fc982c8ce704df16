#include "rules/threshold_store.h"
#include "common/json_string.h"

#include <openssl/evp.h>

#include <algorithm>
#include <vector>

#include "cloudtrail/event_time.h"
#include "config/yaml_json.h"

namespace trailwatch::rules {

namespace {

// The value at a dotted path as JSON text ("null" when absent); strings unescaped and re-quoted
// so that equal values give equal text whatever their escaping in the event.
void AppendValueAt(simdjson::dom::element root, std::string_view path, std::string* out) {
  simdjson::dom::element current = root;
  size_t start = 0;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    std::string_view step =
        path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    simdjson::dom::object object;
    if (current.get_object().get(object) != simdjson::SUCCESS ||
        object.at_key(step).get(current) != simdjson::SUCCESS) {
      out->append("null");
      return;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  std::string_view text;
  if (current.get_string().get(text) == simdjson::SUCCESS) {
    AppendJsonString(*out, text);
  } else {
    out->append(simdjson::minify(current));
  }
}

// Keys longer than this are stored as their SHA-256: group values and ids can be attacker-chosen
// text (a userName in a failed sign-in, an id POSTed to /events) up to the event size, and rows
// are kept for a window plus kLateness.
constexpr size_t kMaxKeyBytes = 256;

std::string BoundedKey(std::string key) {
  if (key.size() <= kMaxKeyBytes) return key;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(key.data(), key.size(), digest, &length, EVP_sha256(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

}  // namespace

Result<ThresholdEvent> ReadThresholdEvent(simdjson::dom::parser& parser,
                                          const envelope::Envelope& envelope,
                                          const ThresholdSpec& threshold) {
  ThresholdEvent event;
  if (envelope.time.empty()) return Error{"event has no time"};
  std::optional<std::chrono::sys_seconds> time = cloudtrail::ParseEventTime(envelope.time);
  if (!time) return Error{"event time is not an RFC 3339 date-time"};
  event.time = time->time_since_epoch().count();
  if (envelope.DedupKey().empty()) return Error{"event has neither detail.eventID nor id"};
  event.event_id = envelope.DedupKey();
  event.group.push_back('[');
  if (!threshold.group_by.empty()) {
    // Only grouped thresholds read the event's text, and only for events that matched the rule.
    simdjson::dom::element root;
    if (auto error = parser.parse(envelope.json.data(), envelope.json.size()).get(root)) {
      return Error{std::string("event is not valid JSON (") + simdjson::error_message(error) +
                   ")"};
    }
    for (size_t i = 0; i < threshold.group_by.size(); ++i) {
      if (i > 0) event.group.push_back(',');
      AppendValueAt(root, threshold.group_by[i], &event.group);
    }
  }
  event.group.push_back(']');
  event.group = BoundedKey(std::move(event.group));
  event.event_id = BoundedKey(std::move(event.event_id));
  return event;
}

Result<std::unique_ptr<ThresholdStore>> ThresholdStore::Open(const std::string& store) {
  auto backend = store::StoreBackend::Open(store);
  if (!backend.ok()) return backend.error();
  return Open(**backend);
}

Result<std::unique_ptr<ThresholdStore>> ThresholdStore::Open(store::StoreBackend& backend) {
  auto counts = backend.OpenThresholdCounts();
  if (!counts.ok()) return counts.error();
  return std::make_unique<ThresholdStore>(std::move(counts.value()));
}

Result<ThresholdDecision> ThresholdStore::Observe(const RuleSpec& rule,
                                                  const envelope::Envelope& envelope_event) {
  if (!rule.threshold) return Error{"rule " + rule.name + " has no threshold"};
  std::lock_guard lock(mutex_);
  Result<ThresholdEvent> event = ReadThresholdEvent(parser_, envelope_event, *rule.threshold);
  if (!event.ok()) return Error{"rule " + rule.name + ": " + event.message()};
  return RecordLocked(rule.name, *rule.threshold, *event);
}

Result<ThresholdDecision> ThresholdStore::Record(const std::string& rule,
                                                 const ThresholdSpec& threshold,
                                                 const ThresholdEvent& event) {
  std::lock_guard lock(mutex_);
  return RecordLocked(rule, threshold, event);
}

Result<ThresholdDecision> ThresholdStore::RecordLocked(const std::string& rule,
                                                       const ThresholdSpec& threshold,
                                                       const ThresholdEvent& event) {
  store::ThresholdObservation observation;
  observation.rule = rule;
  observation.event_id = event.event_id;
  observation.group = event.group;
  observation.time = event.time;
  observation.window = std::max<int64_t>(threshold.window.count(), 1);
  observation.count = threshold.count;

  // Pruning is a range delete on an index; once a minute of event time per rule is plenty. Rows
  // older than the rule's newest event time minus window minus kLateness go (see the header).
  auto newest_it = newest_.find(rule);
  const int64_t newest =
      newest_it == newest_.end() ? event.time : std::max(newest_it->second, event.time);
  auto pruned = pruned_at_.find(rule);
  std::optional<store::ThresholdPrune> prune;
  if (pruned == pruned_at_.end() || newest - pruned->second >= 60) {
    prune = store::ThresholdPrune{newest - threshold.window.count() - kLateness.count(),
                                  newest - kLateness.count()};
  }

  Result<store::ThresholdOutcome> outcome = counts_->Record(observation, prune);
  if (!outcome.ok()) return outcome.error();
  if (!outcome->duplicate) {  // a duplicate changes nothing, not even the newest time
    newest_[rule] = newest;
    if (prune) pruned_at_[rule] = newest;
  }
  ThresholdDecision decision;
  decision.fire = outcome->fire;
  decision.duplicate = outcome->duplicate;
  decision.quiet = outcome->quiet;
  decision.count = static_cast<int>(outcome->count);
  decision.group = event.group;
  return decision;
}

Status ThresholdStore::Forget(const std::set<std::string>& rule_names) {
  std::lock_guard lock(mutex_);
  Result<std::vector<std::string>> dropped = counts_->ForgetRulesExcept(rule_names);
  if (!dropped.ok()) return dropped.error();
  for (const std::string& rule : *dropped) {
    newest_.erase(rule);
    pruned_at_.erase(rule);
  }
  return Status::Ok();
}

Result<int64_t> ThresholdStore::EventRows() {
  std::lock_guard lock(mutex_);
  return counts_->EventRows();
}

}  // namespace trailwatch::rules
