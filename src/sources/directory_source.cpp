// DirectorySource (directory_source.h).
#include "sources/directory_source.h"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <utility>
#include <vector>

#include "telemetry/metrics.h"
#include "sources/log_object_reader.h"
#include "store/checkpoint_store.h"
#include "store/store_backend.h"

namespace trailwatch::sources {

namespace {

namespace fs = std::filesystem;

// How long poll() waits: the bound on how late a stop request is noticed.
constexpr int kPollTimeoutMs = 250;
constexpr std::chrono::milliseconds kFirstRetry{500};
constexpr std::chrono::milliseconds kMaxRetry{60000};

constexpr uint32_t kDirectoryMask =
    IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;

// Refuses a file over max_file_bytes before reading it (log_object_reader.h has the other limits).
Result<std::string> ReadWholeFile(const std::string& path, uint64_t size,
                                  const cloudtrail::LogFileLimits& limits) {
  if (Status s = cloudtrail::CheckStoredSize(size, limits); !s.ok()) {
    return Error{path + ": " + s.message()};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path + ": cannot open: " + std::strerror(errno)};
  std::string bytes;
  bytes.resize(size);
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  bytes.resize(static_cast<size_t>(in.gcount()));
  if (in.bad()) return Error{path + ": read error"};
  return bytes;
}

int64_t MtimeNs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

// One spelling per directory ("logs", "logs/" and "./logs/." are the same), so that a file found
// by the scan and reported by inotify gets the same checkpoint key.
std::string RootPath(const std::string& path) {
  std::string root = fs::path(path).lexically_normal().string();
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  return root;
}

}  // namespace

// The inotify descriptor and the watched directories (watch descriptor -> path).
class DirectorySource::Watcher {
 public:
  Watcher() : fd_(inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {}
  ~Watcher() {
    if (fd_ >= 0) close(fd_);
  }
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

  int fd() const { return fd_; }

  // Watches `directory` (and, when recursive, every directory below it). Returns the first error.
  Status Add(const std::string& directory, bool recursive) {
    Status first = AddOne(directory);
    if (!recursive) return first;
    std::error_code error;
    fs::recursive_directory_iterator it(directory, fs::directory_options::skip_permission_denied,
                                        error);
    for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
      std::error_code entry_error;
      if (it->is_directory(entry_error) && !it->is_symlink(entry_error)) {
        Status s = AddOne(it->path().string());
        if (first.ok() && !s.ok()) first = s;
      }
    }
    return first;
  }

  void Forget(int wd) { paths_.erase(wd); }

  const std::string* PathOf(int wd) const {
    auto it = paths_.find(wd);
    return it == paths_.end() ? nullptr : &it->second;
  }

 private:
  Status AddOne(const std::string& directory) {
    int wd = inotify_add_watch(fd_, directory.c_str(), kDirectoryMask);
    if (wd < 0) {
      std::string why = std::strerror(errno);
      if (errno == ENOSPC) why += " (raise fs.inotify.max_user_watches)";
      return Error{directory + ": cannot watch: " + why};
    }
    paths_[wd] = directory;
    return Status::Ok();
  }

