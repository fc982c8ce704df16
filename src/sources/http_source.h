// HttpSource: the `http` source of `trailwatch run` — events pushed to trailwatch over HTTP(S).
//
//   POST /events   EventBridge API destinations (formats.md §6): one envelope or a JSON array of
//                  them, authenticated by an API key header (constant-time compare).
//   POST /sns      an SNS HTTP(S) subscription (§5): signed messages, topic pinned, subscriptions
//                  confirmed; a Notification's Message is an EventBridge event or a CloudTrail
//                  record.
//   GET  /healthz  "ok" while serving.
//   GET  /metrics  Metrics::RenderPrometheus (text format 0.0.4).
//
// Answers follow the senders' retry rules: 2xx only after EventSink::Submit returned OK (the
// durability contract of source.h); 503 when Submit fails (both senders retry it); 429 with
// Retry-After on /events beyond max_pending_requests (EventBridge retries 429), 503 with
// Retry-After on /sns (SNS does not retry 4xx); 400/401/403/413 are final. Envelope ids and SNS
// MessageIds already accepted are answered 2xx again without resubmitting (bounded memory).
//
// Every request is counted as trailwatch_http_requests_total{endpoint,status} and every refusal as
// trailwatch_http_rejected_total{endpoint,reason}; the endpoint label is one of the four paths or
// "other", never the raw request path. Logs and metrics never carry the API key.
//
// TLS: cpp-httplib as Debian builds it has OpenSSL support, so tls_cert_file + tls_key_file serve
// HTTPS (httplib::SSLServer).
//
// Thread-safety: Bind and Run are called from one thread; handlers run on the server's own worker
// threads and may call EventSink::Submit concurrently.
#pragma once

#include <memory>
#include <stop_token>
#include <string>

#include "common/result.h"
#include "sources/source.h"
#include "sources/sources_config.h"

namespace trailwatch::sources {

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
  class Server;
  explicit HttpSource(std::unique_ptr<Server> server);
  std::unique_ptr<Server> server_;
};

}  // namespace trailwatch::sources
