#include "sources/http_source.h"

#include "server/http_server.h"
#include "server/listen_address.h"
#include "server/tls_context.h"
#include "sources/http_endpoints.h"

namespace trailwatch::sources {

HttpSource::HttpSource(std::string name, std::shared_ptr<spdlog::logger> log,
                       std::unique_ptr<HttpEndpoints> endpoints,
                       std::unique_ptr<server::HttpServer> server, bool tls)
    : name_(std::move(name)),
      log_(std::move(log)),
      endpoints_(std::move(endpoints)),
      server_(std::move(server)),
      tls_(tls) {}

HttpSource::~HttpSource() { server_.reset(); }

Result<std::unique_ptr<HttpSource>> HttpSource::Create(HttpSourceConfig config,
                                                       SourceContext context) {
  auto fail = [](const std::string& message) { return Error{"http source: " + message}; };
  auto listen = server::ParseListenAddress(config.listen);
  if (!listen.ok()) return fail("listen: " + listen.message());
  if (config.tls_cert_file.empty() != config.tls_key_file.empty()) {
    return fail("tls cert and key: set both or neither");
  }
  if (config.limits.max_pending_requests < 1) {
    return fail("max_pending_requests: must be at least 1");
  }
  if (config.limits.max_body_bytes < 1) return fail("max_body_bytes: must be at least 1");
  server::HttpServerOptions options;
  options.host = listen->host;
  options.port = listen->port;
  options.limits = config.limits;
  if (!config.tls_cert_file.empty()) {
    auto tls = server::LoadTlsContext({config.tls_cert_file, config.tls_key_file});
    if (!tls.ok()) return fail(tls.message());
    options.tls = std::move(*tls);
  }
  // The loader names the source as written, so a listen address from a reference never shows.
  std::string name = !config.name.empty() ? config.name : "http:" + config.listen;
  auto endpoints = HttpEndpoints::Create(config, context, name);
  if (!endpoints.ok()) return fail(endpoints.message());
  if (config.api_key.empty()) {
    context.log->warn("{}: no api_key configured: POST /events refuses every request", name);
  }
  if (config.sns_topics.empty()) {
    context.log->info("{}: no sns_topics configured: POST /sns refuses every message", name);
  }
  bool tls = options.tls != nullptr;
  auto server =
      std::make_unique<server::HttpServer>(std::move(options), endpoints->get(), context.log);
  return std::unique_ptr<HttpSource>(
      new HttpSource(std::move(name), context.log, std::move(*endpoints), std::move(server), tls));
}

std::string HttpSource::name() const { return name_; }

Status HttpSource::Bind() {
  if (Status bound = server_->Bind(); !bound.ok()) return Error{name_ + ": " + bound.message()};
  return Status::Ok();
}

int HttpSource::port() const { return server_->port(); }

Status HttpSource::Run(std::stop_token stop, EventSink& sink) {
  if (Status bound = Bind(); !bound.ok()) return bound;
  endpoints_->SetSink(&sink);
  log_->info("{}: listening on port {}{}", name_, server_->port(), tls_ ? " (https)" : "");
  Status served = server_->Run(stop);
  endpoints_->SetSink(nullptr);
  if (!served.ok()) return Error{name_ + ": " + served.message()};
  log_->info("{}: stopped", name_);
  return Status::Ok();
}

}  // namespace trailwatch::sources
