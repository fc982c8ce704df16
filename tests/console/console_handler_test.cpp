// The console's HTTP front without a socket: alerts go through the real pipeline into a real SQLite
// store, and requests are handed to ConsoleHandler the way server::HttpServer hands them (OnHead,
// then OnRequest when the head asked for the body).
#include "console/console_handler.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <spdlog/sinks/null_sink.h>

#include "cli/cli_test_util.h"
#include "common/json_string.h"
#include "console/console_server.h"
#include "console/sample_events.h"
#include "envelope/validate_envelope.h"
#include "route/alert_pipeline.h"
#include "rules/test_event_pattern.h"
#include "store/store_backend.h"

namespace trailwatch::console {
namespace {

using testing::TempDir;

constexpr const char* kHandlerToken = "console-test-token-0123456789";

std::string RootSignIn() {
  return testing::ReadFixture(
      "aws/eventbridge/root-consolelogin-success-mfa.envelope.constructed.json");
}

std::string Replaced(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

envelope::SourceEvent Event(const std::string& json) {
  envelope::SourceEvent event;
  simdjson::dom::parser parser;
  Status valid = envelope::ValidateEnvelopeText(json, parser, &event.envelope);
  EXPECT_TRUE(valid.ok()) << valid.message();
  event.origin = "test";
  return event;
}

std::string HeaderOf(const server::HttpResponse& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

class ConsoleHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto backend = store::StoreBackend::Open(dir_.path() + "/tw.db", {});
    ASSERT_TRUE(backend.ok()) << backend.message();
    backend_ = std::move(backend.value());
    auto outbox = outbox::Outbox::Open(*backend_);
    ASSERT_TRUE(outbox.ok()) << outbox.message();
    outbox_ = std::move(outbox.value());
    auto history = backend_->OpenAlertHistory();
    ASSERT_TRUE(history.ok()) << history.message();
    history_ = std::move(history.value());

    targets_.targets.push_back({});
    targets_.targets.back().name = "slack";
    targets_.accounts["111122223333"] = "production";
    rules::RuleSpec rule;
    rule.name = "root-signin";
    rule.pattern_json = R"({"detail":{"userIdentity":{"type":["Root"]}}})";
    rule.severity = route::Severity::kCritical;
    rule.targets = {"slack"};
    rules_ = std::make_shared<const std::vector<rules::RuleSpec>>(std::vector<rules::RuleSpec>{rule});
    auto compiled = route::CompilePipelineRules(*rules_, targets_);
    ASSERT_TRUE(compiled.ok()) << compiled.message();
    auto log = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
    pipeline_ = std::make_unique<route::AlertPipeline>(outbox_.get(), nullptr, &metrics_, log,
                                                       std::move(compiled.value()));
    pipeline_->SetHistory(history_.get());

    data_.history = history_.get();
    data_.outbox = outbox_.get();
    data_.metrics = &metrics_;
    data_.rules = [this] { return RulesSnapshot{rules_, pipeline_->rules()}; };
    data_.wake_delivery = [this] { ++wakes_; };
    queries_ = std::make_unique<ConsoleQueries>(&data_, PackSampleEvents());
    ConsoleAuthSettings settings;
    settings.token = kHandlerToken;
    auth_ = std::make_unique<ConsoleAuth>(settings);
    handler_ = std::make_unique<ConsoleHandler>(queries_.get(), auth_.get(), &metrics_, log, false);
  }

  void Submit(const std::string& json) {
    std::vector<envelope::SourceEvent> events{Event(json)};
    Status submitted = pipeline_->Submit("test", events);
    ASSERT_TRUE(submitted.ok()) << submitted.message();
  }

  // As the server does it: OnHead first; OnRequest only when the head asked for the body.
  server::HttpResponse Send(server::HttpRequest request) {
    request.path = request.target.substr(0, request.target.find('?'));
    if (request.remote_address.empty()) request.remote_address = "127.0.0.1";
    server::HeadDecision head = handler_->OnHead(request);
    if (head.answer) {
      heads_answered_++;
      return *head.answer;
    }
    return handler_->OnRequest(request);
  }

  server::HttpResponse Get(const std::string& target, bool bearer = true) {
    server::HttpRequest request;
    request.method = "GET";
    request.target = target;
    if (bearer)
      request.headers.emplace_back("authorization", std::string("Bearer ") + kHandlerToken);
    if (!cookie_.empty()) request.headers.emplace_back("cookie", cookie_);
    return Send(request);
  }

  server::HttpResponse Post(const std::string& target, const std::string& body,
                            std::vector<std::pair<std::string, std::string>> headers) {
    server::HttpRequest request;
    request.method = "POST";
    request.target = target;
    request.headers = std::move(headers);
    request.body = body;
    return Send(request);
  }

  // Signs in with the token through the form; keeps the cookie; returns the page's CSRF token.
  std::string SignIn() {
    server::HttpResponse answer =
        Post("/login", std::string("user=&password=") + kHandlerToken, {});
    EXPECT_EQ(answer.status, 303);
    std::string set_cookie = HeaderOf(answer, "Set-Cookie");
    cookie_ = set_cookie.substr(0, set_cookie.find(';'));
    server::HttpResponse page = Get("/alerts", false);
    EXPECT_EQ(page.status, 200);
    const std::string marker = "<meta name=\"csrf-token\" content=\"";
    size_t at = page.body.find(marker);
    EXPECT_NE(at, std::string::npos);
    at += marker.size();
    return page.body.substr(at, page.body.find('"', at) - at);
  }

  TempDir dir_;
  telemetry::Metrics metrics_;
  config::TargetsConfig targets_;
  std::unique_ptr<store::StoreBackend> backend_;
  std::unique_ptr<outbox::Outbox> outbox_;
  std::unique_ptr<store::AlertHistory> history_;
  std::shared_ptr<const std::vector<rules::RuleSpec>> rules_;
  std::unique_ptr<route::AlertPipeline> pipeline_;
  ConsoleData data_;
  int wakes_ = 0;
  std::unique_ptr<ConsoleQueries> queries_;
  std::unique_ptr<ConsoleAuth> auth_;
  std::unique_ptr<ConsoleHandler> handler_;
  std::string cookie_;
  int heads_answered_ = 0;
};

TEST_F(ConsoleHandlerTest, WithoutCredentialsPagesRedirectToLoginAndTheApiAnswers401) {
  server::HttpResponse page = Get("/alerts", false);
  EXPECT_EQ(page.status, 303);
  EXPECT_EQ(HeaderOf(page, "Location"), "/login");
  server::HttpResponse api = Get("/api/v1/alerts", false);
  EXPECT_EQ(api.status, 401);
  EXPECT_EQ(HeaderOf(api, "WWW-Authenticate"), "Bearer realm=\"trailwatch\"");
  EXPECT_EQ(heads_answered_, 2) << "refused from the headers, before any body";
  // The sign-in page and the assets need no credentials.
  EXPECT_EQ(Get("/login", false).status, 200);
  server::HttpResponse script = Get("/assets/console.js", false);
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(Get("/assets/../console.js", false).status, 404);
}

TEST_F(ConsoleHandlerTest, EveryAnswerCarriesTheSecurityHeaders) {
  for (std::string target : {"/alerts", "/api/v1/alerts", "/nope", "/login"}) {
    for (bool bearer : {true, false}) {
      server::HttpResponse answer = Get(target, bearer);
      std::string policy = HeaderOf(answer, "Content-Security-Policy");
      EXPECT_NE(policy.find("script-src 'self'"), std::string::npos) << target;
      EXPECT_EQ(policy.find("unsafe-inline"), std::string::npos) << target;
      EXPECT_EQ(HeaderOf(answer, "X-Frame-Options"), "DENY") << target;
      EXPECT_EQ(HeaderOf(answer, "Referrer-Policy"), "no-referrer") << target;
      EXPECT_EQ(HeaderOf(answer, "Cache-Control"), "no-store") << target;
    }
  }
}

TEST_F(ConsoleHandlerTest, TheApiListsAndFiltersWhatThePipelineCommitted) {
  Submit(RootSignIn());
  Submit(Replaced(Replaced(RootSignIn(), "deb1e1f9-c99b-4612-8e9f-21f93b5d79c0",
                           "11111111-2222-3333-4444-555555555555"),
                  "192.0.2.0", "203.0.113.77"));
  server::HttpResponse all = Get("/api/v1/alerts");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.content_type, "application/json");
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(all.body);
  EXPECT_EQ(simdjson::dom::array(root["alerts"]).size(), 2u);
  // Newest first; the deliveries are read from the outbox (pending: nothing was sent).
  EXPECT_EQ(std::string_view(root["alerts"].at(0)["source_ip"]), "203.0.113.77");
  EXPECT_EQ(std::string_view(root["alerts"].at(0)["account_alias"]), "production");
  EXPECT_EQ(std::string_view(root["alerts"].at(0)["deliveries"].at(0)["status"]), "pending");
  const int64_t newest_id = int64_t(root["alerts"].at(0)["id"]);  // before the parser is reused

