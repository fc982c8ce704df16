// SystemdNotifier: `Type=notify` support — tells systemd, through libsystemd's sd_notify, when
// `trailwatch run` is ready (READY=1, after the sources started), reloading (RELOADING=1 then
// READY=1 around a SIGHUP reload), stopping (STOPPING=1), and that its main loop is alive
// (WATCHDOG=1, every half of WATCHDOG_USEC when the unit sets WatchdogSec=).
//
// When NOTIFY_SOCKET is not set (not started by systemd, or Type=simple) every call is a no-op,
// and watchdog_interval() is nullopt unless WATCHDOG_USEC is set for this process.
//
// Thread-safety: the methods may be called from any thread (sd_notify opens a socket per call).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace trailwatch::service {

class SystemdNotifier {
 public:
  // Reads WATCHDOG_USEC / WATCHDOG_PID (sd_watchdog_enabled) once.
  SystemdNotifier();

  // READY=1 with a STATUS= line for `systemctl status`.
  void Ready(std::string_view status);
  // RELOADING=1 (with MONOTONIC_USEC, which systemd 253's Type=notify-reload requires).
  void Reloading();
  void Stopping();
  void Watchdog();

  // How often Watchdog() must be called: half of WATCHDOG_USEC, when the watchdog is enabled for
  // this process.
  std::optional<std::chrono::microseconds> watchdog_interval() const { return watchdog_interval_; }

 private:
  void Notify(const char* state);
  std::optional<std::chrono::microseconds> watchdog_interval_;
};

}  // namespace trailwatch::service
