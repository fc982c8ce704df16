// `trailwatch deliver`: runs the delivery workers on the outbox of a config file until SIGINT or
// SIGTERM (in-flight sends get --shutdown-timeout, then are aborted and stay queued), or with
// --until-empty until every configured target's queue is empty. The live service (`trailwatch run`)
// embeds the same workers.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <ctime>
#include <iostream>

#include "cli/argument_text.h"
#include "cli/commands.h"
#include "config/targets_config.h"
#include "outbox/delivery_lock.h"
#include "outbox/outbox.h"
#include "service/redacting_log_sink.h"
#include "targets/delivery_worker.h"

namespace trailwatch::cli {

namespace {

struct DeliverArgs {
  std::string config_path;
  bool until_empty = false;
  bool verbose = false;
  int shutdown_timeout_seconds = 10;  // as `run`'s shutdown_timeout
};

int Run(const DeliverArgs& args) {
  // Logs go to stderr (main's logger, `run`'s format): stdout belongs to the stdout target and
  // the summary.
  spdlog::set_level(args.verbose ? spdlog::level::debug : spdlog::level::info);
  Result<config::TargetsConfig> config = config::LoadTargetsConfigFile(args.config_path);
  if (!config.ok()) {
    std::cerr << "error: " << config.message() << "\n";
    return 2;
  }
  // Neither the log nor an error prints a value that came from a ${env:}/${file:} reference.
  service::RedactReferenceValuesInLog(*spdlog::default_logger(), config->reference_values);
  auto lock = outbox::DeliveryLock::TryAcquire(config->store);
  if (!lock.ok()) {
    std::cerr << "error: " << config->Shown(lock.message()) << "\n";
    return 1;
  }
  auto store = outbox::Outbox::Open(config->store);
  if (!store.ok()) {
    std::cerr << "error: " << config->Shown(store.message()) << "\n";
    return 1;
  }
  // We hold the delivery lock, so whatever is in_flight was left by a process that died.
  auto recovered = (*store)->RecoverInFlight();
  if (!recovered.ok()) {
    std::cerr << "error: " << config->Shown(recovered.message()) << "\n";
    return 1;
  }
  if (*recovered > 0) {
    spdlog::warn(
        "outbox: {} entries were in flight when the last deliverer stopped; they will be "
        "sent again (the far side may see them twice)",
        *recovered);
  }
  targets::DeliveryOptions options;
  options.stop_when_empty = args.until_empty;
  // Built with the abandon token: a send still hanging after --shutdown-timeout is aborted.
  auto targets =
      targets::MakeDeliveryTargets(*config, store->get(), "", options.abandon.get_token());
  if (!targets.ok()) {
    std::cerr << "error: " << targets.message() << "\n";
    return 2;
  }

  // Signals are taken synchronously by this thread; the worker threads inherit the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  targets::DeliveryWorker worker(store->get(), std::move(targets.value()), options);
  worker.Start();
  while (!worker.WaitFor(std::chrono::milliseconds(0))) {
    timespec tick{0, 100 * 1000 * 1000};
    int signal = sigtimedwait(&signals, nullptr, &tick);
    if (signal == SIGINT || signal == SIGTERM) {
      spdlog::info("stopping: finishing the sends in flight (at most {} s)",
                   args.shutdown_timeout_seconds);
      break;
    }
  }
  worker.Stop(std::chrono::seconds(args.shutdown_timeout_seconds));
  targets::DeliveryCounters counters = worker.counters();
  std::printf("delivered %lld, retried %lld, dead %lld", static_cast<long long>(counters.delivered),
              static_cast<long long>(counters.retried), static_cast<long long>(counters.dead));
  if (counters.expired > 0) {
    std::printf(" (%lld expired by max_age before a send)",
                static_cast<long long>(counters.expired));
  }
  if (counters.unconfigured > 0) {
    std::printf(", %lld dead-lettered for targets not in the configuration",
                static_cast<long long>(counters.unconfigured));
  }
  std::printf("\n");
  std::fflush(stdout);
  return counters.store_errors > 0 ? 1 : 0;
}

}  // namespace

void RegisterDeliver(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "deliver",
      "Send the alerts queued in the outbox (the config's `store`) to their targets, with\n"
      "per-channel rate limits, retries with backoff and Retry-After, until SIGINT/SIGTERM\n"
      "(in-flight sends get --shutdown-timeout to finish; those still hanging are aborted and\n"
      "stay queued) or, with --until-empty, until nothing is left to send.\n"
      "Entries left in flight by a killed deliverer are sent again at start-up.");
  auto args = std::make_shared<DeliverArgs>();
  AcceptFileUrl(cmd->add_option("--config", args->config_path, "configuration file (YAML)"))->required();
  cmd->add_flag("--until-empty", args->until_empty,
                "stop once no target has anything pending (waits for retries)");
  cmd->add_flag("--verbose", args->verbose, "log every retry");
  cmd->add_option("--shutdown-timeout", args->shutdown_timeout_seconds,
                  "seconds the sends in flight get after SIGINT/SIGTERM before they are aborted")
      ->check(CLI::Range(0, 600))
      ->capture_default_str();
  cmd->callback([=] { *exit_code = Run(*args); });
}

}  // namespace trailwatch::cli
