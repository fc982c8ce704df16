// Envelope: the EventBridge event every stage after the sources works on, and EnvelopeBuilder,
// which makes one from a CloudTrail record (the JSON text EventBridge would deliver for it).
//
// An Envelope is built once, by the source that received the event (EnvelopeBuilder for a raw
// record, ValidateEnvelope in validate_envelope.h for an event that arrived as an EventBridge
// event), and carried by SourceEvent and route::Alert, so that no later stage parses the text
// again for its header fields or the CloudTrail eventID.
//
// trailwatch evaluates every record, whatever path it came by (file, S3, EventBridge), as an
// EventBridge event so that patterns written for AWS work unchanged on log files. The mapping is
// docs/reference/formats.md §3.4:
//   version "0"; id = UUIDv5(project namespace, eventID); detail-type from eventType (§3.2);
//   source = "aws." + eventSource without ".amazonaws.com" (§3.3); account = recipientAccountId,
//   else the account from the S3 key, else userIdentity.accountId; time = eventTime as
//   YYYY-MM-DDTHH:MM:SSZ; region = awsRegion; resources []; detail = the record's own bytes.
//
// `detail` is spliced in as the record's raw text, never re-serialised, so unknown fields, nulls,
// key order and number spellings survive exactly (§3.1: "the CloudTrail record, unmodified").
//
// Thread-safety: an EnvelopeBuilder owns a simdjson parser and is not thread-safe; use one per
// thread. The free function BuildEnvelope is safe to call from many threads.
#pragma once

#include <simdjson.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"

namespace trailwatch::envelope {

// An eventSource whose EventBridge source is not "aws." + its host prefix.
struct SourceOverride {
  std::string_view event_source;  // e.g. "example.amazonaws.com"
  std::string_view source;        // e.g. "aws.example"
};

// Built-in overrides. Empty on purpose: docs/reference/formats.md §3.3 guesses (unverified) that
// CloudWatch (`monitoring.amazonaws.com`) differs, but the EventBridge events reference
// (docs.aws.amazon.com/eventbridge/latest/ref/events-ref-monitoring.html) gives `source:
// aws.monitoring` for CloudWatch events via CloudTrail, which the plain rule already produces. No
// verified exception is known; callers may pass their own table.
inline constexpr std::span<const SourceOverride> kDefaultSourceOverrides{};

struct EnvelopeOptions {
  std::span<const SourceOverride> source_overrides = kDefaultSourceOverrides;
};

struct Envelope {
  // Declared so that Envelope is not an aggregate: `SourceEvent{text, origin}` would otherwise
  // compile, by brace elision, into an envelope whose id is the origin.
  Envelope() = default;

  std::string json;  // the whole envelope, compact, detail spliced in verbatim

  // The envelope's header fields, unescaped (also present, escaped, in `json`).
  std::string id;
  std::string detail_type;
  std::string source;
  std::string account;
  std::string time;
  std::string region;
  // detail.eventID when detail is a CloudTrail record (CloudTrail's own unique id, what the
  // outbox deduplicates on); empty for other events.
  std::string event_id;

  // The key an alert on this event is deduplicated by: the CloudTrail eventID, else the
  // envelope's id (EventBridge gives every event a unique one).
  const std::string& DedupKey() const { return event_id.empty() ? id : event_id; }

  // eventType was absent, null or not in the table of §3.2: detail_type was defaulted to
  // "AWS API Call via CloudTrail". §3.4 asks for the fallback to be reported; the caller decides
  // whether to log or count it (this module never logs).
  bool event_type_unknown = false;
  // eventID was absent (records before eventVersion 1.01, §1.3): the id is UUIDv5 of the record's
  // raw text instead, still deterministic for the same bytes.
  bool id_from_record_text = false;
};

// The top-level record fields an envelope header is made of, as found by whatever parse read the
// record (EnvelopeBuilder's own, or scan's single walk in pattern::EventLeaves). Unescaped string
// values; nullopt when the field is absent or JSON null (§1.3 treats both as absent).
struct RecordHeaderFields {
  std::optional<std::string_view> event_id;
  std::optional<std::string_view> event_type;
  std::optional<std::string_view> event_source;
  std::optional<std::string_view> event_time;
  std::optional<std::string_view> region;
  std::optional<std::string_view> recipient_account;
  std::optional<std::string_view> identity_account;  // userIdentity.accountId
};

// Fills the header fields of *envelope (not `json`) from `fields` per §3.2–3.4, assigning into its
// existing strings so that a caller reusing one Envelope per thread allocates nothing per record.
// `record_text` is the record's trimmed JSON text (the id's input when eventID is absent).
// `with_id` false leaves id empty. Errors are those of EnvelopeBuilder::BuildHeader.
Status FillEnvelopeHeader(const RecordHeaderFields& fields, std::string_view record_text,
                          std::string_view key_account, bool with_id,
                          const EnvelopeOptions& options, Envelope* envelope);

class EnvelopeBuilder {
 public:
  explicit EnvelopeBuilder(EnvelopeOptions options = {}) : options_(options) {}

  // `record` is one record object's JSON text. `key_account` is the account id parsed from the
  // S3 key or path (log_key.h), empty when unknown. Errors name the field that is missing or
  // malformed; the caller prefixes the file and position.
  Result<Envelope> Build(simdjson::padded_string_view record, std::string_view key_account = {});
  // The header fields only (Envelope::json stays empty), for matching the record in place with
  // pattern::EventMatcher::MatchRecord. `with_id` false leaves Envelope::id empty.
  Result<Envelope> BuildHeader(simdjson::padded_string_view record,
                               std::string_view key_account = {}, bool with_id = true);
  // Same as Build, for text without simdjson padding: it is copied into a reused scratch buffer.
  Result<Envelope> Build(std::string_view record, std::string_view key_account = {});

 private:
  EnvelopeOptions options_;
  simdjson::ondemand::parser parser_;
  std::string scratch_;
};

// One-shot convenience (allocates a parser per call; use EnvelopeBuilder in loops).
Result<Envelope> BuildEnvelope(std::string_view record, std::string_view key_account = {});

// detail-type for an eventType per §3.2, compared case-insensitively; empty when unknown.
std::string_view DetailTypeForEventType(std::string_view event_type);

// "aws." + eventSource minus ".amazonaws.com", after `overrides`.
std::string SourceForEventSource(std::string_view event_source,
                                 std::span<const SourceOverride> overrides);

}  // namespace trailwatch::envelope
