#include "service/service.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <set>

#include "common/version.h"
#include "common/wall_clock.h"
#include "config/config_fields.h"
#include "service/leader_source.h"
#include "service/source_factory.h"
#include "store/store_integrity.h"
#include "telemetry/metric_families.h"

namespace trailwatch::service {

namespace {

// The rules whose threshold counters must be kept; the others' are dropped from the store, so
// that counters of removed rules do not linger for years.
std::set<std::string> ThresholdRuleNames(const std::vector<rules::RuleSpec>& rules) {
  std::set<std::string> names;
  for (const rules::RuleSpec& rule : rules) {
    if (rule.threshold && rule.enabled) names.insert(rule.name);
  }
  return names;
}

// The type word of a target, for metric labels (never its URL or token).
const char* TargetTypeLabel(config::TargetConfig::Type type) {
  switch (type) {
    case config::TargetConfig::Type::kSlack:
      return "slack";
    case config::TargetConfig::Type::kTeams:
      return "teams";
    case config::TargetConfig::Type::kWebhook:
      return "webhook";
    case config::TargetConfig::Type::kStdout:
      return "stdout";
  }
  return "other";
}

}  // namespace

Service::Service(std::shared_ptr<spdlog::logger> log, ServiceOptions options)
    : log_(std::move(log)),
      options_(options),
      store_problem_log_(options.store_problem_log_interval) {
  telemetry::DescribeMetricFamilies(metrics_);
  metrics_.Set(telemetry::kBuildInfo, {{"version", Version()}, {"commit", GitCommit()}}, 1);
  service_state_.SetProblem("sources", "not started");
}

Service::~Service() { Stop(); }

std::optional<std::string> Service::Fatal() const {
  std::lock_guard lock(fatal_mutex_);
  return fatal_;
}

std::string Service::ReadinessProblems() const {
  return readiness_.Describe() + service_state_.Describe();
}

int Service::ops_port() const { return ops_ ? ops_->port() : 0; }

int Service::console_port() const { return console_ ? console_->port() : 0; }

Status Service::StartConsole() {
  if (!config_.console.enabled) return Status{};
  console::ConsoleData data;
  data.history = history_.get();
  data.outbox = outbox_.get();
  data.metrics = &metrics_;
  data.rules = [this] {
    console::RulesSnapshot snapshot;
    {
      std::lock_guard lock(configured_rules_mutex_);
      snapshot.configured = configured_rules_;
    }
    snapshot.running = pipeline_->rules();
    return snapshot;
  };
  data.sources = [this] { return SourceStatuses(); };
  data.wake_delivery = [this] {
    std::lock_guard lock(worker_mutex_);
    if (worker_) worker_->Notify();
  };
  auto console = std::make_unique<console::ConsoleServer>(std::move(data), &metrics_, log_);
  if (Status started = console->Start(config_.console); !started.ok()) return started;
  console_ = std::move(console);
  return Status{};
}

std::vector<console::SourceStatus> Service::SourceStatuses() const {
  std::shared_ptr<const std::vector<sources::SourceConfig>> configs;
  {
    std::lock_guard lock(configured_rules_mutex_);
    configs = source_configs_;
  }
  std::vector<console::SourceStatus> statuses;
  if (!configs) return statuses;
  // Every series of a per-source metric, as "<metric word>[ <label>]" -> value for one source.
  struct Counter {
    const char* metric;
    const char* label;  // a second label to name the counter by, or nullptr
    const char* shown;
  };
  constexpr Counter kCounters[] = {
      {"trailwatch_events_total", nullptr, "events"},
      {"trailwatch_source_files_total", "result", "files"},
      {"trailwatch_source_objects_total", "result", "objects"},
      {"trailwatch_source_messages_total", "kind", "messages"},
      {"trailwatch_source_errors_total", nullptr, "errors"},
      {"trailwatch_source_bad_records_total", nullptr, "bad records"},
  };
  std::map<std::string, std::vector<std::pair<telemetry::OwnedLabels, double>>> series;
  for (const Counter& counter : kCounters) series[counter.metric] = metrics_.Series(counter.metric);
  auto ages = metrics_.Series("trailwatch_source_newest_object_age_seconds");
  auto leaders = metrics_.Series("trailwatch_source_leader");
  auto label_of = [](const telemetry::OwnedLabels& labels, std::string_view name) {
    for (const auto& [key, value] : labels) {
      if (key == name) return value;
    }
    return std::string();
  };
  for (const sources::SourceConfig& config : *configs) {
    console::SourceStatus status;
    status.name = sources::SourceName(config);
    status.type = sources::SourceTypeName(config.type);
    status.last_error = service_state_.Problem("source:" + status.name);
    status.state = status.last_error.empty() ? "running" : "stopped";
    for (const auto& [labels, value] : leaders) {
      if (label_of(labels, "source") == status.name && value == 0 && status.last_error.empty()) {
        status.state = "follower (another replica reads it)";
      }
    }
    for (const auto& [labels, value] : ages) {
      if (label_of(labels, "source") == status.name) status.newest_object_age_seconds = value;
    }
    for (const Counter& counter : kCounters) {
      for (const auto& [labels, value] : series[counter.metric]) {
        if (label_of(labels, "source") != status.name) continue;
        std::string name = counter.shown;
        if (counter.label != nullptr) name.append(" ").append(label_of(labels, counter.label));
        status.counters[name] += value;
      }
    }
    statuses.push_back(std::move(status));
  }
  return statuses;
}

void Service::PruneHistory() {
  if (!history_) return;
  const int64_t now = WallClockMs();
  // Once a minute is plenty for a retention counted in days.
  if (now - history_pruned_at_ < 60 * 1000) return;
  history_pruned_at_ = now;
  const int64_t cutoff =
      now - std::chrono::duration_cast<std::chrono::milliseconds>(config_.console.retention).count();
  int64_t pruned = 0;
  // Batches, so that a first prune of a big history never holds the store for long.
  for (int batch = 0; batch < 20; ++batch) {
    auto removed = history_->Prune(cutoff, 1000);
    if (!removed.ok()) {
      log_->warn("alert history: pruning failed: {}", removed.message());
      return;
    }
    pruned += *removed;
    if (*removed < 1000) break;
  }
  if (pruned > 0) log_->info("alert history: {} alert(s) older than the retention pruned", pruned);
}

Status Service::StartOps() {
  const TelemetryConfig& telemetry = config_.telemetry;
  if (!telemetry.enabled) {
    log_->info("ops listener off (telemetry: false)");
    return Status{};
  }
  auto ops = std::make_unique<OpsListener>(
      log_, &metrics_, [this] { return ReadinessProblems(); }, [this] { return Roles(); });
  if (Status started = ops->Start(telemetry.listen); !started.ok()) {
    if (telemetry.listen_configured) return started;
    // The default address: most likely another trailwatch on this host has it. Running without
    // metrics beats not running; the warning says how to choose another address.
    log_->warn(
        "{}; running without the ops listener (set telemetry: {{listen: HOST:PORT}} or "
        "telemetry: false)",
        started.message());
    return Status{};
  }
  ops_ = std::move(ops);
  return Status{};
}

Status Service::Start(ServiceConfig config) {
  config_ = std::move(config);
  const std::string& store = config_.targets.store;
  store::StoreOptions store_options;
  store_options.lease_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(config_.targets.store_lease).count();
  auto backend = store::StoreBackend::Open(store, store_options);
  if (!backend.ok()) return backend.error();
  backend_ = std::move(backend.value());
  if (!backend_->shared()) {
    // The store's directory is created like the store itself (a fresh deployment, `make run`).
    std::error_code created;
    std::filesystem::path parent = std::filesystem::path(store).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, created);
    if (created) return Error{store + ": cannot create its directory: " + created.message()};
    auto lock = outbox::DeliveryLock::TryAcquire(store);
    if (!lock.ok()) return lock.error();
    lock_ = std::move(lock.value());
    // Before anything writes to it: a damaged store must not be used (store_integrity.h).
    if (Status sound = store::CheckStoreIntegrity(store); !sound.ok()) return sound;
  }
  if (Status ops = StartOps(); !ops.ok()) return ops;
  service_state_.SetProblem("sources", "starting");
  auto opened = outbox::Outbox::Open(*backend_);
  if (!opened.ok()) return opened.error();
  outbox_ = std::move(opened.value());
  if (!backend_->shared()) {
    auto watch = store::StoreWatch::Begin(store);
    if (!watch.ok()) return watch.error();
    store_watch_ = std::move(watch.value());
  } else {
    // A PostgreSQL that is down at start is not fatal: the replica starts not ready, sources'
    // events are refused (503, SQS messages kept, checkpoints unchanged) until the store answers.
    CheckSharedStore();
    log_->info("store {} (shared; this replica is {}, leases last {} ms)", backend_->shown(),
               backend_->options().owner, backend_->options().lease_ms);
  }
  auto recovered = outbox_->RecoverInFlight();
  if (!recovered.ok()) return recovered.error();
  if (*recovered > 0) {
    log_->warn(
        "outbox: {} alert(s) were in flight when the last run stopped; they are sent again "
        "(the far side may see them twice)",
        *recovered);
  }
  auto thresholds = rules::ThresholdStore::Open(*backend_);
  if (!thresholds.ok()) return thresholds.error();
  thresholds_ = std::move(thresholds.value());
  if (Status forgot = thresholds_->Forget(ThresholdRuleNames(config_.rules)); !forgot.ok()) {
    log_->warn("thresholds: counters of removed rules not dropped: {}", forgot.message());
  }

