// EventLines: reads a file of JSON lines — plain or gzip, or standard input — in large chunks and
// hands out each line with the readable padding simdjson needs, without copying lines.
//
// zlib's gzread reads gzip and plain files transparently and streams, so a multi-gigabyte events
// file never has to fit in memory. A line longer than `max_line_bytes` is reported (by line
// number) and skipped, so one giant line cannot exhaust memory.
//
// Thread-safety: not thread-safe; one reader per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <zlib.h>

#include "common/result.h"

namespace trailwatch::sources {

class EventLines {
 public:
  struct Line {
    uint64_t number = 0;     // 1-based
    std::string_view text;   // without the newline
    size_t capacity = 0;     // readable bytes from text.data() (>= text.size() + padding)
    bool too_long = false;   // the line exceeded max_line_bytes; text is empty
  };

  // Opens `path` ("-" = standard input).
  static Result<std::unique_ptr<EventLines>> Open(const std::string& path,
                                                  size_t max_line_bytes = 64u << 20);
  ~EventLines();
  EventLines(const EventLines&) = delete;
  EventLines& operator=(const EventLines&) = delete;

  // Returns false at the end of input; *error is set if reading failed (corrupt gzip, I/O).
  bool Next(Line* line, std::string* error);

 private:
  EventLines(gzFile file, std::string path, size_t max_line_bytes);
  bool Fill(std::string* error);  // reads more input after the unconsumed tail

  gzFile file_;
  std::string path_;
  size_t max_line_bytes_;
  std::vector<char> buffer_;
  size_t begin_ = 0;  // first unconsumed byte
  size_t end_ = 0;    // end of valid data
  bool eof_ = false;
  bool skipping_ = false;  // inside an over-long line, discarding up to its newline
  uint64_t line_number_ = 0;
};

}  // namespace trailwatch::sources
