#include "scan/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace trailwatch::scan {

namespace {

constexpr auto kRedrawInterval = std::chrono::milliseconds(100);  // at most ~10 redraws a second

std::string ShortBytes(double bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  return fmt::format("{:.1f} {}", bytes, kUnits[unit]);
}

std::string ShortCount(double n) {
  if (n >= 1e6) return fmt::format("{:.1f}M", n / 1e6);
  if (n >= 1e3) return fmt::format("{:.1f}k", n / 1e3);
  return fmt::format("{:.0f}", n);
}

void WriteStderr(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

}  // namespace

Progress::Progress(bool enabled, uint64_t files_total, uint64_t bytes_total)
    : enabled_(enabled),
      files_total_(files_total),
      bytes_total_(bytes_total),
      started_(std::chrono::steady_clock::now()) {}

Progress::~Progress() { Stop(); }

bool Progress::StderrIsTerminal() { return isatty(STDERR_FILENO) == 1; }

void Progress::Start() {
  if (!enabled_ || thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void Progress::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  ClearLocked();
}

void Progress::PrintError(std::string_view line) {
  std::lock_guard lock(mutex_);
  bool redraw = drawn_;
  ClearLocked();
  std::string text(line);
  text += '\n';
  WriteStderr(text);
  if (redraw && !stop_) DrawLocked();
}

void Progress::Run() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    DrawLocked();
    wake_.wait_for(lock, kRedrawInterval, [this] { return stop_; });
  }
}

std::string Progress::Render() const {
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  uint64_t files = counters_.files_done.load(std::memory_order_relaxed);
  uint64_t bytes = counters_.bytes_done.load(std::memory_order_relaxed);
  uint64_t inflated = counters_.bytes_inflated.load(std::memory_order_relaxed);
  uint64_t records = counters_.records.load(std::memory_order_relaxed);
  double done = bytes_total_ > 0   ? static_cast<double>(bytes) / static_cast<double>(bytes_total_)
                : files_total_ > 0 ? static_cast<double>(files) / static_cast<double>(files_total_)
                                   : 0;
  std::string eta = "--:--";
  // As soon as anything is done: a short scan must show an estimate too.
  if (done > 0 && seconds > 0) {
    auto left = static_cast<long long>(seconds / done - seconds);
    eta = left >= 3600 ? fmt::format("{}:{:02}:{:02}", left / 3600, left / 60 % 60, left % 60)
                       : fmt::format("{}:{:02}", left / 60, left % 60);
  }
  double rate = seconds > 0 ? static_cast<double>(records) / seconds : 0;
  return fmt::format("[{:3.0f}%] {}/{} files  {} of {}  {} of JSON  {} rec/s  ETA {}", done * 100,
                     files, files_total_, ShortBytes(static_cast<double>(bytes)),
                     ShortBytes(static_cast<double>(bytes_total_)),
                     ShortBytes(static_cast<double>(inflated)), ShortCount(rate), eta);
}

void Progress::DrawLocked() {
  if (!enabled_) return;
  WriteStderr("\r\x1b[K" + Render());
  drawn_ = true;
}

void Progress::ClearLocked() {
  if (!drawn_) return;
  WriteStderr("\r\x1b[K");
  drawn_ = false;
}

}  // namespace trailwatch::scan
