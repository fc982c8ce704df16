// EventBlocks (see event_blocks.h).
#include "sources/event_blocks.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace trailwatch::sources {

namespace {

constexpr size_t kPadding = simdjson::SIMDJSON_PADDING;

// zlib's input buffer (gzbuffer): gzread copies through it only requests smaller than twice its
// size, so with blocks of 1 MB every read goes straight into a block.
constexpr unsigned kZlibBuffer = 128u << 10;

std::string GzipError(gzFile file) {
  int code = 0;
  const char* message = gzerror(file, &code);
  return message != nullptr && *message != '\0' ? message : "unknown error";
}

}  // namespace

Result<std::unique_ptr<EventBlocks>> EventBlocks::Open(const std::string& path, Options options) {
  const bool from_stdin = path == "-";
  gzFile file = from_stdin ? gzdopen(::dup(STDIN_FILENO), "rb") : gzopen(path.c_str(), "rbe");
  if (file == nullptr) return Error{path + ": cannot open: " + std::strerror(errno)};
  // zlib's own buffer only for its first look at the input: reads of 2 buffers or more go straight
  // into the block (plain input: one read(2) copy; gzip: inflated in place).
  gzbuffer(file, kZlibBuffer);
  return std::unique_ptr<EventBlocks>(new EventBlocks(file, from_stdin ? "stdin" : path, options));
}

EventBlocks::~EventBlocks() {
  if (file_ != nullptr) gzclose(file_);
}

bool EventBlocks::Next(EventBlock* block, std::string* error) {
  error->clear();
  block->text = {};
  block->capacity = 0;
  block->too_long = false;
  if (!read_error_.empty()) {
    *error = std::move(read_error_);
    read_error_.clear();
    return false;
  }
  if (skipping_) return SkipOverlongLine(block, error);
  if (eof_ && carry_.empty()) return false;
  cloudtrail::PaddedBuffer buffer = TakeBuffer();
  // How much the block holds before the next read: a pooled buffer may be larger, but reads of the
  // same sizes keep the blocks (and what a failing gzread loses) independent of the pool.
  size_t target = std::max(options_.block_bytes, carry_.size() * 2);
  if (Status reserved = buffer.Reserve(target); !reserved.ok()) {
    *error = path_ + ": " + reserved.message();
    return false;
  }
  size_t length = carry_.size();
  if (length > 0) std::memcpy(buffer.data(), carry_.data(), length);
  carry_.clear();
  while (true) {
    if (!eof_) {
      size_t got = 0;
      std::string failure;
      bool ok = Read(buffer.data() + length, target - length, &got, &failure);
      length += got;
      if (!ok) {
        // Hand out the complete lines read so far; the failure ends the next call.
        const void* newline = length > 0 ? ::memrchr(buffer.data(), '\n', length) : nullptr;
        if (newline == nullptr) {
          *error = std::move(failure);
          return false;
        }
        read_error_ = std::move(failure);
        length = static_cast<size_t>(static_cast<const char*>(newline) - buffer.data()) + 1;
        break;
      }
    }
    if (eof_) {
      if (length == 0) return false;
      break;  // the rest is the last line(s); the last may lack its newline
    }
    const void* newline = ::memrchr(buffer.data(), '\n', length);
    if (newline != nullptr) {
      size_t end = static_cast<size_t>(static_cast<const char*>(newline) - buffer.data()) + 1;
      carry_.assign(buffer.data() + end, length - end);
      length = end;
      break;
    }
    // One incomplete line fills the buffer.
    if (length > options_.max_line_bytes) {
      skipping_ = true;
      Recycle(EventBlock{{}, 0, false, std::move(buffer)});
      return SkipOverlongLine(block, error);
    }
    target *= 2;
    if (Status grown = buffer.Reserve(target); !grown.ok()) {
      *error = path_ + ": " + grown.message();
      return false;
    }
  }
  buffer.SetSize(length);
  block->storage = std::move(buffer);
  block->text = block->storage.view();
  block->capacity = block->storage.capacity() + kPadding;
  return true;
}

cloudtrail::PaddedBuffer EventBlocks::TakeBuffer() {
  std::lock_guard<std::mutex> lock(pool_mutex_);
  if (pool_.empty()) return cloudtrail::PaddedBuffer();
  cloudtrail::PaddedBuffer buffer = std::move(pool_.back());
  pool_.pop_back();
  return buffer;
}

void EventBlocks::Recycle(EventBlock&& block) {
  if (block.storage.capacity() == 0) return;
  // Buffers grown for a long line are freed rather than kept.
  if (block.storage.capacity() > 2 * options_.block_bytes) return;
  std::lock_guard<std::mutex> lock(pool_mutex_);
  if (pool_.size() < 64) pool_.push_back(std::move(block.storage));
}

bool EventBlocks::Read(char* into, size_t want, size_t* got, std::string* error) {
  *got = 0;
  want = std::min<size_t>(want, size_t{1} << 30);
  int n = gzread(file_, into, static_cast<unsigned>(want));
  if (n < 0) {
    *error = path_ + ": read failed: " + GzipError(file_);
    return false;
  }
  if (static_cast<size_t>(n) < want) {  // gzread fills the request unless the input ended
    eof_ = true;
    int code = 0;
    gzerror(file_, &code);
    if (code != Z_OK && code != Z_STREAM_END) {
      *error = path_ + ": read failed: " + GzipError(file_);
      return false;
    }
  }
  *got = static_cast<size_t>(n);
  return true;
}

bool EventBlocks::SkipOverlongLine(EventBlock* block, std::string* error) {
  char scratch[1 << 16];
  while (!eof_) {
    size_t got = 0;
    if (!Read(scratch, sizeof scratch, &got, error)) return false;
    const void* newline = std::memchr(scratch, '\n', got);
    if (newline != nullptr) {
      size_t end = static_cast<size_t>(static_cast<const char*>(newline) - scratch) + 1;
      carry_.assign(scratch + end, got - end);
      break;
    }
  }
  skipping_ = false;
  block->too_long = true;
  return true;
}

}  // namespace trailwatch::sources