  int fd_;
  std::map<int, std::string> paths_;
};

DirectorySource::DirectorySource(DirectorySourceConfig config, SourceContext context)
    : config_(std::move(config)),
      context_(std::move(context)),
      name_(!config_.name.empty() ? config_.name : "directory:" + config_.path),
      root_(RootPath(config_.path)),
      reader_(std::make_unique<LogObjectReader>(config_.limits)) {}

DirectorySource::~DirectorySource() = default;

std::string DirectorySource::name() const { return name_; }

void DirectorySource::ProcessFile(const std::string& path, EventSink& sink) {
  telemetry::Metrics& metrics = *context_.metrics;
  auto count = [&](const char* result) {
    metrics.Add("trailwatch_source_files_total", {{"source", name_}, {"result", result}});
  };
  LogObjectClass kind = ClassifyLogObject(path);
  if (kind != LogObjectClass::kLogFile) {
    count("skipped");
    return;
  }
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return;  // gone
  if (!S_ISREG(st.st_mode)) {
    if (!S_ISDIR(st.st_mode)) ReportSkipped(path);
    return;
  }
  auto seen = checkpoints_->FileSeen(name_, path, st.st_size, MtimeNs(st));
  if (!seen.ok()) {
    context_.log->error("{}: {}", name_, seen.message());
    retries_.try_emplace(path, Retry{std::chrono::steady_clock::now() + kFirstRetry, kFirstRetry});
    return;
  }
  if (*seen) {
    retries_.erase(path);
    return;
  }
  auto bytes = ReadWholeFile(path, static_cast<uint64_t>(st.st_size), config_.limits);
  if (!bytes.ok()) {
    context_.log->warn("{}: {}", name_, bytes.message());
    count("failed");
    (void)checkpoints_->MarkFileSeen(name_, path,
                                     store::FileCheckpoint{st.st_size, MtimeNs(st), true});
    return;
  }
  LogObjectOutcome outcome = reader_->ReadInto(path, *bytes, path, sink, name_, context_);
  // The file's bytes are freed first, so that after a large file all of its memory goes back.
  std::string().swap(*bytes);
  reader_->ReturnFreedMemory();
  store::FileCheckpoint done{st.st_size, MtimeNs(st), false};
  switch (outcome.state) {
    case LogObjectOutcome::State::kDone:
      count("read");
      break;
    case LogObjectOutcome::State::kUnreadable:
      context_.log->warn("{}: not a readable CloudTrail file, recorded as failed: {}", name_,
                         outcome.error);
      count("failed");
      done.failed = true;
      break;
    case LogObjectOutcome::State::kSubmitFailed: {
      // Not recorded: the file is read again, whole, on the next try (replays are deduplicated
      // by the outbox).
      auto [it, inserted] = retries_.try_emplace(path, Retry{{}, kFirstRetry});
      if (!inserted) it->second.backoff = std::min(kMaxRetry, it->second.backoff * 2);
      it->second.at = std::chrono::steady_clock::now() + it->second.backoff;
      context_.log->warn("{}: {}; retrying in {} ms", name_, outcome.error,
                         it->second.backoff.count());
      count("retry");
      return;
    }
  }
  retries_.erase(path);
  if (Status s = checkpoints_->MarkFileSeen(name_, path, done); !s.ok()) {
    // The alerts are committed; without the checkpoint the file is read again after a restart,
    // which the outbox deduplicates.
    context_.log->error("{}: {}", name_, s.message());
  }
}

void DirectorySource::ListEntry(const fs::directory_entry& entry, std::vector<std::string>* files) {
  std::error_code error;
  fs::file_status status = entry.symlink_status(error);  // a symbolic link is not followed
  if (error) return;                                      // gone since the listing
  if (fs::is_regular_file(status)) {
    files->push_back(entry.path().string());
  } else if (!fs::is_directory(status)) {
    ReportSkipped(entry.path().string());
  }
}

void DirectorySource::ReportSkipped(const std::string& path) {
  // A directory can hold any number of such entries: past this many paths, one last line says
  // that further ones are not logged (the memory stays bounded).
  constexpr size_t kMaxReported = 10000;
  if (reported_skips_.size() > kMaxReported || reported_skips_.count(path)) return;
  if (reported_skips_.size() == kMaxReported) {
    reported_skips_.insert("");  // the marker that the last line was written
    context_.log->warn("{}: more than {} entries that are not regular files; further ones are "
                       "skipped without a log line",
                       name_, kMaxReported);
    return;
  }
  reported_skips_.insert(path);
  std::error_code error;
  fs::file_type type = fs::symlink_status(path, error).type();
  const char* kind = type == fs::file_type::symlink    ? "a symbolic link (links are not followed)"
                     : type == fs::file_type::fifo     ? "a FIFO (named pipe)"
                     : type == fs::file_type::socket   ? "a socket"
                     : type == fs::file_type::block    ? "a block device"
                     : type == fs::file_type::character ? "a character device"
                                                        : "not a regular file";
  context_.log->warn("{}: skipping {}: {}; only regular files are read", name_, path, kind);
}

std::optional<std::vector<std::string>> DirectorySource::Scan(const std::string& directory,
                                                              std::stop_token stop,
                                                              EventSink& sink) {
  std::vector<std::string> files;
  std::error_code error;
  if (config_.recursive) {
    fs::recursive_directory_iterator it(directory, fs::directory_options::skip_permission_denied,
                                        error);
    for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
      ListEntry(*it, &files);
    }
  } else {
    fs::directory_iterator it(directory, fs::directory_options::skip_permission_denied, error);
    for (; !error && it != fs::directory_iterator(); it.increment(error)) {
      ListEntry(*it, &files);
    }
  }
  if (error) context_.log->warn("{}: listing {}: {}", name_, directory, error.message());
  // CloudTrail file names sort by delivery minute within a folder: read oldest first.
  std::sort(files.begin(), files.end());
  for (const std::string& file : files) {
    if (stop.stop_requested()) return std::nullopt;
    ProcessFile(file, sink);
  }
  if (error) return std::nullopt;
  return files;
}

