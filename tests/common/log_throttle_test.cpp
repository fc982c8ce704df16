#include "common/log_throttle.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace trailwatch {
namespace {

using std::chrono::seconds;
const LogThrottle::Clock::time_point kStart{};

TEST(LogThrottleTest, FirstEventOfAKeyIsLogged) {
  LogThrottle throttle(seconds(60));
  EXPECT_EQ(throttle.Admit("siem: HTTP 503", kStart), 1u);
  EXPECT_EQ(throttle.Admit("chat: timeout", kStart), 1u);
}

TEST(LogThrottleTest, SuppressesWithinTheIntervalAndReportsTheCountAfter) {
  LogThrottle throttle(seconds(60));
  ASSERT_EQ(throttle.Admit("siem", kStart), 1u);
  for (int i = 1; i <= 11; ++i) EXPECT_EQ(throttle.Admit("siem", kStart + seconds(i)), 0u);
  // The 12th event, after the interval: it and the 11 suppressed ones.
  EXPECT_EQ(throttle.Admit("siem", kStart + seconds(60)), 12u);
  // The count starts again from the new line.
  EXPECT_EQ(throttle.Admit("siem", kStart + seconds(61)), 0u);
  EXPECT_EQ(throttle.Admit("siem", kStart + seconds(120)), 2u);
  // A quiet key reports just its own event.
  EXPECT_EQ(throttle.Admit("siem", kStart + seconds(500)), 1u);
}

TEST(LogThrottleTest, KeysAreIndependent) {
  LogThrottle throttle(seconds(60));
  ASSERT_EQ(throttle.Admit("a", kStart), 1u);
  EXPECT_EQ(throttle.Admit("a", kStart + seconds(1)), 0u);
  EXPECT_EQ(throttle.Admit("b", kStart + seconds(1)), 1u);
  EXPECT_EQ(throttle.Admit("b", kStart + seconds(2)), 0u);
  EXPECT_EQ(throttle.Admit("a", kStart + seconds(61)), 2u);
}

TEST(LogThrottleTest, ForgetsTheKeyWithTheOldestLineAtTheCap) {
  LogThrottle throttle(seconds(60), 3);
  ASSERT_EQ(throttle.Admit("a", kStart), 1u);
  ASSERT_EQ(throttle.Admit("b", kStart + seconds(1)), 1u);
  ASSERT_EQ(throttle.Admit("c", kStart + seconds(2)), 1u);
  // "a" gets a new line, so "b" now has the oldest one.
  ASSERT_EQ(throttle.Admit("a", kStart + seconds(70)), 1u);
  ASSERT_EQ(throttle.Admit("d", kStart + seconds(71)), 1u);
  EXPECT_EQ(throttle.size(), 3u);
  // "b" was forgotten: its next event is logged at once; "a" and "c" are still throttled.
  EXPECT_EQ(throttle.Admit("b", kStart + seconds(72)), 1u);  // evicts "c"
  EXPECT_EQ(throttle.Admit("a", kStart + seconds(72)), 0u);
  EXPECT_EQ(throttle.size(), 3u);
}

TEST(LogThrottleTest, AForgottenKeyIsLoggedAtOnceAgain) {
  LogThrottle throttle(seconds(60));
  ASSERT_EQ(throttle.Admit("store", kStart), 1u);
  ASSERT_EQ(throttle.Admit("store", kStart + seconds(1)), 0u);
  throttle.Forget("store");
  throttle.Forget("never-seen");
  EXPECT_EQ(throttle.size(), 0u);
  EXPECT_EQ(throttle.Admit("store", kStart + seconds(2)), 1u);
  EXPECT_EQ(throttle.Admit("store", kStart + seconds(3)), 0u);
}

TEST(LogThrottleTest, HostileKeysStayBounded) {
  LogThrottle throttle(seconds(60), 16);
  for (int i = 0; i < 10000; ++i) throttle.Admit("client-" + std::to_string(i), kStart);
  EXPECT_EQ(throttle.size(), 16u);
}

TEST(LogThrottleTest, CountsEveryEventAcrossThreads) {
  // With an interval that never elapses during the test, exactly one Admit per key returns a
  // non-zero count; after the interval the next one reports every suppressed event.
  LogThrottle throttle(seconds(3600));
  constexpr int kThreads = 4;
  constexpr int kEach = 1000;
  std::atomic<size_t> lines{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        if (throttle.Admit("k", kStart) > 0) ++lines;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(lines.load(), 1u);
  EXPECT_EQ(throttle.Admit("k", kStart + seconds(3600)), size_t{kThreads * kEach});
}

TEST(LogThrottleTest, RealClockOverloadUsesNow) {
  LogThrottle throttle(std::chrono::milliseconds(1));
  ASSERT_EQ(throttle.Admit("k"), 1u);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_GE(throttle.Admit("k"), 1u);
}

}  // namespace
}  // namespace trailwatch
