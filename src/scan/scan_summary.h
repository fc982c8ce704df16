// ScanSummary: the totals `trailwatch scan` reports at the end, and their text and JSON forms.
//
// Where it is printed (scan_command.cpp): after the table on stdout for --output table; for the
// machine-readable outputs (jsonl, json, csv) stdout carries rows only, so the summary goes to
// stderr, and only when stderr is a terminal and --quiet is not given (issue 3: "nothing on
// stderr with --quiet or when not a terminal except errors"). --summary-json FILE always writes
// the JSON form, for scripts and tests.
//
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <string>

#include "scan/scan_input.h"

namespace trailwatch::scan {

struct ScanSummary {
  uint64_t files = 0;             // inputs opened (after discovery and pruning)
  uint64_t files_failed = 0;      // inputs that could not be read, or read only in part
  uint64_t bytes_compressed = 0;  // bytes as stored (gzip or plain) of the files read
  uint64_t bytes_inflated = 0;    // JSON bytes after inflation
  uint64_t records = 0;           // records read
  uint64_t records_filtered = 0;  // records read and found outside --since/--until/--accounts/--regions
  // Records not parsed: they hold none of the rules' literals, so no rule can match them
  // (scanner.h; zero with --strict).
  uint64_t records_prefiltered = 0;
  uint64_t bad_records = 0;       // records that could not be evaluated (reported on stderr)
  uint64_t matches = 0;           // rows: (record, rule) pairs
  uint64_t discovery_errors = 0;  // locations that could not be listed or do not exist
  uint64_t s3_list_requests = 0;  // ListObjectsV2 pages fetched during discovery
  SkipCounts skipped;
  double elapsed_seconds = 0;

  // Inflated MB (10^6 bytes) per second of wall time.
  double MegabytesPerSecond() const;
  bool failed() const { return files_failed > 0 || bad_records > 0 || discovery_errors > 0; }
};

// Human-readable lines, each ending in '\n'.
std::string FormatSummaryText(const ScanSummary& summary);
// One JSON object and '\n'.
std::string FormatSummaryJson(const ScanSummary& summary);

}  // namespace trailwatch::scan
