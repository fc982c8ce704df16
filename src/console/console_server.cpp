#include "console/console_server.h"

#include "console/sample_events.h"
#include "server/listen_address.h"
#include "server/tls_context.h"

namespace trailwatch::console {
namespace {

// A browser opens a handful of connections; a script a few. Pages are small and rendered from the
// store, so few requests need to run at once.
server::HttpServerLimits ConsoleLimits() {
  server::HttpServerLimits limits;
  limits.max_connections = 256;
  limits.max_connections_per_client = 32;
  limits.max_header_bytes = 16 * 1024;
  limits.max_body_bytes = 1024 * 1024;  // the sandbox's event and pattern
  limits.max_pending_requests = 8;
  limits.header_timeout = std::chrono::seconds(10);
  limits.body_timeout = std::chrono::seconds(10);
  limits.idle_timeout = std::chrono::seconds(60);
  limits.write_timeout = std::chrono::seconds(30);
  return limits;
}

bool SameAuth(const ConsoleConfig& a, const ConsoleConfig& b) {
  if (a.auth_none != b.auth_none || a.token != b.token || a.session_idle != b.session_idle ||
      a.users.size() != b.users.size()) {
    return false;
  }
  for (size_t i = 0; i < a.users.size(); ++i) {
    if (a.users[i].name != b.users[i].name ||
        a.users[i].password_hash != b.users[i].password_hash) {
      return false;
    }
  }
  return true;
}

}  // namespace

ConsoleAuthSettings AuthSettingsOf(const ConsoleConfig& config) {
  ConsoleAuthSettings settings;
  settings.none = config.auth_none;
  settings.token = config.token;
  for (const ConsoleUserConfig& user : config.users) {
    settings.users.push_back({user.name, user.password_hash});
  }
  settings.session_idle = config.session_idle;
  return settings;
}

ConsoleServer::ConsoleServer(ConsoleData data, telemetry::Metrics* metrics,
                             std::shared_ptr<spdlog::logger> log)
    : data_(std::move(data)), metrics_(metrics), log_(std::move(log)) {}

ConsoleServer::~ConsoleServer() { Stop(); }

Status ConsoleServer::Start(const ConsoleConfig& config) {
  auto address = server::ParseListenAddress(config.listen);
  if (!address.ok()) return Error{"console.listen " + config.listen + ": " + address.message()};
  server::HttpServerOptions options;
  options.host = address->host;
  options.port = address->port;
  options.limits = ConsoleLimits();
  const bool tls = !config.tls_cert_file.empty();
  if (tls) {
    auto context = server::LoadTlsContext({config.tls_cert_file, config.tls_key_file});
    if (!context.ok()) return Error{"console.tls: " + context.message()};
    options.tls = std::move(context.value());
  }
  config_ = config;
  queries_ = std::make_unique<ConsoleQueries>(&data_, PackSampleEvents());
  auth_ = std::make_unique<ConsoleAuth>(AuthSettingsOf(config));
  handler_ = std::make_unique<ConsoleHandler>(queries_.get(), auth_.get(), metrics_, log_, tls);
  auto server = std::make_unique<server::HttpServer>(std::move(options), handler_.get(), log_);
  if (Status bound = server->Bind(); !bound.ok()) {
    return Error{"console.listen " + config.listen + ": " + bound.message()};
  }
  server_ = std::move(server);
  thread_ = std::jthread([this](std::stop_token stop) {
    if (Status served = server_->Run(stop); !served.ok()) {
      log_->error("console stopped: {}", served.message());
    }
  });
  bool v6 = address->host.find(':') != std::string::npos;
  log_->info("console listening on {}://{}{}{}:{}", tls ? "https" : "http", v6 ? "[" : "",
             address->host, v6 ? "]" : "", server_->port());
  if (config.auth_none) {
    log_->warn("console: auth: none — anyone who can reach {} can read alerts and re-send them",
               config.listen);
  }
  return Status{};
}

Status ConsoleServer::Reload(const ConsoleConfig& config) {
  if (config.listen != config_.listen || config.tls_cert_file.empty() != config_.tls_cert_file.empty()) {
    log_->warn("console: a changed listen address or TLS on/off takes effect at the next restart");
  }
  if (!SameAuth(config, config_)) {
    log_->warn("console: changed auth settings take effect at the next restart");
  }
  if (!config.tls_cert_file.empty() && !config_.tls_cert_file.empty() && server_) {
    auto context = server::LoadTlsContext({config.tls_cert_file, config.tls_key_file});
    if (!context.ok()) return Error{"console.tls: " + context.message()};
    server_->ReplaceTls(std::move(context.value()));
    config_.tls_cert_file = config.tls_cert_file;
    config_.tls_key_file = config.tls_key_file;
    log_->info("console: TLS certificate reloaded from {}", config.tls_cert_file);
  }
  return Status{};
}

void ConsoleServer::Stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
  server_.reset();
  handler_.reset();
  auth_.reset();
  queries_.reset();
}

int ConsoleServer::port() const { return server_ ? server_->port() : 0; }

void ConsoleServer::RefreshMetrics() {
  if (auth_) {
    metrics_->Set("trailwatch_console_sessions", {},
                  static_cast<double>(auth_->stats().active_sessions));
  }
}

}  // namespace trailwatch::console
