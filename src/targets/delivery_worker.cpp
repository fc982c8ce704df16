#include "targets/delivery_worker.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>

#include "common/wall_clock.h"

namespace trailwatch::targets {

namespace {

using SteadyClock = std::chrono::steady_clock;


// Worker pool size: enough for every target's concurrency, bounded so that a config with many
// targets does not start hundreds of threads.
constexpr int kMaxSenders = 32;

}  // namespace

DeliveryWorker::DeliveryWorker(outbox::Outbox* outbox, std::vector<DeliveryTarget> targets,
                               DeliveryOptions options)
    : outbox_(outbox),
      targets_(std::move(targets)),
      options_(std::move(options)),
      rng_(std::random_device{}()),
      failure_log_(options_.failure_log_interval) {
  for (size_t i = 0; i < targets_.size(); ++i) target_by_name_[targets_[i].config.name] = i;
  target_in_flight_.assign(targets_.size(), 0);
}

DeliveryWorker::~DeliveryWorker() { Stop(); }

void DeliveryWorker::Start() {
  std::lock_guard lock(mutex_);
  if (started_) return;
  started_ = true;
  int senders = 0;
  for (const DeliveryTarget& target : targets_) {
    const config::TargetConfig& config = target.config;
    senders += EffectiveConcurrency(config);
    if (config.max_concurrency > EffectiveConcurrency(config)) {
      spdlog::warn(
          "target {}: max_concurrency {} has no effect: a {} posts to one channel, in order, one "
          "request at a time",
          config.name, config.max_concurrency,
          config.type == config::TargetConfig::Type::kTeams ? "Teams webhook" : "Slack webhook");
    }
  }
  // Entries for targets that are no longer configured would otherwise wait forever, silently.
  auto backlog = outbox_->UndeliveredByTarget();
  if (!backlog.ok()) {
    ++counters_.store_errors;
    spdlog::error("delivery: {}", backlog.message());
  } else {
    for (const auto& [target, count] : *backlog) {
      if (!target_by_name_.count(target)) HandleUnconfigured(target, count);
    }
  }
  senders = std::clamp(senders, 1, kMaxSenders);
  for (int i = 0; i < senders; ++i) senders_.emplace_back([this] { Send(); });
  dispatcher_ = std::thread([this] { Dispatch(); });
}

// Called with mutex_ held.
void DeliveryWorker::HandleUnconfigured(const std::string& target, int64_t count) {
  // Configured, but delivered by someone else (send-test runs a worker for one target).
  if (options_.other_configured_targets.count(target)) return;
  if (!options_.dead_letter_unconfigured) {
    if (unconfigured_reported_.insert(target).second) {
      spdlog::warn(
          "outbox: {} entries are queued for target \"{}\", which is not in the configuration; "
          "they wait until it is added back",
          count, target);
    }
    return;
  }
  std::string error = "target \"" + target +
                      "\" is not in the configuration; `trailwatch outbox retry --dead` queues "
                      "this again once the target is back";
  auto dead = outbox_->DeadLetterTarget(target, error);
  if (!dead.ok()) {
    ++counters_.store_errors;
    spdlog::error("delivery: {}", dead.message());
    return;
  }
  if (*dead > 0) {
    counters_.unconfigured += *dead;
    spdlog::warn(
        "outbox: {} entries were queued for target \"{}\", which is not in the configuration: "
        "they are dead now (`trailwatch outbox list --state dead` shows them; `trailwatch outbox "
        "retry --dead` queues them again once the target is back)",
        *dead, target);
  }
}

void DeliveryWorker::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_requested_ = true;
    kicked_ = true;
  }
  dispatcher_wake_.notify_all();
  Wait();
}

void DeliveryWorker::Stop(std::chrono::milliseconds grace) {
  {
    std::lock_guard lock(mutex_);
    stop_requested_ = true;
    kicked_ = true;
    if (!started_) return;
  }
  dispatcher_wake_.notify_all();
  if (!WaitFor(grace)) {
    int in_flight;
    {
      std::lock_guard lock(mutex_);
      in_flight = in_flight_;
    }
    if (in_flight > 0) {
      spdlog::warn(
          "delivery: {} send(s) still in flight after shutdown_timeout ({} s): abandoning them; "
          "their alerts stay queued and are sent when trailwatch starts again (a receiver that "
          "got one may see it twice)",
          in_flight, std::chrono::duration_cast<std::chrono::seconds>(grace).count());
    }
    options_.abandon.request_stop();
  }
  Wait();
}

