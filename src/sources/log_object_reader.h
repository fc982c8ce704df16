// LogObjectReader: one CloudTrail object or file (its bytes, gzip or not, and its name or key) ->
// SourceEvents, shared by the directory, s3 and sqs sources.
//
// Names are classified first (ClassifyLogObject): CloudTrail-Digest and CloudTrail-Insight keys
// (docs/reference/formats.md §1.1, §1.8) and names that are not CloudTrail log files are skipped,
// never parsed. The bytes may be gzip or plain; every shape RecordReader accepts works
// ({"Records":[...]}, an array, JSON lines, a single record or EventBridge event). Each record
// becomes an EventBridge envelope (envelope::EnvelopeBuilder, docs/reference/formats.md §3.4) with
// the account from the key as the fallback account; EventBridge events pass through as they are.
// `origin` (path or s3://bucket/key) is attached to every event.
//
// Events are handed to the caller's BatchSink in batches of at most `batch_size`, so a 50 MB log
// file never holds all its envelopes at once; the caller advances its checkpoint only when the
// whole object came back kDone. A record that cannot become an envelope is counted and reported,
// not fatal; a file that cannot be read as a whole (corrupt gzip, not JSON) is kUnreadable.
//
// Memory: an object is refused (kUnreadable, the error naming it) when it breaks its source's
// cloudtrail::LogFileLimits — more stored bytes than max_file_bytes, more inflated bytes than
// max_inflated_bytes or max_compression_ratio allow (checked as it inflates), or a first inflated
// block that is not JSON (a gzip bomb of zeros is refused after 64 KiB). The buffers are reused
// from object to object, but after an object larger than kKeptBufferBytes they are freed, and
// ReturnFreedMemory hands the memory back to the system, so one large file does not keep the
// service's RSS high.
//
// Thread-safety: a LogObjectReader owns parsers and buffers; use one per thread.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "envelope/envelope.h"
#include "envelope/validate_envelope.h"
#include "cloudtrail/inflate.h"
#include "cloudtrail/log_file_limits.h"
#include "cloudtrail/padded_buffer.h"
#include "cloudtrail/record_reader.h"
#include "common/result.h"
#include "sources/source.h"

namespace trailwatch::sources {

enum class LogObjectClass {
  kLogFile,  // read it
  kDigest,   // CloudTrail-Digest: integrity digests, no records
  kInsight,  // CloudTrail-Insight: not management events
  kOther,    // not a CloudTrail log file name (no AWSLogs layout and no .json/.jsonl[.gz] name)
};

// Classifies a key or path by its name alone (docs/reference/formats.md §1.1, §1.8, §4.1).
LogObjectClass ClassifyLogObject(std::string_view name);
const char* LogObjectClassName(LogObjectClass kind);  // "log file", "digest", "insight", "other"

struct LogObjectOutcome {
  enum class State {
    kDone,          // every batch was accepted (bad records, if any, were skipped)
    kUnreadable,    // the object is not a readable CloudTrail file: do not retry it
    kSubmitFailed,  // the sink refused a batch: retry the object later
  };
  State state = State::kDone;
  std::string error;  // kUnreadable / kSubmitFailed: what went wrong, naming the origin
  size_t events = 0;  // events accepted by the sink
  size_t bad_records = 0;
  std::vector<std::string> bad_record_errors;  // the first few, each naming origin and position
};

class LogObjectReader {
 public:
  // Receives one batch; an error stops the object (kSubmitFailed).
  using BatchSink = std::function<Status(std::span<const SourceEvent>)>;

  // Buffers up to this size are kept for the next object; larger ones are freed after it.
  static constexpr size_t kKeptBufferBytes = size_t{32} << 20;

  explicit LogObjectReader(size_t batch_size = 500)
      : LogObjectReader(cloudtrail::LogFileLimits{}, batch_size) {}
  explicit LogObjectReader(const cloudtrail::LogFileLimits& limits, size_t batch_size = 500)
      : batch_size_(batch_size ? batch_size : 1),
        limits_(limits),
        inflater_(limits.ToInflateOptions()) {}

  // `name` is the key or path (for the account fallback and messages); `origin` labels events.
  LogObjectOutcome Read(std::string_view name, std::string_view bytes, const std::string& origin,
                        const BatchSink& sink);

  // Read with batches submitted to `sink` as `source_name`; skipped records are logged and
  // counted (trailwatch_source_bad_records_total) — what every file-reading source does.
  LogObjectOutcome ReadInto(std::string_view name, std::string_view bytes,
                            const std::string& origin, EventSink& sink,
                            const std::string& source_name, const SourceContext& context);

  // After the caller has freed the object's bytes: if the last object was large, returns the
  // freed memory to the system (cloudtrail::ReturnFreedMemoryToSystem). Cheap otherwise.
  void ReturnFreedMemory();

 private:
  LogObjectOutcome ReadBuffered(std::string_view name, std::string_view bytes,
                                const std::string& origin, const BatchSink& sink);

  size_t batch_size_;
  cloudtrail::LogFileLimits limits_;
  bool large_object_freed_ = false;  // ReturnFreedMemory has work to do
  cloudtrail::Inflater inflater_;
  cloudtrail::PaddedBuffer buffer_;
  cloudtrail::RecordReader records_;
  envelope::EnvelopeBuilder envelopes_;
  simdjson::dom::parser event_parser_;  // for records that are EventBridge events
};

}  // namespace trailwatch::sources
