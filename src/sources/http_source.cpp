#include "sources/http_source.h"

#include "server/http_server.h"
#include "server/tls_context.h"
#include "sources/http_endpoints.h"

namespace trailwatch::sources {
namespace {

// "host:port" or "[v6]:port".
Result<std::pair<std::string, int>> ParseListen(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == listen.size()) {
    return Error{"listen: \"" + listen + "\" is not host:port"};
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  std::string port_text = listen.substr(colon + 1);
  if (host.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos) {
    return Error{"listen: \"" + listen + "\" is not host:port"};
  }
  int port = std::stoi(port_text);
  if (port > 65535) return Error{"listen: port " + port_text + " is out of range"};
  return std::make_pair(host, port);
}

}  // namespace

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
  auto listen = ParseListen(config.listen);
  if (!listen.ok()) return listen.error();
  if (config.tls_cert_file.empty() != config.tls_key_file.empty()) {
    return fail("tls cert and key: set both or neither");
  }
  if (config.limits.max_pending_requests < 1) {
    return fail("max_pending_requests: must be at least 1");
  }
  if (config.limits.max_body_bytes < 1) return fail("max_body_bytes: must be at least 1");
  server::HttpServerOptions options;
  options.host = listen->first;
  options.port = listen->second;
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
