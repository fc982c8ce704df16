// DeliveryWorker: takes alerts out of the outbox and hands them to their targets.
//
// One dispatcher thread claims work, a pool of sender threads does the sends:
//   * channels (see target.h) are found in the outbox, not in the config: every poll_interval
//     (and on Notify) the dispatcher lists the channels with a backlog (Outbox::
//     UndeliveredChannels), so lanes, route-chosen Slack channels and channels left over from an
//     older max_concurrency are all served;
//   * order per channel: a channel has at most one entry in flight, and the outbox only ever
//     hands out a channel's head (Outbox::ClaimHeads: the heads of every ready channel in one
//     transaction), so entry N+1 never leaves before N is delivered or dead;
//   * per-target concurrency: at most max_concurrency sends of a target at once (across its
//     channels; a webhook/stdout target has max_concurrency lanes, so the limit is reached);
//   * token bucket per rate domain (the Slack channel for the Web API, the target otherwise):
//     rate_per_second with `burst` tokens (docs/reference/formats.md §7.2: Slack allows about 1
// message/s per
//     channel with short bursts). Every send, retries included, takes a token, so the rate seen by
//     the far side never exceeds the bucket;
//   * transient failures: exponential backoff with full jitter (delay = uniform(0, min(cap,
//     base * 2^(attempt-1))), base 1 s, cap 5 min — AWS Architecture Blog, "Exponential Backoff
//     And Jitter"), never earlier than Retry-After; a Retry-After also pauses the rate domain;
//   * dead: permanent errors at once; transient ones after max_attempts sends; and an entry whose
//     age (since it was queued) reaches max_age is made dead when its turn comes, without a send;
//   * entries of targets that are not in the configuration are reported at Start (a warning with
//     the count per target) and, unless dead_letter_unconfigured is false, made dead with a
//     last_error saying so (`trailwatch outbox retry --dead` queues them again once the target is
//     back).
//
// Stop() stops claiming, lets the sends in flight finish and be recorded, then returns: nothing is
// left in_flight by a clean stop. Stop(grace) bounds the wait: sends still in flight after `grace`
// are abandoned (options.abandon is requested; targets built with its token abort their requests
// within about a second) and their entries are put back to pending, due at once, so the next run
// sends them again — at most one repeat, as after a crash. A kill leaves at most one entry per
// channel in_flight; Outbox::RecoverInFlight on the next start makes it pending again.
//
// On a shared store (PostgreSQL, issue 14) each channel is delivered by the replica holding its
// lease (store/pg_outbox_queue.h): ClaimHeads claims only there, and right before a send the
// worker asks Outbox::ClaimStillValid, so a replica that lost the lease (a long pause, the store
// unreachable) never sends an entry another replica may be sending.
//
// Failures that will be retried are logged at most once per target and reason per
// failure_log_interval, with the number of failures since the last line (LogThrottle): an outage
// of a receiver shows in the log, not only in /metrics, without a line per attempt. Dead entries
// are logged one by one (each is an alert that will not arrive).
//
// Thread-safety: Start/Stop/Wait from one controlling thread; Notify from any thread; the callback
// runs on sender threads (and on the dispatcher thread for expired entries).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "common/log_throttle.h"
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
  // Entries whose target is not among this worker's targets are made dead (see above). Set false
  // when the worker is given only some of the configured targets (send-test).
  bool dead_letter_unconfigured = true;
  // Targets of the configuration this worker does not deliver (send-test runs one): their queued
  // entries are someone else's, neither reported nor made dead.
  std::set<std::string> other_configured_targets;
  // At most one log line per target and failure reason per interval (see above).
  std::chrono::milliseconds failure_log_interval{60000};
  // Requested by Stop(grace) when the grace period runs out. Build the targets with its token
  // (MakeDeliveryTargets) so that their requests are aborted then.
  std::stop_source abandon;
  // Called after each outcome has been recorded in the outbox. `disposition` is "delivered",
  // "retry" or "dead". Entries expired by max_age are reported as Permanent{last_error}, "dead".
  std::function<void(const outbox::Entry&, const Outcome&, const std::string& disposition)>
      on_outcome;
};

