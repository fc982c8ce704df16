// `trailwatch run` under a systemd-like supervisor (service/systemd_notifier.h): a unix datagram
// socket stands in for systemd's notify socket (NOTIFY_SOCKET), and the test checks what arrives:
// READY=1 once the sources started, WATCHDOG=1 keep-alives at half of WATCHDOG_USEC,
// RELOADING=1 then READY=1 around a SIGHUP reload, STOPPING=1 on SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cli/cli_test_util.h"
#include "service/service_process_util.h"

namespace trailwatch::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

// A bound AF_UNIX datagram socket, like systemd's notify socket.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    path.copy(address.sun_path, sizeof(address.sun_path) - 1);
    bound_ = fd_ >= 0 && bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~NotifySocket() {
    if (fd_ >= 0) close(fd_);
    unlink(path_.c_str());
  }
  bool bound() const { return bound_; }

  // The next datagram, or nullopt after `timeout`.
  std::optional<std::string> Receive(milliseconds timeout) {
    timeval wait{static_cast<time_t>(timeout.count() / 1000),
                 static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait));
    char buffer[4096];
    ssize_t got = recv(fd_, buffer, sizeof(buffer), 0);
    if (got < 0) return std::nullopt;
    return std::string(buffer, static_cast<size_t>(got));
  }

  // Receives until a message containing `state` (e.g. "READY=1") arrives; every message received
  // is appended to `seen`. False after `timeout`.
  bool WaitFor(const std::string& state, milliseconds timeout, std::vector<std::string>* seen) {
    Clock::time_point deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      auto message = Receive(std::max(left, milliseconds(1)));
      if (!message) continue;
      seen->push_back(*message);
      if (message->find(state) != std::string::npos) return true;
    }
    return false;
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool bound_ = false;
};

size_t CountMessages(const std::vector<std::string>& messages, const std::string& state) {
  size_t count = 0;
  for (const std::string& message : messages) count += message.find(state) != std::string::npos;
  return count;
}

// A service with a directory source over dir/logs, the root-signin pack and a stdout target, no
// ops listener; returns the config's path.
std::string WriteDirectoryConfig(TempDir& dir) {
  std::filesystem::create_directories(dir.path() + "/logs");
  return dir.Write("trailwatch.yaml", "store: " + dir.path() +
                                          "/trailwatch.db\n"
                                          "telemetry: false\n"
                                          "sources:\n  - {type: directory, path: " +
                                          dir.path() +
                                          "/logs}\n"
                                          "rules:\n  - pack: root-signin\n    targets: [console]\n"
                                          "targets:\n  - {name: console, type: stdout}\n");
}

TEST(SystemdNotifyIntegrationTest, ReadyAfterSourcesWatchdogReloadingAndStopping) {
  TempDir dir;
  std::string config = WriteDirectoryConfig(dir);
  NotifySocket notify(dir.path() + "/notify.sock");
  ASSERT_TRUE(notify.bound());
  // WatchdogSec=400ms: keep-alives every 200 ms.
  ServiceProcess service(
      {"run", "--config", config}, dir.path(),
      {{"NOTIFY_SOCKET", dir.path() + "/notify.sock"}, {"WATCHDOG_USEC", "400000"}});

  std::vector<std::string> seen;
  ASSERT_TRUE(notify.WaitFor("READY=1", seconds(20), &seen)) << service.Stderr();
  // Sent once the sources were started (the service logs that first), and nothing before it
  // but keep-alives.
  EXPECT_NE(service.Stderr().find("trailwatch running: 1 source(s)"), std::string::npos)
      << service.Stderr();
  for (size_t i = 0; i + 1 < seen.size(); ++i) EXPECT_EQ(seen[i], "WATCHDOG=1");
  EXPECT_NE(seen.back().find("STATUS=running"), std::string::npos) << seen.back();

  // Keep-alives at half of WATCHDOG_USEC: at least 4 in 1.5 s (7 expected).
  seen.clear();
  Clock::time_point start = Clock::now();
  while (Clock::now() - start < milliseconds(1500)) {
    if (auto message = notify.Receive(milliseconds(100))) seen.push_back(*message);
  }
  EXPECT_GE(CountMessages(seen, "WATCHDOG=1"), 4u);
  EXPECT_LE(CountMessages(seen, "WATCHDOG=1"), 12u);

  // SIGHUP: RELOADING=1 (with MONOTONIC_USEC), then READY=1 once the reload is done.
  seen.clear();
  service.Signal(SIGHUP);
  ASSERT_TRUE(notify.WaitFor("RELOADING=1", seconds(10), &seen)) << service.Stderr();
  EXPECT_NE(seen.back().find("MONOTONIC_USEC="), std::string::npos) << seen.back();
  seen.clear();
  ASSERT_TRUE(notify.WaitFor("READY=1", seconds(20), &seen)) << service.Stderr();
  EXPECT_NE(service.Stderr().find("configuration reloaded"), std::string::npos);

  seen.clear();
  service.Signal(SIGTERM);
  ASSERT_TRUE(notify.WaitFor("STOPPING=1", seconds(10), &seen)) << service.Stderr();
  EXPECT_EQ(service.WaitExit(seconds(30)), 0) << service.Stderr();
}

TEST(SystemdNotifyIntegrationTest, WithoutNotifySocketNothingIsSentAndRunWorks) {
  TempDir dir;
  std::string config = WriteDirectoryConfig(dir);
  // A socket nobody names: with NOTIFY_SOCKET unset the service must not send to it, nor fail.
  NotifySocket notify(dir.path() + "/notify.sock");
  ASSERT_TRUE(notify.bound());
  ServiceProcess service({"run", "--config", config}, dir.path(), {{"NOTIFY_SOCKET", ""}});
  ASSERT_TRUE(service.WaitForStderr("trailwatch running", seconds(20))) << service.Stderr();
  service.Signal(SIGHUP);
  ASSERT_TRUE(service.WaitForStderr("configuration reloaded", seconds(20))) << service.Stderr();
  EXPECT_FALSE(notify.Receive(milliseconds(300)).has_value());
  service.Signal(SIGTERM);
  EXPECT_EQ(service.WaitExit(seconds(30)), 0) << service.Stderr();
  EXPECT_EQ(service.Stderr().find("systemd watchdog"), std::string::npos);
}

}  // namespace
}  // namespace trailwatch::testing