  auto compiled = route::CompilePipelineRules(config_.rules, config_.targets);
  if (!compiled.ok()) return compiled.error();
  pipeline_ = std::make_unique<route::AlertPipeline>(outbox_.get(), thresholds_.get(), &metrics_,
                                                     log_, std::move(compiled.value()));
  auto history = backend_->OpenAlertHistory();
  if (!history.ok()) return history.error();
  history_ = std::move(history.value());
  pipeline_->SetHistory(history_.get());
  {
    std::lock_guard lock(configured_rules_mutex_);
    configured_rules_ = std::make_shared<const std::vector<rules::RuleSpec>>(config_.rules);
    source_configs_ = std::make_shared<const std::vector<sources::SourceConfig>>(config_.sources);
  }
  sink_ = std::make_unique<GuardedSink>(pipeline_.get());
  pipeline_->SetOnEnqueued([this] {
    std::lock_guard lock(worker_mutex_);
    if (worker_) worker_->Notify();
  });
  // Other replicas' alerts (shared store): the replica holding their channel wakes at once.
  outbox_->WatchEnqueues([this] {
    std::lock_guard lock(worker_mutex_);
    if (worker_) worker_->Notify();
  });
  if (Status started = StartDelivery(config_.targets); !started.ok()) return started;
  if (Status started = StartSources(config_.sources); !started.ok()) {
    StopDelivery();
    return started;
  }
  if (Status started = StartConsole(); !started.ok()) {
    StopSources();
    StopDelivery();
    return started;
  }
  metrics_.Set("trailwatch_up", {}, 1);
  metrics_thread_ = std::jthread([this](std::stop_token stop) {
    std::mutex mutex;
    std::condition_variable_any wake;
    while (!stop.stop_requested()) {
      RefreshOutboxMetrics();
      RefreshSourceAges();
      CheckStoreFile();
      CheckStoreWritable();
      CheckSharedStore();
      RefreshRoles();
      PruneHistory();
      if (console_) console_->RefreshMetrics();
      metrics_.Set(telemetry::kReady, {}, ReadinessProblems().empty() ? 1 : 0);
      std::unique_lock lock(mutex);
      wake.wait_for(lock, stop, options_.metrics_interval, [] { return false; });
    }
  });
  log_->info("trailwatch running: {} source(s), {} rule(s) enabled, {} target(s), store {}",
             sources_.size(), EnabledRuleCount(config_.rules), config_.targets.targets.size(),
             backend_->shown());
  return Status{};
}

