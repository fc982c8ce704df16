#include "sources/source_test_util.h"

#include <simdjson.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace trailwatch::sources::testing {

Status RecordingSink::Submit(const std::string& source_name, std::span<const SourceEvent> events) {
  ++submit_calls;
  if (on_submit) on_submit();
  if (fail) {
    ++failed_calls;
    return Error{"test sink refuses"};
  }
  std::lock_guard lock(mutex_);
  events_.insert(events_.end(), events.begin(), events.end());
  return Status::Ok();
}

std::vector<SourceEvent> RecordingSink::events() const {
  std::lock_guard lock(mutex_);
  return events_;
}

std::vector<std::string> RecordingSink::event_ids() const {
  std::vector<std::string> ids;
  for (const SourceEvent& event : events()) ids.push_back(EventIdOf(event.envelope.json));
  return ids;
}

size_t RecordingSink::size() const {
  std::lock_guard lock(mutex_);
  return events_.size();
}

TestContext::TestContext(const std::string& store_path)
    : log_stream_(std::make_shared<std::ostringstream>()),
      store_(store::StoreBackend::Open(store_path).value()) {
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(*log_stream_);
  log_ = std::make_shared<spdlog::logger>("source-test", sink);
  log_->set_level(spdlog::level::debug);
}

SourceContext TestContext::context() const {
  SourceContext context;
  context.log = log_;
  context.metrics = const_cast<telemetry::Metrics*>(&metrics_);
  context.store = store_.get();
  return context;
}

std::string TestContext::log_text() const {
  log_->flush();
  return log_stream_->str();
}

RunningSource::RunningSource(Source& source, EventSink& sink) {
  thread_ = std::jthread([this, &source, &sink](std::stop_token stop) {
    status_ = source.Run(stop, sink);
    finished_ = true;
  });
}

RunningSource::~RunningSource() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

Status RunningSource::Stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
  return status_;
}

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

std::string EventIdOf(const std::string& envelope_json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view id;
  if (parser.parse(envelope_json).get(doc) != simdjson::SUCCESS ||
      doc["detail"]["eventID"].get(id) != simdjson::SUCCESS) {
    return "";
  }
  return std::string(id);
}

std::vector<std::string> Sorted(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  return items;
}

}  // namespace trailwatch::sources::testing
