// OpsEndpoints (service/ops_listener.h): what the ops listener answers, decided from the request
// line alone.
#include <gtest/gtest.h>

#include "service/ops_listener.h"

namespace trailwatch::service {
namespace {

server::HttpRequest Request(const std::string& method, const std::string& path) {
  server::HttpRequest request;
  request.method = method;
  request.target = path;
  request.path = path;
  return request;
}

server::HttpResponse Answer(OpsEndpoints& endpoints, const std::string& method,
                            const std::string& path) {
  server::HeadDecision decision = endpoints.OnHead(Request(method, path));
  EXPECT_TRUE(decision.answer.has_value()) << method << " " << path;
  return decision.answer ? *decision.answer : server::HttpResponse{};
}

TEST(OpsEndpointsTest, MetricsHealthzAndReadyz) {
  telemetry::Metrics metrics;
  metrics.Describe("trailwatch_up", "gauge", "1 while the service runs.");
  metrics.Set("trailwatch_up", {}, 1);
  std::string problems;
  OpsEndpoints endpoints(&metrics, [&] { return problems; });

  server::HttpResponse scraped = Answer(endpoints, "GET", "/metrics");
  EXPECT_EQ(scraped.status, 200);
  EXPECT_EQ(scraped.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(scraped.body, metrics.RenderPrometheus());

  EXPECT_EQ(Answer(endpoints, "GET", "/healthz").status, 200);
  EXPECT_EQ(Answer(endpoints, "GET", "/healthz").body, "ok\n");
  EXPECT_EQ(Answer(endpoints, "GET", "/readyz").status, 200);
  EXPECT_EQ(Answer(endpoints, "GET", "/readyz").body, "ready\n");

  problems = "sources: starting\ntargets: every target's last delivery attempt failed (slack)\n";
  server::HttpResponse not_ready = Answer(endpoints, "GET", "/readyz");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(not_ready.body, "not ready\n" + problems);
  // Liveness does not depend on readiness.
  EXPECT_EQ(Answer(endpoints, "GET", "/healthz").status, 200);
}

TEST(OpsEndpointsTest, HeadOtherPathsAndMethods) {
  telemetry::Metrics metrics;
  OpsEndpoints endpoints(&metrics, [] { return std::string("store: gone\n"); });
  server::HttpResponse head = Answer(endpoints, "HEAD", "/readyz");
  EXPECT_EQ(head.status, 503);
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(Answer(endpoints, "HEAD", "/healthz").status, 200);
  EXPECT_EQ(Answer(endpoints, "GET", "/events").status, 404);
  EXPECT_EQ(Answer(endpoints, "GET", "/metrics/x").status, 404);
  server::HttpResponse post = Answer(endpoints, "POST", "/metrics");
  EXPECT_EQ(post.status, 405);
  ASSERT_EQ(post.headers.size(), 1u);
  EXPECT_EQ(post.headers[0], (std::pair<std::string, std::string>{"Allow", "GET, HEAD"}));
}

}  // namespace
}  // namespace trailwatch::service