Status Service::Reload(ServiceConfig config) {
  if (config.targets.store != config_.targets.store ||
      config.targets.store_lease != config_.targets.store_lease) {
    return Error{"the store cannot change on reload (restart the service to use " +
                 store::ShownStore(config.targets.store) + ")"};
  }
  // Everything that can fail is built before anything running is touched.
  auto compiled = route::CompilePipelineRules(config.rules, config.targets);
  if (!compiled.ok()) return compiled.error();
  auto targets = targets::MakeDeliveryTargets(config.targets, outbox_.get());
  if (!targets.ok()) return targets.error();
  // Sources are made (files such as TLS certificates read) but not run: a source that cannot be
  // made refuses the reload while the running ones keep running.
  auto sources = MakeSources(config.sources);
  if (!sources.ok()) return sources.error();

  if (console_ && config.console.enabled) {
    if (Status reloaded = console_->Reload(config.console); !reloaded.ok()) return reloaded;
  } else if (config.console.enabled != config_.console.enabled) {
    log_->warn("console: adding or removing the console takes effect at the next restart");
  }
  pipeline_->SetRules(std::move(compiled.value()));
  {
    std::lock_guard lock(configured_rules_mutex_);
    configured_rules_ = std::make_shared<const std::vector<rules::RuleSpec>>(config.rules);
    source_configs_ = std::make_shared<const std::vector<sources::SourceConfig>>(config.sources);
  }
  if (Status forgot = thresholds_->Forget(ThresholdRuleNames(config.rules)); !forgot.ok()) {
    log_->warn("thresholds: counters of removed rules not dropped: {}", forgot.message());
  }
  if (config.telemetry.enabled != config_.telemetry.enabled ||
      config.telemetry.listen != config_.telemetry.listen) {
    log_->warn("telemetry: a changed ops listener takes effect at the next restart, not on reload");
  }
  config.telemetry = config_.telemetry;
  config.console = config_.console;
  StopSources();
  service_state_.SetProblem("sources", "reloading");
  StopDelivery();
  config_ = std::move(config);
  if (Status started = StartDelivery(config_.targets); !started.ok()) return started;
  RunSources(std::move(sources.value()));
  log_->info("configuration reloaded: {} source(s), {} rule(s) enabled, {} target(s)",
             sources_.size(), EnabledRuleCount(config_.rules), config_.targets.targets.size());
  return Status{};
}

