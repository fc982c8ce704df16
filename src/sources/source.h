// Source: where events enter the live service (`trailwatch run`, issue 5).
//
// Pipeline: sources -> EventBridge envelope -> compiled rules -> routes -> outbox -> targets.
// A source turns whatever it reads (CloudTrail log files on disk or S3, S3 notifications on SQS,
// EventBridge API-destination calls and SNS notifications over HTTP) into EventBridge envelopes
// (envelope::EnvelopeBuilder for raw records) and hands them, in batches, to an EventSink.
//
// The durability contract: EventSink::Submit returns OK only once every alert the batch produced
// is committed to the outbox (or the batch produced none). Only then may a source advance its
// checkpoint, delete an SQS message or answer 2xx. A crash between the commit and the checkpoint
// replays the batch; the outbox's idempotency key (target + rule + eventID) drops the repeats, so
// replaying never re-alerts.
//
// Thread-safety: a Source's Run is called once, on a thread of its own. EventSink::Submit may be
// called from many threads at once.
#pragma once

#include <memory>
#include <span>
#include <stop_token>
#include <string>

#include <spdlog/logger.h>

#include "common/readiness.h"
#include "common/result.h"
#include "envelope/event_sink.h"

namespace trailwatch::telemetry {
class Metrics;
}
namespace trailwatch::store {
class StoreBackend;
}

namespace trailwatch::sources {

using envelope::EventSink;
using envelope::SourceEvent;

// What every source is given besides its own config. All pointers outlive the source.
struct SourceContext {
  std::shared_ptr<spdlog::logger> log;  // never null
  telemetry::Metrics* metrics = nullptr;  // never null
  // The store (checkpoints live there: the SQLite file, or PostgreSQL shared by replicas).
  store::StoreBackend* store = nullptr;
  Readiness* readiness = nullptr;       // what /healthz reports; null in tools and some tests
};

class Source {
 public:
  virtual ~Source() = default;
  // For logs and metrics: "directory:./cloudtrail", "s3://org-trail/AWSLogs/", "sqs:<queue url>",
  // "http:127.0.0.1:8080". Never holds a secret.
  virtual std::string name() const = 0;
  // Runs until `stop` is requested, then returns promptly (within about a second). Transient
  // failures (network, a bad file, a bad message) are logged, counted and retried or skipped
  // inside; an error is returned only when the source cannot run at all (cannot bind, cannot open
  // the store), and the service then stops.
  virtual Status Run(std::stop_token stop, EventSink& sink) = 0;
};

}  // namespace trailwatch::sources
