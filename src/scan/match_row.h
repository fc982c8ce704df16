// MatchRow: what `trailwatch scan` prints for one (record, rule) match, in the user's words.
//
// Fields are normalised per docs/reference/formats.md §2.2:
//   identity = userIdentity.arn, else "user/" + userIdentity.userName, else principalId;
//   result   = responseElements.ConsoleLogin: "Success", anything else "Failure" (sign-ins carry
//              no errorCode); otherwise errorCode when present; otherwise "Success" (an API call
//              without errorCode succeeded);
//   mfa_used = additionalEventData.MFAUsed compared case-insensitively ("YES" occurs in AWS's own
//              root example), else "yes" when MFAIdentifier is present, else for API calls
//              userIdentity.sessionContext.attributes.mfaAuthenticated; a missing value is
//              "unknown", never "no".
//
// Rows are sorted by (time, origin, position) so a scan prints the same rows in the same order
// whatever the thread count or the order in which files finish.
//
// Thread-safety: MatchRow is a plain value. A MatchRowReader owns a simdjson parser: one per
// thread.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "envelope/envelope.h"

namespace trailwatch::scan {

struct MatchRow {
  std::string time;  // YYYY-MM-DDTHH:MM:SSZ (the envelope time)
  std::string account;
  std::string region;
  std::string rule;
  std::string identity_type;
  std::string identity;
  std::string event_name;
  std::string result;
  std::string mfa_used;  // "yes", "no" or "unknown"
  std::string source_ip;
  std::string user_agent;
  std::string event_id;
  std::string origin;  // file path or s3://bucket/key

  // Position of the record in the scan: input number (inputs are sorted by origin) and record
  // number within the input. Used for ordering only.
  uint64_t input_index = 0;
  uint64_t record_index = 0;
};

// Stable output order: time, then origin, then position in the file, then rule name.
bool RowBefore(const MatchRow& a, const MatchRow& b);

// The header fields of an EventBridge event (for events read as-is from JSON lines).
struct EventHeader {
  std::string time;
  std::string account;
  std::string region;
};

class MatchRowReader {
 public:
  // Fills the record fields of *row (identity, event name, result, MFA, IP, user agent, event
  // id) from a CloudTrail record's JSON text. time/account/region/rule/origin are the caller's.
  Status FillFromRecord(std::string_view record_json, MatchRow* row);
  // Same for an EventBridge event: the record is its "detail"; time/account/region are also
  // filled, from the envelope.
  Status FillFromEvent(std::string_view event_json, MatchRow* row);
  // The envelope header of an EventBridge event; time normalised to YYYY-MM-DDTHH:MM:SSZ.
  Result<EventHeader> ReadEventHeader(std::string_view event_json);
  // The top-level fields a CloudTrail record's envelope header is made of, read as
  // EnvelopeBuilder::BuildHeader reads them: the last of duplicate keys wins, JSON null is absent,
  // userIdentity.accountId only when userIdentity is an object and accountId a string. An error
  // for invalid JSON, a value that is not an object, or a header field of another type. The views
  // point into this reader's parser: valid until its next call. For scan's second try at a record
  // BuildHeader refused for its export-form eventTime (scanner.cpp).
  Result<envelope::RecordHeaderFields> ReadHeaderFields(std::string_view record_json);

 private:
  void FillRecordFields(simdjson::dom::element record, MatchRow* row);
  simdjson::dom::parser parser_;
};

}  // namespace trailwatch::scan
