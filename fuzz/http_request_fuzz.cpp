// libFuzzer target: arbitrary bytes as what a client sends to the http source's port — the
// server's request parser and framing rules (server::ParseRequestStream, the code the live server
// runs) feeding the real endpoints (sources::HttpEndpoints: /events, /sns, /healthz, /metrics)
// with a sink that accepts everything.
//
// Must never crash, hang or allocate without bound (libFuzzer's -rss_limit_mb catches the last);
// every request handed on must respect the limits it was parsed under, and every answer must be
// a real HTTP status. A broken invariant aborts so libFuzzer keeps the input.
//
// Run: make fuzz && build/fuzz/http_request_fuzz -max_total_time=60 /tmp/fz/http fuzz/corpus/http_request
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "server/request_framing.h"
#include "telemetry/metrics.h"
#include "sources/http_endpoints.h"

namespace {

using trailwatch::Status;
using trailwatch::server::HeadDecision;
using trailwatch::server::HttpRequest;
using trailwatch::server::HttpServerLimits;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "http_request_fuzz: %s\n", what);
  std::abort();
}

class AcceptingSink : public trailwatch::envelope::EventSink {
 public:
  Status Submit(const std::string&, std::span<const trailwatch::envelope::SourceEvent>) override {
    return Status::Ok();
  }
};

struct Harness {
  Harness() {
    context.log = std::make_shared<spdlog::logger>(
        "fuzz", std::make_shared<spdlog::sinks::null_sink_mt>());
    context.metrics = &metrics;
    trailwatch::sources::HttpSourceConfig config;
    config.api_key = trailwatch::config::Secret("fuzz-api-key-0123456789");
    config.limits.max_body_bytes = 64 * 1024;
    config.limits.max_header_bytes = 8 * 1024;
    // No SNS topic: /sns refuses at the topic pin, before any certificate would be fetched.
    auto created = trailwatch::sources::HttpEndpoints::Create(config, context, "http:fuzz");
    if (!created.ok()) Fail("cannot create the endpoints");
    endpoints = std::move(*created);
    endpoints->SetSink(&sink);
    limits = config.limits;
  }
  trailwatch::telemetry::Metrics metrics;
  trailwatch::sources::SourceContext context;
  AcceptingSink sink;
  std::unique_ptr<trailwatch::sources::HttpEndpoints> endpoints;
  HttpServerLimits limits;
};

bool ValidStatus(int status) { return status >= 100 && status <= 599; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness harness;  // the endpoints are stateless between inputs but for id memory
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  size_t limit_seen = 0;
  auto parsed = trailwatch::server::ParseRequestStream(
      bytes, harness.limits, [&](const HttpRequest& head) {
        HeadDecision decision = harness.endpoints->OnHead(head);
        if (decision.answer && !ValidStatus(decision.answer->status)) Fail("bad head answer");
        limit_seen = decision.body_limit != 0 ? decision.body_limit : harness.limits.max_body_bytes;
        return decision;
      });
  if (parsed.error && !ValidStatus(parsed.error->status)) Fail("bad framing status");
  for (const HttpRequest& request : parsed.requests) {
    if (request.body.size() > limit_seen) Fail("a body over its limit was handed on");
    auto response = harness.endpoints->OnRequest(request);
    if (!ValidStatus(response.status)) Fail("bad answer status");
    harness.endpoints->OnAnswered(request, response.status);
  }
  return 0;
}