void Service::Stop() {
  if (!pipeline_) {
    ops_.reset();
    return;
  }
  if (console_) console_->Stop();
  StopSources();
  StopDelivery();
  if (metrics_thread_.joinable()) {
    metrics_thread_.request_stop();
    metrics_thread_.join();
  }
  metrics_.Set("trailwatch_up", {}, 0);
  sink_.reset();
  pipeline_.reset();
  thresholds_.reset();
  console_.reset();
  history_.reset();
  // A clean stop hands this replica's channels over at once (they would otherwise wait for the
  // leases to expire).
  if (outbox_) outbox_->ReleaseClaims();
  outbox_.reset();
  backend_.reset();
  lock_.reset();
  // Last, so that probes and scrapes are answered while the service drains.
  ops_.reset();
}

Status Service::StartSources(const std::vector<sources::SourceConfig>& configs) {
  auto made = MakeSources(configs);
  if (!made.ok()) return made.error();
  RunSources(std::move(made.value()));
  return Status{};
}

Result<std::vector<std::unique_ptr<sources::Source>>> Service::MakeSources(
    const std::vector<sources::SourceConfig>& configs) {
  sources::SourceContext context;
  context.log = log_;
  context.metrics = &metrics_;
  context.store = backend_.get();
  context.readiness = &readiness_;
  std::vector<std::unique_ptr<sources::Source>> made;
  for (const sources::SourceConfig& config : configs) {
    auto source = MakeSource(config, context);
    if (!source.ok()) return source.error();
    const bool polled = config.type == sources::SourceConfig::Type::kDirectory ||
                        config.type == sources::SourceConfig::Type::kS3;
    if (!backend_->shared() || !polled) {
      made.push_back(std::move(source.value()));
      continue;
    }
    // Replicas on a shared store: one of them polls this source (service/leader_source.h). The
    // source made above proved the configuration; each term of leadership makes a fresh one.
    std::string name = (*source)->name();
    auto factory = [config, context]() { return MakeSource(config, context); };
    auto on_role = [this, name](bool leading) {
      metrics_.Set(telemetry::kSourceLeader, {{"source", name}}, leading ? 1 : 0);
    };
    metrics_.Set(telemetry::kSourceLeader, {{"source", name}}, 0);
    made.push_back(std::make_unique<LeaderSource>(
        name, factory, backend_->leases(), backend_->options().owner,
        std::chrono::milliseconds(backend_->options().lease_ms), log_, on_role));
  }
  return made;
}

