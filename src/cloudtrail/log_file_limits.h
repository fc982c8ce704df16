// LogFileLimits: how much one CloudTrail log file may cost to read, and the cheap test that its
// first inflated block is JSON text. Shared by the directory, s3 and sqs sources (config keys
// max_file_bytes, max_inflated_bytes, max_compression_ratio) and by `scan` (--max-file-bytes,
// --max-inflated-bytes, --max-compression-ratio), so both refuse the same files with the same words
// (docs/limits.md, "Log files").
//
// Why these defaults:
//   * max_file_bytes (1 GiB stored): CloudTrail delivers a log file every ~5 minutes per account
//     and region; even busy accounts produce files of tens of MB compressed. 1 GiB only stops
//     files that are not CloudTrail deliveries.
//   * max_inflated_bytes (1 GiB): CloudTrail JSON compresses ~10-20x (docs/benchmarks.md: 6.5x
//     for generated records with random ids), so the largest real files inflate to a few hundred
//     MB. 1 GiB keeps a wide margin and is also the bound on the buffer a hostile file can make
//     us fill (reading needs about twice the inflated size; docs/benchmarks.md, "Scan").
//   * max_compression_ratio (100x): DEFLATE of JSON with ids, timestamps and addresses does not
//     get near 100x; a run of one byte (zeros, spaces) reaches ~1000x, which is what gzip bombs
//     are made of. The ratio is only enforced once the inflated size passes kRatioFloorBytes, so
//     a small file of repetitive test records is never refused by it.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cloudtrail/inflate.h"
#include "common/result.h"

namespace trailwatch::cloudtrail {

inline constexpr uint64_t kDefaultMaxFileBytes = uint64_t{1} << 30;

struct LogFileLimits {
  uint64_t max_file_bytes = kDefaultMaxFileBytes;          // stored (usually compressed) bytes
  uint64_t max_inflated_bytes = kDefaultMaxInflatedBytes;  // after gzip
  uint32_t max_compression_ratio = kDefaultMaxCompressionRatio;  // inflated / stored; 0 = no limit

  // The inflater settings for these limits, with CheckLogFileStart as the first-block test.
  InflateOptions ToInflateOptions() const;
};

// A file of `size` stored bytes is refused when over max_file_bytes, before it is read.
Status CheckStoredSize(uint64_t size, const LogFileLimits& limits);

// The first kFirstBlockBytes of a log file (or all of it, if shorter), after gzip: after an
// optional UTF-8 byte order mark and whitespace the text must start with '{' or '[', and hold no
// zero byte (JSON text never contains a raw NUL; a gzip bomb of zeros is nothing else). A shorter
// block of only whitespace passes: the record reader then says "empty file".
Status CheckLogFileStart(std::string_view first_block);

}  // namespace trailwatch::cloudtrail