void DeliveryWorker::Notify() {
  {
    std::lock_guard lock(mutex_);
    discover_now_ = true;
    kicked_ = true;
  }
  dispatcher_wake_.notify_all();
}

void DeliveryWorker::Wait() {
  {
    std::unique_lock lock(mutex_);
    if (!started_) return;
    stopped_.wait(lock, [this] { return finished_; });
  }
  std::lock_guard join_lock(join_mutex_);
  if (dispatcher_.joinable()) dispatcher_.join();
  for (std::thread& sender : senders_) {
    if (sender.joinable()) sender.join();
  }
}

bool DeliveryWorker::WaitFor(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return stopped_.wait_for(lock, timeout, [this] { return finished_; });
}

DeliveryCounters DeliveryWorker::counters() {
  std::lock_guard lock(mutex_);
  return counters_;
}

std::chrono::milliseconds DeliveryWorker::Backoff(int attempts, std::chrono::milliseconds base,
                                                  std::chrono::milliseconds cap,
                                                  std::mt19937_64& rng) {
  int64_t ceiling = base.count();
  for (int i = 1; i < attempts && ceiling < cap.count(); ++i) ceiling *= 2;
  ceiling = std::min(ceiling, static_cast<int64_t>(cap.count()));
  std::uniform_int_distribution<int64_t> jitter(0, std::max<int64_t>(ceiling, 0));
  return std::chrono::milliseconds(jitter(rng));
}

bool DeliveryWorker::HasToken(Bucket& bucket, const config::TargetConfig& config,
                              SteadyClock::time_point now, SteadyClock::time_point* ready_at) {
  double rate = config.rate_per_second > 0 ? config.rate_per_second : 1.0;
  double capacity = std::max(1, config.burst);
  double elapsed = std::chrono::duration<double>(now - bucket.refilled_at).count();
  if (elapsed > 0) {
    bucket.tokens = std::min(capacity, bucket.tokens + elapsed * rate);
    bucket.refilled_at = now;
  }
  if (bucket.tokens >= 1.0) return true;
  auto wait = std::chrono::duration<double>((1.0 - bucket.tokens) / rate);
  *ready_at =
      now + std::chrono::duration_cast<SteadyClock::duration>(wait) + std::chrono::milliseconds(1);
  return false;
}

int64_t DeliveryWorker::Discover(std::unique_lock<std::mutex>& lock) {
  lock.unlock();
  auto found = outbox_->UndeliveredChannels();
  lock.lock();
  if (!found.ok()) {
    ++counters_.store_errors;
    LogStoreError(found.message());
    return -1;
  }
  auto now = SteadyClock::now();
  std::set<std::string> present;
  std::map<std::string, int64_t> unconfigured;
  for (const outbox::ChannelBacklog& backlog : *found) {
    auto target = target_by_name_.find(backlog.target);
    if (target == target_by_name_.end()) {
      ++unconfigured[backlog.target];
      continue;
    }
    present.insert(backlog.channel_key);
    auto [it, added] = channels_.try_emplace(backlog.channel_key);
    Channel& channel = it->second;
    channel.empty = false;
    if (!added) continue;
    const config::TargetConfig& config = targets_[target->second].config;
    channel.key = backlog.channel_key;
    channel.target_index = target->second;
    channel.rate_key = RateKey(config, backlog.channel_key);
    channel.due_at = now;
    auto [bucket, new_bucket] = buckets_.try_emplace(channel.rate_key);
    if (new_bucket) {
      bucket->second.tokens = std::max(1, config.burst);
      bucket->second.refilled_at = now;
      bucket->second.paused_until = now;
    }
  }
  // Channels without a backlog are forgotten (bounded memory whatever channels routes choose);
  // their buckets stay, so a channel that comes back does not get a fresh burst.
  for (auto it = channels_.begin(); it != channels_.end();) {
    if (!it->second.busy && !present.count(it->first)) {
      it = channels_.erase(it);
    } else {
      ++it;
    }
  }
  // Entries enqueued for an unconfigured target after Start (by another process). Dead-lettering
  // needs no count; without it, each target is reported once.
  for (const auto& [target, channels] : unconfigured) {
    if (options_.dead_letter_unconfigured) {
      HandleUnconfigured(target, 0);
    } else if (!unconfigured_reported_.count(target)) {
      lock.unlock();
      auto backlog = outbox_->UndeliveredByTarget();
      lock.lock();
      if (backlog.ok()) HandleUnconfigured(target, (*backlog)[target]);
    }
  }
  return static_cast<int64_t>(present.size());
}

