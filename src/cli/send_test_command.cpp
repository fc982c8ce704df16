// `trailwatch send-test --config FILE --target NAME`: sends the sample root sign-in alert through
// the whole delivery path — committed to the outbox, claimed, rendered, sent with the target's
// timeouts and error classes — and prints the target's answer. The first user's "sign in as root
// and look at Slack" check, without signing in.
//
// If another process is delivering from the same store, the alert is left to it and this command
// watches the outbox for the outcome. On a shared PostgreSQL store this command delivers like a
// replica: whichever process holds the target's channel lease sends the alert.
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <thread>

#include "cli/argument_text.h"
#include "cli/commands.h"
#include "common/store_address.h"
#include "common/wall_clock.h"
#include "config/targets_config.h"
#include "outbox/delivery_lock.h"
#include "outbox/outbox.h"
#include "service/redacting_log_sink.h"
#include "targets/delivery_worker.h"
#include "targets/sample_alert.h"

namespace trailwatch::cli {

namespace {

struct SendTestArgs {
  std::string config_path;
  std::string target;
  int wait_seconds = 60;
};


int Report(const std::string& target, const outbox::Entry& entry) {
  switch (entry.state) {
    case outbox::EntryState::kDelivered:
      std::printf("target %s: delivered (entry %lld%s%s): %s\n", target.c_str(),
                  static_cast<long long>(entry.id), entry.response_status ? ", HTTP " : "",
                  entry.response_status ? std::to_string(entry.response_status).c_str() : "",
                  entry.response.c_str());
      return 0;
    case outbox::EntryState::kDead:
      std::printf("target %s: failed permanently (entry %lld is dead): %s\n", target.c_str(),
                  static_cast<long long>(entry.id), entry.last_error.c_str());
      return 1;
    default:
      std::printf("target %s: failed, will be retried (entry %lld stays queued): %s\n",
                  target.c_str(), static_cast<long long>(entry.id), entry.last_error.c_str());
      return 1;
  }
}

int Run(const SendTestArgs& args) {
  Result<config::TargetsConfig> config = config::LoadTargetsConfigFile(args.config_path);
  if (!config.ok()) {
    std::cerr << "error: " << config.message() << "\n";
    return 2;
  }
  // Neither the log nor an error prints a value that came from a ${env:}/${file:} reference.
  service::RedactReferenceValuesInLog(*spdlog::default_logger(), config->reference_values);
  const config::TargetConfig* target = config->Find(args.target);
  if (!target) {
    std::cerr << "error: " << args.config_path << ": no target named \"" << args.target << "\"\n";
    return 2;
  }
  auto store = outbox::Outbox::Open(config->store);
  if (!store.ok()) {
    std::cerr << "error: " << config->Shown(store.message()) << "\n";
    return 1;
  }
  auto targets = targets::MakeDeliveryTargets(*config, store->get(), args.target);
  if (!targets.ok()) {
    std::cerr << "error: " << targets.message() << "\n";
    return 2;
  }
  Result<route::Alert> alert = targets::SendTestAlert(targets::RandomEventId());
  if (!alert.ok()) {
    std::cerr << "error: " << alert.message() << "\n";
    return 1;
  }
  auto enqueued =
      (*store)->Enqueue({{target->name, targets::ChannelKey(*target), *alert}}, WallClockMs());
  if (!enqueued.ok()) {
    std::cerr << "error: " << enqueued.message() << "\n";
    return 1;
  }
  int64_t id = enqueued->ids.front();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(args.wait_seconds);

  auto lock = outbox::DeliveryLock::TryAcquire(config->store);
  if (lock.ok()) {
    // Nobody else delivers: run the workers for this target until our entry has an outcome.
    std::mutex mutex;
    bool done = false;
    targets::DeliveryOptions options;
    options.dead_letter_unconfigured = false;  // the worker has only this target
    // The other configured targets' queued alerts are not "not in the configuration".
    for (const config::TargetConfig& other : config->targets) {
      if (other.name != target->name) options.other_configured_targets.insert(other.name);
    }
    options.on_outcome = [&](const outbox::Entry& entry, const targets::Outcome&,
                             const std::string&) {
      if (entry.id != id) return;
      std::lock_guard guard(mutex);
      done = true;
    };
    targets::DeliveryWorker worker(store->get(), std::move(targets.value()), options);
    worker.Start();
    // On a shared store (PostgreSQL) a running replica may hold the channel's lease and send the
    // entry itself: then only the outbox tells that it was sent.
    const bool shared = IsPostgresUri(config->store);
    for (int polls = 0; std::chrono::steady_clock::now() < deadline; ++polls) {
      {
        std::lock_guard guard(mutex);
        if (done) break;
      }
      if (shared && polls % 10 == 9) {
        auto entry = (*store)->Get(id);
        if (entry.ok() && *entry && ((*entry)->state == outbox::EntryState::kDelivered ||
                                     (*entry)->state == outbox::EntryState::kDead)) {
          break;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    worker.Stop();
  } else {
    std::fprintf(stderr, "note: %s; waiting for it to send entry %lld\n", lock.message().c_str(),
                 static_cast<long long>(id));
    while (std::chrono::steady_clock::now() < deadline) {
      auto entry = (*store)->Get(id);
      if (entry.ok() && *entry && (*entry)->attempts > 0 &&
          (*entry)->state != outbox::EntryState::kInFlight) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
  auto entry = (*store)->Get(id);
  if (!entry.ok() || !*entry) {
    std::cerr << "error: entry " << id << " is gone from the outbox\n";
    return 1;
  }
  if ((*entry)->attempts == 0 || (*entry)->state == outbox::EntryState::kInFlight) {
    std::printf("target %s: not sent within %d s (entry %lld is queued behind earlier alerts)\n",
                target->name.c_str(), args.wait_seconds, static_cast<long long>(id));
    return 1;
  }
  return Report(target->name, **entry);
}

}  // namespace

void RegisterSendTest(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "send-test",
      "Send a sample alert (AWS's documented root console sign-in record, with a fresh eventID)\n"
      "to one target through the outbox, and print the target's answer. Exit 0 when the target\n"
      "accepted it, 1 when it failed (a transient failure leaves it queued for `deliver`).");
  auto args = std::make_shared<SendTestArgs>();
  AcceptFileUrl(cmd->add_option("--config", args->config_path, "configuration file (YAML)"))->required();
  cmd->add_option("--target", args->target, "target name from the config")->required();
  cmd->add_option("--wait", args->wait_seconds, "seconds to wait for the first answer")
      ->capture_default_str();
  cmd->callback([=] { *exit_code = Run(*args); });
}

}  // namespace trailwatch::cli
