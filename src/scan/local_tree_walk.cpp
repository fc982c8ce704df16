// Parallel local directory walk for scan discovery (see local_tree_walk.h).
#include "scan/local_tree_walk.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "scan/run_workers.h"

namespace trailwatch::scan {

namespace {

struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};
using DirHandle = std::unique_ptr<DIR, DirCloser>;

// The folders waiting to be listed, shared by the walkers.
class FolderQueue {
 public:
  explicit FolderQueue(std::string root) { folders_.push_back(std::move(root)); }

  // The next folder to list; false when every folder is listed (or the walk was stopped).
  bool Take(std::string* folder) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return stopped_ || !folders_.empty() || listing_ == 0; });
    if (stopped_ || folders_.empty()) return false;
    *folder = std::move(folders_.back());
    folders_.pop_back();
    ++listing_;
    return true;
  }

  // Called after each Take with the subfolders found there.
  void Done(std::vector<std::string>* subfolders) {
    {
      std::lock_guard lock(mutex_);
      --listing_;
      for (std::string& folder : *subfolders) folders_.push_back(std::move(folder));
    }
    subfolders->clear();
    changed_.notify_all();
  }

  // Stops the walk at the first error (as the single-threaded iterator did).
  void Stop(std::string error) {
    {
      std::lock_guard lock(mutex_);
      if (!stopped_) error_ = std::move(error);
      stopped_ = true;
    }
    changed_.notify_all();
  }

  const std::string& error() const { return error_; }  // after the walkers are joined

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> folders_;  // depth first: folders are listed as they are found
  size_t listing_ = 0;                // folders taken and not Done: they may add more
  bool stopped_ = false;
  std::string error_;
};

class Walker {
 public:
  Walker(const std::string& root, const ScanFilter& filter, FolderQueue& queue)
      : root_(root), filter_(filter), queue_(queue) {}

  void Run() {
    std::string folder;
    std::vector<std::string> subfolders;
    while (queue_.Take(&folder)) {
      if (Status listed = List(folder, &subfolders); !listed.ok()) {
        queue_.Stop(listed.message());
        subfolders.clear();
      }
      queue_.Done(&subfolders);
    }
  }

  Discovery& found() { return found_; }

 private:
  // Lists `folder` (ending in '/', or the root): its files go to found_, its subfolders to
  // *subfolders.
  Status List(const std::string& folder, std::vector<std::string>* subfolders) {
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == EACCES) return Status::Ok();  // skip_permission_denied, as before
      return Error{root_ + ": " + std::strerror(errno)};
    }
    DirHandle dir(::fdopendir(fd));
    if (!dir) {
      const int saved = errno;
      ::close(fd);
      return Error{root_ + ": " + std::strerror(saved)};
    }
    std::string path;
    while (true) {
      errno = 0;
      const dirent* entry = ::readdir(dir.get());
      if (entry == nullptr) {
        if (errno != 0) return Error{root_ + ": " + std::strerror(errno)};
        return Status::Ok();
      }
      const char* name = entry->d_name;
      if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0) continue;
      path.assign(folder);
      if (path.back() != '/') path.push_back('/');
      path.append(name);
      bool file = entry->d_type == DT_REG;
      bool sized = false;
      struct stat info {};
      if (entry->d_type == DT_DIR) {
        subfolders->push_back(path);
        continue;
      }
      if (entry->d_type == DT_LNK || entry->d_type == DT_UNKNOWN) {
        // A symlink counts as what it points to, but a folder is only descended into when it is
        // one itself (a link to a folder is neither read nor walked).
        if (entry->d_type == DT_UNKNOWN && ::fstatat(fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISDIR(info.st_mode)) {
          subfolders->push_back(path);
          continue;
        }
        file = ::fstatat(fd, name, &info, 0) == 0 && S_ISREG(info.st_mode);
        sized = file;
      }
      if (!file) continue;
      ScanInput input;
      const InputClass kind = ClassifyInput(path, filter_, false, &input.key_account);
      if (kind != InputClass::kRead) {
        CountSkipped(kind, found_.skipped);
        continue;
      }
      if (!sized) sized = ::fstatat(fd, name, &info, 0) == 0;
      input.size = sized ? static_cast<uint64_t>(info.st_size) : 0;  // 0: the read reports it
      input.origin = path;
      input.path = std::move(path);
      found_.inputs.push_back(std::move(input));
    }
  }

  const std::string& root_;
  const ScanFilter& filter_;
  FolderQueue& queue_;
  Discovery found_;  // inputs and skip counts; errors go through the queue
};

}  // namespace

void DiscoverLocalTree(const std::string& root, const ScanFilter& filter, int threads,
                       Discovery& out) {
  FolderQueue queue(root);
  const int count = std::max(threads, 1);
  std::vector<std::unique_ptr<Walker>> walkers;
  for (int i = 0; i < count; ++i) walkers.push_back(std::make_unique<Walker>(root, filter, queue));
  RunWorkers(walkers);
  for (auto& walker : walkers) {
    Discovery& found = walker->found();
    out.inputs.insert(out.inputs.end(), std::make_move_iterator(found.inputs.begin()),
                      std::make_move_iterator(found.inputs.end()));
    const SkipCounts& s = found.skipped;
    out.skipped.digest += s.digest;
    out.skipped.insight += s.insight;
    out.skipped.other += s.other;
    out.skipped.pruned_time += s.pruned_time;
    out.skipped.pruned_account += s.pruned_account;
    out.skipped.pruned_region += s.pruned_region;
  }
  if (!queue.error().empty()) out.errors.push_back(queue.error());
}

}  // namespace trailwatch::scan
