#include "config/regular_file.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace trailwatch::config {

namespace {

// Closes the descriptor when the read is over, whatever the outcome.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Kernel pseudo file systems whose "regular" files are generated on read (process memory and
// environment, kernel state): their stat size is 0 or made up, and reading them is never what a
// pattern or secret path meant.
bool IsPseudoFileSystem(const struct statfs& fs) {
  switch (static_cast<unsigned long>(fs.f_type)) {
    case PROC_SUPER_MAGIC:
    case SYSFS_MAGIC:
    case DEBUGFS_MAGIC:
    case TRACEFS_MAGIC:
    case SECURITYFS_MAGIC:
    case CGROUP_SUPER_MAGIC:
    case CGROUP2_SUPER_MAGIC:
    case BPF_FS_MAGIC:
      return true;
    default:
      return false;
  }
}

}  // namespace

Result<std::string> ReadRegularFile(const std::string& path, size_t max_bytes,
                                    const std::string& shown_path) {
  const std::string& shown = shown_path.empty() ? path : shown_path;
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer for ever.
  // O_NOCTTY: a terminal device never becomes the controlling terminal.
  FileDescriptor fd(open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Error{shown + ": no such file"};
    return Error{shown + ": cannot open (" + std::strerror(errno) + ")"};
  }
  struct stat st;
  if (fstat(fd.get(), &st) != 0)
    return Error{shown + ": cannot stat (" + std::strerror(errno) + ")"};
  if (!S_ISREG(st.st_mode)) {
    return Error{shown + ": not a regular file (a directory, device, FIFO or socket)"};
  }
  struct statfs fs;
  if (fstatfs(fd.get(), &fs) != 0 || IsPseudoFileSystem(fs)) {
    return Error{shown + ": a /proc or /sys file is not accepted"};
  }
  std::string too_large = shown + ": larger than " + std::to_string(max_bytes) + " bytes";
  if (static_cast<uint64_t>(st.st_size) > max_bytes) return Error{too_large};
  // Read in chunks until the end, stopping one byte past the limit: a file that grew since fstat
  // is caught without reading all of it.
  std::string content;
  content.reserve(static_cast<size_t>(st.st_size) + 1);
  char chunk[64 * 1024];
  while (content.size() <= max_bytes) {
    size_t want = std::min(sizeof chunk, max_bytes + 1 - content.size());
    ssize_t n = read(fd.get(), chunk, want);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error{shown + ": cannot read (" + std::strerror(errno) + ")"};
    }
    content.append(chunk, static_cast<size_t>(n));
  }
  if (content.size() > max_bytes) return Error{too_large};
  return content;
}

}  // namespace trailwatch::config
