// PaddedBuffer (see padded_buffer.h).
#include "cloudtrail/padded_buffer.h"

#include <malloc.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace trailwatch::cloudtrail {

Result<PaddedBuffer> PaddedBuffer::CopyOf(std::string_view bytes) {
  PaddedBuffer buffer;
  if (Status status = buffer.Reserve(bytes.size()); !status.ok()) return Error{status.message()};
  if (!bytes.empty()) std::memcpy(buffer.data(), bytes.data(), bytes.size());
  buffer.SetSize(bytes.size());
  return buffer;
}

Status PaddedBuffer::Reserve(size_t capacity) {
  if (capacity <= capacity_ && data_) return Status::Ok();
  const bool fresh = !data_;
  void* grown = std::realloc(data_.get(), capacity + simdjson::SIMDJSON_PADDING);
  if (grown == nullptr) {
    return Error{"out of memory allocating " + std::to_string(capacity) + " bytes"};
  }
  data_.release();  // realloc took ownership of (and possibly freed) the old block
  data_.reset(static_cast<char*>(grown));
  capacity_ = capacity;
  // A large buffer (glibc maps it on its own) is filled once per file by the inflater: 2 MB pages
  // take its first-touch page faults down 512-fold (a tenth of a scan's CPU went to 4 KB faults).
  // Only a hint: where transparent huge pages are off it changes nothing.
  constexpr size_t kHugeFrom = size_t{8} << 20;
  if (capacity >= kHugeFrom) {
    const auto begin = reinterpret_cast<uintptr_t>(grown);
    const uintptr_t aligned = (begin + 4095) & ~uintptr_t{4095};
    const uintptr_t end = begin + capacity;
    if (end > aligned) ::madvise(reinterpret_cast<void*>(aligned), end - aligned, MADV_HUGEPAGE);
  }
  // Only a fresh buffer gets its (empty) data padded here: an inflater writes past size_ before
  // calling SetSize, and those bytes must survive growth.
  if (fresh) SetSize(0);
  return Status::Ok();
}

void PaddedBuffer::SetSize(size_t size) {
  size_ = size;
  if (!data_) return;  // nothing allocated yet: only size 0 is possible, and it has no padding
  std::memset(data_.get() + size_, 0, simdjson::SIMDJSON_PADDING);
}

void PaddedBuffer::Release() {
  data_.reset();
  size_ = 0;
  capacity_ = 0;
}

void ReturnFreedMemoryToSystem() {
  // glibc keeps freed blocks below its mmap threshold (which rises, up to 32 MiB, after each large
  // free) in its heaps, and trims a heap only from its top; malloc_trim(0) also releases the free
  // pages in the middle of every arena (madvise MADV_DONTNEED).
  ::malloc_trim(0);
}

Result<PaddedBuffer> ReadFileToPaddedBuffer(const std::string& path) {
  struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) return Error{path + ": cannot open: " + std::strerror(errno)};
  if (std::fseek(file.get(), 0, SEEK_END) != 0) {
    return Error{path + ": cannot seek: " + std::strerror(errno)};
  }
  const long end = std::ftell(file.get());
  if (end < 0) return Error{path + ": cannot tell size: " + std::strerror(errno)};
  std::rewind(file.get());
  PaddedBuffer buffer;
  if (Status status = buffer.Reserve(static_cast<size_t>(end)); !status.ok()) {
    return Error{path + ": " + status.message()};
  }
  const size_t read = std::fread(buffer.data(), 1, static_cast<size_t>(end), file.get());
  if (read != static_cast<size_t>(end)) {
    return Error{path + ": short read (" + std::to_string(read) + " of " + std::to_string(end) +
                 " bytes)"};
  }
  buffer.SetSize(read);
  return buffer;
}

}  // namespace trailwatch::cloudtrail