struct DeliveryCounters {
  int64_t delivered = 0;
  int64_t retried = 0;
  int64_t dead = 0;
  int64_t store_errors = 0;
  int64_t expired = 0;       // made dead by max_age before a send (also counted in `dead`)
  int64_t unconfigured = 0;  // made dead because their target is not configured (not in `dead`)
  int64_t abandoned = 0;     // sends given up by Stop(grace); their entries wait for the next run
  int64_t lease_lost = 0;    // claims not sent: the channel's lease was lost before the send
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
  // No new claims; waits at most `grace` for the sends in flight, then abandons them (see above).
  void Stop(std::chrono::milliseconds grace);
  // Blocks until the worker stops (Stop from another thread, or stop_when_empty reached).
  void Wait();
  // True once the worker has stopped; waits at most `timeout`.
  bool WaitFor(std::chrono::milliseconds timeout);
  // New entries were enqueued: look for new channels now instead of at the next poll.
  void Notify();
  DeliveryCounters counters();

  // The delay before retry number `attempts` + 1 with full jitter, before Retry-After.
  static std::chrono::milliseconds Backoff(int attempts, std::chrono::milliseconds base,
                                           std::chrono::milliseconds cap, std::mt19937_64& rng);

 private:
  struct Channel {
    std::string key;
    size_t target_index = 0;
    std::string rate_key;
    bool busy = false;   // its head is being sent
    bool empty = false;  // the last claim found nothing: wait for discovery
    std::chrono::steady_clock::time_point due_at;  // head waits for a retry time
  };
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point refilled_at;
    std::chrono::steady_clock::time_point paused_until;  // Retry-After
  };
  struct Job {
    std::string channel_key;
    size_t target_index;
    outbox::Entry entry;
  };

  void Dispatch();
  void Send();
  void Record(const Job& job, const Outcome& outcome);
  // A send that will be retried: a throttled warning per target and reason.
  void LogRetry(const config::TargetConfig& config, const Retry& retry);
  // A store error of the dispatcher's polling: throttled like LogRetry.
  void LogStoreError(const std::string& message);
  // Lists the channels with a backlog; adds the new ones and forgets idle vanished ones. Handles
  // entries of unconfigured targets. Called with mutex_ held (released around the query).
  // Returns how many channels of our targets have a backlog, or -1 on a store error.
  int64_t Discover(std::unique_lock<std::mutex>& lock);
  void HandleUnconfigured(const std::string& target, int64_t count);
  void ReportExpired(size_t target_index, const std::vector<outbox::Entry>& expired);
  // Refills the bucket; true if a token is available, else when one will be.
  bool HasToken(Bucket& bucket, const config::TargetConfig& config,
                std::chrono::steady_clock::time_point now,
                std::chrono::steady_clock::time_point* ready_at);

  outbox::Outbox* outbox_;
  std::vector<DeliveryTarget> targets_;
  DeliveryOptions options_;
  std::map<std::string, size_t> target_by_name_;
  std::map<std::string, Channel> channels_;
  std::map<std::string, Bucket> buckets_;
  std::vector<int> target_in_flight_;
  std::set<std::string> unconfigured_reported_;

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
  bool discover_now_ = true;
  bool kicked_ = false;  // a send finished, Notify or Stop: the dispatcher looks again
  DeliveryCounters counters_;
  std::mt19937_64 rng_;
  LogThrottle failure_log_;

  std::mutex join_mutex_;  // one caller of Wait joins the threads
  std::thread dispatcher_;
  std::vector<std::thread> senders_;
};

// Builds a DeliveryTarget for every configured target (all when `only` is empty, else the one
// named). Errors name the target.
// `abandon_sends`: the token of DeliveryOptions::abandon, for a worker that may Stop(grace).
Result<std::vector<DeliveryTarget>> MakeDeliveryTargets(const config::TargetsConfig& config,
                                                        outbox::Outbox* outbox,
                                                        const std::string& only = "",
                                                        std::stop_token abandon_sends = {});

}  // namespace trailwatch::targets
