#include "scan/scanner.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <numeric>
#include <optional>
#include <thread>

#include "envelope/envelope.h"
#include "cloudtrail/event_time.h"
#include "cloudtrail/inflate.h"
#include "cloudtrail/padded_buffer.h"
#include "pattern/event_matcher.h"
#include "scan/object_prefetcher.h"
#include "scan/run_workers.h"

namespace trailwatch::scan {

namespace {

using cloudtrail::RawRecord;

// One file whose records are being evaluated, possibly by several workers.
struct FileJob {
  const ScanInput* input = nullptr;
  uint64_t input_index = 0;
  const std::vector<RawRecord>* records = nullptr;
  size_t pending = 0;  // ranges handed out and not yet finished; guarded by WorkQueue::mutex
};

// A worker keeps its buffers from file to file (the speed of reuse); after a failed file left them
// larger than this (a gzip bomb stopped at its limit), they are freed.
constexpr size_t kKeptBufferBytes = size_t{256} << 20;

struct RecordRange {
  FileJob* job;
  size_t begin;
  size_t end;
};

// What the workers share: the next input to open and the record ranges waiting for help.
struct WorkQueue {
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<RecordRange> ranges;
  std::vector<size_t> order;  // input indexes in the order workers open them
  size_t next_input = 0;      // position in `order`
  size_t owners_active = 0;  // workers holding a file (they may still publish ranges)
};

// Reads a whole local file into *out (reusing its allocation); refuses it over max_file_bytes.
Status ReadLocalFile(const std::string& path, const cloudtrail::LogFileLimits& limits,
                     std::string* out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{path + ": " + std::strerror(errno)};
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    int saved = errno;
    ::close(fd);
    return Error{path + ": " + std::strerror(saved)};
  }
  if (Status size = cloudtrail::CheckStoredSize(static_cast<uint64_t>(info.st_size), limits);
      !size.ok()) {
    ::close(fd);
    return Error{path + ": " + size.message()};
  }
  out->resize(static_cast<size_t>(info.st_size));
  size_t done = 0;
  while (done < out->size()) {
    ssize_t n = ::read(fd, out->data() + done, out->size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int saved = errno;
      ::close(fd);
      return Error{path + ": " + std::strerror(saved)};
    }
    if (n == 0) break;  // shrank while reading
    done += static_cast<size_t>(n);
  }
  out->resize(done);
  ::close(fd);
  return Status::Ok();
}

// A CapturedField for `key`, every member given: a brace list naming only the key leaves out
// `value` and trips -Wmissing-field-initializers.
pattern::CapturedField Capture(std::string_view key, bool check_object_keys = false) {
  return {key, check_object_keys, pattern::CapturedField::State::kAbsent, {}};
}

class Worker {
 public:
  Worker(const std::vector<ScanInput>& inputs, WorkQueue& queue,
         std::shared_ptr<const pattern::PatternSet> set, const ScanOptions& options, int threads,
         const cloudtrail::RecordPrefilter* prefilter, aws::S3Client* s3,
         ObjectPrefetcher* prefetcher, Progress& progress)
      : inputs_(inputs),
        queue_(queue),
        set_(set),
        options_(options),
        threads_(threads),
        prefilter_(prefilter),
        s3_(s3),
        prefetcher_(prefetcher),
        progress_(progress),
        inflater_(options.limits.ToInflateOptions()),
        reader_(options.format),
        matcher_(set),
        reads_id_(set->Reads("id")) {}

  void Run() {
    std::unique_lock lock(queue_.mutex);
    while (true) {
      if (!queue_.ranges.empty()) {
        HelpWithRange(lock);
        continue;
      }
      if (queue_.next_input < queue_.order.size()) {
        size_t index = queue_.order[queue_.next_input++];
        ++queue_.owners_active;
        lock.unlock();
        ProcessInput(index);
        lock.lock();
        --queue_.owners_active;
        queue_.changed.notify_all();
        continue;
      }
      if (queue_.owners_active == 0) break;
      queue_.changed.wait(lock);
    }
  }

  ScanSummary& summary() { return summary_; }
  std::vector<MatchRow>& rows() { return rows_; }

 private:
  // Takes the first waiting range and evaluates it. Called and returns with `lock` held.
  void HelpWithRange(std::unique_lock<std::mutex>& lock) {
    RecordRange range = queue_.ranges.front();
    queue_.ranges.pop_front();
    lock.unlock();
    EvaluateRange(*range.job, range.begin, range.end);
    lock.lock();
    if (--range.job->pending == 0) queue_.changed.notify_all();
  }

