// Service: `trailwatch run` — sources, the alert pipeline, the outbox and the delivery workers of
// one configuration, with reload and a draining stop.
//
// Start order: take the delivery lock (one service per store), check the store file (SQLite
// quick_check: a damaged store refuses to start), open the store (outbox, thresholds), put entries
// a killed predecessor left in flight back to pending, start delivery, then the sources. Stop is
// the reverse: sources first (each finishes or abandons its current batch without checkpointing
// it), then delivery: sends in flight get up to shutdown_timeout to finish and be recorded; those
// still hanging then are abandoned and their entries left pending for the next run (at most one
// repeat, as after a crash). So a SIGTERM loses nothing and ends in bounded time.
//
// While running, a housekeeping thread refreshes the outbox metrics and checks that the store
// path still names the file that was opened (store/store_watch.h). If the file was deleted or
// replaced, sources are refused new events (GuardedSink: /events answers 503, file sources retry
// later), /healthz reports the problem (Readiness key "store") and an error is logged, repeated
// at most once a minute — until the file is back or the service is restarted. Delivery of what
// was already queued continues.
//
// The ops listener (service/ops_listener.h, the `telemetry:` section) is bound at start, after
// the store lock (a second service on the same store fails on the lock, not the port), and served
// until Stop returns; it keeps its address across reloads. Its /readyz is ReadinessProblems():
// the Readiness problems (the store file) plus the service's own — sources not running (starting,
// stopped, reloading, one failed), the store not writable, every configured target failing (the
// last delivery attempt to each one failed). The housekeeping thread also refreshes the per-target
// queue depth and oldest pending age (from the outbox), the sources' newest-object age and
// trailwatch_ready; delivery outcomes feed the commit-to-delivered histogram.
//
// Reload compiles the new rules and builds the new targets before touching anything: a bad
// configuration is refused and the running one kept. Then rules swap atomically in the pipeline,
// delivery restarts with the new targets, and sources restart with the new source list (they
// resume from their checkpoints). The store path cannot change on reload.
//
// Thread-safety: Start, Reload and Stop from one controlling thread. Fatal() may be polled from
// any thread.
#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "common/log_throttle.h"
#include "common/readiness.h"
#include "common/result.h"
#include "console/console_server.h"
#include "outbox/delivery_lock.h"
#include "outbox/outbox.h"
#include "route/alert_pipeline.h"
#include "rules/threshold_store.h"
#include "service/guarded_sink.h"
#include "service/ops_listener.h"
#include "service/service_config.h"
#include "sources/source.h"
#include "store/alert_history.h"
#include "store/store_backend.h"
#include "store/store_watch.h"
#include "targets/delivery_worker.h"
#include "telemetry/metrics.h"

namespace trailwatch::service {

struct ServiceOptions {
  // How often outbox depth and lag are refreshed in the metrics, and the store file is checked.
  std::chrono::milliseconds metrics_interval{2000};
  // At most one log line per interval while the store file is missing or replaced.
  std::chrono::milliseconds store_problem_log_interval{60000};
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

  telemetry::Metrics& metrics() { return metrics_; }
  // Why the service is not ready (what the http source's /healthz answers); the sources report
  // into it too.
  Readiness& readiness() { return readiness_; }
  // What the ops listener's /readyz answers: "" when ready, else "key: reason" lines (the
  // Readiness problems and the service's own: sources, store writable, targets).
  std::string ReadinessProblems() const;
  // With a shared store: this replica's owner id, the sources it leads and the channels it
  // delivers, as lines (what /readyz shows); "" otherwise.
  std::string Roles() const;
  // The ops listener's bound port; 0 when it is off or not started.
  int ops_port() const;
  // The web console's bound port; 0 when it is off or not started.
  int console_port() const;
  route::AlertPipeline* pipeline() { return pipeline_.get(); }

 private:
  struct RunningSource {
    std::unique_ptr<sources::Source> source;
    std::jthread thread;
  };

