// Progress: the one-line progress bar a scan draws on stderr, and the error lines printed past it.
//
// The bar shows files done/total, bytes read of the total, inflated bytes, records/s and an ETA
// (from compressed bytes, the best predictor of remaining work). It is drawn only when stderr is
// a terminal and --quiet is not given (issue 3), from its own thread, at most 10 times a second,
// so workers never wait on the terminal: they only bump atomic counters.
//
// Errors always go to stderr. PrintError clears the bar first and redraws it after, under one
// lock, so an error line is never interleaved with the bar or with another error.
//
// Thread-safety: Counters may be updated from any thread; PrintError may be called from any
// thread; Start/Stop from the owning thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace trailwatch::scan {

struct ProgressCounters {
  std::atomic<uint64_t> files_done{0};
  std::atomic<uint64_t> bytes_done{0};  // compressed bytes of finished files
  std::atomic<uint64_t> bytes_inflated{0};
  std::atomic<uint64_t> records{0};
};

class Progress {
 public:
  // `enabled` draws the bar; errors are printed either way.
  Progress(bool enabled, uint64_t files_total, uint64_t bytes_total);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  ProgressCounters& counters() { return counters_; }

  void Start();
  // Stops the redraw thread and erases the bar.
  void Stop();
  // Writes `line` and '\n' to stderr, keeping the bar intact.
  void PrintError(std::string_view line);

  // True when stderr is a terminal.
  static bool StderrIsTerminal();

 private:
  void Run();
  std::string Render() const;
  void DrawLocked();
  void ClearLocked();

  const bool enabled_;
  const uint64_t files_total_;
  const uint64_t bytes_total_;
  const std::chrono::steady_clock::time_point started_;
  ProgressCounters counters_;
  std::mutex mutex_;  // guards stderr writes, drawn_ and stop_
  std::condition_variable wake_;
  bool stop_ = false;
  bool drawn_ = false;
  std::thread thread_;
};

}  // namespace trailwatch::scan
