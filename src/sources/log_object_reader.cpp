// LogObjectReader (log_object_reader.h).
#include "sources/log_object_reader.h"

#include "telemetry/metrics.h"

#include <chrono>
#include <cstring>
#include <utility>

#include "cloudtrail/log_key.h"
#include "scan/scan_input.h"

namespace trailwatch::sources {

namespace {

constexpr size_t kMaxReportedBadRecords = 5;

}  // namespace

LogObjectClass ClassifyLogObject(std::string_view name) {
  // The scan's classification, with no pruning filter: one definition of "a CloudTrail log file".
  std::string account;
  switch (scan::ClassifyInput(name, scan::ScanFilter{}, /*named=*/false, &account)) {
    case scan::InputClass::kRead:
      return LogObjectClass::kLogFile;
    case scan::InputClass::kDigest:
      return LogObjectClass::kDigest;
    case scan::InputClass::kInsight:
      return LogObjectClass::kInsight;
    default:
      return LogObjectClass::kOther;
  }
}

const char* LogObjectClassName(LogObjectClass kind) {
  switch (kind) {
    case LogObjectClass::kLogFile:
      return "log file";
    case LogObjectClass::kDigest:
      return "digest";
    case LogObjectClass::kInsight:
      return "insight";
    case LogObjectClass::kOther:
      break;
  }
  return "other";
}

LogObjectOutcome LogObjectReader::Read(std::string_view name, std::string_view bytes,
                                       const std::string& origin, const BatchSink& sink) {
  LogObjectOutcome outcome = ReadBuffered(name, bytes, origin, sink);
  // The inflated buffer, or simdjson's index of it (sized like the document), outgrew what is
  // worth keeping (a large file, or a bomb refused at its limit): free them now.
  if (buffer_.capacity() > kKeptBufferBytes || bytes.size() > kKeptBufferBytes) {
    buffer_.Release();
    records_ = cloudtrail::RecordReader();
    large_object_freed_ = true;
  }
  return outcome;
}

void LogObjectReader::ReturnFreedMemory() {
  if (!large_object_freed_) return;
  large_object_freed_ = false;
  cloudtrail::ReturnFreedMemoryToSystem();
}

LogObjectOutcome LogObjectReader::ReadBuffered(std::string_view name, std::string_view bytes,
                                               const std::string& origin,
                                               const BatchSink& sink) {
  LogObjectOutcome outcome;
  const auto received = std::chrono::steady_clock::now();  // for the ingest-to-commit metric
  auto unreadable = [&](const std::string& why) {
    outcome.state = LogObjectOutcome::State::kUnreadable;
    outcome.error = origin + ": " + why;
    return outcome;
  };

  if (Status s = cloudtrail::CheckStoredSize(bytes.size(), limits_); !s.ok()) {
    return unreadable(s.message());
  }
  // Gzip is recognised by its magic bytes, not the name: a plain .json.gz upload or a gzip
  // named .json both read.
  if (cloudtrail::LooksLikeGzip(bytes)) {
    if (Status s = inflater_.InflateInto(bytes, buffer_); !s.ok()) return unreadable(s.message());
  } else {
    if (Status s = buffer_.Reserve(bytes.size()); !s.ok()) return unreadable(s.message());
    if (!bytes.empty()) std::memcpy(buffer_.data(), bytes.data(), bytes.size());
    buffer_.SetSize(bytes.size());
  }

  std::string key_account;
  if (auto key = cloudtrail::ParseLogKey(name)) key_account = std::string(key->account);

  std::vector<SourceEvent> batch;
  batch.reserve(batch_size_);
  bool sink_failed = false;
  auto flush = [&]() {
    if (batch.empty() || sink_failed) return;
    Status s = sink(batch);
    if (!s.ok()) {
      sink_failed = true;
      outcome.state = LogObjectOutcome::State::kSubmitFailed;
      outcome.error = origin + ": " + s.message();
    } else {
      outcome.events += batch.size();
    }
    batch.clear();
  };
  auto bad = [&](const std::string& why) {
    ++outcome.bad_records;
    if (outcome.bad_record_errors.size() < kMaxReportedBadRecords) {
      outcome.bad_record_errors.push_back(why);
    }
  };

  auto read = records_.Read(
      buffer_.padded_view(), origin,
      [&](const cloudtrail::RawRecord& record) {
        if (sink_failed) return;  // the object will be retried as a whole
        auto where = [&] {
          return origin + ": record " + std::to_string(record.index) +
                 (record.line ? " (line " + std::to_string(record.line) + ")" : "") + ": ";
        };
        if (record.is_envelope) {
          // The reader took it for an event by its keys; whether it is one is EventBridge's rule.
          SourceEvent event;
          if (Status valid = envelope::ValidateEnvelopeText(record.json, event_parser_,
                                                            &event.envelope);
              !valid.ok()) {
            bad(where() + "not a valid EventBridge event: " + valid.message());
            return;
          }
          event.origin = origin;
          event.received = received;
          batch.push_back(std::move(event));
        } else {
          auto envelope = envelopes_.Build(record.padded_json(), key_account);
          if (!envelope.ok()) {
            bad(where() + envelope.message());
            return;
          }
          batch.push_back(SourceEvent{std::move(*envelope), origin, received});
        }
        if (batch.size() >= batch_size_) flush();
      },
      [&](const Error& error) { bad(error.message); });
  // Records before a fatal error are still submitted: what was readable is evaluated (as the
  // scan does), and the object is then recorded as unreadable.
  flush();
  if (sink_failed) return outcome;
  if (!read.ok()) {
    outcome.state = LogObjectOutcome::State::kUnreadable;
    outcome.error = read.message();
    if (outcome.error.find(origin) == std::string::npos)
      outcome.error = origin + ": " + read.message();
  }
  return outcome;
}

LogObjectOutcome LogObjectReader::ReadInto(std::string_view name, std::string_view bytes,
                                           const std::string& origin, EventSink& sink,
                                           const std::string& source_name,
                                           const SourceContext& context) {
  LogObjectOutcome outcome =
      Read(name, bytes, origin,
           [&](std::span<const SourceEvent> events) { return sink.Submit(source_name, events); });
  for (const std::string& error : outcome.bad_record_errors) {
    context.log->warn("{}: skipped a record: {}", source_name, error);
  }
  if (outcome.bad_records > 0) {
    context.metrics->Add("trailwatch_source_bad_records_total", {{"source", source_name}},
                         static_cast<double>(outcome.bad_records));
  }
  // The newest log file processed, by the delivery time in its name (every file source: the
  // service turns it into trailwatch_source_newest_object_age_seconds).
  if (outcome.state == LogObjectOutcome::State::kDone) {
    size_t slash = name.find_last_of('/');
    if (auto time = cloudtrail::LogFileTimeSeconds(
            slash == std::string_view::npos ? name : name.substr(slash + 1))) {
      context.metrics->SetMax("trailwatch_source_newest_object_timestamp_seconds",
                              {{"source", source_name}}, static_cast<double>(*time));
    }
  }
  return outcome;
}

}  // namespace trailwatch::sources
