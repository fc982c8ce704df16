// The wall clock, in one place: milliseconds since the Unix epoch, what the store records (outbox
// entries, checkpoints, thresholds) because it must survive restarts, unlike steady_clock; and
// the clock a component may be handed instead of the system's (tests pin the time: Slack thread
// windows, Retry-After dates, SNS certificate validity). Intervals and timeouts use
// std::chrono::steady_clock directly.
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <cstdint>

namespace trailwatch {

using WallTime = std::chrono::system_clock::time_point;
// A replacement clock; nullptr means the system clock.
using WallClockSource = WallTime (*)();

inline WallTime WallClockNow(WallClockSource source = nullptr) {
  return source ? source() : std::chrono::system_clock::now();
}

inline int64_t UnixMs(WallTime time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

inline int64_t WallClockMs(WallClockSource source = nullptr) {
  return UnixMs(WallClockNow(source));
}

}  // namespace trailwatch