  simdjson::dom::element by_ip = parser.parse(Get("/api/v1/alerts?q=203.0.113").body);
  EXPECT_EQ(simdjson::dom::array(by_ip["alerts"]).size(), 1u);
  simdjson::dom::element low = parser.parse(Get("/api/v1/alerts?severity=low").body);
  EXPECT_EQ(simdjson::dom::array(low["alerts"]).size(), 0u);
  simdjson::dom::element page = parser.parse(Get("/api/v1/alerts?limit=1").body);
  std::string_view cursor = page["next_cursor"];
  simdjson::dom::element next = parser.parse(Get("/api/v1/alerts?limit=1&cursor=" + std::string(cursor)).body);
  EXPECT_EQ(std::string_view(next["alerts"].at(0)["source_ip"]), "192.0.2.0");

  server::HttpResponse bad = Get("/api/v1/alerts?from=yesterday");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("parameter from"), std::string::npos) << bad.body;
  EXPECT_EQ(Get("/api/v1/alerts/999").status, 404);
  simdjson::dom::element one =
      parser.parse(Get("/api/v1/alerts/" + std::to_string(newest_id)).body);
  EXPECT_EQ(std::string_view(one["event"]["detail"]["sourceIPAddress"]), "203.0.113.77");
}

TEST_F(ConsoleHandlerTest, EventTextIsEscapedInEveryPage) {
  const std::string payload = "<script>window.__xss=1</script>\\\"><img src=x onerror=alert(1)>";
  std::string event = Replaced(RootSignIn(), "arn:aws:iam::111122223333:root", payload);
  event = Replaced(event, "Mozilla/5.0", payload);
  Submit(event);
  for (std::string target : {"/alerts", "/alerts/1", "/sandbox"}) {
    server::HttpResponse page = Get(target);
    ASSERT_EQ(page.status, 200) << target << page.body;
    EXPECT_EQ(page.body.find("<script>window"), std::string::npos) << target;
    EXPECT_EQ(page.body.find("<img src=x"), std::string::npos) << target;
    EXPECT_EQ(page.body.find("\"><img"), std::string::npos) << target;
  }
  EXPECT_NE(Get("/alerts").body.find("&lt;script&gt;window.__xss=1&lt;/script&gt;"), std::string::npos);
}