void DeliveryWorker::ReportExpired(size_t target_index, const std::vector<outbox::Entry>& expired) {
  const config::TargetConfig& config = targets_[target_index].config;
  for (const outbox::Entry& entry : expired) {
    spdlog::warn("target {}: entry {} is dead: {}", config.name, entry.id, entry.last_error);
    if (options_.on_outcome) {
      options_.on_outcome(entry, Permanent{entry.last_error, 0}, "dead");
    }
  }
}

void DeliveryWorker::Dispatch() {
  std::unique_lock lock(mutex_);
  auto next_discovery = SteadyClock::now();
  while (!stop_requested_) {
    kicked_ = false;
    auto now = SteadyClock::now();
    int64_t with_backlog = -1;
    if (discover_now_ || now >= next_discovery) {
      discover_now_ = false;
      with_backlog = Discover(lock);
      now = SteadyClock::now();
      next_discovery = now + options_.poll_interval;
    }
    auto wake = next_discovery;
    bool again = false;
    // Pass 1: every channel that may send now reserves a token and a concurrency slot (so lanes
    // sharing a bucket or a target's limit are not over-booked), and is marked busy.
    std::vector<Channel*> ready;
    std::vector<outbox::Outbox::ClaimRequest> requests;
    for (auto it = channels_.begin(); it != channels_.end() && !stop_requested_; ++it) {
      Channel& channel = it->second;
      const config::TargetConfig& config = targets_[channel.target_index].config;
      if (channel.busy || channel.empty) continue;
      if (channel.due_at > now) {
        wake = std::min(wake, channel.due_at);
        continue;
      }
      Bucket& bucket = buckets_[channel.rate_key];
      if (bucket.paused_until > now) {
        wake = std::min(wake, bucket.paused_until);
        continue;
      }
      if (target_in_flight_[channel.target_index] >= EffectiveConcurrency(config)) continue;
      // The bucket is checked before claiming, and the token given back when there was nothing
      // to claim (so an idle channel keeps its burst).
      SteadyClock::time_point ready_at;
      if (!HasToken(bucket, config, now, &ready_at)) {
        wake = std::min(wake, ready_at);
        continue;
      }
      bucket.tokens -= 1.0;
      ++target_in_flight_[channel.target_index];
      channel.busy = true;
      ready.push_back(&channel);
      requests.push_back(
          {channel.key,
           std::chrono::duration_cast<std::chrono::milliseconds>(config.max_age).count()});
    }
    if (!ready.empty()) {
      // Pass 2: one transaction claims (or expires) the heads of all of them. The Channel
      // pointers stay valid: only Discover (this thread) erases channels, and never busy ones.
      lock.unlock();
      auto claimed = outbox_->ClaimHeads(requests, WallClockMs());
      if (claimed.ok()) {
        for (size_t i = 0; i < ready.size(); ++i) {
          if (!(*claimed)[i].expired.empty()) {
            ReportExpired(ready[i]->target_index, (*claimed)[i].expired);
          }
        }
      }
      lock.lock();
      if (!claimed.ok()) {
        ++counters_.store_errors;
        LogStoreError(claimed.message());
      }
      for (size_t i = 0; i < ready.size(); ++i) {
        Channel& channel = *ready[i];
        outbox::Claim* claim = claimed.ok() ? &(*claimed)[i] : nullptr;
        if (claim) {
          counters_.dead += static_cast<int64_t>(claim->expired.size());
          counters_.expired += static_cast<int64_t>(claim->expired.size());
        }
        if (claim && claim->entry) {
          ++in_flight_;
          jobs_.push_back(Job{channel.key, channel.target_index, std::move(*claim->entry)});
          sender_wake_.notify_one();
          continue;
        }
        // Nothing to send: give the reservation back.
        buckets_[channel.rate_key].tokens += 1.0;
        --target_in_flight_[channel.target_index];
        channel.busy = false;
        if (!claim) continue;
        if (claim->expired.size() >= outbox::Outbox::kMaxExpiredPerClaim) {
          again = true;  // more expired heads may follow
        } else if (claim->next_due > 0) {
          channel.due_at =
              now + std::chrono::milliseconds(std::max<int64_t>(0, claim->next_due - WallClockMs()));
          wake = std::min(wake, channel.due_at);
        } else {
          channel.empty = true;
        }
      }
    }
    if (again) continue;
    if (options_.stop_when_empty && in_flight_ == 0 &&
        std::all_of(channels_.begin(), channels_.end(),
                    [](const auto& channel) { return channel.second.empty; })) {
      // Confirm with a fresh look at the outbox (another process may have enqueued).
      int64_t backlog = with_backlog >= 0 ? with_backlog : Discover(lock);
      if (backlog == 0) break;
      if (backlog > 0 && with_backlog < 0) continue;
    }
    dispatcher_wake_.wait_until(lock, wake, [this] { return stop_requested_ || kicked_; });
    kicked_ = false;
  }
  // Drain: the sends in flight finish and are recorded; nothing new is claimed.
  dispatcher_wake_.wait(lock, [this] { return in_flight_ == 0; });
  senders_exit_ = true;
  sender_wake_.notify_all();
  finished_ = true;
  stopped_.notify_all();
}

