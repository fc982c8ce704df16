// GuardedSink: the EventSink the sources are given — it passes batches to the alert pipeline
// unless the service has a reason to refuse them (the store file was deleted or replaced while
// running: store/store_watch.h). A refused batch is an error like a failed commit, so each source
// keeps its events for later: /events and /sns answer 503, the directory and S3 sources do not
// checkpoint, the SQS source leaves the message.
//
// Thread-safety: Submit may be called from many threads; Refuse/Accept from any thread.
#pragma once

#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "envelope/event_sink.h"

namespace trailwatch::service {

class GuardedSink : public envelope::EventSink {
 public:
  // `inner` must outlive this sink.
  explicit GuardedSink(envelope::EventSink* inner) : inner_(inner) {}

  // Every batch from now on fails with `reason` (a text for the sources' logs).
  void Refuse(std::string reason) {
    std::lock_guard lock(mutex_);
    refusal_ = std::move(reason);
  }
  void Accept() {
    std::lock_guard lock(mutex_);
    refusal_.reset();
  }

  Status Submit(const std::string& source_name,
                std::span<const envelope::SourceEvent> events) override {
    {
      std::lock_guard lock(mutex_);
      if (refusal_) return Error{"events refused: " + *refusal_};
    }
    return inner_->Submit(source_name, events);
  }

 private:
  envelope::EventSink* inner_;
  std::mutex mutex_;
  std::optional<std::string> refusal_;
};

}  // namespace trailwatch::service
