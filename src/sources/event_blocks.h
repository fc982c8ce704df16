// EventBlocks: reads a file of JSON lines — plain or gzip, or standard input — as blocks of whole
// lines, which several threads can then split and match at once (`trailwatch match --threads`).
//
// zlib's gzread reads gzip and plain input alike and streams, so a multi-gigabyte events file
// never has to fit in memory. Each block is read straight into a buffer of about `block_bytes`
// (one read(2) copy for plain input; no further copy of lines: they are parsed in place, the
// buffer's padding letting simdjson read past the last one). Buffers go back to a pool with
// Recycle, so a long input reuses a few warm buffers. Mapping plain files (mmap) instead was
// measured and lost here: 25-30 % more CPU on a 2 vCPU KVM guest (first touch of each mapped page
// costs more than the copy into a cache-warm buffer; docs/benchmarks.md, issue 16).
//
// Lines: split on '\n', a trailing '\r' removed, the last line may lack its newline. A line
// longer than `max_line_bytes` is reported (EventLine::too_long, by its number) and skipped, so
// one giant line cannot exhaust memory: it is discarded as it is read.
//
// Blocks depend only on the input and the options, never on timing: the same input gives the
// same blocks, which is what lets several threads reproduce one thread's output.
//
// Thread-safety: Next is not thread-safe (one caller at a time); Recycle and ForEachLine may be
// called from any thread.
#pragma once

#include <simdjson.h>
#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "cloudtrail/padded_buffer.h"
#include "common/result.h"

namespace trailwatch::sources {

struct EventBlock {
  // Whole lines: every line ends with '\n' except, possibly, the input's last.
  std::string_view text;
  // Readable bytes from text.data(): at least text.size() + SIMDJSON_PADDING.
  size_t capacity = 0;
  // One over-long line, skipped as it was read: it counts as one line; text is empty.
  bool too_long = false;
  // Holds `text`.
  cloudtrail::PaddedBuffer storage;
};

// One line of a block.
struct EventLine {
  uint64_t number = 0;    // 1-based within its block
  std::string_view text;  // without the newline and a trailing '\r'
  size_t capacity = 0;    // readable bytes from text.data() (>= text.size() + padding)
  bool too_long = false;  // longer than max_line_bytes: skipped, text is empty
};

class EventBlocks {
 public:
  struct Options {
    size_t max_line_bytes = size_t{64} << 20;
    // Bytes read per block; the block holds the whole lines among them (and the rest of the
    // previous read's last line), a buffer grows for a line longer than that.
    size_t block_bytes = size_t{1} << 20;
  };

  // Opens `path` ("-" = standard input). Errors name the path.
  static Result<std::unique_ptr<EventBlocks>> Open(const std::string& path, Options options);
  static Result<std::unique_ptr<EventBlocks>> Open(const std::string& path) {
    return Open(path, Options());
  }
  ~EventBlocks();
  EventBlocks(const EventBlocks&) = delete;
  EventBlocks& operator=(const EventBlocks&) = delete;

  // The next block, in input order. Returns false at the end of the input; *error is then set if
  // reading failed (corrupt gzip, I/O), after every complete line read before the failure was
  // handed out.
  bool Next(EventBlock* block, std::string* error);

  // Gives a block's storage back for reuse by Next (saves a fresh buffer's page faults).
  void Recycle(EventBlock&& block);

  // Calls visit(const EventLine&) for every line of `block`, in order.
  template <typename Visit>
  void ForEachLine(const EventBlock& block, Visit&& visit) const;

 private:
  EventBlocks(gzFile file, std::string path, Options options)
      : file_(file), path_(std::move(path)), options_(options) {}
  bool SkipOverlongLine(EventBlock* block, std::string* error);
  // gzread into `into`; false (and *error) on failure, sets eof_ at the end.
  bool Read(char* into, size_t want, size_t* got, std::string* error);
  cloudtrail::PaddedBuffer TakeBuffer();

  gzFile file_;
  std::string path_;
  Options options_;
  std::string carry_;  // the start of a line whose end is not read yet
  bool eof_ = false;
  bool skipping_ = false;   // inside an over-long line, discarding up to its newline
  std::string read_error_;  // a read failed after complete lines: reported by the next Next
  std::mutex pool_mutex_;
  std::vector<cloudtrail::PaddedBuffer> pool_;
};

template <typename Visit>
void EventBlocks::ForEachLine(const EventBlock& block, Visit&& visit) const {
  if (block.too_long) {
    visit(EventLine{1, {}, 0, true});
    return;
  }
  const char* begin = block.text.data();
  const char* const end = begin + block.text.size();
  uint64_t number = 0;
  while (begin < end) {
    const char* newline = static_cast<const char*>(std::memchr(begin, '\n', end - begin));
    size_t length = static_cast<size_t>((newline != nullptr ? newline : end) - begin);
    EventLine line;
    line.number = ++number;
    if (length > options_.max_line_bytes) {
      line.too_long = true;
    } else {
      line.capacity = block.capacity - static_cast<size_t>(begin - block.text.data());
      if (length > 0 && begin[length - 1] == '\r') --length;
      line.text = std::string_view(begin, length);
    }
    visit(line);
    if (newline == nullptr) break;
    begin = newline + 1;
  }
}

}  // namespace trailwatch::sources