void Service::RunSources(std::vector<std::unique_ptr<sources::Source>> made) {
  for (auto& source : made) {
    RunningSource running;
    running.source = std::move(source);
    sources::Source* raw = running.source.get();
    running.thread = std::jthread([this, raw](std::stop_token stop) {
      Status ran = raw->Run(stop, *sink_);
      if (!ran.ok() && !stop.stop_requested()) {
        log_->error("source {} stopped: {}", raw->name(), ran.message());
        service_state_.SetProblem("source:" + raw->name(), "stopped: " + ran.message());
        std::lock_guard lock(fatal_mutex_);
        if (!fatal_) fatal_ = "source " + raw->name() + ": " + ran.message();
      }
    });
    sources_.push_back(std::move(running));
  }
  service_state_.ClearProblem("sources");
}

void Service::StopSources() {
  service_state_.SetProblem("sources", "stopped");
  for (RunningSource& running : sources_) running.thread.request_stop();
  for (RunningSource& running : sources_) {
    if (running.thread.joinable()) running.thread.join();
    service_state_.ClearProblem("source:" + running.source->name());
  }
  sources_.clear();
}

Status Service::StartDelivery(const config::TargetsConfig& targets) {
  targets::DeliveryOptions options;
  auto delivery =
      targets::MakeDeliveryTargets(targets, outbox_.get(), "", options.abandon.get_token());
  if (!delivery.ok()) return delivery.error();
  {
    std::lock_guard lock(targets_mutex_);
    target_types_.clear();
    for (const config::TargetConfig& target : targets.targets) {
      target_types_[target.name] = TargetTypeLabel(target.type);
    }
    std::erase_if(failing_targets_,
                  [&](const std::string& name) { return !target_types_.count(name); });
    UpdateTargetsReadinessLocked();
  }
  options.on_outcome = [this](const outbox::Entry& entry, const targets::Outcome&,
                              const std::string& disposition) {
    metrics_.Add("trailwatch_deliveries_total",
                 {{"target", entry.target}, {"result", disposition}});
    std::lock_guard lock(targets_mutex_);
    if (disposition == "delivered") {
      auto type = target_types_.find(entry.target);
      double seconds = static_cast<double>(WallClockMs() - entry.created_at) / 1000.0;
      metrics_.Observe(telemetry::kCommitToDeliveredSeconds,
                       {{"target_type", type != target_types_.end() ? type->second : "other"}},
                       seconds < 0 ? 0 : seconds);
      failing_targets_.erase(entry.target);
    } else {
      failing_targets_.insert(entry.target);
    }
    UpdateTargetsReadinessLocked();
  };
  auto worker = std::make_unique<targets::DeliveryWorker>(outbox_.get(),
                                                          std::move(delivery.value()), options);
  worker->Start();
  std::lock_guard lock(worker_mutex_);
  worker_ = std::move(worker);
  return Status{};
}