  Status StartSources(const std::vector<sources::SourceConfig>& configs);
  Result<std::vector<std::unique_ptr<sources::Source>>> MakeSources(
      const std::vector<sources::SourceConfig>& configs);
  void RunSources(std::vector<std::unique_ptr<sources::Source>> made);
  void StopSources();
  Status StartDelivery(const config::TargetsConfig& targets);
  // Sends in flight get config_.shutdown_timeout to finish, then are abandoned.
  void StopDelivery();
  void RefreshOutboxMetrics();
  void RefreshSourceAges();
  void CheckStoreFile();
  void CheckStoreWritable();
  // A shared store: whether PostgreSQL answers (readiness "store"), logged at most once a minute.
  void CheckSharedStore();
  // A shared store: which sources this replica leads and which channels it delivers (/readyz,
  // trailwatch_channel_leases).
  void RefreshRoles();
  Status StartOps();
  // The web console (console/console_server.h), when the `console` section is present.
  Status StartConsole();
  // What the console's Sources page shows, from the configuration, readiness and metrics.
  std::vector<console::SourceStatus> SourceStatuses() const;
  // Drops alerts older than console.retention from the alert history (a batch per call).
  void PruneHistory();
  // After a delivery outcome or a new target list; caller holds targets_mutex_.
  void UpdateTargetsReadinessLocked();

  std::shared_ptr<spdlog::logger> log_;
  ServiceOptions options_;
  telemetry::Metrics metrics_;
  Readiness readiness_;
  ServiceConfig config_;
  std::unique_ptr<store::StoreBackend> backend_;  // SQLite file or shared PostgreSQL
  std::unique_ptr<outbox::DeliveryLock> lock_;
  std::unique_ptr<outbox::Outbox> outbox_;
  std::unique_ptr<rules::ThresholdStore> thresholds_;
  std::unique_ptr<route::AlertPipeline> pipeline_;
  // The alert history the console lists (store/alert_history.h); recorded by the pipeline.
  std::unique_ptr<store::AlertHistory> history_;
  int64_t history_pruned_at_ = 0;  // the housekeeping thread's own state (ms)
  // The rules as configured, disabled ones included (the console's Rules page), swapped on reload.
  mutable std::mutex configured_rules_mutex_;
  std::shared_ptr<const std::vector<rules::RuleSpec>> configured_rules_;
  // Config of the running sources, swapped on reload (the console's Sources page).
  std::shared_ptr<const std::vector<sources::SourceConfig>> source_configs_;
  std::unique_ptr<GuardedSink> sink_;  // what sources submit to: the pipeline, or a refusal
  std::optional<store::StoreWatch> store_watch_;
  LogThrottle store_problem_log_;
  bool store_problem_ = false;  // the housekeeping thread's own state
  std::mutex worker_mutex_;     // guards worker_ against the pipeline's wake-ups during a reload
  std::unique_ptr<targets::DeliveryWorker> worker_;
  std::vector<RunningSource> sources_;
  std::jthread metrics_thread_;

  mutable std::mutex fatal_mutex_;
  std::optional<std::string> fatal_;

  // The service's own readiness problems (keys "sources", "source:<name>", "store_writable",
  // "targets"), apart from readiness_, whose problems also turn the http source's /healthz to 503.
  Readiness service_state_;
  std::mutex targets_mutex_;
  std::map<std::string, std::string> target_types_;  // configured targets: name -> type
  std::set<std::string> failing_targets_;  // whose last delivery attempt failed (retry, dead)

  mutable std::mutex roles_mutex_;
  std::string roles_;  // RefreshRoles: what /readyz adds after "ready"

  // Destroyed before the outbox and history its pages read.
  std::unique_ptr<console::ConsoleServer> console_;
  // Last: destroyed first, while what its handler reads still exists.
  std::unique_ptr<OpsListener> ops_;
};

}  // namespace trailwatch::service