  void ProcessInput(size_t index) {
    const ScanInput& input = inputs_[index];
    FileJob job{&input, index, &records_, 0};
    records_.clear();
    bool failed = false;
    if (Status loaded = Load(index); !loaded.ok()) {
      progress_.PrintError("error: " + loaded.message());
      failed = true;
    } else if (Prefilter()) {
      // records_ holds the candidates only; the others are counted here.
    } else {
      auto read = reader_.Read(
          buffer_.padded_view(), input.origin,
          [this](const RawRecord& record) { records_.push_back(record); },
          [this](const Error& error) {
            ++summary_.bad_records;
            progress_.PrintError("error: " + error.message);
          });
      // A fatal read error keeps the records found before it (record_reader.h).
      if (!read.ok()) {
        progress_.PrintError("error: " + read.message());
        failed = true;
      }
    }
    if (failed) {
      ++summary_.files_failed;
      if (buffer_.capacity() > kKeptBufferBytes) buffer_.Release();
    }
    if (threads_ <= 1 || records_.size() <= options_.chunk_records) {
      EvaluateRange(job, 0, records_.size());
    } else {
      Split(job);
    }
    ++summary_.files;
    ProgressCounters& counters = progress_.counters();
    counters.files_done.fetch_add(1, std::memory_order_relaxed);
    counters.bytes_done.fetch_add(input.size, std::memory_order_relaxed);
  }

  // Publishes all ranges but the first, evaluates the first, then helps until every range of
  // this file is done: only then may the buffer the records point into be reused.
  void Split(FileJob& job) {
    size_t chunk = options_.chunk_records;
    std::unique_lock lock(queue_.mutex);
    for (size_t begin = chunk; begin < records_.size(); begin += chunk) {
      queue_.ranges.push_back({&job, begin, std::min(records_.size(), begin + chunk)});
      ++job.pending;
    }
    queue_.changed.notify_all();
    lock.unlock();
    EvaluateRange(job, 0, chunk);
    lock.lock();
    while (job.pending > 0) {
      if (!queue_.ranges.empty()) {
        HelpWithRange(lock);
      } else {
        queue_.changed.wait(lock);
      }
    }
  }

  // Runs the prefilter over the loaded file; false when there is none or it refuses the file.
  bool Prefilter() {
    if (prefilter_ == nullptr || !prefilter_->Find(buffer_.view(), &prefiltered_)) return false;
    const simdjson::padded_string_view padded = buffer_.padded_view();
    const char* padding_end = padded.data() + padded.capacity();
    for (const cloudtrail::PrefilteredFile::Candidate& candidate : prefiltered_.candidates) {
      RawRecord record;
      record.json = candidate.json;
      record.index = candidate.index;
      record.padded_capacity = static_cast<size_t>(padding_end - candidate.json.data());
      records_.push_back(record);
    }
    const uint64_t skipped = prefiltered_.records - prefiltered_.candidates.size();
    summary_.records += skipped;
    summary_.records_prefiltered += skipped;
    progress_.counters().records.fetch_add(skipped, std::memory_order_relaxed);
    return true;
  }

  Status Load(size_t index) {
    const ScanInput& input = inputs_[index];
    if (!input.path.empty()) {
      if (Status s = ReadLocalFile(input.path, options_.limits, &raw_); !s.ok()) return s;
    } else if (prefetcher_ != nullptr) {
      if (Status s = prefetcher_->Take(index, &raw_); !s.ok()) return s;
    } else {
      if (s3_ == nullptr) return Error{input.origin + ": no S3 client"};
      // S3Client errors name s3://bucket/key already.
      if (Status s = s3_->Get(input.bucket, input.key, &raw_); !s.ok()) return s;
    }
    if (input.path.empty()) {
      // The listing's size was not checked before the download: refuse before inflating.
      if (Status s = cloudtrail::CheckStoredSize(raw_.size(), options_.limits); !s.ok()) {
        return Error{input.origin + ": " + s.message()};
      }
    }
    summary_.bytes_compressed += raw_.size();
    if (cloudtrail::LooksLikeGzip(raw_)) {
      if (Status s = inflater_.InflateInto(raw_, buffer_); !s.ok()) {
        buffer_.SetSize(0);
        return Error{input.origin + ": " + s.message()};
      }
    } else {
      if (Status s = buffer_.Reserve(raw_.size()); !s.ok()) {
        return Error{input.origin + ": " + s.message()};
      }
      if (!raw_.empty()) std::memcpy(buffer_.data(), raw_.data(), raw_.size());
      buffer_.SetSize(raw_.size());
    }
    summary_.bytes_inflated += buffer_.size();
    progress_.counters().bytes_inflated.fetch_add(buffer_.size(), std::memory_order_relaxed);
    return Status::Ok();
  }