void Service::StopDelivery() {
  std::unique_ptr<targets::DeliveryWorker> worker;
  {
    std::lock_guard lock(worker_mutex_);
    worker = std::move(worker_);
  }
  // The sends in flight finish and are recorded, or are abandoned after shutdown_timeout.
  if (worker) worker->Stop(config_.shutdown_timeout);
}

void Service::UpdateTargetsReadinessLocked() {
  size_t failing = 0;
  for (const auto& [name, type] : target_types_) failing += failing_targets_.count(name);
  if (target_types_.empty() || failing < target_types_.size()) {
    service_state_.ClearProblem("targets");
    return;
  }
  std::string names;
  for (const auto& [name, type] : target_types_) {
    if (!names.empty()) names.append(", ");
    names.append(name);
  }
  service_state_.SetProblem(
      "targets", "every target's last delivery attempt failed (" + names + "; the log says why)");
}

void Service::CheckStoreWritable() {
  if (!store_watch_) return;
  // SQLite writes the file and, beside it, its -wal and -shm files (and a journal when the WAL
  // cannot be used): both the file and its folder must be writable.
  const std::string& path = store_watch_->path();
  std::string folder = std::filesystem::path(path).parent_path().string();
  if (folder.empty()) folder = ".";
  std::string problem;
  if (access(path.c_str(), W_OK) != 0) {
    problem = path + " is not writable (" + std::strerror(errno) + ")";
  } else if (access(folder.c_str(), W_OK) != 0) {
    problem = "the store's folder " + folder + " is not writable (" + std::strerror(errno) + ")";
  }
  if (problem.empty()) {
    service_state_.ClearProblem("store_writable");
  } else {
    service_state_.SetProblem("store_writable", problem);
  }
}

void Service::RefreshSourceAges() {
  // The sources record the newest log file's time (sources/log_object_reader.cpp); its age grows
  // between files, so it is computed here.
  double now = static_cast<double>(WallClockMs()) / 1000.0;
  std::vector<std::pair<telemetry::OwnedLabels, double>> ages;
  for (auto& [labels, time] : metrics_.Series(telemetry::kSourceNewestObjectTimestamp)) {
    ages.emplace_back(std::move(labels), now > time ? now - time : 0);
  }
  metrics_.ReplaceSeries(telemetry::kSourceNewestObjectAge, std::move(ages));
}

void Service::CheckStoreFile() {
  if (!store_watch_ || !sink_) return;
  std::string problem = store_watch_->Check();
  if (problem.empty()) {
    if (store_problem_) {
      store_problem_ = false;
      sink_->Accept();
      readiness_.ClearProblem("store");
      store_problem_log_.Forget("store");  // a next incident is logged at once
      log_->warn("the store file {} is back: accepting events again", store_watch_->path());
    }
    return;
  }
  // Set every time: the problem may change (deleted, then another file put in its place).
  store_problem_ = true;
  sink_->Refuse(problem);
  readiness_.SetProblem("store", problem);
  if (store_problem_log_.Admit("store") > 0) {
    log_->error(
        "{}: new events are refused (they would be stored in a file nobody opens again) and "
        "/healthz answers 503. Alerts queued before, thresholds and dedup history are in the file "
        "trailwatch still holds open: they are lost at restart unless that file is put back. "
        "Restart trailwatch to go on with the file now at this path (or a new, empty store).",
        problem);
  }
}

