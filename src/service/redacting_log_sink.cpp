#include "service/redacting_log_sink.h"

#include <algorithm>
#include <utility>

namespace trailwatch::service {

void RedactingLogSink::SetValues(std::vector<config::ReferenceValue> values) {
  // Longest first, as RedactReferenceValues expects (callers may have appended lists).
  std::stable_sort(values.begin(), values.end(),
                   [](const config::ReferenceValue& a, const config::ReferenceValue& b) {
                     return a.value.size() > b.value.size();
                   });
  auto shared = std::make_shared<const std::vector<config::ReferenceValue>>(std::move(values));
  std::lock_guard lock(mutex_);
  values_ = std::move(shared);
}

void RedactingLogSink::log(const spdlog::details::log_msg& msg) {
  if (!inner_->should_log(msg.level)) return;
  std::shared_ptr<const std::vector<config::ReferenceValue>> values;
  {
    std::lock_guard lock(mutex_);
    values = values_;
  }
  if (values->empty()) {
    inner_->log(msg);
    return;
  }
  std::string payload =
      config::RedactReferenceValues(std::string(msg.payload.data(), msg.payload.size()), *values);
  spdlog::details::log_msg redacted = msg;
  redacted.payload = spdlog::string_view_t(payload.data(), payload.size());
  inner_->log(redacted);
}

void RedactReferenceValuesInLog(spdlog::logger& logger,
                                std::vector<config::ReferenceValue> values) {
  for (spdlog::sink_ptr& sink : logger.sinks()) {
    auto redacting = std::dynamic_pointer_cast<RedactingLogSink>(sink);
    if (!redacting) {
      redacting = std::make_shared<RedactingLogSink>(sink);
      sink = redacting;
    }
    redacting->SetValues(values);
  }
}

}  // namespace trailwatch::service
