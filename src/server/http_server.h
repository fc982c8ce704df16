// HttpServer: the event-driven HTTP/1.1 server in front of trailwatch's endpoints (Boost.Beast on
// Asio), built to face the internet.
//
// Three I/O threads multiplex every connection (epoll), so idle, slow or hostile clients cost a few
// kilobytes each, never a thread. A handler runs on the I/O thread that read its request while at
// most two do so (no thread hand-off: the fast path), otherwise on a pool of max_pending_requests
// worker threads, so one I/O thread always stays free even when handlers block on the store.
// For every request:
//   - headers are read under header_timeout and max_header_bytes; RFC 9112 framing is enforced
//     (request_framing.h): bad framing is 400 and the connection is closed;
//   - HttpHandler::OnHead decides from the headers alone; a refused request's body is never read;
//   - an accepted body is read under body_timeout and its limit, chunked or sized alike (413 as
//     soon as it goes over, the rest unread), after "100 Continue" when the client asked for it;
//   - answers are written in request order (pipelined requests included) under write_timeout; a
//     kept-alive connection waits at most idle_timeout for its next request.
// Connections beyond max_connections, or max_connections_per_client from one address, are
// closed on accept. Everything refused is reported to HttpHandler::OnRejected.
//
// TLS (optional): TLS 1.2+ via OpenSSL (tls_context.h), the handshake under header_timeout.
//
// Thread-safety: Bind, then Run on one thread; Run returns once `stop` is requested (within
// milliseconds, after the handlers in progress returned). port() may be read from any thread
// after Bind.
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <stop_token>
#include <string>

#include "common/result.h"
#include "server/http_handler.h"
#include "server/http_limits.h"

namespace boost::asio::ssl {
class context;
}

namespace trailwatch::server {

struct HttpServerOptions {
  std::string host = "127.0.0.1";  // an IP address or name to bind
  int port = 0;                    // 0 = an ephemeral port
  HttpServerLimits limits;
  std::shared_ptr<boost::asio::ssl::context> tls;  // null = plain HTTP
};

class HttpServer {
 public:
  // `handler` and `log` must outlive the server.
  HttpServer(HttpServerOptions options, HttpHandler* handler, std::shared_ptr<spdlog::logger> log);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; also raises the process's open-file limit to fit max_connections (or
  // lowers the effective max_connections, with a warning, when the hard limit is too low).
  Status Bind();
  int port() const;
  // Serves until `stop` is requested. Binds first when Bind was not called.
  Status Run(std::stop_token stop);
  // Connections open now.
  size_t open_connections() const;
  // A TLS listener's new certificate and key (a SIGHUP reload): connections accepted from now on
  // use `tls`, open ones keep theirs. Any thread. Only for a server created with TLS.
  void ReplaceTls(std::shared_ptr<boost::asio::ssl::context> tls);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace trailwatch::server