void Service::RefreshOutboxMetrics() {
  if (!outbox_) return;
  auto stats = outbox_->Stats();
  if (!stats.ok()) {
    log_->warn("metrics: outbox statistics unavailable: {}", stats.message());
    return;
  }
  metrics_.Set("trailwatch_outbox_entries", {{"state", "pending"}},
               static_cast<double>(stats->pending));
  metrics_.Set("trailwatch_outbox_entries", {{"state", "in_flight"}},
               static_cast<double>(stats->in_flight));
  metrics_.Set("trailwatch_outbox_entries", {{"state", "delivered"}},
               static_cast<double>(stats->delivered));
  metrics_.Set("trailwatch_outbox_entries", {{"state", "dead"}}, static_cast<double>(stats->dead));
  double lag = stats->oldest_pending_created_at == 0
                   ? 0
                   : static_cast<double>(WallClockMs() - stats->oldest_pending_created_at) / 1000.0;
  metrics_.Set("trailwatch_outbox_lag_seconds", {}, lag < 0 ? 0 : lag);

  // Per target: every configured one (0 when its queue is empty) and any other with a backlog.
  std::map<std::string, store::QueueTargetBacklog> backlog = stats->by_target;
  {
    std::lock_guard lock(targets_mutex_);
    for (const auto& [name, type] : target_types_) backlog.try_emplace(name);
  }
  const int64_t now = WallClockMs();
  std::vector<std::pair<telemetry::OwnedLabels, double>> depth, age;
  for (const auto& [target, entries] : backlog) {
    telemetry::OwnedLabels labels{{"target", target}};
    depth.emplace_back(labels, static_cast<double>(entries.undelivered));
    double oldest = entries.undelivered == 0 || entries.oldest_created_at == 0
                        ? 0
                        : static_cast<double>(now - entries.oldest_created_at) / 1000.0;
    age.emplace_back(std::move(labels), oldest < 0 ? 0 : oldest);
  }
  metrics_.ReplaceSeries(telemetry::kTargetQueueDepth, std::move(depth));
  metrics_.ReplaceSeries(telemetry::kTargetOldestPendingAge, std::move(age));
}

void Service::CheckSharedStore() {
  if (!backend_ || !backend_->shared()) return;
  Status answered = backend_->Ping();
  if (answered.ok()) {
    readiness_.ClearProblem("store");
    if (store_problem_) {
      store_problem_ = false;
      store_problem_log_.Forget("store");
      log_->warn("the store {} answers again", backend_->shown());
    }
    return;
  }
  readiness_.SetProblem("store", answered.message());
  // At start-up (no pipeline yet) only the readiness: the housekeeping thread logs from then on.
  if (!sink_) return;
  // Not refused at the sink: each Submit tries the store itself and fails (503, no checkpoint)
  // while it is down, and succeeds the moment it is back, without waiting for this check.
  store_problem_ = true;
  if (store_problem_log_.Admit("store") > 0) {
    log_->error(
        "{}: events are not accepted until PostgreSQL answers (HTTP sources answer 503, SQS "
        "messages stay in the queue, polled sources keep their checkpoints); delivery waits too",
        answered.message());
  }
}

void Service::RefreshRoles() {
  if (!backend_ || !backend_->shared()) return;
  auto leases = backend_->leases()->List();
  if (!leases.ok()) return;
  const std::string& owner = backend_->options().owner;
  std::vector<std::string> sources, channels;
  for (const store::LeaseRow& lease : *leases) {
    if (lease.owner != owner || lease.lease_until < WallClockMs()) continue;
    if (lease.name.starts_with("source:")) sources.push_back(lease.name.substr(7));
    if (lease.name.starts_with("channel:")) channels.push_back(lease.name.substr(8));
  }
  metrics_.Set(telemetry::kChannelLeases, {}, static_cast<double>(channels.size()));
  std::string roles = "replica " + owner + "\n";
  roles.append("leads sources: ").append(sources.empty() ? "none" : config::JoinNames(sources)).append("\n");
  roles.append("delivers channels: ").append(channels.empty() ? "none" : config::JoinNames(channels));
  roles.append("\n");
  std::lock_guard lock(roles_mutex_);
  roles_ = std::move(roles);
}

std::string Service::Roles() const {
  std::lock_guard lock(roles_mutex_);
  return roles_;
}

}  // namespace trailwatch::service
