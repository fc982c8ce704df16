// gzip inflation with libdeflate or ISA-L (see inflate.h).
#include "cloudtrail/inflate.h"

#include <isa-l/igzip_lib.h>
#include <libdeflate.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>
#include <string>

namespace trailwatch::cloudtrail {
namespace {

// DEFLATE cannot expand more than ~1032:1 (a 258-byte match per ~2 bits); used to bound the first
// allocation when a hostile ISIZE trailer claims gigabytes.
constexpr size_t kMaxDeflateRatio = 1032;
constexpr size_t kMinCapacity = 64 * 1024;
// isal_inflate counts in uint32_t; feed it at most this much per call.
constexpr size_t kIsalChunk = size_t{1} << 30;

std::string Offset(size_t offset) { return "byte offset " + std::to_string(offset); }

// Buffer room for a limit: one byte more, so that output over the limit is seen rather than
// mistaken for "fits exactly". Saturates for an unlimited (SIZE_MAX) limit.
size_t RoomFor(size_t limit) {
  return limit == std::numeric_limits<size_t>::max() ? limit : limit + 1;
}

// First guess for the output size: the last member's ISIZE if plausible, bounded by what DEFLATE
// can produce from this input and by the limit (+1 so that reaching the limit is detectable).
size_t InitialCapacity(std::string_view gzip, size_t limit) {
  size_t guess = gzip.size() * 4;
  if (gzip.size() >= 18) {
    const auto* tail = reinterpret_cast<const unsigned char*>(gzip.data() + gzip.size() - 4);
    const size_t isize =
        size_t{tail[0]} | size_t{tail[1]} << 8 | size_t{tail[2]} << 16 | size_t{tail[3]} << 24;
    if (isize >= gzip.size()) guess = isize;
  }
  guess = std::min(guess, gzip.size() * kMaxDeflateRatio + kMinCapacity);
  return std::min(std::max(guess, kMinCapacity), RoomFor(limit));
}

enum class AfterMember { kDone, kNextMember, kGarbage };

// What follows a finished member: end of input, zero padding (ignored, as gzip does), another
// member, or garbage.
AfterMember ClassifyRest(std::string_view rest) {
  if (rest.empty()) return AfterMember::kDone;
  if (std::all_of(rest.begin(), rest.end(), [](char c) { return c == 0; })) {
    return AfterMember::kDone;
  }
  return LooksLikeGzip(rest) ? AfterMember::kNextMember : AfterMember::kGarbage;
}

Error GarbageError(size_t member, size_t offset) {
  return Error{"gzip: trailing garbage after member " + std::to_string(member) + " at " +
               Offset(offset) + " (not another gzip member)"};
}

Error NotGzipError(std::string_view bytes) {
  if (bytes.empty()) return Error{"gzip: empty input (0 bytes)"};
  return Error{"gzip: not gzip data (missing the 1f 8b magic bytes)"};
}

std::string IsalErrorText(int code) {
  switch (code) {
    case ISAL_INVALID_BLOCK:
      return "corrupt deflate data (invalid block)";
    case ISAL_INVALID_SYMBOL:
      return "corrupt deflate data (invalid Huffman symbol)";
    case ISAL_INVALID_LOOKBACK:
      return "corrupt deflate data (back-reference beyond the start of the data)";
    case ISAL_INVALID_WRAPPER:
      return "invalid gzip header";
    case ISAL_UNSUPPORTED_METHOD:
      return "unsupported gzip compression method";
    case ISAL_INCORRECT_CHECKSUM:
      return "CRC-32 or length check failed: the data is corrupt";
    default:
      return "inflate failed (ISA-L error " + std::to_string(code) + ")";
  }
}

}  // namespace

struct Inflater::Job {
  std::string_view gzip;
  size_t limit = 0;                  // OutputLimit(gzip.size())
  bool first_block_checked = false;  // or there is no check
};

bool LooksLikeGzip(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

void Inflater::LibdeflateDeleter::operator()(libdeflate_decompressor* d) const {
  libdeflate_free_decompressor(d);
}

Inflater::Inflater(InflateOptions options) : options_(options) {}
Inflater::~Inflater() = default;
Inflater::Inflater(Inflater&&) noexcept = default;
Inflater& Inflater::operator=(Inflater&&) noexcept = default;

Result<PaddedBuffer> Inflater::Inflate(std::string_view gzip) {
  PaddedBuffer out;
  if (Status status = InflateInto(gzip, out); !status.ok()) return Error{status.message()};
  return out;
}

size_t Inflater::OutputLimit(size_t compressed) const {
  size_t limit = options_.max_output_bytes;
  if (const size_t ratio = options_.max_compression_ratio; ratio > 0) {
    const size_t by_ratio = compressed > std::numeric_limits<size_t>::max() / ratio
                                ? std::numeric_limits<size_t>::max()
                                : compressed * ratio;
    limit = std::min(limit, std::max(options_.ratio_floor_bytes, by_ratio));
  }
  return limit;
}

Error Inflater::LimitError(size_t compressed) const {
  const size_t limit = OutputLimit(compressed);
  if (limit == options_.max_output_bytes) {
    return Error{"gzip: inflated size exceeds the limit of " + std::to_string(limit) +
                 " bytes (max_inflated_bytes; a corrupt file or a gzip bomb)"};
  }
  return Error{"gzip: inflates to more than " + std::to_string(options_.max_compression_ratio) +
               " times its " + std::to_string(compressed) +
               " compressed bytes (max_compression_ratio; CloudTrail JSON compresses about 10-20 "
               "times, a gzip bomb about 1000 times)"};
}

Result<bool> Inflater::Grow(Job& job, PaddedBuffer& out, size_t produced) {
  if (out.capacity() >= RoomFor(job.limit)) return false;
  const size_t target = std::min(std::max(out.capacity() * 2, kMinCapacity), RoomFor(job.limit));
  if (!job.first_block_checked && target > kCheckFirstBlockBefore) {
    // ISA-L streams: the start of the output is in `out` already. libdeflate's partial output is
    // undefined, so the start is inflated again.
    Status status = Status::Ok();
    if (produced >= kFirstBlockBytes) {
      job.first_block_checked = true;
      status = options_.check_first_block(std::string_view(out.data(), kFirstBlockBytes));
    } else {
      status = CheckFirstBlock(job);
    }
    if (!status.ok()) return Error{status.message()};
  }
  if (Status status = out.Reserve(target); !status.ok()) {
    return Error{"gzip: " + status.message()};
  }
  return true;
}

Status Inflater::EnsureIsal() {
  if (isal_) return Status::Ok();
  try {
    isal_ = std::make_unique<inflate_state>();  // tens of KB of tables, reused across files
  } catch (const std::bad_alloc&) {
    return Error{"gzip: out of memory allocating the ISA-L inflate state"};
  }
  return Status::Ok();
}

Status Inflater::CheckFirstBlock(Job& job) {
  job.first_block_checked = true;
  if (Status status = EnsureIsal(); !status.ok()) return status;
  if (!scratch_) {
    try {
      scratch_ = std::make_unique_for_overwrite<char[]>(kFirstBlockBytes);
    } catch (const std::bad_alloc&) {
      return Error{"gzip: out of memory allocating the first-block buffer"};
    }
  }
  // Streaming, so that only kFirstBlockBytes are produced however large the file is.
  inflate_state* state = isal_.get();
  isal_inflate_init(state);
  state->crc_flag = ISAL_GZIP;
  state->next_in = reinterpret_cast<uint8_t*>(const_cast<char*>(job.gzip.data()));
  state->avail_in = static_cast<uint32_t>(std::min(job.gzip.size(), kIsalChunk));
  state->next_out = reinterpret_cast<uint8_t*>(scratch_.get());
  state->avail_out = static_cast<uint32_t>(kFirstBlockBytes);
  for (;;) {
    const uint8_t* const in_before = state->next_in;
    const uint32_t out_before = state->avail_out;
    // A corrupt start is left to the full inflation, whose errors say where and what.
    if (isal_inflate(state) < 0) return Status::Ok();
    if (state->block_state == ISAL_BLOCK_FINISH || state->avail_out == 0) break;
    if (state->next_in == in_before && state->avail_out == out_before) break;  // input ended
  }
  const size_t produced = kFirstBlockBytes - state->avail_out;
  return options_.check_first_block(std::string_view(scratch_.get(), produced));
}

Status Inflater::InflateInto(std::string_view gzip, PaddedBuffer& out) {
  out.SetSize(0);
  if (!LooksLikeGzip(gzip)) return NotGzipError(gzip);
  Job job{gzip, OutputLimit(gzip.size()), options_.check_first_block == nullptr};
  const size_t capacity = InitialCapacity(gzip, job.limit);
  // A bomb usually announces its size in the ISIZE trailer: check before allocating for it.
  if (!job.first_block_checked && capacity > kCheckFirstBlockBefore) {
    if (Status status = CheckFirstBlock(job); !status.ok()) return status;
  }
  if (Status status = out.Reserve(capacity); !status.ok()) {
    return Error{"gzip: " + status.message()};
  }
  Status inflated;
  if (options_.engine == InflateEngine::kIsal) {
    inflated = InflateWithIsal(job, out);
  } else {
    inflated = InflateWithLibdeflate(job, out);
    // libdeflate reports every malformation as LIBDEFLATE_BAD_DATA. The error path is rare, so
    // re-run the streaming engine there to name the problem (truncated vs corrupt vs checksum).
    if (!inflated.ok() && inflated.message().starts_with("gzip: bad data")) {
      Status diagnosis = InflateWithIsal(job, out);
      if (!diagnosis.ok()) return diagnosis;
    }
  }
  if (!inflated.ok() || job.first_block_checked) return inflated;
  // A small file: its first block is checked in the finished output, not inflated twice.
  Status checked = options_.check_first_block(out.view().substr(0, kFirstBlockBytes));
  if (!checked.ok()) out.SetSize(0);
  return checked;
}

Status Inflater::InflateWithLibdeflate(Job& job, PaddedBuffer& out) {
  if (!libdeflate_) {
    libdeflate_.reset(libdeflate_alloc_decompressor());
    if (!libdeflate_) return Error{"gzip: out of memory allocating the libdeflate decompressor"};
  }
  const std::string_view gzip = job.gzip;
  const size_t limit = job.limit;
  size_t in_pos = 0;
  size_t out_size = 0;
  for (size_t member = 1;; ++member) {
    for (;;) {
      size_t in_used = 0, out_used = 0;
      const libdeflate_result result = libdeflate_gzip_decompress_ex(
          libdeflate_.get(), gzip.data() + in_pos, gzip.size() - in_pos, out.data() + out_size,
          out.capacity() - out_size, &in_used, &out_used);
      if (result == LIBDEFLATE_SUCCESS) {
        in_pos += in_used;
        out_size += out_used;
        break;
      }
      if (result != LIBDEFLATE_INSUFFICIENT_SPACE) {
        return Error{"gzip: bad data in member " + std::to_string(member) + " starting at " +
                     Offset(in_pos)};
      }
      // The member did not fit: grow and inflate it again from its start.
      auto grown = Grow(job, out, /*produced=*/0);
      if (!grown.ok()) return grown.error();
      if (!*grown) return LimitError(gzip.size());
    }
    if (out_size > limit) return LimitError(gzip.size());
    switch (ClassifyRest(gzip.substr(in_pos))) {
      case AfterMember::kDone:
        out.SetSize(out_size);
        return Status::Ok();
      case AfterMember::kGarbage:
        return GarbageError(member, in_pos);
      case AfterMember::kNextMember:
        break;
    }
  }
}

Status Inflater::InflateWithIsal(Job& job, PaddedBuffer& out) {
  if (Status status = EnsureIsal(); !status.ok()) return status;
  inflate_state* state = isal_.get();
  const std::string_view gzip = job.gzip;
  const size_t limit = job.limit;
  auto* const in = reinterpret_cast<uint8_t*>(const_cast<char*>(gzip.data()));
  size_t out_size = 0;
  size_t member = 1;
  size_t member_start = 0;

  isal_inflate_init(state);
  state->crc_flag = ISAL_GZIP;  // parse the gzip header, verify CRC-32 and ISIZE
  state->next_in = in;
  state->avail_in = static_cast<uint32_t>(std::min(gzip.size(), kIsalChunk));
  for (;;) {
    const size_t room = std::min(out.capacity() - out_size, kIsalChunk);
    state->next_out = reinterpret_cast<uint8_t*>(out.data() + out_size);
    state->avail_out = static_cast<uint32_t>(room);
    const uint8_t* const next_in_before = state->next_in;
    const int code = isal_inflate(state);
    out_size += room - state->avail_out;
    const bool progressed = state->next_in != next_in_before || state->avail_out != room;
    if (code < 0) {
      return Error{"gzip: " + IsalErrorText(code) + " in member " + std::to_string(member) +
                   " starting at " + Offset(member_start)};
    }
    if (out_size > limit) return LimitError(gzip.size());
    const size_t in_pos = static_cast<size_t>(state->next_in - in);
    const size_t in_end = in_pos + state->avail_in;  // end of what ISA-L has been given
    if (state->block_state == ISAL_BLOCK_FINISH) {
      switch (ClassifyRest(gzip.substr(in_pos))) {
        case AfterMember::kDone:
          out.SetSize(out_size);
          return Status::Ok();
        case AfterMember::kGarbage:
          return GarbageError(member, in_pos);
        case AfterMember::kNextMember:
          break;
      }
      ++member;
      member_start = in_pos;
      isal_inflate_reset(state);
      state->crc_flag = ISAL_GZIP;
      state->next_in = in + in_pos;
      state->avail_in = static_cast<uint32_t>(std::min(gzip.size() - in_pos, kIsalChunk));
      continue;
    }
    if (state->avail_in == 0 && in_end < gzip.size()) {
      state->avail_in = static_cast<uint32_t>(std::min(gzip.size() - in_end, kIsalChunk));
      continue;
    }
    if (state->avail_out == 0) {
      auto grown = Grow(job, out, out_size);
      if (!grown.ok()) return grown.error();
      if (!*grown) return LimitError(gzip.size());
      continue;
    }
    if (state->avail_in != 0 && progressed) continue;
    if (state->avail_in != 0) {
      return Error{"gzip: inflate stalled in member " + std::to_string(member) + " at " +
                   Offset(in_pos) + " (ISA-L status " + std::to_string(code) + ")"};
    }
    // Input exhausted, output room left, member not finished.
    return Error{"gzip: truncated: the input ends inside member " + std::to_string(member) +
                 " (which starts at " + Offset(member_start) + ") after " +
                 std::to_string(out_size) + " inflated bytes"};
  }
}

Result<PaddedBuffer> InflateGzip(std::string_view gzip, const InflateOptions& options) {
  Inflater inflater(options);
  return inflater.Inflate(gzip);
}

}  // namespace trailwatch::cloudtrail
