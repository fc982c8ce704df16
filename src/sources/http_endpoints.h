// HttpEndpoints: the requests the http source answers (the HttpHandler behind its HttpServer).
//
//   POST /events   EventBridge API destinations (docs/http-source.md): one envelope or a JSON
//                  array of them, authenticated by an API key header (constant-time compare).
//   POST /sns      an SNS HTTP(S) subscription: signed messages, topic pinned, subscriptions
//                  confirmed; a Notification's Message is an EventBridge event or a CloudTrail
//                  record.
//   GET  /healthz  200 "ok" while the service is ready; 503 with the reasons otherwise
//                  (Readiness, e.g. the store was deleted).
//   GET  /metrics  Metrics::RenderPrometheus (text format 0.0.4): the service's registry, the
//                  same the ops listener serves (service/ops_listener.h).
//
// What can be decided from headers is decided in OnHead, before the body is read: the path and
// method, the API key of /events, a compressed body (415), and for /sns the raw-delivery flag, the
// message type header and an id already stored. Answers follow the senders' retry rules: 2xx only
// after EventSink::Submit returned OK (the durability contract of source.h); 503 when Submit
// fails (both senders retry it); beyond max_pending_requests 429 on /events (EventBridge retries
// 429) and 503 on /sns (SNS does not retry 4xx); 400/401/403/413 are final. Envelope ids and SNS
// MessageIds already accepted are answered 2xx again without resubmitting (bounded memory).
//
// Every request is counted as trailwatch_http_requests_total{endpoint,status}, every refusal as
// trailwatch_http_rejected_total{endpoint,reason} and logged at most once a minute per endpoint
// and reason, with the count. The endpoint label is one of the four paths or "other", never the
// raw path. Logs and metrics never carry the API key or request bytes beyond a short, sanitized id.
//
// Thread-safety: as HttpHandler requires (every method from any thread).
#pragma once

#include <openssl/types.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/log_throttle.h"
#include "common/result.h"
#include "server/http_handler.h"
#include "sources/source.h"
#include "sources/sources_config.h"

namespace trailwatch::sources {

class SnsVerifier;
class RecentIds;

class HttpEndpoints : public server::HttpHandler {
 public:
  // Checks the SNS settings (cert-URL pattern, CA file). `name` labels logs ("http:<listen>").
  static Result<std::unique_ptr<HttpEndpoints>> Create(const HttpSourceConfig& config,
                                                       SourceContext context, std::string name);
  ~HttpEndpoints() override;

  // Where accepted events go; null answers 503 (not running).
  void SetSink(EventSink* sink) { sink_.store(sink); }

  server::HeadDecision OnHead(const server::HttpRequest& request) override;
  server::HttpResponse OnRequest(const server::HttpRequest& request) override;
  void OnAnswered(const server::HttpRequest& request, int status) override;
  void OnRejected(const server::ServerRejection& rejection) override;

 private:
  HttpEndpoints(const HttpSourceConfig& config, SourceContext context, std::string name);

  bool Authorized(const server::HttpRequest& request) const;
  server::HttpResponse Reject(const server::HttpRequest& request, int status, const char* reason,
                              const std::string& message);
  void CountAndLogRejection(std::string_view endpoint, std::string_view reason, int status,
                            std::string_view remote, std::string_view detail);
  bool Submit(const server::HttpRequest& request, std::span<const SourceEvent> events,
              server::HttpResponse* failure);
  server::HttpResponse HandleEvents(const server::HttpRequest& request,
                                    std::chrono::steady_clock::time_point received);
  server::HttpResponse HandleSns(const server::HttpRequest& request,
                                 std::chrono::steady_clock::time_point received);

  HttpSourceConfig config_;
  SourceContext context_;
  std::string name_;
  std::unique_ptr<SnsVerifier> verifier_;
  std::string api_key_header_;                 // config's api_key_header, in lower case
  std::vector<unsigned char> api_key_digest_;  // SHA-256 of the key; empty = no key
  struct FreeEvpMd {
    void operator()(EVP_MD* md) const;
  };
  // SHA-256, fetched from OpenSSL's provider once: SHA256() fetches it on every call (328 ns
  // against 111 ns to digest a key, measured), and every /events request digests its key.
  std::unique_ptr<EVP_MD, FreeEvpMd> sha256_;
  std::atomic<EventSink*> sink_{nullptr};
  std::unique_ptr<RecentIds> event_ids_;
  std::unique_ptr<RecentIds> sns_ids_;
  LogThrottle rejection_log_;
};

}  // namespace trailwatch::sources
