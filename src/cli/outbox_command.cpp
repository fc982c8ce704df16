// `trailwatch outbox ...`: look into and repair the delivery queue of a config's store.
//   list [--state S] [--limit N]   entries, oldest first; entries whose target is not in the
//                                  configuration are flagged (the deliverer makes them dead)
//   retry ID | retry --dead        make dead (or waiting) entries pending again, attempts reset;
//                                  only for targets in the configuration (they would die again)
//   purge --dead | --delivered     delete finished entries
//   enqueue-sample --target NAME --count N
//                                  queue N copies of the sample alert (distinct eventIDs); for
//                                  load tests, the crash test and the benchmark
#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>
#include <set>

#include "cli/argument_text.h"
#include "cli/commands.h"
#include "common/wall_clock.h"
#include "config/config_outline.h"
#include "config/targets_config.h"
#include "outbox/outbox.h"
#include "targets/sample_alert.h"
#include "targets/target.h"

namespace trailwatch::cli {

namespace {


std::string UtcTime(int64_t ms) {
  if (ms <= 0) return "-";
  time_t seconds = static_cast<time_t>(ms / 1000);
  tm parts{};
  gmtime_r(&seconds, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

struct OutboxArgs {
  std::string config_path;
  std::string state;
  int64_t limit = 0;
  int64_t id = 0;
  bool dead = false;
  bool delivered = false;
  std::string target;
  int64_t count = 0;
};

Result<std::unique_ptr<outbox::Outbox>> OpenStore(const std::string& config_path,
                                                  config::TargetsConfig* config_out = nullptr) {
  Result<config::TargetsConfig> config = config::LoadTargetsConfigFile(config_path);
  if (!config.ok()) return config.error();
  auto store = outbox::Outbox::Open(config->store);
  // The store's path may have come from a reference: never printed.
  if (!store.ok()) return Error{config->Shown(store.message())};
  if (config_out) *config_out = std::move(config.value());
  return store;
}

// For the commands that send nothing (list, retry, purge): the store and the target names,
// without resolving the configuration's secrets (config/config_outline.h).
Result<std::unique_ptr<outbox::Outbox>> OpenStoreWithoutSecrets(
    const std::string& config_path, std::set<std::string>* target_names = nullptr) {
  Result<config::ConfigOutline> outline = config::LoadConfigOutline(config_path);
  if (!outline.ok()) return outline.error();
  auto store = outbox::Outbox::Open(outline->store);
  // The store's path may have come from a reference: never printed.
  if (!store.ok()) {
    return Error{config::RedactReferenceValues(store.message(), outline->reference_values)};
  }
  if (target_names) *target_names = std::move(outline->target_names);
  return store;
}

int List(const OutboxArgs& args) {
  std::optional<outbox::EntryState> state;
  if (!args.state.empty()) {
    outbox::EntryState parsed;
    if (!outbox::ParseEntryState(args.state, &parsed)) {
      std::cerr << "error: --state: expected pending, in_flight, delivered or dead\n";
      return 2;
    }
    state = parsed;
  }
  std::set<std::string> configured;
  auto store = OpenStoreWithoutSecrets(args.config_path, &configured);
  if (!store.ok()) {
    std::cerr << "error: " << store.message() << "\n";
    return 2;
  }
  auto entries = (*store)->List(state, args.limit);
  if (!entries.ok()) {
    std::cerr << "error: " << entries.message() << "\n";
    return 1;
  }
  std::printf("%-8s %-10s %-20s %-8s %-21s %-21s %-28s %s\n", "ID", "STATE", "TARGET", "ATTEMPTS",
              "CREATED", "NEXT ATTEMPT", "RULE", "EVENT ID / LAST ERROR");
  int64_t unconfigured = 0;
  for (const outbox::Entry& entry : *entries) {
    bool waiting = entry.state == outbox::EntryState::kPending;
    bool finished = entry.state == outbox::EntryState::kDelivered;
    // Flag what a deliverer with this configuration cannot send.
    bool flag = !finished && !configured.count(entry.target);
    if (flag) ++unconfigured;
    std::printf("%-8lld %-10s %-20s %-8d %-21s %-21s %-28s %s%s%s%s\n",
                static_cast<long long>(entry.id), outbox::EntryStateName(entry.state),
                entry.target.c_str(), entry.attempts, UtcTime(entry.created_at).c_str(),
                waiting ? UtcTime(entry.next_attempt_at).c_str() : "-", entry.alert.rule.c_str(),
                entry.alert.envelope.DedupKey().c_str(), flag ? " [target not in the configuration]" : "",
                entry.last_error.empty() ? "" : " — ", entry.last_error.c_str());
  }
  if (unconfigured > 0) {
    std::fprintf(stderr,
                 "note: %lld entries are for targets that are not in %s; a deliverer makes "
                 "pending ones dead; `outbox retry` queues them again once the target is back\n",
                 static_cast<long long>(unconfigured), args.config_path.c_str());
  }
  return 0;
}

int RetryEntries(const OutboxArgs& args) {
  if ((args.id > 0) == args.dead) {
    std::cerr << "error: give either an entry ID or --dead\n";
    return 2;
  }
  // Entries of a target that is not configured would only be made dead again by the deliverer.
  std::set<std::string> configured;
  auto store = OpenStoreWithoutSecrets(args.config_path, &configured);
  if (!store.ok()) {
    std::cerr << "error: " << store.message() << "\n";
    return 2;
  }
  if (!args.dead) {
    auto entry = (*store)->Get(args.id);
    if (entry.ok() && *entry && !configured.count((*entry)->target)) {
      std::cerr << "error: entry " << args.id << " is for target \"" << (*entry)->target
                << "\", which is not in " << args.config_path << "; add the target back first\n";
      return 1;
    }
  } else if (auto dead = (*store)->CountByTarget(outbox::EntryState::kDead); dead.ok()) {
    for (const auto& [target, count] : *dead) {
      if (configured.count(target)) continue;
      std::fprintf(stderr, "note: %lld dead entries of target \"%s\" stay dead: it is not in %s\n",
                   static_cast<long long>(count), target.c_str(), args.config_path.c_str());
    }
  }
  auto changed =
      args.dead ? (*store)->RetryDeadOf(configured, WallClockMs()) : (*store)->Retry(args.id, WallClockMs());
  if (!changed.ok()) {
    std::cerr << "error: " << changed.message() << "\n";
    return 1;
  }
  if (!args.dead && *changed == 0) {
    std::cerr << "error: entry " << args.id << " does not exist or is delivered or in flight\n";
    return 1;
  }
  std::printf("%lld entries queued again\n", static_cast<long long>(*changed));
  return 0;
}

int Purge(const OutboxArgs& args) {
  if (args.dead == args.delivered) {
    std::cerr << "error: give one of --dead or --delivered\n";
    return 2;
  }
  auto store = OpenStoreWithoutSecrets(args.config_path);
  if (!store.ok()) {
    std::cerr << "error: " << store.message() << "\n";
    return 2;
  }
  auto removed =
      (*store)->Purge(args.dead ? outbox::EntryState::kDead : outbox::EntryState::kDelivered);
  if (!removed.ok()) {
    std::cerr << "error: " << removed.message() << "\n";
    return 1;
  }
  std::printf("%lld entries purged\n", static_cast<long long>(*removed));
  return 0;
}

int EnqueueSample(const OutboxArgs& args) {
  config::TargetsConfig config;
  auto store = OpenStore(args.config_path, &config);
  if (!store.ok()) {
    std::cerr << "error: " << store.message() << "\n";
    return 2;
  }
  const config::TargetConfig* target = config.Find(args.target);
  if (!target) {
    std::cerr << "error: " << args.config_path << ": no target named \"" << args.target << "\"\n";
    return 2;
  }
  std::string run = targets::RandomEventId().substr(0, 8);
  int64_t inserted = 0;
  constexpr int64_t kBatch = 1000;
  for (int64_t start = 0; start < args.count; start += kBatch) {
    std::vector<outbox::NewEntry> batch;
    for (int64_t i = start; i < std::min(args.count, start + kBatch); ++i) {
      char event_id[64];
      std::snprintf(event_id, sizeof event_id, "sample-%s-%08lld", run.c_str(),
                    static_cast<long long>(i));
      Result<route::Alert> alert = targets::SampleRootSignInAlert(event_id, "trailwatch-sample");
      if (!alert.ok()) {
        std::cerr << "error: " << alert.message() << "\n";
        return 1;
      }
      std::string channel = targets::ChannelKey(*target, *alert);
      batch.push_back({target->name, std::move(channel), std::move(alert.value())});
    }
    auto result = (*store)->Enqueue(batch, WallClockMs());
    if (!result.ok()) {
      std::cerr << "error: " << result.message() << "\n";
      return 1;
    }
    inserted += static_cast<int64_t>(result->inserted);
  }
  std::printf("%lld entries queued for %s\n", static_cast<long long>(inserted),
              target->name.c_str());
  return 0;
}

}  // namespace

void RegisterOutbox(CLI::App& app, int* exit_code) {
  CLI::App* cmd =
      app.add_subcommand("outbox", "Inspect and repair the delivery queue (the config's `store`).");
  cmd->require_subcommand(1);
  auto args = std::make_shared<OutboxArgs>();

  CLI::App* list = cmd->add_subcommand("list", "List entries, oldest first.");
  AcceptFileUrl(list->add_option("--config", args->config_path, "configuration file (YAML)"))->required();
  list->add_option("--state", args->state, "pending, in_flight, delivered or dead");
  list->add_option("--limit", args->limit, "at most N entries");
  list->callback([=] { *exit_code = List(*args); });

  CLI::App* retry = cmd->add_subcommand(
      "retry", "Queue an entry (ID) or every dead entry (--dead) again, attempts reset.");
  AcceptFileUrl(retry->add_option("--config", args->config_path, "configuration file (YAML)"))->required();
  retry->add_option("id", args->id, "entry id (from `outbox list`)");
  retry->add_flag("--dead", args->dead, "every dead entry");
  retry->callback([=] { *exit_code = RetryEntries(*args); });

  CLI::App* purge = cmd->add_subcommand(
      "purge",
      "Delete dead (--dead) or delivered (--delivered) entries. A purged delivered entry no\n"
      "longer deduplicates: the same event arriving again would be sent again.");
  AcceptFileUrl(purge->add_option("--config", args->config_path, "configuration file (YAML)"))->required();
  purge->add_flag("--dead", args->dead, "delete dead entries");
  purge->add_flag("--delivered", args->delivered, "delete delivered entries");
  purge->callback([=] { *exit_code = Purge(*args); });

  CLI::App* sample = cmd->add_subcommand(
      "enqueue-sample",
      "Queue N copies of the sample alert (distinct eventIDs) for a target: for load tests and\n"
      "benchmarks; `trailwatch deliver` sends them.");
  AcceptFileUrl(sample->add_option("--config", args->config_path, "configuration file (YAML)"))->required();
  sample->add_option("--target", args->target, "target name")->required();
  sample->add_option("--count", args->count, "how many")
      ->required()
      ->check(CLI::Range(1, 10000000));
  sample->callback([=] { *exit_code = EnqueueSample(*args); });
}

}  // namespace trailwatch::cli
