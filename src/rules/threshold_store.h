// ThresholdStore: the counters behind rule thresholds ({count: 5, window: 15m, group_by: [...]}),
// kept in the SQLite store next to the outbox so they survive restarts.
//
// Semantics (docs/rules.md, "Thresholds"), all in EVENT time — the envelope's `time`, never the
// wall clock, so a replay, a late S3 file and a live event are counted alike:
//  * Events of one rule are grouped by the values at the group_by paths (missing = null).
//  * A group fires once `count` distinct events fall within one window: their times t satisfy
//    first <= t < first + window. The event that completes the count is the one that alerts.
//  * The same event (detail.eventID, else the envelope id) is counted once per rule. If a replay
//    brings back the event that fired, it fires again, so that an alert lost in a crash between
//    this store and the outbox is not lost (the outbox's idempotency key drops the repeat).
//  * After firing, the group is quiet until the window that fired has passed: events with time
//    before first + window (`quiet_until`) are neither counted nor alerted. Counting restarts
//    with the events at or after quiet_until.
//  * Bounded growth: rows are pruned once older than the rule's newest event time minus window
//    minus kLateness (an allowance for late files from other regions and accounts); an event
//    arriving later than that still counts, but only with what is left.
//
// Storage: store::ThresholdCounts (store/threshold_counts.h), plain records behind an interface a
// PostgreSQL backend can implement too; the SQLite one (store/sqlite_threshold_counts.h) keeps the
// tables threshold_events (rule, event_id) -> group, time, fired and threshold_groups (rule,
// group) -> quiet_until, fired_event_id, created by store/schema.cpp. This class reads the event
// and decides when to prune; the store counts.
//
// Thread-safety: all methods may be called from many threads (one mutex).
// Several processes may share the file (SQLite locks, busy timeout); each observation is one
// IMMEDIATE transaction, so two processes consuming one queue count each event once.
#pragma once

#include <simdjson.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "common/result.h"
#include "envelope/envelope.h"
#include "store/store_backend.h"
#include "store/threshold_counts.h"
#include "rules/rule_spec.h"

namespace trailwatch::rules {

// How late (in event time) an event may arrive and still find its window's rows.
inline constexpr std::chrono::seconds kLateness{3600};

struct ThresholdDecision {
  bool fire = false;       // alert for this event now
  bool duplicate = false;  // this event was already counted for the rule
  bool quiet = false;      // the group fired and its window has not passed: not counted
  int count = 0;           // events in the best window containing this event (when counted)
  std::string group;       // the group key: a JSON array of the group_by values
};

// The facts of an event that thresholds need, read from its envelope.
struct ThresholdEvent {
  std::string event_id;
  int64_t time = 0;   // seconds since the epoch, from the envelope's `time`
  std::string group;  // JSON array of the values at the group_by paths
  // (group and event_id longer than 256 bytes are replaced by "sha256:<hex>" to bound row size)
};

// Reads event id and time from the envelope's header (no parse) and, when the threshold groups,
// the group_by values from its text. Errors: no usable `time`, invalid JSON.
Result<ThresholdEvent> ReadThresholdEvent(simdjson::dom::parser& parser,
                                          const envelope::Envelope& event,
                                          const ThresholdSpec& threshold);

class ThresholdStore {
 public:
  // Opens the store the `store` setting names (a SQLite file, created and migrated if needed, or a
  // postgresql:// URI: store/store_backend.h).
  static Result<std::unique_ptr<ThresholdStore>> Open(const std::string& store);
  // Over the counters of an open backend (the service's; shared by replicas on PostgreSQL, so one
  // window per group counts the events every replica saw).
  static Result<std::unique_ptr<ThresholdStore>> Open(store::StoreBackend& backend);
  // Over any backend.
  explicit ThresholdStore(std::unique_ptr<store::ThresholdCounts> counts)
      : counts_(std::move(counts)) {}

  // Counts one event that matched `rule` (which has a threshold) and says whether to alert.
  Result<ThresholdDecision> Observe(const RuleSpec& rule, const envelope::Envelope& event);

  // The same with the event's facts already read.
  Result<ThresholdDecision> Record(const std::string& rule, const ThresholdSpec& threshold,
                                   const ThresholdEvent& event);

  // Drops the counters of rules not in `rule_names` (after a reload removed them).
  Status Forget(const std::set<std::string>& rule_names);

  // Rows currently stored, for tests and metrics.
  Result<int64_t> EventRows();

 private:
  Result<ThresholdDecision> RecordLocked(const std::string& rule, const ThresholdSpec& threshold,
                                         const ThresholdEvent& event);

  std::mutex mutex_;
  std::unique_ptr<store::ThresholdCounts> counts_;
  simdjson::dom::parser parser_;
  // Per rule: newest event time seen, and the newest time pruning ran for (in-memory only: after
  // a restart the first event of each rule prunes again).
  std::map<std::string, int64_t, std::less<>> newest_;
  std::map<std::string, int64_t, std::less<>> pruned_at_;
};

}  // namespace trailwatch::rules
