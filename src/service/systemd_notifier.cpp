#include "service/systemd_notifier.h"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <cstdint>
#include <string>

namespace trailwatch::service {

SystemdNotifier::SystemdNotifier() {
  uint64_t usec = 0;
  // > 0: WATCHDOG_USEC is set (and WATCHDOG_PID, if set, is this process). The variables are left
  // in the environment (0): nothing this process starts is supervised by them.
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    watchdog_interval_ = std::chrono::microseconds(usec / 2);
  }
}

void SystemdNotifier::Notify(const char* state) {
  // Returns 0 without NOTIFY_SOCKET, < 0 on a send error; readiness is best effort (systemd times
  // out the start if it never arrives, which says more than a log line could).
  (void)sd_notify(0, state);
}

void SystemdNotifier::Ready(std::string_view status) {
  std::string state = "READY=1\nSTATUS=";
  for (char c : status) state.push_back(c == '\n' ? ' ' : c);
  Notify(state.c_str());
}

void SystemdNotifier::Reloading() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  uint64_t usec =
      static_cast<uint64_t>(now.tv_sec) * 1000000 + static_cast<uint64_t>(now.tv_nsec) / 1000;
  std::string state = "RELOADING=1\nSTATUS=reloading the configuration\nMONOTONIC_USEC=";
  state.append(std::to_string(usec));
  Notify(state.c_str());
}

void SystemdNotifier::Stopping() { Notify("STOPPING=1\nSTATUS=stopping"); }

void SystemdNotifier::Watchdog() { Notify("WATCHDOG=1"); }

}  // namespace trailwatch::service
