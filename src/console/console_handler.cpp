#include "console/console_handler.h"

#include <charconv>

#include "common/wall_clock.h"
#include "console/console_api.h"
#include "console/console_assets.h"
#include "console/console_pages.h"
#include "console/form_fields.h"

namespace trailwatch::console {
namespace {

constexpr size_t kLoginBodyLimit = 4 * 1024;
constexpr size_t kActionBodyLimit = 64 * 1024;
constexpr size_t kSandboxBodyLimit = 1024 * 1024;

constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

bool IsApi(std::string_view path) { return path.starts_with("/api/v1/"); }

bool IsPublic(const server::HttpRequest& request) {
  if (request.path.starts_with("/assets/") || request.path == "/favicon.ico") return true;
  return request.path == "/login";
}

server::HttpResponse Redirect(std::string location) {
  server::HttpResponse response;
  response.status = 303;
  response.headers.emplace_back("Location", std::move(location));
  return response;
}

server::HttpResponse Html(const Page& page) {
  server::HttpResponse response;
  response.status = page.status;
  response.content_type = "text/html; charset=utf-8";
  response.body = page.html;
  return response;
}

server::HttpResponse Asset(const server::HttpRequest& request) {
  std::string_view name = std::string_view(request.path).substr(std::string_view("/assets/").size());
  const EmbeddedFile* file = name.find('/') == std::string_view::npos ? FindEmbeddedFile(name)
                                                                      : nullptr;
  if (file == nullptr) return server::HttpResponse::Text(404, "no such asset");
  server::HttpResponse response;
  response.content_type = std::string(ContentTypeOf(name));
  response.body = std::string(file->body);
  return response;
}

std::optional<int64_t> AlertIdOf(std::string_view path) {
  std::string_view text = path.substr(std::string_view("/alerts/").size());
  int64_t id = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc() || end != text.data() + text.size() || id < 1) return std::nullopt;
  return id;
}

}  // namespace

void AddSecurityHeaders(server::HttpResponse& response, bool cacheable) {
  response.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
  response.headers.emplace_back("X-Frame-Options", "DENY");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Cache-Control", cacheable ? "private, max-age=300" : "no-store");
}

ConsoleHandler::ConsoleHandler(const ConsoleQueries* queries, ConsoleAuth* auth,
                               telemetry::Metrics* metrics, std::shared_ptr<spdlog::logger> log,
                               bool tls)
    : queries_(queries), auth_(auth), metrics_(metrics), log_(std::move(log)), tls_(tls) {}

server::HeadDecision ConsoleHandler::OnHead(const server::HttpRequest& request) {
  const bool post = request.method == "POST";
  const bool get = request.method == "GET" || request.method == "HEAD";
  if (!post && !get) {
    server::HttpResponse refused = server::HttpResponse::Text(405, "method not allowed");
    refused.headers.emplace_back("Allow", "GET, HEAD, POST");
    AddSecurityHeaders(refused, false);
    return server::HeadDecision::Answer(std::move(refused));
  }
  if (IsPublic(request)) {
    return server::HeadDecision::ReadBody(post ? kLoginBodyLimit : 1, 503);
  }
  std::optional<Principal> principal = auth_->Authenticate(request);
  if (!principal) {
    server::HttpResponse refused = Unauthenticated(request);
    AddSecurityHeaders(refused, false);
    return server::HeadDecision::Answer(std::move(refused));
  }
  if (post && request.path != "/logout" && !auth_->CsrfValid(*principal, request)) {
    server::HttpResponse refused =
        JsonError(403, "Forbidden", "missing or wrong X-CSRF-Token (take it from the page's "
                                    "csrf-token meta tag)");
    AddSecurityHeaders(refused, false);
    return server::HeadDecision::Answer(std::move(refused));
  }
  if (!post) return server::HeadDecision::ReadBody(1, 503);
  bool sandbox = request.path.starts_with("/api/v1/sandbox/");
  return server::HeadDecision::ReadBody(sandbox ? kSandboxBodyLimit : kActionBodyLimit, 503);
}

server::HttpResponse ConsoleHandler::OnRequest(const server::HttpRequest& request) {
  server::HttpResponse response = Dispatch(request);
  AddSecurityHeaders(response, request.path.starts_with("/assets/") && response.status == 200);
  return response;
}

void ConsoleHandler::OnAnswered(const server::HttpRequest& request, int status) {
  metrics_->Add("trailwatch_console_requests_total", {{"status", std::to_string(status)}});
}

void ConsoleHandler::OnRejected(const server::ServerRejection& rejection) {
  if (rejection.status != 0) {
    metrics_->Add("trailwatch_console_requests_total",
                  {{"status", std::to_string(rejection.status)}});
  }
}

void ConsoleHandler::CountLoginFailure(std::string_view reason) {
  metrics_->Add("trailwatch_console_login_failures_total", {{"reason", reason}});
}

