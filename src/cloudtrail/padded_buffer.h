// PaddedBuffer: one file's bytes with the SIMDJSON_PADDING tail simdjson needs after the data.
//
// A log file is inflated straight into a PaddedBuffer and parsed in place, so the whole file
// exists in memory once (issue 3: memory bounded to a small multiple of the inflated size).
// Growing uses realloc, which glibc serves with mremap for large blocks: the bytes usually stay
// where they are instead of being copied, and the old and new block never coexist.
//
// Thread-safety: a plain value type; const methods may be called from many threads.
#pragma once

#include <simdjson.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace trailwatch::cloudtrail {

class PaddedBuffer {
 public:
  PaddedBuffer() = default;

  // A buffer holding a copy of `bytes`.
  static Result<PaddedBuffer> CopyOf(std::string_view bytes);

  // Ensures room for `capacity` data bytes (plus padding), keeping the current contents.
  Status Reserve(size_t capacity);
  // Sets the data size (≤ capacity()) and zeroes the padding after it.
  void SetSize(size_t size);
  // Frees the allocation (the buffer is then empty, as if new). A reused buffer keeps the size of
  // the largest file it held; a long-running reader calls this after a large one.
  void Release();

  char* data() { return data_.get(); }
  const char* data() const { return data_.get(); }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  std::string_view view() const { return {data_.get(), size_}; }
  // The data with the promise, true by construction, that SIMDJSON_PADDING bytes follow it.
  simdjson::padded_string_view padded_view() const {
    if (!data_) return simdjson::padded_string_view(kEmpty, 0, sizeof(kEmpty));
    return simdjson::padded_string_view(data_.get(), size_, capacity_ + simdjson::SIMDJSON_PADDING);
  }

 private:
  // What a never-allocated buffer shows simdjson: no data, readable zero padding.
  static constexpr char kEmpty[simdjson::SIMDJSON_PADDING] = {};

  struct FreeDeleter {
    void operator()(char* p) const { std::free(p); }
  };
  std::unique_ptr<char, FreeDeleter> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;  // data bytes; the allocation is capacity_ + SIMDJSON_PADDING
};

// Hands memory that large buffers (and other big blocks) gave back to malloc over to the operating
// system (glibc's malloc_trim), so that the resident size of a long-running process returns
// near its baseline after one large file. Costs a walk over the heap's free blocks: call it after a
// large file, not after every file.
void ReturnFreedMemoryToSystem();

// Reads a whole file into a PaddedBuffer. Errors name the path.
Result<PaddedBuffer> ReadFileToPaddedBuffer(const std::string& path);

}  // namespace trailwatch::cloudtrail
