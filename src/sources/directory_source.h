// DirectorySource: CloudTrail log files in a local directory (`{type: directory, path: ...}`).
//
// At start every file under the path (recursively unless `recursive: false`) that is not yet in
// the store's checkpoints is read; then inotify reports files as they are completed
// (IN_CLOSE_WRITE, or IN_MOVED_TO for files renamed into place, the way log shippers publish),
// new subdirectories are watched as they appear, and an inotify queue overflow (IN_Q_OVERFLOW)
// triggers a full rescan. Names that are not CloudTrail log files (digests, Insights, other
// extensions) are skipped without reading them (log_object_reader.h). Only regular files are
// read: symbolic links are not followed (one could point at any file the service may read, or at
// a FIFO that blocks the reader), and FIFOs, sockets and devices are skipped; each such path is
// logged once (a warning naming the path and its kind), so an operator learns why a file that
// "is there" never alerts.
//
// Checkpoints (store/checkpoint_store.h): one row per file, keyed by path, holding size and mtime.
// A file is recorded only after EventSink::Submit accepted all its events, so a restart neither
// re-alerts (the file is recorded) nor skips (a file not yet recorded is read at start). A file
// changed since (other size or mtime) is read again. A file that cannot be read as CloudTrail is
// logged with its name, counted and recorded as failed: it is not retried until it changes; so is
// a file over the source's limits (config.limits: max_file_bytes before it is read, the inflate
// limits and the first-block JSON test of a gzip bomb while it is inflated). When
// Submit fails, the file is retried with backoff and the source keeps running.
//
// Thread-safety: Run is called once, on its own thread; name() from any thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sources/source.h"
#include "sources/sources_config.h"

namespace trailwatch::store {
class CheckpointStore;
}

namespace trailwatch::sources {

class LogObjectReader;

class DirectorySource : public Source {
 public:
  DirectorySource(DirectorySourceConfig config, SourceContext context);
  ~DirectorySource() override;

  std::string name() const override;
  Status Run(std::stop_token stop, EventSink& sink) override;

 private:
  class Watcher;  // the inotify descriptor and its watches (directory_source.cpp)

  // Reads every not-yet-recorded file under `directory`.
  // Reads the files of `directory` not yet done. Returns the files listed, or nullopt when the
  // listing failed or the scan was stopped (then nothing may be concluded from it).
  std::optional<std::vector<std::string>> Scan(const std::string& directory, std::stop_token stop,
                                               EventSink& sink);
  // After a complete scan of the root: forgets the checkpoints of files no longer there.
  void ForgetVanishedFiles(const std::vector<std::string>& listed);
  // Reads one file unless it is recorded with its current size and mtime.
  void ProcessFile(const std::string& path, EventSink& sink);
  void RetryDue(EventSink& sink);
  // Files found by a listing: regular ones are added to `files`, the others reported.
  void ListEntry(const std::filesystem::directory_entry& entry, std::vector<std::string>* files);
  // Logs, once per path, that `path` is not read because it is not a regular file.
  void ReportSkipped(const std::string& path);

  DirectorySourceConfig config_;
  SourceContext context_;
  std::string name_;
  std::string root_;  // config_.path, normalised: the prefix of every checkpointed path
  std::unique_ptr<store::CheckpointStore> checkpoints_;
  std::unique_ptr<LogObjectReader> reader_;
  struct Retry {
    std::chrono::steady_clock::time_point at;
    std::chrono::milliseconds backoff{0};
  };
  std::map<std::string, Retry> retries_;  // files whose Submit failed
  std::set<std::string> reported_skips_;  // bounded: see ReportSkipped
};

}  // namespace trailwatch::sources
