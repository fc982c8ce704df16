// SourceEvent and EventSink: the hand-off between the sources stage and the routing stage.
//
// Pipeline: sources -> envelope -> pattern -> rules -> route -> outbox -> targets. A source turns
// what it reads into EventBridge envelopes (envelope.h) and hands them, in batches, to an
// EventSink; route::AlertPipeline is the sink of the live service. The types live here, with the
// envelope, so that neither stage includes the other.
//
// The durability contract: EventSink::Submit returns OK only once every alert the batch produced
// is committed to the outbox (or the batch produced none). Only then may a source advance its
// checkpoint, delete an SQS message or answer 2xx. A crash between the commit and the checkpoint
// replays the batch; the outbox's idempotency key (target + rule + eventID) drops the repeats, so
// replaying never re-alerts.
//
// Thread-safety: SourceEvent is a plain value; EventSink::Submit may be called from many threads.
#pragma once

#include <chrono>
#include <span>
#include <string>

#include "common/result.h"
#include "envelope/envelope.h"

namespace trailwatch::envelope {

// One event as it enters the pipeline.
struct SourceEvent {
  Envelope envelope;   // the EventBridge event (detail = the CloudTrail record) and its header
  std::string origin;  // file path, s3://bucket/key, "http:/events", "sns:<MessageId>"
  // When the source had the event (its object's bytes read, its request received), for the
  // ingest-to-commit latency metric; left at the epoch, the sink's Submit call is taken instead.
  std::chrono::steady_clock::time_point received{};
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  // Evaluates the events and commits their alerts. An error means nothing may be assumed stored:
  // the source must retry later (or answer 5xx / leave the SQS message) rather than drop them.
  // `source_name` labels metrics and logs.
  virtual Status Submit(const std::string& source_name, std::span<const SourceEvent> events) = 0;
};

}  // namespace trailwatch::envelope
