// RedactingLogSink: a spdlog sink that replaces, in every message, the values the configuration's
// ${env:}/${file:} references resolved to by the references themselves (config/reference_values.h),
// then hands the message to the sink it wraps. `trailwatch run` wraps its stderr sink with one, so
// that no log line prints such a value, whichever code wrote the line.
//
// Thread-safety: log, flush and SetValues may be called from any thread (one internal mutex for
// the values; the wrapped sink does its own locking).
#pragma once

#include <spdlog/logger.h>
#include <spdlog/sinks/sink.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config/reference_values.h"

namespace trailwatch::service {

class RedactingLogSink : public spdlog::sinks::sink {
 public:
  explicit RedactingLogSink(spdlog::sink_ptr inner) : inner_(std::move(inner)) {}

  // Replaces the values to hide (a reload may bring new references).
  void SetValues(std::vector<config::ReferenceValue> values);

  void log(const spdlog::details::log_msg& msg) override;
  void flush() override { inner_->flush(); }
  void set_pattern(const std::string& pattern) override { inner_->set_pattern(pattern); }
  void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override {
    inner_->set_formatter(std::move(formatter));
  }

 private:
  spdlog::sink_ptr inner_;
  std::mutex mutex_;
  std::shared_ptr<const std::vector<config::ReferenceValue>> values_ =
      std::make_shared<const std::vector<config::ReferenceValue>>();
};

// Wraps each sink of `logger` in a RedactingLogSink (once: sinks already wrapped are kept) and
// gives them `values`. Call it before other threads log through `logger`.
void RedactReferenceValuesInLog(spdlog::logger& logger, std::vector<config::ReferenceValue> values);

}  // namespace trailwatch::service
