// Scanner: reads the discovered inputs on a pool of threads, turns every record into its
// EventBridge envelope, filters it by eventTime/account/region and matches it against the rules.
//
// Work distribution and memory:
//   * Each of `threads` workers takes the next input (local files biggest first, S3 objects in
//     listing order for the prefetcher), loads it (file or S3 GetObject), inflates it
//     into its own reused PaddedBuffer (cloudtrail/inflate.h: one buffer per thread avoids
//     faulting in fresh pages per file) and lists the file's records as views into that buffer.
//   * A file with more than ScanOptions::chunk_records records is cut into record ranges that
//     idle workers help with, so one dominating 50 MB file does not leave the other cores idle.
//     Workers always prefer pending ranges over opening a new file, and a file's owner keeps its
//     buffer until every range is done. So at most `threads` files are held at once, each as
//     compressed bytes + inflated bytes + one 48-byte view per record: memory is bounded by
//     threads × (a small multiple of one inflated file), whatever the number of inputs.
//   * Per worker: Inflater, PaddedBuffer, RecordReader, EnvelopeBuilder, EventMatcher,
//     MatchRowReader — nothing shared but the immutable PatternSet, the S3 client and the
//     ObjectPrefetcher (S3 read-ahead: a few objects beyond those the workers hold, bounded).
//   * Each bare CloudTrail record is walked ONCE: the walk that collects the leaves the rules
//     read also captures the top-level fields the envelope header is made of (eventType,
//     eventSource, eventTime, awsRegion, recipientAccountId, eventID). Anything unusual sends the
//     record down the two-parse path (EnvelopeBuilder::BuildHeader, then MatchRecord), whose
//     results and error texts are the reference; tests/scan/one_walk_test.cpp checks both agree.
//   * eventTime may also be in the SIEM/Athena export form `2024-11-25 17:51:21.000000000` (no
//     zone; read as UTC by cloudtrail::ParseEventTimeLenient): both paths hand the envelope
//     header the normalised `2024-11-25T17:51:21Z`, since envelope::FillEnvelopeHeader accepts
//     RFC 3339 only (as the live sources must). The record, matched as `detail`, is unchanged.
//   * Before that, unless --strict: when every rule requires a literal (PatternSet::
//     record_literals(), e.g. `"Root"`), a canonical log file goes through RecordPrefilter, one
//     pass that counts its records and hands on only those holding a literal or an escape; the
//     others cannot match and are counted (records_prefiltered), not parsed. Any other file, or
//     one the prefilter refuses, is read by RecordReader as before.
//
// Failures: a file that cannot be loaded, inflated or read (corrupt gzip, truncated or non-JSON
// text, zero bytes, wrong shape) is reported through Progress::PrintError naming the file and
// counted in files_failed; records it yielded before the error are still evaluated. So is a file
// over ScanOptions::limits (cloudtrail/log_file_limits.h): larger than max_file_bytes (not read),
// inflating past max_inflated_bytes or max_compression_ratio (stopped there, so a gzip bomb costs
// at most the limit per worker), or not JSON in its first inflated block. A worker whose buffer
// grew past kKeptBufferBytes for a failed file frees it. A record that
// cannot be turned into an envelope or matched is a bad record, reported the same way. The scan
// always goes on.
//
// Thread-safety: Run is called from one thread and blocks until the scan is done.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "aws/s3_client.h"
#include "cloudtrail/log_file_limits.h"
#include "cloudtrail/record_prefilter.h"
#include "cloudtrail/record_reader.h"
#include "pattern/pattern_set.h"
#include "scan/key_pruning.h"
#include "scan/match_row.h"
#include "scan/progress.h"
#include "scan/scan_input.h"
#include "scan/scan_summary.h"

namespace trailwatch::scan {

struct ScanOptions {
  int threads = 0;  // 0 = one per hardware thread
  cloudtrail::InputFormat format = cloudtrail::InputFormat::kAuto;
  ScanFilter filter;  // applied to every record's eventTime, account and region
  // Records per range when a file is split across workers. Small enough to balance a 50 MB file
  // (~500k records) over many cores, large enough that hand-out costs nothing measurable.
  size_t chunk_records = 2048;
  // Parse every record instead of only those holding one of the rules' literals (--strict):
  // slower, but every record of every file is checked (bad records reported, all records
  // counted against the time/account/region filter).
  bool strict = false;
  // Per-file bounds (--max-file-bytes, --max-inflated-bytes, --max-compression-ratio).
  cloudtrail::LogFileLimits limits;
};

struct ScanResult {
  std::vector<MatchRow> rows;  // sorted by RowBefore
  ScanSummary summary;         // files, bytes, records, matches, failures; not discovery fields
};

class Scanner {
 public:
  // `s3` may be null when no input is in S3. `progress` receives counters and error lines.
  Scanner(std::shared_ptr<const pattern::PatternSet> set, ScanOptions options, aws::S3Client* s3,
          Progress* progress);

  ScanResult Run(const std::vector<ScanInput>& inputs);

  // The thread count Run uses for these options.
  static int ThreadCount(const ScanOptions& options);

 private:
  std::shared_ptr<const pattern::PatternSet> set_;
  ScanOptions options_;
  std::unique_ptr<const cloudtrail::RecordPrefilter> prefilter_;  // null: read every record
  aws::S3Client* s3_;
  Progress* progress_;
};

}  // namespace trailwatch::scan
