// Wall-clock time in milliseconds since the Unix epoch: what the store records (outbox entries,
// checkpoints), because it must survive restarts, unlike steady_clock.
//
// Thread-safety: pure function.
#pragma once

#include <chrono>
#include <cstdint>

namespace trailwatch {

inline int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace trailwatch
