#include "targets/delivery_worker.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace trailwatch::targets {

namespace {

using SteadyClock = std::chrono::steady_clock;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Worker pool size: enough for every target's concurrency, bounded so that a config with many
// targets does not start hundreds of threads.
constexpr int kMaxSenders = 32;

}  // namespace

DeliveryWorker::DeliveryWorker(outbox::Outbox* outbox, std::vector<DeliveryTarget> targets,
                               DeliveryOptions options)
    : outbox_(outbox),
      targets_(std::move(targets)),
      options_(std::move(options)),
      rng_(std::random_device{}()) {
  auto now = SteadyClock::now();
  for (size_t i = 0; i < targets_.size(); ++i) {
    Channel channel;
    channel.key = ChannelKey(targets_[i].config);
    channel.target_index = i;
    channel.tokens = std::max(1, targets_[i].config.burst);
    channel.refilled_at = now;
    channel.paused_until = now;
    channels_.push_back(std::move(channel));
  }
  target_in_flight_.assign(targets_.size(), 0);
}

DeliveryWorker::~DeliveryWorker() { Stop(); }

void DeliveryWorker::Start() {
  std::lock_guard lock(mutex_);
  if (started_) return;
  started_ = true;
  int senders = 0;
  for (const DeliveryTarget& target : targets_)
    senders += std::max(1, target.config.max_concurrency);
  senders = std::clamp(senders, 1, kMaxSenders);
  for (int i = 0; i < senders; ++i) senders_.emplace_back([this] { Send(); });
  dispatcher_ = std::thread([this] { Dispatch(); });
}

void DeliveryWorker::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_requested_ = true;
  }
  dispatcher_wake_.notify_all();
  Wait();
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

bool DeliveryWorker::HasToken(Channel& channel, SteadyClock::time_point now,
                              SteadyClock::time_point* ready_at) {
  const config::TargetConfig& config = targets_[channel.target_index].config;
  double rate = config.rate_per_second > 0 ? config.rate_per_second : 1.0;
  double capacity = std::max(1, config.burst);
  double elapsed = std::chrono::duration<double>(now - channel.refilled_at).count();
  if (elapsed > 0) {
    channel.tokens = std::min(capacity, channel.tokens + elapsed * rate);
    channel.refilled_at = now;
  }
  if (channel.tokens >= 1.0) return true;
  auto wait = std::chrono::duration<double>((1.0 - channel.tokens) / rate);
  *ready_at =
      now + std::chrono::duration_cast<SteadyClock::duration>(wait) + std::chrono::milliseconds(1);
  return false;
}

void DeliveryWorker::Dispatch() {
  std::vector<std::string> keys;
  for (const Channel& channel : channels_) keys.push_back(channel.key);
  std::unique_lock lock(mutex_);
  while (!stop_requested_) {
    auto now = SteadyClock::now();
    auto wake = now + options_.poll_interval;
    for (size_t i = 0; i < channels_.size(); ++i) {
      Channel& channel = channels_[i];
      const config::TargetConfig& config = targets_[channel.target_index].config;
      if (channel.busy) continue;
      if (channel.paused_until > now) {
        wake = std::min(wake, channel.paused_until);
        continue;
      }
      if (target_in_flight_[channel.target_index] >= std::max(1, config.max_concurrency)) continue;
      // The bucket is checked before claiming (so a claim is never handed back) and a token taken
      // only once there is something to send (so an idle channel keeps its burst).
      SteadyClock::time_point ready_at;
      if (!HasToken(channel, now, &ready_at)) {
        wake = std::min(wake, ready_at);
        continue;
      }
      int64_t next_due = 0;
      lock.unlock();
      auto claimed = outbox_->ClaimHead(channel.key, NowMs(), &next_due);
      lock.lock();
      if (!claimed.ok()) {
        ++counters_.store_errors;
        spdlog::error("delivery: {}", claimed.message());
        continue;
      }
      if (!*claimed) {
        if (next_due > 0) {
          auto until = now + std::chrono::milliseconds(std::max<int64_t>(0, next_due - NowMs()));
          wake = std::min(wake, until);
        }
        continue;
      }
      channel.tokens -= 1.0;
      channel.busy = true;
      ++target_in_flight_[channel.target_index];
      ++in_flight_;
      jobs_.push_back(Job{i, std::move(**claimed)});
      sender_wake_.notify_one();
    }
    if (options_.stop_when_empty && in_flight_ == 0) {
      lock.unlock();
      auto remaining = outbox_->CountUndelivered(keys);
      lock.lock();
      if (remaining.ok() && *remaining == 0) break;
    }
    dispatcher_wake_.wait_until(lock, wake);
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
    Target& target = *targets_[channels_[job.channel_index].target_index].target;
    Outcome outcome = target.Deliver(job.entry);
    Record(job, outcome);
    lock.lock();
    Channel& channel = channels_[job.channel_index];
    channel.busy = false;
    if (const auto* retry = std::get_if<Retry>(&outcome); retry && retry->retry_after) {
      channel.paused_until =
          std::max(channel.paused_until, SteadyClock::now() + *retry->retry_after);
    }
    --target_in_flight_[channel.target_index];
    --in_flight_;
    dispatcher_wake_.notify_all();
  }
}

void DeliveryWorker::Record(const Job& job, const Outcome& outcome) {
  const outbox::Entry& entry = job.entry;
  const config::TargetConfig& config = targets_[channels_[job.channel_index].target_index].config;
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
    int64_t now = NowMs();
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
                                                        const std::string& only) {
  TargetContext context;
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
