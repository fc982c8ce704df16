// Gzip bombs for the tests of the log-file limits (cloudtrail/log_file_limits.h): small gzip files
// that inflate to gigabytes, made in milliseconds instead of seconds.
//
// How: DEFLATE output that ends with a full flush (Z_FULL_FLUSH) is byte-aligned and refers to
// nothing before it, so one compressed 1 MiB run of a byte can be repeated as often as wanted; the
// gzip trailer's CRC-32 is combined arithmetically (crc32_combine), never computed over the run.
// The result is one ordinary gzip member, like `head -c 1G /dev/zero | gzip -9`.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace trailwatch::cloudtrail::testing {

// A gzip member of `head` followed by `fill_bytes` copies of `fill`, compressed at `level` (zlib
// 1-9; 9 makes zeros ~1030x smaller, 1 ~230x).
std::string GzipBomb(std::string_view head, char fill, uint64_t fill_bytes, int level);

// `bytes` zeros: the shape of the bombs in the issue (1 GB in ~1 MB at level 9; 2.2 GB in ~10 MB
// at level 1).
inline std::string GzipZeros(uint64_t bytes, int level) { return GzipBomb("", '\0', bytes, level); }

// An ordinary gzip file of `text`.
inline std::string GzipText(std::string_view text) { return GzipBomb(text, ' ', 0, 6); }

}  // namespace trailwatch::cloudtrail::testing