TEST_F(ConsoleHandlerTest, StateChangesNeedTheSessionsCsrfTokenButNotABearersOne) {
  std::string csrf = SignIn();
  ASSERT_FALSE(csrf.empty());
  server::HttpResponse refused = Post("/api/v1/dead-letters/retry", R"({"ids":[1]})",
                                      {{"cookie", cookie_}});
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(heads_answered_, 1) << "refused before the body was read";
  server::HttpResponse wrong = Post("/api/v1/dead-letters/retry", R"({"ids":[1]})",
                                    {{"cookie", cookie_}, {"x-csrf-token", "nope"}});
  EXPECT_EQ(wrong.status, 403);
  server::HttpResponse accepted = Post("/api/v1/dead-letters/retry", R"({"ids":[1]})",
                                       {{"cookie", cookie_}, {"x-csrf-token", csrf}});
  EXPECT_EQ(accepted.status, 200) << accepted.body;
  server::HttpResponse bearer = Post("/api/v1/dead-letters/retry", R"({"ids":[1]})",
                                     {{"authorization", std::string("Bearer ") + kHandlerToken}});
  EXPECT_EQ(bearer.status, 200) << bearer.body;
  // Sign-out: the form carries the token as a field; the cookie is cleared.
  server::HttpResponse out = Post("/logout", "csrf=" + csrf, {{"cookie", cookie_}});
  EXPECT_EQ(out.status, 303);
  EXPECT_NE(HeaderOf(out, "Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(Get("/alerts", false).status, 303) << "the session ended";
}

TEST_F(ConsoleHandlerTest, SignInSetsAStrictHttpOnlyCookieAndFailuresAreCounted) {
  server::HttpResponse wrong = Post("/login", "user=&password=wrong-token-wrong-token", {});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_NE(wrong.body.find("Wrong user, password or token."), std::string::npos);
  EXPECT_EQ(metrics_.Get("trailwatch_console_login_failures_total", {{"reason", "bad_credentials"}}), 1);
  server::HttpResponse right = Post("/login", std::string("user=&password=") + kHandlerToken, {});
  ASSERT_EQ(right.status, 303);
  std::string cookie = HeaderOf(right, "Set-Cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << "plain HTTP here";
}

TEST_F(ConsoleHandlerTest, DeadLettersAreRetriedAndPurgedFromTheApi) {
  Submit(RootSignIn());
  Submit(Replaced(RootSignIn(), "deb1e1f9-c99b-4612-8e9f-21f93b5d79c0",
                  "11111111-2222-3333-4444-555555555555"));
  ASSERT_TRUE(outbox_->MarkDead(1, "HTTP 404: no_service", 404).ok());
  ASSERT_TRUE(outbox_->MarkDead(2, "HTTP 404: no_service", 404).ok());
  simdjson::dom::parser parser;
  simdjson::dom::element dead = parser.parse(Get("/api/v1/dead-letters").body);
  EXPECT_EQ(simdjson::dom::array(dead["dead_letters"]).size(), 2u);
  EXPECT_NE(Get("/alerts?status=dead").body.find("slack: dead"), std::string::npos);
  std::vector<std::pair<std::string, std::string>> bearer{
      {"authorization", std::string("Bearer ") + kHandlerToken}};
  server::HttpResponse retried = Post("/api/v1/dead-letters/retry", R"({"ids":[1]})", bearer);
  EXPECT_EQ(retried.body, R"({"retried":1})");
  EXPECT_EQ(wakes_, 1) << "delivery is woken for the retried letter";
  EXPECT_EQ(outbox_->Get(1).value()->state, outbox::EntryState::kPending);
  // Purge deletes dead letters only: entry 1 is pending again.
  server::HttpResponse purged = Post("/api/v1/dead-letters/purge", R"({"ids":[1,2]})", bearer);
  EXPECT_EQ(purged.body, R"({"purged":1})");
  EXPECT_TRUE(outbox_->Get(1).value().has_value());
  EXPECT_FALSE(outbox_->Get(2).value().has_value());
  // The alert of the purged letter stays listed, its delivery shown as purged.
  EXPECT_NE(Get("/alerts").body.find("slack: purged"), std::string::npos);
  EXPECT_EQ(Post("/api/v1/dead-letters/retry", R"({"ids":"1"})", bearer).status, 400);
  EXPECT_EQ(Post("/api/v1/dead-letters/retry", "not json", bearer).status, 400);
}

TEST_F(ConsoleHandlerTest, TheSandboxAnswersWhatTestPatternAnswers) {
  const std::string event = RootSignIn();
  std::vector<std::pair<std::string, std::string>> bearer{
      {"authorization", std::string("Bearer ") + kHandlerToken}};
  for (const std::string& pattern :
       {std::string(R"({"detail":{"userIdentity":{"type":["Root"]}}})"),
        std::string(R"({"source":["aws.s3"]})"), std::string(R"({"source":"aws.signin"})"),
        std::string(R"({"detail":{"x":[{"numeric":[">",1,"<"]}]}})")}) {
    std::string body = "{\"event\":";
    AppendJsonString(body, event);
    body.append(",\"pattern\":");
    AppendJsonString(body, pattern);
    body.append("}");
    server::HttpResponse answer = Post("/api/v1/sandbox/test-pattern", body, bearer);
    rules::PatternTestOutcome expected = rules::TestEventPattern(pattern, event, 2048);
    if (expected.valid) {
      EXPECT_EQ(answer.status, 200);
      EXPECT_EQ(answer.body, expected.Text()) << pattern;
    } else {
      EXPECT_EQ(answer.status, 400) << pattern;
      simdjson::dom::parser parser;
      simdjson::dom::element error = parser.parse(answer.body);
      EXPECT_EQ(std::string_view(error["error"]), expected.error);
      EXPECT_EQ(std::string_view(error["message"]), expected.message);
    }
  }
  std::string body = "{\"event\":";
  AppendJsonString(body, event);
  body.append("}");
  EXPECT_EQ(Post("/api/v1/sandbox/rules", body, bearer).body, R"({"rules":["root-signin"]})");
  // The packs' samples are offered as EventBridge events.
  EXPECT_NE(Get("/api/v1/sandbox/samples").body.find("root-signin: root success with MFA"),
            std::string::npos);
}

TEST_F(ConsoleHandlerTest, RulesShowTheirMatchCounts) {
  Submit(RootSignIn());
  simdjson::dom::parser parser;
  simdjson::dom::element rules = parser.parse(Get("/api/v1/rules").body);
  EXPECT_EQ(std::string_view(rules["rules"].at(0)["name"]), "root-signin");
  EXPECT_EQ(int64_t(rules["rules"].at(0)["matches"]["1h"]), 1);
  EXPECT_NE(Get("/rules").body.find("<td class=\"matches-7d\">1</td>"), std::string::npos);
}

TEST(ConsoleAuthNone, StillNeedsTheCsrfTokenForStateChanges) {
  ConsoleAuthSettings settings;
  settings.none = true;
  ConsoleAuth auth(settings);
  server::HttpRequest request;
  request.method = "POST";
  request.target = request.path = "/api/v1/dead-letters/retry";
  auto principal = auth.Authenticate(request);
  ASSERT_TRUE(principal.has_value());
  EXPECT_FALSE(auth.CsrfValid(*principal, request));
}

}  // namespace
}  // namespace trailwatch::console
