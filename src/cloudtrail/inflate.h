// Whole-file gzip inflation of CloudTrail log files into a simdjson-ready PaddedBuffer.
//
// CloudTrail log files are gzip, up to 50 MB compressed (docs/reference/formats.md §1.2, §1.5); a
// scan is bound by how fast they inflate, so two engines are kept and measured
// (bench/inflate_bench.cpp):
//   * libdeflate: one-shot per gzip member into a buffer that must be big enough. The ISIZE
//     trailer (size mod 2^32 of the *last* member only) is used as a first guess, never trusted;
//     on LIBDEFLATE_INSUFFICIENT_SPACE the buffer grows and the member is inflated again.
//   * ISA-L igzip: streaming isal_inflate, growing the buffer as output arrives.
// Both handle multi-member gzip (concatenated members, RFC 1952 §2.2), ignore zero bytes after the
// last member (as gzip does) and reject any other trailing bytes.
//
// Gzip bombs (a small file that inflates to gigabytes, e.g. of zeros): the output limit of a file
// (InflateOptions: max_output_bytes, max_compression_ratio) is computed from its compressed size
// before inflating, and the buffer never grows past it, so memory is bounded by the limit whatever
// the file claims. A first-block check (check_first_block) refuses non-JSON data after at most
// kFirstBlockBytes of output, before a large buffer is ever filled.
//
// Thread-safety: an Inflater holds decompressor state and is not thread-safe; use one per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "cloudtrail/padded_buffer.h"
#include "common/result.h"

struct libdeflate_decompressor;
struct inflate_state;

namespace trailwatch::cloudtrail {

enum class InflateEngine { kLibdeflate, kIsal };

// The faster engine on what scan reads. On one 48 MiB file (bench/inflate_bench.cpp) ISA-L was
// ahead (~1.7 vs ~1.5 GB/s of CPU time), but on the 2 GB generated corpus of 12,860 files
// (bench/inflate_files_bench --threads 1, docs/benchmarks.md "Scan") libdeflate needed ~20% less
// user CPU (1.26-1.33 s vs 1.58-1.70 s, 3 runs each): most files are small, and libdeflate's
// one-shot decode into a buffer sized from ISIZE has no per-call streaming overhead. ISA-L still
// names truncation and corruption when libdeflate fails (InflateInto).
inline constexpr InflateEngine kDefaultInflateEngine = InflateEngine::kLibdeflate;

// The defaults of the config keys max_inflated_bytes and max_compression_ratio (why these values:
// log_file_limits.h).
inline constexpr size_t kDefaultMaxInflatedBytes = size_t{1} << 30;
inline constexpr uint32_t kDefaultMaxCompressionRatio = 100;
// The ratio limit applies only beyond this many inflated bytes: a small file may compress very
// well (a few repeated records) and costs little memory whatever its ratio.
inline constexpr size_t kRatioFloorBytes = size_t{64} << 20;
// How many inflated bytes a first-block check sees: enough to see past any plausible leading
// whitespace, small enough to inflate twice at no measurable cost.
inline constexpr size_t kFirstBlockBytes = size_t{64} << 10;
// A first-block check runs before the output buffer grows past this size (below it, on the
// finished output): small files are not inflated twice, and a bomb costs at most this much.
inline constexpr size_t kCheckFirstBlockBefore = size_t{4} << 20;

struct InflateOptions {
  InflateEngine engine = kDefaultInflateEngine;
  // Inflated bytes allowed per file (max_inflated_bytes). The buffer never grows past it (+1).
  size_t max_output_bytes = kDefaultMaxInflatedBytes;
  // Inflated bytes allowed per compressed byte, over the whole file (max_compression_ratio);
  // 0 = no ratio limit. So a file may inflate to max(ratio_floor_bytes, ratio × its compressed
  // size), capped by max_output_bytes: known before inflating, enforced as output arrives.
  uint32_t max_compression_ratio = kDefaultMaxCompressionRatio;
  size_t ratio_floor_bytes = kRatioFloorBytes;
  // Optional test of the first kFirstBlockBytes inflated bytes (all of them if fewer), made before
  // the rest is inflated (see kCheckFirstBlockBefore); its error stops inflation and is returned
  // as is. Log files use CheckLogFileStart (log_file_limits.h).
  Status (*check_first_block)(std::string_view first_block) = nullptr;
};

// True if `bytes` starts with the gzip magic 1f 8b.
bool LooksLikeGzip(std::string_view bytes);

class Inflater {
 public:
  explicit Inflater(InflateOptions options = {});
  ~Inflater();
  Inflater(Inflater&&) noexcept;
  Inflater& operator=(Inflater&&) noexcept;

  // Inflates a whole gzip file into a new buffer. Prefer InflateInto in loops: faulting in a
  // fresh 50 MB buffer per file roughly halves the rate (bench/inflate_bench.cpp). Errors say what
  // is wrong (not gzip, truncated, corrupt data, checksum mismatch, trailing garbage, over the size
  // limit) and where (member number, byte offset); the caller prefixes the file name.
  Result<PaddedBuffer> Inflate(std::string_view gzip);
  // Same, into `out`, reusing its allocation: a scanner that keeps one buffer per thread avoids
  // faulting in fresh pages for every file. On error `out` holds no meaningful data.
  Status InflateInto(std::string_view gzip, PaddedBuffer& out);

 private:
  struct LibdeflateDeleter {
    void operator()(libdeflate_decompressor* d) const;
  };

  struct Job;  // one InflateInto call (inflate.cpp)

  Status InflateWithLibdeflate(Job& job, PaddedBuffer& out);
  Status InflateWithIsal(Job& job, PaddedBuffer& out);
  // The most a file of `compressed` bytes may inflate to, and the error for going past it.
  size_t OutputLimit(size_t compressed) const;
  Error LimitError(size_t compressed) const;
  // Doubles `out` up to the job's limit + 1 (false when already there), running the first-block
  // check first if the buffer is about to pass kCheckFirstBlockBefore. `produced`: output bytes
  // already valid at the start of `out`.
  Result<bool> Grow(Job& job, PaddedBuffer& out, size_t produced);
  // Inflates the start of the first member into scratch_ and runs options_.check_first_block
  // (uses the ISA-L state: never while InflateWithIsal runs).
  Status CheckFirstBlock(Job& job);
  Status EnsureIsal();

  InflateOptions options_;
  std::unique_ptr<libdeflate_decompressor, LibdeflateDeleter> libdeflate_;
  std::unique_ptr<inflate_state> isal_;  // complete type only in inflate.cpp, where ~Inflater is
  std::unique_ptr<char[]> scratch_;      // kFirstBlockBytes, for CheckFirstBlock
};

// One-shot convenience (allocates decompressor state per call).
Result<PaddedBuffer> InflateGzip(std::string_view gzip, const InflateOptions& options = {});

}  // namespace trailwatch::cloudtrail
