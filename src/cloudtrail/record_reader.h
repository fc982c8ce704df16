// RecordReader: finds the CloudTrail records in one file's bytes and hands them out one by one.
//
// Accepted shapes (docs/reference/formats.md §1.2), auto-detected unless a format is forced:
//   * a CloudTrail log file            {"Records":[ <record>, ... ]}
//   * a JSON array of records          [ <record>, ... ]
//   * a single record                  { "eventVersion": ..., ... }
//   * a single EventBridge event       { "detail-type": ..., "detail": <record>, ... }
//   * JSON lines of records or of EventBridge events, one object per line (mixed is fine)
// Each record is yielded as its raw JSON text: a string_view into the caller's buffer taken with
// simdjson on-demand's raw_json(), so nothing is copied (the file exists once, in the padded
// buffer) and the text can be spliced into an envelope as-is (envelope.h). EventBridge events are
// yielded whole and flagged as already being an envelope.
//
// Errors: a file that cannot be read as a whole (empty, not JSON, truncated, wrong shape such as
// {"Records": 5}) is a Result error naming the file and the position. In JSON lines a malformed
// line is reported through the bad-record callback and reading goes on; in an array or Records
// list an element that is not an object is reported the same way. Records delivered before a
// fatal error stay delivered (a scan keeps what it found, issue 3).
//
// Thread-safety: a RecordReader owns a simdjson parser and is not thread-safe; use one per
// thread. Callbacks are called synchronously and must not throw.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <functional>
#include <string_view>

#include "common/result.h"

namespace trailwatch::cloudtrail {

enum class InputFormat {
  kAuto,
  kLogFile,       // {"Records":[...]}
  kRecordArray,   // [record, ...]
  kSingleRecord,  // one record object
  kSingleEvent,   // one EventBridge event object
  kRecordLines,   // JSON lines of records
  kEventLines,    // JSON lines of EventBridge events
};

std::string_view InputFormatName(InputFormat format);

struct RawRecord {
  std::string_view json;     // the object's text, inside the buffer given to Read
  bool is_envelope = false;  // an EventBridge event (record in "detail"), not a bare record
  size_t line = 0;           // JSON lines: 1-based line number; 0 for other formats
  size_t index = 0;          // 0-based position among the file's elements/lines with a value
  // simdjson padding is available after `json` because it lies inside the padded buffer.
  size_t padded_capacity = 0;
  simdjson::padded_string_view padded_json() const {
    return simdjson::padded_string_view(json.data(), json.size(), padded_capacity);
  }
};

struct ReadSummary {
  InputFormat format = InputFormat::kAuto;  // what the file turned out to be
  size_t records = 0;                       // delivered to the record callback
  size_t bad_records = 0;                   // reported to the bad-record callback and skipped
};

using RecordCallback = std::function<void(const RawRecord&)>;
using BadRecordCallback = std::function<void(const Error&)>;

class RecordReader {
 public:
  explicit RecordReader(InputFormat format = InputFormat::kAuto) : format_(format) {}

  // Reads every record of `text` (one file's inflated bytes). `file_name` only labels errors.
  Result<ReadSummary> Read(simdjson::padded_string_view text, std::string_view file_name,
                           const RecordCallback& on_record, const BadRecordCallback& on_bad_record);

 private:
  struct Context;
  Status ReadDocument(Context& context, InputFormat format);
  Status ReadObjectDocument(Context& context, InputFormat format);
  Status ReadArrayDocument(Context& context);
  Status ReadLines(Context& context, InputFormat format);

  InputFormat format_;
  simdjson::ondemand::parser parser_;
};

}  // namespace trailwatch::cloudtrail
