// HttpHandler: what an application plugs into the HttpServer (the http source's /events, /sns,
// /healthz and /metrics).
//
// The server calls OnHead once a request's headers are in and nothing of its body has been read:
// the handler decides there, cheaply, whether the body is wanted at all (path, method, API key,
// cheap header checks), so that a refused client never costs a body's memory or time. Accepted
// requests are read to their limit and handed to OnRequest on a worker thread, where the handler
// may block (on the store). The server writes the answers in request order per connection.
//
// Thread-safety: OnHead, OnAnswered and OnRejected run on the server's I/O threads, OnRequest on
// its worker threads, all possibly concurrently: implementations must be thread-safe.
#pragma once

#include "server/http_message.h"

namespace trailwatch::server {

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // Headers only (request.body is empty). Must not block.
  virtual HeadDecision OnHead(const HttpRequest& request) = 0;
  // The whole request, body included. May block.
  virtual HttpResponse OnRequest(const HttpRequest& request) = 0;
  // Every answer written, the handler's and the server's own (for request metrics).
  virtual void OnAnswered(const HttpRequest& request, int status) = 0;
  // Every refusal or cut-off of the server's own (for rejection metrics and logs).
  virtual void OnRejected(const ServerRejection& rejection) = 0;
};

}  // namespace trailwatch::server