void DeliveryWorker::Send() {
  std::unique_lock lock(mutex_);
  while (true) {
    sender_wake_.wait(lock, [this] { return senders_exit_ || !jobs_.empty(); });
    if (jobs_.empty()) return;
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    std::optional<Outcome> outcome;
    if (outbox_->ClaimStillValid(job.entry)) {
      outcome = targets_[job.target_index].target->Deliver(job.entry);
      Record(job, *outcome);
    } else {
      // Shared store: this replica's lease on the channel was lost or ran past its deadline since
      // the claim (a long pause, PostgreSQL unreachable). Another replica may be sending this
      // entry now, so it is neither sent nor marked here (store/lease_store.h).
      spdlog::warn("delivery: channel {}: lease lost before sending entry {}; left to the replica "
                   "that holds it",
                   job.channel_key, job.entry.id);
    }
    lock.lock();
    Channel& channel = channels_[job.channel_key];  // busy channels are never erased
    channel.busy = false;
    channel.empty = false;  // its next entry may be there already
    if (!outcome) {
      ++counters_.lease_lost;
      channel.due_at = SteadyClock::now() + std::chrono::seconds(1);
      buckets_[channel.rate_key].tokens += 1.0;  // nothing was sent
    } else if (const auto* retry = std::get_if<Retry>(&*outcome); retry && retry->retry_after) {
      Bucket& bucket = buckets_[channel.rate_key];
      bucket.paused_until = std::max(bucket.paused_until, SteadyClock::now() + *retry->retry_after);
    }
    --target_in_flight_[job.target_index];
    --in_flight_;
    kicked_ = true;
    dispatcher_wake_.notify_all();
  }
}

void DeliveryWorker::LogStoreError(const std::string& message) {
  // The dispatcher looks for work every poll_interval: while the store is unreachable (a shared
  // PostgreSQL restarting) that would be five lines a second. One line per failure_log_interval,
  // with the count, says the same.
  size_t count = failure_log_.Admit("\nstore");
  if (count == 1) {
    spdlog::error("delivery: {}", message);
  } else if (count > 1) {
    spdlog::error("delivery: {} store errors since the last line about them; last: {}", count,
                  message);
  }
}

void DeliveryWorker::LogRetry(const config::TargetConfig& config, const Retry& retry) {
  // Keyed by the status, or by the transport error's text (curl's generic words, no URL): a
  // bounded set per target whatever the far side answers.
  std::string reason =
      retry.http_status > 0 ? "HTTP " + std::to_string(retry.http_status) : retry.error;
  size_t count = failure_log_.Admit(config.name + '\n' + reason);
  if (count == 1) {
    spdlog::warn("target {}: delivery failed ({}); retrying", config.name, retry.error);
  } else if (count > 1) {
    spdlog::warn(
        "target {}: {} deliveries failed ({}) since the last line about it (at most one per {} s); "
        "last error: {}; retrying",
        config.name, count, reason,
        std::chrono::duration_cast<std::chrono::seconds>(options_.failure_log_interval).count(),
        retry.error);
  }
}

