#include "service/ops_listener.h"

#include "server/http_server.h"
#include "server/listen_address.h"

namespace trailwatch::service {
namespace {

// A scraper and a few probes: small caps, short waits (server/http_limits.h).
server::HttpServerLimits OpsLimits() {
  server::HttpServerLimits limits;
  limits.max_connections = 64;
  limits.max_connections_per_client = 16;
  limits.max_header_bytes = 8 * 1024;
  limits.max_body_bytes = 1;  // no request here has a body
  limits.max_pending_requests = 4;
  limits.header_timeout = std::chrono::seconds(5);
  limits.body_timeout = std::chrono::seconds(5);
  limits.idle_timeout = std::chrono::seconds(30);
  limits.write_timeout = std::chrono::seconds(10);
  return limits;
}

}  // namespace

server::HttpResponse OpsEndpoints::Answer(const server::HttpRequest& request) const {
  const std::string& path = request.path;
  if (path != "/metrics" && path != "/healthz" && path != "/readyz") {
    return server::HttpResponse::Text(404, "not found; try /metrics, /healthz or /readyz");
  }
  if (request.method != "GET" && request.method != "HEAD") {
    server::HttpResponse response = server::HttpResponse::Text(405, "method not allowed; use GET");
    response.headers.emplace_back("Allow", "GET, HEAD");
    return response;
  }
  if (path == "/healthz") return server::HttpResponse::Text(200, "ok");
  if (path == "/readyz") {
    std::string problems = readiness_ ? readiness_() : std::string();
    std::string roles = roles_ ? roles_() : std::string();
    if (problems.empty()) {
      return server::HttpResponse::Text(200, roles.empty() ? std::string("ready") : "ready\n" + roles);
    }
    return server::HttpResponse::Text(503, "not ready\n" + problems + roles);
  }
  server::HttpResponse response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = metrics_->RenderPrometheus();
  return response;
}

server::HeadDecision OpsEndpoints::OnHead(const server::HttpRequest& request) {
  server::HttpResponse response = Answer(request);
  // HEAD: the same status and headers, no body (Content-Length then says 0).
  if (request.method == "HEAD") response.body.clear();
  // A request that announced a body is answered without reading it (the server closes the
  // connection then).
  return server::HeadDecision::Answer(std::move(response));
}

server::HttpResponse OpsEndpoints::OnRequest(const server::HttpRequest& request) {
  return Answer(request);  // not reached: OnHead answers every request
}

OpsListener::OpsListener(std::shared_ptr<spdlog::logger> log, const telemetry::Metrics* metrics,
                         ReadinessCheck readiness, RolesReport roles)
    : log_(std::move(log)), endpoints_(metrics, std::move(readiness), std::move(roles)) {}

OpsListener::~OpsListener() { Stop(); }

Status OpsListener::Start(const std::string& listen) {
  auto address = server::ParseListenAddress(listen);
  if (!address.ok()) return Error{"telemetry.listen " + listen + ": " + address.message()};
  server::HttpServerOptions options;
  options.host = address->host;
  options.port = address->port;
  options.limits = OpsLimits();
  auto server = std::make_unique<server::HttpServer>(std::move(options), &endpoints_, log_);
  if (Status bound = server->Bind(); !bound.ok()) {
    return Error{"telemetry.listen " + listen + ": " + bound.message()};
  }
  server_ = std::move(server);
  thread_ = std::jthread([this](std::stop_token stop) {
    if (Status served = server_->Run(stop); !served.ok()) {
      log_->error("ops listener stopped: {}", served.message());
    }
  });
  bool v6 = address->host.find(':') != std::string::npos;  // logged as [::1]:9464
  log_->info("ops listener on {}{}{}:{} (/metrics, /healthz, /readyz)", v6 ? "[" : "",
             address->host, v6 ? "]" : "", server_->port());
  return Status{};
}

int OpsListener::port() const { return server_ ? server_->port() : 0; }

void OpsListener::Stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
  server_.reset();
}

}  // namespace trailwatch::service
