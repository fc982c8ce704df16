// HttpSource: the `http` source of `trailwatch run` — events pushed to trailwatch over HTTP(S)
// by EventBridge API destinations (POST /events) and SNS subscriptions (POST /sns), plus
// GET /healthz and GET /metrics for operators.
//
// The endpoints are HttpEndpoints (http_endpoints.h); the server in front of them is
// server::HttpServer, event-driven and bounded by the source's limits (docs/limits.md): every
// connection, header, body and wait has a cap, and a refused request's body is never read.
//
// TLS: `tls: {cert, key}` serves HTTPS (TLS 1.2+). The files are read when the source is created,
// so a SIGHUP (which re-creates the sources) picks up a renewed certificate.
//
// Thread-safety: Bind and Run are called from one thread; the endpoints run on the server's
// threads and may call EventSink::Submit concurrently.
#pragma once

#include <memory>
#include <stop_token>
#include <string>

#include "common/result.h"
#include "sources/source.h"
#include "sources/sources_config.h"

namespace trailwatch::server {
class HttpServer;
}

namespace trailwatch::sources {

class HttpEndpoints;

class HttpSource : public Source {
 public:
  // Checks the configuration (listen address, TLS files both or neither and loadable, the SNS
  // cert-URL pattern and CA file) without binding.
  static Result<std::unique_ptr<HttpSource>> Create(HttpSourceConfig config, SourceContext context);
  ~HttpSource() override;

  std::string name() const override;  // "http:<listen>"

  // Binds the listen address (port 0 = an ephemeral port); Run binds itself when not yet bound.
  Status Bind();
  // The bound port, valid after Bind (0 before).
  int port() const;

  Status Run(std::stop_token stop, EventSink& sink) override;

 private:
  HttpSource(std::string name, std::shared_ptr<spdlog::logger> log,
             std::unique_ptr<HttpEndpoints> endpoints, std::unique_ptr<server::HttpServer> server,
             bool tls);
  std::string name_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<HttpEndpoints> endpoints_;
  std::unique_ptr<server::HttpServer> server_;  // destroyed before endpoints_ (its handler)
  bool tls_;
};

}  // namespace trailwatch::sources
