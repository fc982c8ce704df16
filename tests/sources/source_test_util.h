// Helpers for the file-based source tests: a sink that records what it got (and can be told to
// fail), a context with a temp store, a captured log, and a Source run on its own thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "telemetry/metrics.h"
#include "sources/source.h"
#include "store/store_backend.h"

namespace trailwatch::sources::testing {

// Records every submitted event; Submit fails while `fail` is set.
class RecordingSink : public EventSink {
 public:
  Status Submit(const std::string& source_name, std::span<const SourceEvent> events) override;

  std::vector<SourceEvent> events() const;
  // detail.eventID of every event received, in order.
  std::vector<std::string> event_ids() const;
  size_t size() const;
  std::atomic<bool> fail{false};
  std::atomic<int> submit_calls{0};
  std::atomic<int> failed_calls{0};
  // Called inside Submit before recording (e.g. to sleep).
  std::function<void()> on_submit;

 private:
  mutable std::mutex mutex_;
  std::vector<SourceEvent> events_;
};

// A log captured in memory, a Metrics registry and the store at a path (a SQLite file in a temp
// directory, or a postgresql:// URI).
class TestContext {
 public:
  explicit TestContext(const std::string& store_path);
  SourceContext context() const;
  std::string log_text() const;
  telemetry::Metrics& metrics() { return metrics_; }

 private:
  std::shared_ptr<std::ostringstream> log_stream_;
  std::shared_ptr<spdlog::logger> log_;
  telemetry::Metrics metrics_;
  std::unique_ptr<store::StoreBackend> store_;
};

// Runs `source` on a jthread until Stop() (or destruction); Stop returns Run's status.
class RunningSource {
 public:
  RunningSource(Source& source, EventSink& sink);
  ~RunningSource();
  Status Stop();
  bool finished() const { return finished_; }

 private:
  std::jthread thread_;
  Status status_;
  std::atomic<bool> finished_{false};
};

// Polls `condition` every 20 ms for up to `timeout`; true when it became true.
bool WaitFor(const std::function<bool()>& condition,
             std::chrono::milliseconds timeout = std::chrono::seconds(15));

// `items` in ascending order.
std::vector<std::string> Sorted(std::vector<std::string> items);

// detail.eventID of an envelope.
std::string EventIdOf(const std::string& envelope_json);

}  // namespace trailwatch::sources::testing