  void EvaluateRange(const FileJob& job, size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) Evaluate(job, (*job.records)[i]);
    progress_.counters().records.fetch_add(end - begin, std::memory_order_relaxed);
  }

  void Bad(const FileJob& job, const RawRecord& record, const std::string& message) {
    ++summary_.bad_records;
    std::string where = record.line > 0 ? "line " + std::to_string(record.line)
                                        : "record " + std::to_string(record.index);
    progress_.PrintError("error: " + job.input->origin + ": " + where + ": " + message);
  }

  bool Wanted(std::string_view time, std::string_view account, std::string_view region) const {
    const ScanFilter& filter = options_.filter;
    if (!filter.AccountWanted(account) || !filter.RegionWanted(region)) return false;
    if (filter.has_time_bounds()) {
      auto parsed = cloudtrail::ParseEventTime(time);
      if (!parsed || !filter.TimeWanted(*parsed)) return false;
    }
    return true;
  }

  static std::array<pattern::HeaderField, 7> HeaderOf(const envelope::Envelope& envelope) {
    return {{{"version", "0"},
             {"id", envelope.id},
             {"detail-type", envelope.detail_type},
             {"source", envelope.source},
             {"account", envelope.account},
             {"time", envelope.time},
             {"region", envelope.region}}};
  }

  // SIEM and Athena exports of CloudTrail write eventTime as `2024-11-25 17:51:21.000000000`
  // (space, any fraction, no zone), which envelope::FillEnvelopeHeader refuses: it accepts RFC 3339
  // only, as the live sources must. scan reads that form as UTC (cloudtrail::ParseEventTimeLenient)
  // and hands FillEnvelopeHeader the envelope form instead, `2024-11-25T17:51:21Z`; the record
  // itself (the envelope's detail) keeps its own text. True when *time was replaced: it then views
  // export_time_, valid until the next call.
  bool NormalizeExportTime(std::optional<std::string_view>* time) {
    if (!time->has_value()) return false;
    const std::string_view text = **time;
    // Only a space-separated time can be in the export form; anything RFC 3339 is left alone.
    if (text.size() <= 10 || text[10] != ' ' || cloudtrail::ParseEventTime(text)) return false;
    std::optional<std::string> normalized = cloudtrail::NormalizeEventTimeLenient(text);
    if (!normalized) return false;
    export_time_ = std::move(*normalized);
    *time = export_time_;
    return true;
  }

  // The two-parse path's second try after BuildHeader refused a record: when its eventTime is in
  // the export form, the header is built from the same fields with that time normalised. False
  // for any other record (BuildHeader's error is then the one reported): ReadHeaderFields reads
  // the fields as BuildHeader does, so any other fault makes this try fail too.
  bool HeaderWithExportTime(const FileJob& job, const RawRecord& record) {
    auto fields = row_reader_.ReadHeaderFields(record.json);
    if (!fields.ok() || !NormalizeExportTime(&fields->event_time)) return false;
    return envelope::FillEnvelopeHeader(*fields, record.json, job.input->key_account, reads_id_,
                                        envelope::EnvelopeOptions{}, &envelope_)
        .ok();
  }

  // A header field captured by the one-walk path as the optional EnvelopeBuilder reads it
  // (absent or null: nullopt); false for any other type, which the two-parse path reports.
  static bool ReadCaptured(const pattern::CapturedField& captured,
                           std::optional<std::string_view>* out) {
    switch (captured.state) {
      case pattern::CapturedField::State::kString:
        *out = captured.value;
        return true;
      case pattern::CapturedField::State::kAbsent:
      case pattern::CapturedField::State::kNull:
        out->reset();
        return true;
      case pattern::CapturedField::State::kOther:
        return false;
    }
    return false;
  }

