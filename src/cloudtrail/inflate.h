// Whole-file gzip inflation of CloudTrail log files into a simdjson-ready PaddedBuffer.
//
// CloudTrail log files are gzip, up to 50 MB compressed (formats.md §1.2, §1.5); a scan is bound by
// how fast they inflate, so two engines are kept and measured (bench/inflate_bench.cpp):
//   * libdeflate: one-shot per gzip member into a buffer that must be big enough. The ISIZE
//     trailer (size mod 2^32 of the *last* member only) is used as a first guess, never trusted;
//     on LIBDEFLATE_INSUFFICIENT_SPACE the buffer grows and the member is inflated again.
//   * ISA-L igzip: streaming isal_inflate, growing the buffer as output arrives.
// Both handle multi-member gzip (concatenated members, RFC 1952 §2.2), ignore zero bytes after the
// last member (as gzip does) and reject any other trailing bytes. Output beyond
// InflateOptions::max_output_bytes is an error, so a gzip bomb cannot exhaust memory.
//
// Thread-safety: an Inflater holds decompressor state and is not thread-safe; use one per thread.
#pragma once

#include <cstddef>
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

struct InflateOptions {
  InflateEngine engine = kDefaultInflateEngine;
  // Inflated bytes allowed per file. CloudTrail files are ≤ 50 MB compressed; JSON inflates
  // ~10–20×, so 2 GiB leaves a wide margin while bounding a hostile file.
  size_t max_output_bytes = size_t{2} << 30;
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

  Status InflateWithLibdeflate(std::string_view gzip, PaddedBuffer& out);
  Status InflateWithIsal(std::string_view gzip, PaddedBuffer& out);

  InflateOptions options_;
  std::unique_ptr<libdeflate_decompressor, LibdeflateDeleter> libdeflate_;
  std::unique_ptr<inflate_state> isal_;  // complete type only in inflate.cpp, where ~Inflater is
};

// One-shot convenience (allocates decompressor state per call).
Result<PaddedBuffer> InflateGzip(std::string_view gzip, const InflateOptions& options = {});

}  // namespace trailwatch::cloudtrail
