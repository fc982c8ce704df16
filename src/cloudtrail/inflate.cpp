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

Error SizeLimitError(size_t limit) {
  return Error{"gzip: inflated size exceeds the limit of " + std::to_string(limit) +
               " bytes (a corrupt file or a gzip bomb)"};
}

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

// Doubles the buffer up to limit + 1. False when it is already there.
Result<bool> Grow(PaddedBuffer& buffer, size_t limit) {
  if (buffer.capacity() >= RoomFor(limit)) return false;
  const size_t target = std::min(std::max(buffer.capacity() * 2, kMinCapacity), RoomFor(limit));
  if (Status status = buffer.Reserve(target); !status.ok()) {
    return Error{"gzip: " + status.message()};
  }
  return true;
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

Status Inflater::InflateInto(std::string_view gzip, PaddedBuffer& out) {
  out.SetSize(0);
  if (!LooksLikeGzip(gzip)) return NotGzipError(gzip);
  if (Status status = out.Reserve(InitialCapacity(gzip, options_.max_output_bytes)); !status.ok()) {
    return Error{"gzip: " + status.message()};
  }
  if (options_.engine == InflateEngine::kIsal) return InflateWithIsal(gzip, out);
  Status inflated = InflateWithLibdeflate(gzip, out);
  // libdeflate reports every malformation as LIBDEFLATE_BAD_DATA. The error path is rare, so
  // re-run the streaming engine there to name the problem (truncated vs corrupt vs checksum).
  if (!inflated.ok() && inflated.message().starts_with("gzip: bad data")) {
    Status diagnosis = InflateWithIsal(gzip, out);
    if (!diagnosis.ok()) return diagnosis;
  }
  return inflated;
}

Status Inflater::InflateWithLibdeflate(std::string_view gzip, PaddedBuffer& out) {
  if (!libdeflate_) {
    libdeflate_.reset(libdeflate_alloc_decompressor());
    if (!libdeflate_) return Error{"gzip: out of memory allocating the libdeflate decompressor"};
  }
  const size_t limit = options_.max_output_bytes;
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
      auto grown = Grow(out, limit);
      if (!grown.ok()) return grown.error();
      if (!*grown) return SizeLimitError(limit);
    }
    if (out_size > limit) return SizeLimitError(limit);
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

Status Inflater::InflateWithIsal(std::string_view gzip, PaddedBuffer& out) {
  if (!isal_) {
    try {
      isal_ = std::make_unique<inflate_state>();  // tens of KB of tables, reused across files
    } catch (const std::bad_alloc&) {
      return Error{"gzip: out of memory allocating the ISA-L inflate state"};
    }
  }
  inflate_state* state = isal_.get();
  const size_t limit = options_.max_output_bytes;
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
    if (out_size > limit) return SizeLimitError(limit);
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
      auto grown = Grow(out, limit);
      if (!grown.ok()) return grown.error();
      if (!*grown) return SizeLimitError(limit);
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
