// AlertHistory: what the web console (issue 15, console/) lists — one row per alert the pipeline
// committed, with the columns its filters need, and links to the outbox rows that carry it to its
// targets, so that each target's status (delivered / pending with its next attempt / dead with
// its last error) is read live from the outbox rather than copied.
//
// Why a table of its own rather than a view over outbox_entries: the outbox holds one row per
// alert *per target*, with the alert as opaque JSON; the console wants one row per alert, newest
// first, filtered by time, severity, rule, account and text over 100,000+ alerts in well under
// 100 ms. Those need indexed columns, which the outbox (whose rows are the delivery's hot path)
// should not carry.
//
// The contract every backend keeps:
//  * alert_key is unique. Record of an existing key keeps the stored row and adds the links it
//    lacks (the pipeline records after each outbox commit, and a source that retries a batch
//    records it again: both must be harmless).
//  * ids grow with recording order; "newest first" is id order, descending.
//  * A link names the outbox row by its idempotency key (unique in the outbox), so it survives
//    `outbox retry`; a link whose outbox row was purged reads as state nullopt.
//  * Text is stored as given (PostgreSQL: as PgText makes it storable, a NUL byte or invalid
//    UTF-8 becoming U+FFFD, the needle mapped the same way); search_text is what the free-text
//    filter looks in (lower case, ASCII-folded by the caller) and the filter's needle is matched
//    as a plain substring of bytes (no LIKE wildcards).
//  * Recorders take turns (one Record transaction at a time, across processes), so an id never
//    becomes visible after a higher one: a console asking for "ids above the newest I have"
//    misses none.
// Times are Unix milliseconds.
//
// Thread-safety: implementations may be called from many threads at once.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "store/outbox_queue.h"

namespace trailwatch::store {

struct AlertRecord {
  std::string alert_key;     // unique: which event and rule this alert is (console/ builds it)
  int64_t recorded_at = 0;   // when the pipeline committed it
  int64_t event_time = 0;    // the CloudTrail eventTime (0 when unknown)
  int severity = 0;          // route::Severity as a number: 0 info ... 4 critical
  std::string rule;          // the alert's rule (grouped: the highest-severity one)
  std::string rules_json;    // every rule it names, a JSON array of strings
  std::string account;       // recipientAccountId / envelope account
  std::string region;
  std::string identity;      // who: ARN, user name or principal, as the alert shows it
  std::string source_ip;
  std::string event_name;
  std::string event_id;
  std::string origin;        // file path, s3://bucket/key or http
  bool test = false;         // a `send-test` sample
  std::string search_text;   // lower case: identity, source IP and event name, newline-separated
  std::string alert_json;    // the alert as the outbox serialised it (the event included)
};

struct AlertLink {
  std::string target;
  std::string idempotency_key;  // of the outbox row carrying this alert to `target`
};

struct NewAlert {
  AlertRecord record;
  std::vector<AlertLink> links;
};

// One target's delivery of an alert, read from the outbox row its link names.
struct AlertDelivery {
  std::string target;
  std::optional<QueueState> state;  // nullopt: the outbox row no longer exists (purged)
  int64_t outbox_id = 0;
  int attempts = 0;
  int64_t next_attempt_at = 0;
  std::string last_error;
  int response_status = 0;
};

struct StoredAlert {
  int64_t id = 0;
  AlertRecord record;  // alert_json is empty in Query's rows, filled by Get
  std::vector<AlertDelivery> deliveries;  // by target name
};

struct AlertQuery {
  int64_t before_id = 0;  // cursor: only ids below this; 0 = from the newest
  int64_t limit = 50;     // 1 ... 500
  std::optional<int64_t> event_time_from;  // inclusive
  std::optional<int64_t> event_time_to;    // exclusive
  std::vector<int> severities;             // any of these; empty = all
  std::string rule;                        // exact; empty = all (matches any of the alert's rules)
  std::string account;                     // exact; empty = all
  // Alerts with at least one delivery in this state.
  std::optional<QueueState> status;
  std::string text;  // substring of search_text (give it in lower case); empty = all
};

struct AlertPage {
  std::vector<StoredAlert> alerts;  // newest first
  int64_t next_before_id = 0;       // the cursor of the next page; 0 when this is the last
};

// For the implementations (both backends share these, so that they check and say the same).
inline constexpr int64_t kMaxAlertQueryLimit = 500;
// limit within 1 ... kMaxAlertQueryLimit, before_id >= 0; the error names the field and value.
Status CheckAlertQuery(const AlertQuery& query);
// The rules an alert names, as its rule rows: `rule` and every string of `rules_json` (empty
// counts as []), sorted, without repeats. An error (naming the alert key) when rules_json is not a
// JSON array of strings.
Result<std::vector<std::string>> AlertRuleNames(const AlertRecord& record);
// The status filter takes the ids of its alerts from the outbox rows in that state (through the
// state index and the links) when fewer than this many rows are in it; with more (usually
// "delivered"), the state is common and checking the newest alerts' links one by one finds a
// page sooner than collecting every matching id.
inline constexpr int64_t kAlertStatusSetMaxRows = 5000;

class AlertHistory {
 public:
  virtual ~AlertHistory() = default;

  // All in one transaction (not fsync-critical: the outbox, not this table, keeps alerts safe).
  // A link to a target the alert already has a link to is left as it was. Fails (recording
  // nothing) when an alert's rules_json is not a JSON array of strings.
  virtual Status Record(const std::vector<NewAlert>& alerts) = 0;
  // Fails on a query CheckAlertQuery refuses.
  virtual Result<AlertPage> Query(const AlertQuery& query) = 0;
  // With alert_json.
  virtual Result<std::optional<StoredAlert>> Get(int64_t id) = 0;
  // Alerts recorded at or after `since` per rule (every rule an alert names counts).
  virtual Result<std::map<std::string, int64_t>> CountByRule(int64_t since) = 0;
  // The alert_json of the newest `limit` alerts (the sandbox's "last alerts' events"), newest first.
  // Each with its whole record (alert_json included) and no deliveries; `limit` 1 ... 500.
  virtual Result<std::vector<StoredAlert>> Recent(int64_t limit) = 0;
  // Deletes alerts recorded before `cutoff` whose every delivery is delivered or purged (a dead,
  // pending or in-flight one is kept whatever its age: someone still has to act on it), with their
  // links.
  // At most `max_rows` (>= 1) per call, so that pruning never holds the store for long, oldest
  // first. Returns how many.
  virtual Result<int64_t> Prune(int64_t cutoff, int64_t max_rows) = 0;
};

}  // namespace trailwatch::store
