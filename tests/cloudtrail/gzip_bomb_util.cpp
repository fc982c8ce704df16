// GzipBomb (gzip_bomb_util.h).
#include "cloudtrail/gzip_bomb_util.h"

#include <zlib.h>

#include <stdexcept>

namespace trailwatch::cloudtrail::testing {
namespace {

constexpr size_t kRun = size_t{1} << 20;

// Raw DEFLATE of `data` from a fresh stream, ending with a full flush (or the final block when
// `finish`): a piece that can be placed after any other such piece.
std::string DeflatePiece(std::string_view data, int level, bool finish) {
  z_stream stream{};
  if (deflateInit2(&stream, level, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  std::string out(deflateBound(&stream, data.size()) + 64, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int code = deflate(&stream, finish ? Z_FINISH : Z_FULL_FLUSH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (code != (finish ? Z_STREAM_END : Z_OK) || stream.avail_in != 0) {
    throw std::runtime_error("deflate failed");
  }
  return out;
}

uLong Crc(std::string_view data) {
  return crc32(crc32(0, nullptr, 0), reinterpret_cast<const Bytef*>(data.data()),
               static_cast<uInt>(data.size()));
}

void AppendLittleEndian32(std::string& out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

}  // namespace

std::string GzipBomb(std::string_view head, char fill, uint64_t fill_bytes, int level) {
  // gzip header: magic, deflate, no flags, no mtime, no extra flags, OS unknown (RFC 1952 §2.3).
  std::string out("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
  uLong crc = crc32(0, nullptr, 0);
  if (!head.empty()) {
    out += DeflatePiece(head, level, false);
    crc = crc32_combine(crc, Crc(head), static_cast<z_off_t>(head.size()));
  }
  const std::string run(kRun, fill);
  const std::string run_piece = DeflatePiece(run, level, false);
  const uLong run_crc = Crc(run);
  uint64_t left = fill_bytes;
  for (; left >= kRun; left -= kRun) {
    out += run_piece;
    crc = crc32_combine(crc, run_crc, static_cast<z_off_t>(kRun));
  }
  const std::string_view rest(run.data(), static_cast<size_t>(left));
  out += DeflatePiece(rest, level, true);  // the final block (possibly empty)
  crc = crc32_combine(crc, Crc(rest), static_cast<z_off_t>(rest.size()));
  AppendLittleEndian32(out, static_cast<uint32_t>(crc));
  AppendLittleEndian32(out, static_cast<uint32_t>(head.size() + fill_bytes));  // ISIZE: mod 2^32
  return out;
}

}  // namespace trailwatch::cloudtrail::testing
