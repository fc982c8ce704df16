// Service: `trailwatch run` — sources, the alert pipeline, the outbox and the delivery workers of
// one configuration, with reload and a draining stop.
//
// Start order: open the store (outbox, thresholds), take the delivery lock (one service per
// store), put entries a killed predecessor left in flight back to pending, start delivery, then
// the sources. Stop is the reverse: sources first (each finishes or abandons its current batch
// without checkpointing it), then delivery (sends in flight finish and are recorded), so a
// SIGTERM loses nothing and leaves nothing in flight.
//
// Reload compiles the new rules and builds the new targets before touching anything: a bad
// configuration is refused and the running one kept. Then rules swap atomically in the pipeline,
// delivery restarts with the new targets, and sources restart with the new source list (they
// resume from their checkpoints). The store path cannot change on reload.
//
// Thread-safety: Start, Reload and Stop from one controlling thread. Fatal() may be polled from
// any thread.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/logger.h>

#include "common/result.h"
#include "outbox/delivery_lock.h"
#include "outbox/outbox.h"
#include "rules/threshold_store.h"
#include "service/alert_pipeline.h"
#include "service/metrics.h"
#include "service/service_config.h"
#include "sources/source.h"
#include "targets/delivery_worker.h"

namespace trailwatch::service {

struct ServiceOptions {
  // How often outbox depth and lag are refreshed in the metrics.
  std::chrono::milliseconds metrics_interval{2000};
};

class Service {
 public:
  Service(std::shared_ptr<spdlog::logger> log, ServiceOptions options = {});
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  Status Start(ServiceConfig config);
  Status Reload(ServiceConfig config);
  void Stop();

  // Set when a source could not run (cannot bind, cannot open the store); the service should stop
  // and exit non-zero. Empty while all is well.
  std::optional<std::string> Fatal() const;

  Metrics& metrics() { return metrics_; }
  AlertPipeline* pipeline() { return pipeline_.get(); }

 private:
  struct RunningSource {
    std::unique_ptr<sources::Source> source;
    std::jthread thread;
  };

  Status StartSources(const std::vector<sources::SourceConfig>& configs);
  void StopSources();
  Status StartDelivery(const config::TargetsConfig& targets);
  void StopDelivery();
  void RefreshOutboxMetrics();

  std::shared_ptr<spdlog::logger> log_;
  ServiceOptions options_;
  Metrics metrics_;
  ServiceConfig config_;
  std::unique_ptr<outbox::DeliveryLock> lock_;
  std::unique_ptr<outbox::Outbox> outbox_;
  std::unique_ptr<rules::ThresholdStore> thresholds_;
  std::unique_ptr<AlertPipeline> pipeline_;
  std::mutex worker_mutex_;  // guards worker_ against the pipeline's wake-ups during a reload
  std::unique_ptr<targets::DeliveryWorker> worker_;
  std::vector<RunningSource> sources_;
  std::jthread metrics_thread_;

  mutable std::mutex fatal_mutex_;
  std::optional<std::string> fatal_;
};

}  // namespace trailwatch::service
