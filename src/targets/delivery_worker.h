// DeliveryWorker: takes alerts out of the outbox and hands them to their targets.
//
// One dispatcher thread claims work, a pool of sender threads does the sends:
//   * order per channel: a channel has at most one entry in flight, and the outbox only ever
//     hands out a channel's head (Outbox::ClaimHead), so entry N+1 never leaves before N is
//     delivered or dead;
//   * per-target concurrency: at most max_concurrency sends of a target at once (across its
//     channels);
//   * per-channel token bucket: rate_per_second with `burst` tokens (formats.md §7.2: Slack allows
//     about 1 message/s per channel with short bursts). Every send, retries included, takes a
//     token, so the rate seen by the far side never exceeds the bucket;
//   * transient failures: exponential backoff with full jitter (delay = uniform(0, min(cap,
//     base * 2^(attempt-1))), base 1 s, cap 5 min — AWS Architecture Blog, "Exponential Backoff
//     And Jitter"), never earlier than Retry-After; a Retry-After also pauses the whole channel;
//   * dead: permanent errors at once; transient ones after max_attempts sends or once the entry
//     is older than max_age (counted from when it was queued), keeping the last error.
//
// Stop() stops claiming, lets the sends in flight finish and be recorded, then returns: nothing is
// left in_flight by a clean stop. A kill leaves at most one entry per channel in_flight;
// Outbox::RecoverInFlight on the next start makes it pending again.
//
// Thread-safety: Start/Stop/Wait from one controlling thread; the callback runs on sender threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "config/targets_config.h"
#include "outbox/outbox.h"
#include "targets/target.h"

namespace trailwatch::targets {

struct DeliveryTarget {
  config::TargetConfig config;
  std::unique_ptr<Target> target;
};

struct DeliveryOptions {
  std::chrono::milliseconds backoff_base{1000};
  std::chrono::milliseconds backoff_cap{5 * 60 * 1000};
  // How often an idle channel looks for new entries (other processes may enqueue).
  std::chrono::milliseconds poll_interval{200};
  // Finish (as if stopped) once every configured channel has nothing pending or in flight.
  bool stop_when_empty = false;
  // Called after each outcome has been recorded in the outbox. `disposition` is "delivered",
  // "retry" or "dead".
  std::function<void(const outbox::Entry&, const Outcome&, const std::string& disposition)>
      on_outcome;
};

struct DeliveryCounters {
  int64_t delivered = 0;
  int64_t retried = 0;
  int64_t dead = 0;
  int64_t store_errors = 0;
};

class DeliveryWorker {
 public:
  DeliveryWorker(outbox::Outbox* outbox, std::vector<DeliveryTarget> targets,
                 DeliveryOptions options = {});
  ~DeliveryWorker();
  DeliveryWorker(const DeliveryWorker&) = delete;
  DeliveryWorker& operator=(const DeliveryWorker&) = delete;

  void Start();
  // No new claims; returns once the sends in flight are finished and recorded.
  void Stop();
  // Blocks until the worker stops (Stop from another thread, or stop_when_empty reached).
  void Wait();
  // True once the worker has stopped; waits at most `timeout`.
  bool WaitFor(std::chrono::milliseconds timeout);
  DeliveryCounters counters();

  // The delay before retry number `attempts` + 1 with full jitter, before Retry-After.
  static std::chrono::milliseconds Backoff(int attempts, std::chrono::milliseconds base,
                                           std::chrono::milliseconds cap, std::mt19937_64& rng);

 private:
  struct Channel {
    std::string key;
    size_t target_index = 0;
    bool busy = false;
    double tokens = 0;
    std::chrono::steady_clock::time_point refilled_at;
    std::chrono::steady_clock::time_point paused_until;
  };
  struct Job {
    size_t channel_index;
    outbox::Entry entry;
  };

  void Dispatch();
  void Send();
  void Record(const Job& job, const Outcome& outcome);
  // Refills the bucket; true if a token is available, else when one will be.
  bool HasToken(Channel& channel, std::chrono::steady_clock::time_point now,
                std::chrono::steady_clock::time_point* ready_at);

  outbox::Outbox* outbox_;
  std::vector<DeliveryTarget> targets_;
  DeliveryOptions options_;
  std::vector<Channel> channels_;
  std::vector<int> target_in_flight_;

  std::mutex mutex_;
  std::condition_variable dispatcher_wake_;
  std::condition_variable sender_wake_;
  std::condition_variable stopped_;
  std::deque<Job> jobs_;
  int in_flight_ = 0;
  bool stop_requested_ = false;
  bool senders_exit_ = false;
  bool finished_ = false;
  bool started_ = false;
  DeliveryCounters counters_;
  std::mt19937_64 rng_;

  std::mutex join_mutex_;  // one caller of Wait joins the threads
  std::thread dispatcher_;
  std::vector<std::thread> senders_;
};

// Builds a DeliveryTarget for every configured target (all when `only` is empty, else the one
// named). Errors name the target.
Result<std::vector<DeliveryTarget>> MakeDeliveryTargets(const config::TargetsConfig& config,
                                                        outbox::Outbox* outbox,
                                                        const std::string& only = "");

}  // namespace trailwatch::targets
