// `trailwatch run --config FILE`: the live service. Sources feed events through the rules into
// the outbox; delivery workers send the alerts. SIGTERM/SIGINT drain and exit 0; SIGHUP reloads
// the configuration (a bad one is refused, logged, and the running one kept). Under systemd
// (Type=notify) it reports READY=1 once the sources started, RELOADING=1/READY=1 around a reload,
// STOPPING=1, and WATCHDOG=1 from this loop when the unit sets WatchdogSec=
// (service/systemd_notifier.h).
#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <optional>

#include "cli/argument_text.h"
#include "cli/commands.h"
#include "service/redacting_log_sink.h"
#include "service/service.h"
#include "service/service_config.h"
#include "service/service_log.h"
#include "service/systemd_notifier.h"

namespace trailwatch::cli {
namespace {

struct RunArgs {
  std::string config_path;
  std::string log_format = "auto";
  std::string log_level = "info";
};

int Run(const RunArgs& args) {
  auto format = service::ParseLogFormat(args.log_format);
  if (!format.ok()) {
    std::cerr << "error: --log-format: " << format.message() << "\n";
    return 2;
  }
  std::shared_ptr<spdlog::logger> log = service::MakeServiceLogger(*format, args.log_level);
  // The delivery workers and targets log through spdlog's default logger: same format.
  spdlog::set_default_logger(log);

  auto config = service::LoadServiceConfig(args.config_path);
  if (!config.ok()) {
    std::cerr << "error: " << config.message() << "\n";
    return 2;
  }
  // No log line prints a value that came from a ${env:}/${file:} reference, whoever writes it.
  std::vector<config::ReferenceValue> hidden = config->reference_values;
  service::RedactReferenceValuesInLog(*log, hidden);

  // Signals are taken synchronously by this thread; every thread started below inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A closed stdout (the stdout target's reader went away) must be an error, not a kill.
  signal(SIGPIPE, SIG_IGN);

  for (const std::string& warning : config->warnings) log->warn("{}", warning);
  service::SystemdNotifier systemd;
  service::Service running(log);
  if (Status started = running.Start(std::move(config.value())); !started.ok()) {
    log->error("cannot start: {}", started.message());
    return 1;
  }
  systemd.Ready("running");
  // Keep-alives at half of WATCHDOG_USEC, from this loop: a loop stuck anywhere (a reload that
  // hangs) stops them and systemd restarts the service.
  using Clock = std::chrono::steady_clock;
  const std::optional<std::chrono::microseconds> watchdog = systemd.watchdog_interval();
  Clock::time_point next_keepalive = Clock::now();
  std::chrono::microseconds longest_wait = std::chrono::milliseconds(200);
  if (watchdog) {
    longest_wait = std::min(longest_wait, *watchdog);
    log->info("systemd watchdog: a keep-alive every {} ms", watchdog->count() / 1000);
  }
  int exit_code = 0;
  while (true) {
    if (watchdog && Clock::now() >= next_keepalive) {
      systemd.Watchdog();
      next_keepalive = Clock::now() + *watchdog;
    }
    if (auto fatal = running.Fatal()) {
      log->error("stopping: {}", *fatal);
      exit_code = 1;
      break;
    }
    auto wait = longest_wait;
    if (watchdog) {
      wait = std::min(wait, std::chrono::duration_cast<std::chrono::microseconds>(
                                std::max(next_keepalive - Clock::now(), Clock::duration::zero())));
    }
    timespec tick{static_cast<time_t>(wait.count() / 1000000),
                  static_cast<long>(wait.count() % 1000000) * 1000};
    int signal_number = sigtimedwait(&signals, nullptr, &tick);
    if (signal_number == SIGINT || signal_number == SIGTERM) {
      log->info("{}: stopping (sources first, then the sends in flight)",
                signal_number == SIGINT ? "SIGINT" : "SIGTERM");
      break;
    }
    if (signal_number == SIGHUP) {
      log->info("SIGHUP: reloading {}", args.config_path);
      systemd.Reloading();
      auto reloaded = service::LoadServiceConfig(args.config_path);
      if (!reloaded.ok()) {
        log->error("reload refused, the running configuration is kept:\n{}", reloaded.message());
        systemd.Ready("running (the last reload was refused)");
        continue;
      }
      // Old and new values: the running sources keep logging until the swap, or for ever if it
      // is refused.
      hidden.insert(hidden.end(), reloaded->reference_values.begin(),
                    reloaded->reference_values.end());
      service::RedactReferenceValuesInLog(*log, hidden);
      for (const std::string& warning : reloaded->warnings) log->warn("{}", warning);
      if (Status swapped = running.Reload(std::move(reloaded.value())); !swapped.ok()) {
        log->error("reload refused, the running configuration is kept: {}", swapped.message());
        systemd.Ready("running (the last reload was refused)");
      } else {
        systemd.Ready("running");
      }
    }
  }
  systemd.Stopping();
  running.Stop();
  log->info("stopped");
  return exit_code;
}

}  // namespace

void RegisterRun(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "run",
      "Run the live service on a configuration file: sources (directory, s3, sqs, http) ->\n"
      "rules (packs, suppressions, thresholds) -> outbox -> targets. SIGTERM or SIGINT stops\n"
      "it cleanly (sources first, then the sends in flight, aborted after shutdown_timeout\n"
      "and left queued for the next run); SIGHUP reloads the file (a bad\n"
      "file is refused and the running configuration kept). Logs go to stderr.\n"
      "The ops listener (config `telemetry:`, default 127.0.0.1:9464) serves /metrics,\n"
      "/healthz and /readyz. The web console (config `console:`, off unless set) serves\n"
      "alerts, dead letters, rules, a pattern sandbox and sources (docs/console.md).\n"
      "Under systemd: Type=notify and WatchdogSec= are supported.\n"
      "Exit: 0 stopped by a signal, 1 could not start or a source failed, 2 invalid config.");
  // Every limit, so that an operator finds them without the docs (docs/limits.md has the why).
  cmd->footer(
      "Limits (config keys, defaults; docs/limits.md):\n"
      "  http source:   max_connections 4096, max_connections_per_client 256,\n"
      "                 max_header_bytes 16384, max_body_bytes 262144 (256 KiB),\n"
      "                 max_pending_requests 64, header_timeout 10s, body_timeout 30s,\n"
      "                 idle_timeout 30s, write_timeout 10s\n"
      "  console:       256 connections (32 per client), 16 KiB headers, bodies 64 KiB\n"
      "                 (sandbox 1 MiB), 5 failed sign-ins a minute per address, 60 in all;\n"
      "                 sessions 8h idle (console.auth.session), 24h at most\n"
      "  log files (directory, s3, sqs sources): max_file_bytes 1073741824 (1 GiB),\n"
      "                 max_inflated_bytes 1073741824 (1 GiB), max_compression_ratio 100\n"
      "  delivery:      shutdown_timeout 10s (top level); per target: timeout 10s,\n"
      "                 max_attempts 50, max_age 24h, rate_per_second 1, burst 3,\n"
      "                 max_concurrency 1\n"
      "  files:         --config 16 MiB, ${file:PATH} 1 MiB, pattern: file://PATH 64 KB;\n"
      "                 ordinary files only (no devices, FIFOs, /proc or /sys)\n");
  auto args = std::make_shared<RunArgs>();
  AcceptFileUrl(cmd->add_option("--config", args->config_path, "configuration file (YAML)"))->required();
  cmd->add_option("--log-format", args->log_format,
                  "auto (text on a terminal, JSON lines otherwise), text or json")
      ->capture_default_str();
  cmd->add_option("--log-level", args->log_level, "debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  cmd->callback([=] { *exit_code = Run(*args); });
}

}  // namespace trailwatch::cli
