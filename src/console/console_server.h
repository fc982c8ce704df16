// ConsoleServer: the web console's listener (the `console:` section): its own HttpServer (Beast,
// as the http source's and the ops listener's) on its own thread, with the console's auth, queries
// and handler. Started and stopped by the service; Reload swaps the TLS certificate (SIGHUP) and
// keeps the signed-in sessions.
//
// Thread-safety: Start, Reload and Stop from one thread (the service's); requests are served on
// the server's threads.
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string>
#include <thread>

#include "common/result.h"
#include "console/console_auth.h"
#include "console/console_config.h"
#include "console/console_data.h"
#include "console/console_handler.h"
#include "console/console_queries.h"
#include "server/http_server.h"
#include "telemetry/metrics.h"

namespace trailwatch::console {

// The ConsoleAuthSettings of a configuration.
ConsoleAuthSettings AuthSettingsOf(const ConsoleConfig& config);

class ConsoleServer {
 public:
  // `data` and `metrics` must outlive the server.
  ConsoleServer(ConsoleData data, telemetry::Metrics* metrics, std::shared_ptr<spdlog::logger> log);
  ~ConsoleServer();
  ConsoleServer(const ConsoleServer&) = delete;
  ConsoleServer& operator=(const ConsoleServer&) = delete;

  // Binds config.listen (TLS when configured) and serves. Errors name the setting.
  Status Start(const ConsoleConfig& config);
  // A reloaded configuration: a new certificate is read (an unreadable one keeps the old and is
  // an error); a changed listen address, TLS on/off or auth needs a restart (a warning says so).
  Status Reload(const ConsoleConfig& config);
  void Stop();
  int port() const;
  // Refreshes the console's gauges (sessions).
  void RefreshMetrics();

 private:
  ConsoleData data_;
  telemetry::Metrics* metrics_;
  std::shared_ptr<spdlog::logger> log_;
  ConsoleConfig config_;
  std::unique_ptr<ConsoleQueries> queries_;
  std::unique_ptr<ConsoleAuth> auth_;
  std::unique_ptr<ConsoleHandler> handler_;
  std::unique_ptr<server::HttpServer> server_;
  std::jthread thread_;
};

}  // namespace trailwatch::console