server::HttpResponse ConsoleHandler::Unauthenticated(const server::HttpRequest& request) const {
  std::chrono::seconds wait = auth_->RateLimitedFor(request.remote_address);
  if (wait.count() > 0) {
    server::HttpResponse refused =
        JsonError(429, "TooManyRequests", "too many failed sign-ins from this address");
    refused.headers.emplace_back("Retry-After", std::to_string(wait.count()));
    return refused;
  }
  if (IsApi(request.path)) {
    server::HttpResponse refused =
        JsonError(401, "Unauthorized", "sign in, or send Authorization: Bearer <token>");
    refused.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"trailwatch\"");
    return refused;
  }
  return Redirect("/login");
}

server::HttpResponse ConsoleHandler::Dispatch(const server::HttpRequest& request) {
  if (request.path.starts_with("/assets/")) return Asset(request);
  if (request.path == "/favicon.ico") {
    server::HttpResponse none;  // browsers ask on every page; there is none
    none.status = 204;
    return none;
  }
  if (request.path == "/login") {
    if (request.method == "POST") return Login(request);
    return Html(LoginPage(""));
  }
  // The head was checked, but a session may have ended since.
  std::optional<Principal> principal = auth_->Authenticate(request);
  if (!principal) return Unauthenticated(request);
  if (request.path == "/logout") {
    if (request.method != "POST") return Redirect("/alerts");
    return Logout(request, *principal);
  }
  if (IsApi(request.path)) return HandleApiRequest(*queries_, request, WallClockMs());
  if (request.method != "GET" && request.method != "HEAD") {
    server::HttpResponse refused = server::HttpResponse::Text(405, "method not allowed");
    refused.headers.emplace_back("Allow", "GET, HEAD");
    return refused;
  }
  return RenderPage(request, *principal);
}

server::HttpResponse ConsoleHandler::Login(const server::HttpRequest& request) {
  auto fields = ParseFormFields(request.body);
  if (!fields.ok()) return Html(LoginPage("The sign-in form was malformed: " + fields.message()));
  LoginOutcome outcome =
      auth_->Login(request.remote_address, FieldOr(*fields, "user"), FieldOr(*fields, "password"));
  switch (outcome.kind) {
    case LoginOutcome::Kind::kOk: {
      server::HttpResponse response = Redirect("/alerts");
      response.headers.emplace_back(
          "Set-Cookie",
          ConsoleAuth::SessionCookie(outcome.session_id, tls_, auth_->settings().session_max));
      log_->info("console: {} signed in from {}",
                 FieldOr(*fields, "user").empty() ? "token" : FieldOr(*fields, "user"),
                 request.remote_address);
      return response;
    }
    case LoginOutcome::Kind::kBadCredentials:
      CountLoginFailure("bad_credentials");
      log_->warn("console: failed sign-in from {}", request.remote_address);
      return Html(LoginPage("Wrong user, password or token."));
    case LoginOutcome::Kind::kRateLimited: {
      CountLoginFailure("rate_limited");
      Page page = LoginPage("Too many failed sign-ins: wait " +
                            std::to_string(outcome.retry_after.count()) + " s.");
      page.status = 429;
      server::HttpResponse response = Html(page);
      response.headers.emplace_back("Retry-After", std::to_string(outcome.retry_after.count()));
      return response;
    }
    case LoginOutcome::Kind::kUnavailable: {
      Page page = LoginPage("Sign-in is unavailable (no random numbers for a session).");
      page.status = 503;
      return Html(page);
    }
  }
  return Html(LoginPage("Sign-in failed."));
}

server::HttpResponse ConsoleHandler::Logout(const server::HttpRequest& request,
                                            const Principal& principal) {
  // A form cannot send a header: the sign-out form carries the token as a field.
  auto fields = ParseFormFields(request.body);
  bool valid = auth_->CsrfValid(principal, request) ||
               (fields.ok() && auth_->CsrfTokenMatches(principal, FieldOr(*fields, "csrf")));
  if (!valid) return JsonError(403, "Forbidden", "missing or wrong CSRF token");
  if (principal.kind == Principal::Kind::kSession) auth_->Logout(principal.session_id);
  server::HttpResponse response = Redirect("/login");
  response.headers.emplace_back("Set-Cookie", ConsoleAuth::ClearedSessionCookie(tls_));
  return response;
}

server::HttpResponse ConsoleHandler::RenderPage(const server::HttpRequest& request,
                                          const Principal& principal) {
  PageContext context;
  context.csrf_token = principal.csrf_token;
  context.user = principal.name;
  context.now_ms = WallClockMs();
  const std::string& path = request.path;
  if (path == "/" ) return Redirect("/alerts");
  auto fields = ParseFormFields(QueryOf(request.target));
  if (!fields.ok()) {
    console::Page bad = NotFoundPage(context);
    bad.status = 400;
    return Html(bad);
  }
  if (path == "/alerts") return Html(AlertsPage(*queries_, *fields, context));
  if (path.starts_with("/alerts/")) {
    auto id = AlertIdOf(path);
    if (!id) return Html(NotFoundPage(context));
    return Html(AlertPage(*queries_, *id, context));
  }
  if (path == "/dead-letters") return Html(DeadLettersPage(*queries_, *fields, context));
  if (path == "/rules") return Html(RulesPage(*queries_, context));
  if (path == "/sandbox") return Html(SandboxPage(*queries_, context));
  if (path == "/sources") return Html(SourcesPage(*queries_, context));
  return Html(NotFoundPage(context));
}

}  // namespace trailwatch::console
