#include "sources/event_lines.h"

#include <unistd.h>

#include <cstring>

#include <simdjson.h>

namespace trailwatch::sources {

namespace {
constexpr size_t kChunk = 4u << 20;
}  // namespace

Result<std::unique_ptr<EventLines>> EventLines::Open(const std::string& path,
                                                     size_t max_line_bytes) {
  gzFile file = path == "-" ? gzdopen(dup(STDIN_FILENO), "rb") : gzopen(path.c_str(), "rb");
  if (file == nullptr) {
    return Error{path + ": cannot open: " + std::strerror(errno)};
  }
  gzbuffer(file, 1u << 20);
  return std::unique_ptr<EventLines>(new EventLines(file, path == "-" ? "stdin" : path,
                                                    max_line_bytes));
}

EventLines::EventLines(gzFile file, std::string path, size_t max_line_bytes)
    : file_(file), path_(std::move(path)), max_line_bytes_(max_line_bytes) {
  buffer_.resize(kChunk + simdjson::SIMDJSON_PADDING);
}

EventLines::~EventLines() { gzclose(file_); }

bool EventLines::Fill(std::string* error) {
  // Move the unconsumed tail to the front, grow if a single line fills the buffer.
  size_t tail = end_ - begin_;
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, tail);
    begin_ = 0;
    end_ = tail;
  }
  size_t usable = buffer_.size() - simdjson::SIMDJSON_PADDING;
  if (end_ == usable) {
    buffer_.resize(buffer_.size() * 2);
    usable = buffer_.size() - simdjson::SIMDJSON_PADDING;
  }
  size_t want = usable - end_;
  if (want > (1u << 30)) want = 1u << 30;
  int got = gzread(file_, buffer_.data() + end_, static_cast<unsigned>(want));
  if (got < 0) {
    int code = 0;
    const char* message = gzerror(file_, &code);
    *error = path_ + ": read failed: " + (message ? message : "unknown error");
    return false;
  }
  if (got == 0) {
    eof_ = true;
    int code = 0;
    const char* message = gzerror(file_, &code);
    if (code != Z_OK && code != Z_STREAM_END) {
      *error = path_ + ": read failed: " + (message ? message : "unknown error");
      return false;
    }
  }
  end_ += static_cast<size_t>(got);
  return true;
}

bool EventLines::Next(Line* line, std::string* error) {
  error->clear();
  while (true) {
    char* start = buffer_.data() + begin_;
    char* newline = static_cast<char*>(std::memchr(start, '\n', end_ - begin_));
    if (newline != nullptr || (eof_ && end_ > begin_)) {
      size_t length = newline ? static_cast<size_t>(newline - start) : end_ - begin_;
      begin_ += length + (newline ? 1 : 0);
      if (skipping_) {  // the end of an over-long line: report it once, as one line
        skipping_ = false;
        *line = Line{++line_number_, {}, 0, true};
        return true;
      }
      if (length > max_line_bytes_) {
        *line = Line{++line_number_, {}, 0, true};
        return true;
      }
      if (length > 0 && start[length - 1] == '\r') --length;
      line->number = ++line_number_;
      line->text = std::string_view(start, length);
      line->capacity = static_cast<size_t>(buffer_.data() + buffer_.size() - start);
      line->too_long = false;
      return true;
    }
    if (eof_) {
      if (skipping_) {
        skipping_ = false;
        *line = Line{++line_number_, {}, 0, true};
        return true;
      }
      return false;
    }
    if (end_ - begin_ > max_line_bytes_) {  // drop what we have of an over-long line
      skipping_ = true;
      begin_ = end_;
    }
    if (!Fill(error)) return false;
  }
}

}  // namespace trailwatch::sources
