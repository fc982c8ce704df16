// LeaderSource (leader_source.h).
#include "service/leader_source.h"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace trailwatch::service {

namespace {

using SteadyClock = std::chrono::steady_clock;

// How much earlier than the database's expiry a holder stops acting on a lease: covers the
// round trip of the acquire/renew and the stop of the running source (about a second); a quarter
// of the lease when that is shorter (tests use short leases).
std::chrono::milliseconds SafetyMargin(std::chrono::milliseconds lease) {
  return std::min(std::chrono::milliseconds(2000), lease / 4);
}

// Sleeps until `until` or a stop request; false when stopped.
bool SleepUntil(std::stop_token stop, SteadyClock::time_point until) {
  std::mutex mutex;
  std::condition_variable_any wake;
  std::unique_lock lock(mutex);
  return !wake.wait_until(lock, stop, until, [] { return false; }) && !stop.stop_requested();
}

}  // namespace

LeaderSource::LeaderSource(std::string name, Factory factory, store::LeaseStore* leases,
                           std::string owner, std::chrono::milliseconds lease,
                           std::shared_ptr<spdlog::logger> log, std::function<void(bool)> on_role)
    : name_(std::move(name)),
      lease_name_("source:" + name_),
      factory_(std::move(factory)),
      leases_(leases),
      owner_(std::move(owner)),
      lease_(lease),
      log_(std::move(log)),
      on_role_(std::move(on_role)) {}

void LeaderSource::SetLeading(bool leading) {
  if (leading_.exchange(leading) == leading) return;
  if (on_role_) on_role_(leading);
}

Status LeaderSource::Run(std::stop_token stop, sources::EventSink& sink) {
  const auto retry = lease_ / 3;
  bool told_follower = false;
  std::string last_error;
  while (!stop.stop_requested()) {
    auto asked_at = SteadyClock::now();
    auto grant = leases_->Acquire(lease_name_, owner_, lease_.count());
    if (!grant.ok()) {
      // PostgreSQL down or unreachable: say so once per distinct error, keep trying.
      if (grant.message() != last_error) {
        log_->warn("source {}: cannot reach the store to take the lead: {}", name_,
                   grant.message());
        last_error = grant.message();
      }
      if (!SleepUntil(stop, SteadyClock::now() + retry)) break;
      continue;
    }
    last_error.clear();
    if (!*grant) {
      if (!told_follower) {
        log_->info("source {}: another replica leads it; standing by", name_);
        told_follower = true;
      }
      if (!SleepUntil(stop, SteadyClock::now() + retry)) break;
      continue;
    }
    told_follower = false;
    Status term = Lead(stop, sink, (*grant)->generation, asked_at + lease_ - SafetyMargin(lease_));
    if (!term.ok()) return term;
  }
  // A clean stop hands the source over at once instead of after the lease runs out.
  if (Status released = leases_->Release(lease_name_, owner_); !released.ok()) {
    log_->warn("source {}: lease not released ({}); another replica takes over when it expires",
               name_, released.message());
  }
  SetLeading(false);
  return Status::Ok();
}

Status LeaderSource::Lead(std::stop_token stop, sources::EventSink& sink, int64_t generation,
                          SteadyClock::time_point deadline) {
  auto made = factory_();
  if (!made.ok()) return Error{name_ + ": " + made.message()};
  std::unique_ptr<sources::Source> source = std::move(made.value());
  log_->info("source {}: this replica leads it now (lease generation {})", name_, generation);
  SetLeading(true);

  std::mutex mutex;
  std::condition_variable done_wake;
  bool done = false;
  Status ran;
  std::stop_source source_stop;
  std::thread runner([&] {
    Status status = source->Run(source_stop.get_token(), sink);
    std::lock_guard lock(mutex);
    ran = status;
    done = true;
    done_wake.notify_all();
  });

  const auto renew_every = lease_ / 3;
  auto next_renewal = SteadyClock::now() + renew_every;
  std::string why_stopped;
  {
    std::unique_lock lock(mutex);
    while (true) {
      // Short waits: a stop request, the source ending and the deadline are all noticed within
      // 100 ms.
      done_wake.wait_for(lock, std::chrono::milliseconds(100));
      if (done || stop.stop_requested()) break;
      auto now = SteadyClock::now();
      if (now >= deadline) {
        why_stopped = "its lease could not be renewed in time (the store is unreachable)";
        break;
      }
      if (now < next_renewal) continue;
      lock.unlock();
      auto asked_at = SteadyClock::now();
      auto renewed = leases_->Renew(lease_name_, owner_, generation, lease_.count());
      lock.lock();
      next_renewal = SteadyClock::now() + renew_every;
      if (!renewed.ok()) {
        // Keep leading until the deadline: a short outage must not move the source around.
        log_->warn("source {}: lease renewal failed: {}", name_, renewed.message());
        next_renewal = SteadyClock::now() + std::chrono::milliseconds(1000);
        continue;
      }
      if (!*renewed) {
        why_stopped = "another replica took its lease";
        break;
      }
      deadline = asked_at + lease_ - SafetyMargin(lease_);
    }
  }
  // Not leading from here on (metrics, /readyz), even while the source finishes what it has in
  // hand: a source blocked on an unreachable store can take a while to return, and what it still
  // submits is deduplicated by the outbox's idempotency key if the next leader reads it too.
  SetLeading(false);
  if (!why_stopped.empty()) {
    log_->warn("source {}: this replica stops leading it: {}", name_, why_stopped);
  }
  source_stop.request_stop();
  runner.join();
  if (!why_stopped.empty()) return Status::Ok();
  if (stop.stop_requested()) return Status::Ok();
  // The source ended by itself: it cannot run at all (as without replicas, the service stops).
  return ran.ok() ? Status(Error{name_ + ": stopped unexpectedly"}) : ran;
}

}  // namespace trailwatch::service