void DirectorySource::ForgetVanishedFiles(const std::vector<std::string>& listed) {
  auto rows = checkpoints_->List(name_);
  if (!rows.ok()) {
    context_.log->warn("{}: {}", name_, rows.message());
    return;
  }
  // `listed` is sorted (Scan); a file that came back later is simply read again, and the
  // outbox's idempotency key drops the alerts it already made.
  std::vector<std::string> vanished;
  for (const auto& [path, value] : *rows) {
    if (!std::binary_search(listed.begin(), listed.end(), path)) vanished.push_back(path);
  }
  if (vanished.empty()) return;
  if (Status s = checkpoints_->DeleteKeys(name_, vanished); !s.ok()) {
    context_.log->warn("{}: {}", name_, s.message());
    return;
  }
  context_.log->info("{}: forgot {} checkpoints of files no longer there", name_, vanished.size());
}

void DirectorySource::RetryDue(EventSink& sink) {
  auto now = std::chrono::steady_clock::now();
  std::vector<std::string> due;
  for (const auto& [path, retry] : retries_) {
    if (retry.at <= now) due.push_back(path);
  }
  for (const std::string& path : due) ProcessFile(path, sink);
}

Status DirectorySource::Run(std::stop_token stop, EventSink& sink) {
  auto store = context_.store->OpenCheckpoints();
  if (!store.ok()) return Error{name_ + ": " + store.message()};
  checkpoints_ = std::move(store.value());

  std::error_code error;
  if (!fs::is_directory(root_, error)) {
    return Error{name_ + ": " + config_.path + " is not a directory"};
  }
  Watcher watcher;
  if (watcher.fd() < 0) return Error{name_ + ": inotify_init1: " + std::strerror(errno)};
  // Watch first, then scan: a file completed during the scan is then seen by one or the other
  // (both is harmless: the second finds it recorded).
  if (Status s = watcher.Add(root_, config_.recursive); !s.ok()) {
    context_.log->warn("{}: {}", name_, s.message());
  }
  if (auto listed = Scan(root_, stop, sink)) ForgetVanishedFiles(*listed);
  context_.log->info("{}: initial scan done; watching for new files", name_);

  alignas(inotify_event) char buffer[64 * 1024];
  while (!stop.stop_requested()) {
    pollfd descriptor{watcher.fd(), POLLIN, 0};
    int ready = poll(&descriptor, 1, kPollTimeoutMs);
    if (ready < 0 && errno != EINTR) {
      return Error{name_ + ": poll: " + std::strerror(errno)};
    }
    bool rescan = false;
    std::vector<std::string> files;
    std::vector<std::string> new_directories;
    for (;;) {
      ssize_t length = read(watcher.fd(), buffer, sizeof buffer);
      if (length <= 0) break;  // EAGAIN: drained
      for (char* at = buffer; at < buffer + length;) {
        auto* event = reinterpret_cast<inotify_event*>(at);
        at += sizeof(inotify_event) + event->len;
        if (event->mask & IN_Q_OVERFLOW) {
          rescan = true;
          continue;
        }
        if (event->mask & IN_IGNORED) {
          watcher.Forget(event->wd);
          continue;
        }
        const std::string* directory = watcher.PathOf(event->wd);
        if (directory == nullptr || event->len == 0) continue;
        std::string path = *directory + "/" + event->name;
        if (event->mask & IN_ISDIR) {
          if (config_.recursive && (event->mask & (IN_CREATE | IN_MOVED_TO))) {
            new_directories.push_back(path);
          }
        } else if (event->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) {
          files.push_back(std::move(path));
        }
      }
    }
    for (const std::string& directory : new_directories) {
      // Files may have landed in it before the watch was added: scan it once.
      if (Status s = watcher.Add(directory, true); !s.ok()) {
        context_.log->warn("{}: {}", name_, s.message());
      }
      (void)Scan(directory, stop, sink);
    }
    for (const std::string& file : files) {
      if (stop.stop_requested()) break;
      ProcessFile(file, sink);
    }
    if (rescan) {
      context_.log->warn("{}: inotify queue overflowed; rescanning", name_);
      context_.metrics->Add("trailwatch_source_rescans_total", {{"source", name_}});
      (void)watcher.Add(root_, config_.recursive);
      if (auto listed = Scan(root_, stop, sink)) ForgetVanishedFiles(*listed);
    }
    RetryDue(sink);
  }
  return Status::Ok();
}

}  // namespace trailwatch::sources
