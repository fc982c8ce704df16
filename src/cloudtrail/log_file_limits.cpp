// LogFileLimits and the first-block test (see log_file_limits.h).
#include "cloudtrail/log_file_limits.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>

namespace trailwatch::cloudtrail {
namespace {

bool IsJsonWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

InflateOptions LogFileLimits::ToInflateOptions() const {
  InflateOptions options;
  options.max_output_bytes = static_cast<size_t>(
      std::min<uint64_t>(max_inflated_bytes, std::numeric_limits<size_t>::max()));
  options.max_compression_ratio = max_compression_ratio;
  options.check_first_block = &CheckLogFileStart;
  return options;
}

Status CheckStoredSize(uint64_t size, const LogFileLimits& limits) {
  if (size <= limits.max_file_bytes) return Status::Ok();
  return Error{std::to_string(size) + " bytes is over the limit of " +
               std::to_string(limits.max_file_bytes) + " bytes per file (max_file_bytes)"};
}

Status CheckLogFileStart(std::string_view first_block) {
  // memchr is the cheap part (tens of GB/s): it runs on every file's first 64 KiB.
  if (const void* zero = std::memchr(first_block.data(), 0, first_block.size())) {
    const size_t at = static_cast<size_t>(static_cast<const char*>(zero) - first_block.data());
    return Error{"not a JSON log file: inflated byte " + std::to_string(at) +
                 " is 0x00 (JSON text never holds a zero byte; a gzip bomb of zeros does)"};
  }
  std::string_view text = first_block;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // as RecordReader allows
  size_t first = 0;
  while (first < text.size() && IsJsonWhitespace(text[first])) ++first;
  if (first == text.size()) {
    if (first_block.size() < kFirstBlockBytes) return Status::Ok();  // short: "empty file" later
    return Error{"not a JSON log file: the first " + std::to_string(first_block.size()) +
                 " inflated bytes are all whitespace"};
  }
  if (text[first] == '{' || text[first] == '[') return Status::Ok();
  char shown[8];
  std::snprintf(shown, sizeof shown, "0x%02x", static_cast<unsigned char>(text[first]));
  return Error{std::string("not a JSON log file: the inflated text starts with byte ") + shown +
               " (a CloudTrail log file starts with '{' or '[')"};
}

}  // namespace trailwatch::cloudtrail