  // The hot path for a bare CloudTrail record: ONE walk of the record yields both the envelope
  // header fields and the leaves the rules read (it used to be parsed once for the header and
  // again for the match). Returns the matching rule ids, nullptr when the scan filter drops the
  // record, or nullopt when anything is unusual — invalid JSON, a header field missing or not a
  // string, an account that would come from userIdentity, a match error —: the record is then
  // evaluated again by the two-parse path, whose results and error texts are the reference.
  std::optional<const std::vector<uint32_t>*> MatchInOneWalk(const FileJob& job,
                                                             const RawRecord& record) {
    if (!matcher_.ParseRecord(record.json, record.padded_capacity, captured_).ok()) {
      return std::nullopt;
    }
    envelope::RecordHeaderFields fields;
    if (!ReadCaptured(captured_[kEventId], &fields.event_id) ||
        !ReadCaptured(captured_[kEventType], &fields.event_type) ||
        !ReadCaptured(captured_[kEventSource], &fields.event_source) ||
        !ReadCaptured(captured_[kEventTime], &fields.event_time) ||
        !ReadCaptured(captured_[kAwsRegion], &fields.region) ||
        !ReadCaptured(captured_[kRecipientAccountId], &fields.recipient_account)) {
      return std::nullopt;
    }
    NormalizeExportTime(&fields.event_time);
    const bool has_account = fields.recipient_account && !fields.recipient_account->empty();
    if (!has_account && job.input->key_account.empty()) return std::nullopt;
    // record.json starts at '{' and ends at '}' (RecordReader trims it), as BuildHeader's text.
    if (!envelope::FillEnvelopeHeader(fields, record.json, job.input->key_account, reads_id_,
                                        envelope::EnvelopeOptions{}, &envelope_)
             .ok()) {
      return std::nullopt;
    }
    if (!Wanted(envelope_.time, envelope_.account, envelope_.region)) return nullptr;
    auto matched = matcher_.MatchParsedRecord(HeaderOf(envelope_));
    if (!matched.ok()) return std::nullopt;
    return *matched;
  }

  void Evaluate(const FileJob& job, const RawRecord& record) {
    ++summary_.records;
    if (!record.is_envelope) {
      if (auto fast = MatchInOneWalk(job, record)) {
        if (*fast == nullptr) {
          ++summary_.records_filtered;
          return;
        }
        return Report(job, record, **fast, envelope_.time, envelope_.account, envelope_.region);
      }
    }
    std::string_view event_json;
    size_t capacity = 0;
    std::string_view time, account, region;
    if (record.is_envelope) {
      auto header = row_reader_.ReadEventHeader(record.json);
      if (!header.ok()) return Bad(job, record, header.message());
      header_ = std::move(*header);
      time = header_.time;
      account = header_.account;
      region = header_.region;
      event_json = record.json;
      capacity = record.padded_capacity;
    } else {
      // The envelope is never written out: its header fields become leaves and the record is
      // matched in place as "detail" (EventMatcher::MatchRecord), saving a copy and a parse.
      auto envelope = builder_.BuildHeader(record.padded_json(), job.input->key_account,
                                           /*with_id=*/reads_id_);
      if (envelope.ok()) {
        envelope_ = std::move(*envelope);
      } else if (!HeaderWithExportTime(job, record)) {
        return Bad(job, record, envelope.message());
      }
      time = envelope_.time;
      account = envelope_.account;
      region = envelope_.region;
    }
    if (!Wanted(time, account, region)) {
      ++summary_.records_filtered;
      return;
    }
    auto matched = record.is_envelope ? matcher_.Match(event_json, capacity)
                                      : matcher_.MatchRecord(record.json, record.padded_capacity,
                                                             HeaderOf(envelope_));
    if (!matched.ok()) return Bad(job, record, matched.message());
    Report(job, record, **matched, time, account, region);
  }

  // One row per matching rule.
  void Report(const FileJob& job, const RawRecord& record, const std::vector<uint32_t>& ids,
              std::string_view time, std::string_view account, std::string_view region) {
    if (ids.empty()) return;
    MatchRow row;
    Status filled = record.is_envelope ? row_reader_.FillFromEvent(record.json, &row)
                                       : row_reader_.FillFromRecord(record.json, &row);
    if (!filled.ok()) return Bad(job, record, filled.message());
    row.time = time;
    row.account = account;
    row.region = region;
    row.origin = job.input->origin;
    row.input_index = job.input_index;
    row.record_index = record.index;
    for (uint32_t id : ids) {
      row.rule = set_->name(id);
      rows_.push_back(row);
      ++summary_.matches;
    }
  }

  const std::vector<ScanInput>& inputs_;
  WorkQueue& queue_;
  std::shared_ptr<const pattern::PatternSet> set_;
  const ScanOptions& options_;
  const int threads_;
  const cloudtrail::RecordPrefilter* prefilter_;  // null: every record is read
  aws::S3Client* s3_;
  ObjectPrefetcher* prefetcher_;  // null when no input is in S3
  Progress& progress_;

