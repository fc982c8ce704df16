// OpsListener: the operators' HTTP endpoint of `trailwatch run` (the `telemetry:` section),
// independent of the sources — on by default on 127.0.0.1:9464:
//
//   GET /metrics  the service's telemetry::Metrics in the Prometheus text format 0.0.4
//                 (Content-Type: text/plain; version=0.0.4)
//   GET /healthz  200 "ok" while the process is up (liveness)
//   GET /readyz   200 "ready" when sources run, the store is writable and not every target is
//                 failing; 503 "not ready" with one "<key>: <reason>" line per problem otherwise
//
// HEAD is answered like GET without the body; other methods 405, other paths 404. Every answer
// is decided from the request line alone (no body is ever read), on server::HttpServer (the
// Beast server of the http source) with small limits: the listener is for a scraper and probes.
// The http source's own /metrics and /healthz (sources/http_endpoints.h) serve the same registry.
//
// Thread-safety: Start and Stop from one thread; the handler runs on the server's threads.
#pragma once

#include <spdlog/logger.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "common/result.h"
#include "server/http_handler.h"
#include "telemetry/metrics.h"

namespace trailwatch::server {
class HttpServer;
}

namespace trailwatch::service {

// What /readyz reports: "" when ready, else "key: reason" lines.
using ReadinessCheck = std::function<std::string()>;
// Lines /readyz adds after its verdict: a replica's roles on a shared store (which sources it
// leads, which channels it delivers); "" for none.
using RolesReport = std::function<std::string()>;

class OpsEndpoints : public server::HttpHandler {
 public:
  // Both must outlive the endpoints.
  OpsEndpoints(const telemetry::Metrics* metrics, ReadinessCheck readiness,
               RolesReport roles = nullptr)
      : metrics_(metrics), readiness_(std::move(readiness)), roles_(std::move(roles)) {}

  server::HeadDecision OnHead(const server::HttpRequest& request) override;
  server::HttpResponse OnRequest(const server::HttpRequest& request) override;
  void OnAnswered(const server::HttpRequest&, int) override {}
  void OnRejected(const server::ServerRejection&) override {}

 private:
  server::HttpResponse Answer(const server::HttpRequest& request) const;

  const telemetry::Metrics* metrics_;
  ReadinessCheck readiness_;
  RolesReport roles_;
};

class OpsListener {
 public:
  OpsListener(std::shared_ptr<spdlog::logger> log, const telemetry::Metrics* metrics,
              ReadinessCheck readiness, RolesReport roles = nullptr);
  ~OpsListener();
  OpsListener(const OpsListener&) = delete;
  OpsListener& operator=(const OpsListener&) = delete;

  // Binds `listen` (host:port, checked by the config loader) and serves on a thread of its own.
  // The error names the address: "telemetry.listen 127.0.0.1:9464: cannot bind: ...".
  Status Start(const std::string& listen);
  // The bound port (0 before Start).
  int port() const;
  // Stops serving (within milliseconds); also done by the destructor.
  void Stop();

 private:
  std::shared_ptr<spdlog::logger> log_;
  OpsEndpoints endpoints_;
  std::unique_ptr<server::HttpServer> server_;
  std::jthread thread_;
};

}  // namespace trailwatch::service