void DeliveryWorker::Record(const Job& job, const Outcome& outcome) {
  const outbox::Entry& entry = job.entry;
  const config::TargetConfig& config = targets_[job.target_index].config;
  if (std::holds_alternative<Retry>(outcome) && options_.abandon.stop_requested()) {
    // Abandoned by Stop(grace): not the far side's fault, so no backoff and no failure line; the
    // entry is due at once for the next run (its attempt stays counted: it may have arrived).
    Status stored =
        outbox_->MarkRetry(entry.id, WallClockMs(), "send abandoned at shutdown (shutdown_timeout)", 0);
    std::lock_guard lock(mutex_);
    ++counters_.abandoned;
    if (!stored.ok()) {
      ++counters_.store_errors;
      spdlog::error("delivery: {}", stored.message());
    }
    return;
  }
  std::string disposition;
  Status stored;
  if (const auto* delivered = std::get_if<Delivered>(&outcome)) {
    disposition = "delivered";
    stored = outbox_->MarkDelivered(entry.id, delivered->http_status, delivered->response,
                                    delivered->thread_ts);
  } else if (const auto* permanent = std::get_if<Permanent>(&outcome)) {
    disposition = "dead";
    spdlog::warn("target {}: entry {} is dead: {}", config.name, entry.id, permanent->error);
    stored = outbox_->MarkDead(entry.id, permanent->error, permanent->http_status);
  } else {
    const auto& retry = std::get<Retry>(outcome);
    int64_t now = WallClockMs();
    int64_t age_ms = now - entry.queued_at;
    int64_t max_age_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(config.max_age).count();
    if (entry.attempts >= config.max_attempts || age_ms >= max_age_ms) {
      disposition = "dead";
      std::string why = entry.attempts >= config.max_attempts
                            ? "gave up after " + std::to_string(entry.attempts) + " attempts"
                            : "gave up: older than max_age";
      spdlog::warn("target {}: entry {} is dead ({}): {}", config.name, entry.id, why, retry.error);
      stored = outbox_->MarkDead(entry.id, why + "; last error: " + retry.error, retry.http_status);
    } else {
      disposition = "retry";
      std::chrono::milliseconds delay;
      {
        std::lock_guard lock(mutex_);
        delay = Backoff(entry.attempts, options_.backoff_base, options_.backoff_cap, rng_);
      }
      if (retry.retry_after) {
        delay = std::max<std::chrono::milliseconds>(delay, *retry.retry_after);
      }
      spdlog::debug("target {}: entry {} attempt {} failed, retry in {} ms: {}", config.name,
                    entry.id, entry.attempts, delay.count(), retry.error);
      LogRetry(config, retry);
      stored = outbox_->MarkRetry(entry.id, now + delay.count(), retry.error, retry.http_status);
    }
  }
  {
    std::lock_guard lock(mutex_);
    if (!stored.ok()) ++counters_.store_errors;
    if (disposition == "delivered")
      ++counters_.delivered;
    else if (disposition == "dead")
      ++counters_.dead;
    else
      ++counters_.retried;
  }
  if (!stored.ok()) spdlog::error("delivery: {}", stored.message());
  if (options_.on_outcome) options_.on_outcome(entry, outcome, disposition);
}

Result<std::vector<DeliveryTarget>> MakeDeliveryTargets(const config::TargetsConfig& config,
                                                        outbox::Outbox* outbox,
                                                        const std::string& only,
                                                        std::stop_token abandon_sends) {
  TargetContext context;
  context.abandon_sends = std::move(abandon_sends);
  context.account_aliases = config.accounts;
  context.outbox = outbox;
  std::vector<DeliveryTarget> targets;
  for (const config::TargetConfig& target : config.targets) {
    if (!only.empty() && target.name != only) continue;
    Result<std::unique_ptr<Target>> made = MakeTarget(target, context);
    if (!made.ok()) return made.error();
    targets.push_back(DeliveryTarget{target, std::move(made.value())});
  }
  if (!only.empty() && targets.empty()) {
    return Error{config.path + ": no target named \"" + only + "\""};
  }
  return targets;
}

}  // namespace trailwatch::targets