  // Per-thread state, reused from file to file.
  std::string raw_;                  // the file as stored
  cloudtrail::PaddedBuffer buffer_;  // the file inflated
  cloudtrail::Inflater inflater_;
  cloudtrail::RecordReader reader_;
  std::vector<RawRecord> records_;  // views into buffer_
  cloudtrail::PrefilteredFile prefiltered_;
  envelope::EnvelopeBuilder builder_;
  pattern::EventMatcher matcher_;
  bool reads_id_;  // some rule reads the envelope "id": only then is the UUIDv5 computed
  MatchRowReader row_reader_;
  envelope::Envelope envelope_;  // reused per record: its strings keep their storage
  std::string export_time_;      // NormalizeExportTime's result
  EventHeader header_;
  // The record's top-level fields the envelope header is made of (MatchInOneWalk).
  // userIdentity is not read here, only checked as BuildHeader's account fallback checks it.
  enum Captured { kEventId, kEventType, kEventSource, kEventTime, kAwsRegion, kRecipientAccountId };
  std::array<pattern::CapturedField, 7> captured_{
      {Capture("eventID"), Capture("eventType"), Capture("eventSource"), Capture("eventTime"),
       Capture("awsRegion"), Capture("recipientAccountId"),
       Capture("userIdentity", /*check_object_keys=*/true)}};

  ScanSummary summary_;
  std::vector<MatchRow> rows_;
};

}  // namespace

Scanner::Scanner(std::shared_ptr<const pattern::PatternSet> set, ScanOptions options,
                 aws::S3Client* s3, Progress* progress)
    : set_(std::move(set)), options_(std::move(options)), s3_(s3), progress_(progress) {
  const bool log_files = options_.format == cloudtrail::InputFormat::kAuto ||
                         options_.format == cloudtrail::InputFormat::kLogFile;
  if (!options_.strict && log_files && set_->record_literals().has_value()) {
    prefilter_ = std::make_unique<const cloudtrail::RecordPrefilter>(*set_->record_literals());
  }
}

int Scanner::ThreadCount(const ScanOptions& options) {
  if (options.threads > 0) return options.threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

ScanResult Scanner::Run(const std::vector<ScanInput>& inputs) {
  const int threads = ThreadCount(options_);
  if (options_.chunk_records == 0) options_.chunk_records = 1;
  WorkQueue queue;
  queue.order.resize(inputs.size());
  std::iota(queue.order.begin(), queue.order.end(), size_t{0});
  // S3 read-ahead: a window of a few objects beyond the ones the workers hold.
  std::unique_ptr<ObjectPrefetcher> prefetcher;
  if (s3_ != nullptr && std::any_of(inputs.begin(), inputs.end(),
                                    [](const ScanInput& input) { return input.path.empty(); })) {
    PrefetchOptions prefetch;
    prefetch.max_objects = static_cast<size_t>(threads) + 2;
    prefetcher = std::make_unique<ObjectPrefetcher>(inputs, s3_, prefetch);
  } else {
    // Local files, biggest first (the prefetcher reads S3 objects in input order, so only here):
    // a large file opened last would leave the other cores idle while one inflates it, and each
    // worker's buffers reach their final size at once instead of being regrown (and their new
    // pages faulted in) each time a file is bigger than any before. Rows are sorted afterwards,
    // so the output does not depend on this order.
    std::stable_sort(queue.order.begin(), queue.order.end(),
                     [&](size_t a, size_t b) { return inputs[a].size > inputs[b].size; });
  }
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < threads; ++i) {
    workers.push_back(std::make_unique<Worker>(inputs, queue, set_, options_, threads,
                                               prefilter_.get(), s3_, prefetcher.get(),
                                               *progress_));
  }
  RunWorkers(workers);
  ScanResult result;
  for (auto& worker : workers) {
    const ScanSummary& s = worker->summary();
    result.summary.files += s.files;
    result.summary.files_failed += s.files_failed;
    result.summary.bytes_compressed += s.bytes_compressed;
    result.summary.bytes_inflated += s.bytes_inflated;
    result.summary.records += s.records;
    result.summary.records_filtered += s.records_filtered;
    result.summary.records_prefiltered += s.records_prefiltered;
    result.summary.bad_records += s.bad_records;
    result.summary.matches += s.matches;
    std::vector<MatchRow>& rows = worker->rows();
    result.rows.insert(result.rows.end(), std::make_move_iterator(rows.begin()),
                       std::make_move_iterator(rows.end()));
  }
  std::sort(result.rows.begin(), result.rows.end(), RowBefore);
  return result;
}

}  // namespace trailwatch::scan
