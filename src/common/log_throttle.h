// LogThrottle: at most one log line per key per interval, with the number of events that were
// suppressed since the last line — so that a storm of identical failures (a hostile client, a
// receiver answering 503 to every send) costs a few lines a minute instead of flooding the log,
// and operators still learn how many there were.
//
//   static LogThrottle throttle(std::chrono::seconds(60));   // (owned by a component, not static)
//   if (size_t n = throttle.Admit("webhook siem: HTTP 503"); n > 0)
//     logger->warn("webhook siem: {} deliveries failed in the last 60 s (last: HTTP 503)", n);
//
// Keys should name a kind of event (target + reason, rejection reason), not a value a client
// chooses; still, because hostile input can create keys, at most `max_keys` keys are remembered:
// when a new key arrives at the cap, the key whose last line is oldest is forgotten (its
// suppressed count with it), and the new key's first event is logged.
//
// Events suppressed after the last line of a key are reported with the next event of that key
// (there is no timer): a burst that stops for good leaves its tail unreported.
//
// Thread-safety: every method may be called from any thread (one mutex; Admit is O(1)).
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/string_hash.h"

namespace trailwatch {

class LogThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  static constexpr size_t kDefaultMaxKeys = 1024;

  explicit LogThrottle(Clock::duration interval, size_t max_keys = kDefaultMaxKeys)
      : interval_(interval), max_keys_(max_keys == 0 ? 1 : max_keys) {}

  LogThrottle(const LogThrottle&) = delete;
  LogThrottle& operator=(const LogThrottle&) = delete;

  // Returns the number of events to report when a line is due for `key` (this one plus those
  // suppressed since the last line), or 0 when this event should be suppressed (it is counted).
  size_t Admit(std::string_view key) { return Admit(key, Clock::now()); }

  // As above at time `now` (tests inject the clock through it).
  size_t Admit(std::string_view key, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    auto found = keys_.find(key);
    if (found == keys_.end()) {
      if (keys_.size() >= max_keys_) {
        keys_.erase(by_age_.front());
        by_age_.pop_front();
      }
      by_age_.emplace_back(key);
      keys_.emplace(by_age_.back(), Entry{now, 0, std::prev(by_age_.end())});
      return 1;
    }
    Entry& entry = found->second;
    if (now - entry.last_line < interval_) {
      ++entry.suppressed;
      return 0;
    }
    size_t count = entry.suppressed + 1;
    entry.suppressed = 0;
    entry.last_line = now;
    // The key's line is now the newest: move it to the back of the eviction order.
    by_age_.splice(by_age_.end(), by_age_, entry.age_position);
    return count;
  }

  // Forgets `key` (and its suppressed count): its next event is logged at once. For a condition
  // that was mended, so that it happening again is news, not a repeat.
  void Forget(std::string_view key) {
    std::lock_guard lock(mutex_);
    auto found = keys_.find(key);
    if (found == keys_.end()) return;
    by_age_.erase(found->second.age_position);
    keys_.erase(found);
  }

  Clock::duration interval() const { return interval_; }

  // Keys currently remembered (at most max_keys).
  size_t size() const {
    std::lock_guard lock(mutex_);
    return keys_.size();
  }

 private:
  struct Entry {
    Clock::time_point last_line;
    size_t suppressed;
    std::list<std::string>::iterator age_position;  // where the key sits in by_age_
  };

  const Clock::duration interval_;
  const size_t max_keys_;
  mutable std::mutex mutex_;
  // Keys by the time of their last line, oldest first; keys_ points into it (list iterators stay
  // valid across splice and other erasures).
  std::list<std::string> by_age_;
  std::unordered_map<std::string, Entry, StringHash, std::equal_to<>> keys_;
};

}  // namespace trailwatch
