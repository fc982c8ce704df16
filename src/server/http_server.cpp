#include "server/http_server.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "server/beast_request.h"
#include "server/connection_limiter.h"
#include "server/request_framing.h"

namespace trailwatch::server {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using ErrorCode = boost::system::error_code;

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// Bytes asked of the socket by a request's first read. Beast grows a connection's buffer 512
// bytes at a time, so a 1.5 KB event took three recvmsg calls (and as many trips through the
// scheduler); 8 KiB takes a typical event, headers and body, in one. It bounds only one read: the
// header and body limits still apply, and 4,096 connections hold at most 32 MiB this way.
constexpr size_t kFirstReadBytes = 8 * 1024;
// After an answer that closes the connection, the client may still be sending (a body it was not
// asked for). Reading and discarding a little before closing lets it receive the answer instead
// of a reset; both bounds keep a hostile sender from holding the connection.
constexpr size_t kLingerBytes = 1 << 20;
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kLingerChunk = 16 * 1024;
// File descriptors kept for everything but client connections (store, log files, outgoing
// requests, worker threads' files).
constexpr rlim_t kReservedFiles = 256;

// What every connection shares; owned by the server, outlives every connection.
// I/O threads. All of them run the one io_context (connections are strands, so each runs on one
// thread at a time); all but one may run a handler themselves (kInlineHandlers), so one thread is
// always free for I/O and timers even when handlers block on the store.
constexpr int kIoThreads = 3;
constexpr int kInlineHandlers = kIoThreads - 1;

struct ServerState {
  HttpServerLimits limits;
  HttpHandler* handler = nullptr;
  net::thread_pool* workers = nullptr;
  std::atomic<size_t> pending{0};
  // Handlers that may run on I/O threads right now. Running a handler where its request was read
  // saves two thread hand-offs (to a worker and back), which were most of the CPU time per
  // request at full load; beyond this, handlers go to the worker pool.
  std::atomic<int> inline_slots{kInlineHandlers};
};

HttpResponse RunHandler(HttpHandler& handler, const HttpRequest& request) {
  try {
    return handler.OnRequest(request);
  } catch (const std::exception&) {
    return HttpResponse::Text(500, "internal error");
  }
}

bool IsClientGone(const ErrorCode& error) {
  return error == http::error::end_of_stream || error == net::error::eof ||
         error == net::error::connection_reset || error == net::error::broken_pipe ||
         error == net::error::operation_aborted || error == ssl::error::stream_truncated;
}

bool AsksForContinue(const HttpRequest& request) {
  std::string_view expect = request.Header("expect");
  return request.version >= 11 &&
         beast::iequals(beast::string_view(expect.data(), expect.size()), "100-continue");
}

// One client connection: reads requests one after the other (pipelined bytes wait in buffer_)
// and answers each before reading the next. Stream is beast::tcp_stream or its TLS wrapper.
template <class Stream>
class Connection : public std::enable_shared_from_this<Connection<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  template <class... StreamArgs>
  Connection(ServerState& state, ConnectionSlot slot, std::string remote, StreamArgs&&... args)
      : state_(state),
        slot_(std::move(slot)),
        remote_(std::move(remote)),
        stream_(std::forward<StreamArgs>(args)...),
        buffer_(state.limits.max_header_bytes + 16 * 1024) {}

  ~Connection() { ReleasePending(); }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      self->Lowest().expires_after(self->state_.limits.header_timeout);
      if constexpr (kTls) {
        self->stream_.async_handshake(ssl::stream_base::server,
                                      [self](const ErrorCode& error) { self->OnHandshake(error); });
      } else {
        self->ReadHead();
      }
    });
  }

 private:
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }
  // Never past the buffer's limit (flat_buffer::reserve would raise it).
  size_t FirstReadBytes() const { return std::min(kFirstReadBytes, buffer_.max_size()); }

  void OnHandshake(const ErrorCode& error) {
    if (error) {
      Reject(error == beast::error::timeout ? "header_timeout" : "tls_handshake", 0,
             error.message());
      return Close();
    }
    ReadHead();
  }

  // Waits up to idle_timeout for the first byte of a kept-alive connection's next request.
  void WaitForNextRequest() {
    if (buffer_.size() > 0) {  // pipelined: the next request is already here
      Lowest().expires_after(state_.limits.header_timeout);
      return ReadHead();
    }
    Lowest().expires_after(state_.limits.idle_timeout);
    stream_.async_read_some(buffer_.prepare(FirstReadBytes()), [self = this->shared_from_this()](
                                                      const ErrorCode& error, size_t bytes) {
      if (error) return self->Close();  // idle timeout or the client left: nothing to answer
      self->buffer_.commit(bytes);
      self->Lowest().expires_after(self->state_.limits.header_timeout);
      self->ReadHead();
    });
  }

  void ReadHead() {
    request_ = HttpRequest{};
    request_.remote_address = remote_;
    head_.emplace();
    beast_glue::ConfigureHeadParser(*head_, state_.limits);
    // Beast reads what fits in the capacity (at least 512 bytes): see kFirstReadBytes.
    if (buffer_.capacity() < FirstReadBytes()) buffer_.reserve(FirstReadBytes());
    http::async_read_header(
        stream_, buffer_, *head_,
        [self = this->shared_from_this()](const ErrorCode& error, size_t) { self->OnHead(error); });
  }

  void OnHead(const ErrorCode& error) {
    if (error) {
      if (error == beast::error::timeout) {
        Reject("header_timeout", 0, "headers not complete in time");
        return Close();
      }
      if (IsClientGone(error)) return Close();
      if (error == http::error::buffer_overflow) {
        return Refuse({431, "headers_too_large", "request headers too large"});
      }
      return Refuse(beast_glue::FromParserError(error));
    }
    request_ = beast_glue::ToHttpRequest(head_->get(), remote_);
    keep_alive_ = head_->get().keep_alive();
    if (auto framing = CheckRequestHead(request_)) return Refuse(*framing);
    const bool announces_body = beast_glue::AnnouncesBody(*head_);
    HeadDecision decision;
    try {
      decision = state_.handler->OnHead(request_);
    } catch (const std::exception&) {
      decision = HeadDecision::Answer(HttpResponse::Text(500, "internal error"));
    }
    if (decision.answer) {
      bool close = decision.answer->close || announces_body || !keep_alive_;
      return Answer(std::move(*decision.answer), close);
    }
    if (state_.pending.fetch_add(1) >= state_.limits.max_pending_requests) {
      state_.pending.fetch_sub(1);
      HttpResponse busy = HttpResponse::Text(decision.overload_status,
                                             "too many requests in progress; retry later");
      busy.headers.emplace_back("Retry-After", "1");
      Reject("overload", busy.status, "max_pending_requests reached");
      return Answer(std::move(busy), announces_body || !keep_alive_);
    }
    holding_pending_ = true;
    const size_t body_limit =
        decision.body_limit != 0 ? decision.body_limit : state_.limits.max_body_bytes;
    if (beast_glue::BodyLimitExceeded(*head_, body_limit)) {
      ReleasePending();
      return Refuse({413, "too_large", "request body too large"});
    }
    body_.emplace(std::move(*head_));
    head_.reset();
    body_->body_limit(body_limit);
    Lowest().expires_after(state_.limits.body_timeout);
    if (announces_body && AsksForContinue(request_)) {
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = this->shared_from_this()](const ErrorCode& error, size_t) {
                         if (error) {
                           self->ReleasePending();
                           return self->Close();
                         }
                         self->ReadBody();
                       });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(
        stream_, buffer_, *body_,
        [self = this->shared_from_this()](const ErrorCode& error, size_t) { self->OnBody(error); });
  }

  void OnBody(const ErrorCode& error) {
    if (error) {
      ReleasePending();
      if (error == beast::error::timeout) {
        // The stream closed the socket when its timer fired: nothing can be answered.
        Reject("body_timeout", 0, "body not complete in time");
        return Close();
      }
      if (IsClientGone(error)) return Close();
      return Refuse(beast_glue::FromParserError(error));
    }
    request_.body = std::move(body_->get().body());
    body_.reset();
    Lowest().expires_never();  // the client waits for the handler
    if (state_.inline_slots.fetch_sub(1) > 0) {
      HttpResponse response = RunHandler(*state_.handler, request_);
      state_.inline_slots.fetch_add(1);
      ReleasePending();
      bool close = response.close || !keep_alive_;
      return Answer(std::move(response), close);
    }
    state_.inline_slots.fetch_add(1);
    net::post(*state_.workers, [self = this->shared_from_this()] {
      HttpResponse response = RunHandler(*self->state_.handler, self->request_);
      net::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->ReleasePending();
        bool close = response.close || !self->keep_alive_;
        self->Answer(std::move(response), close);
      });
    });
  }

  // Answers a request the server refuses as framed, and closes.
  void Refuse(const FramingError& framing) {
    Reject(framing.reason, framing.status, framing.message);
    Answer(HttpResponse::Text(framing.status, framing.message), true);
  }

  void Reject(std::string_view reason, int status, std::string_view detail) {
    ServerRejection rejection;
    rejection.reason = reason;
    rejection.status = status;
    rejection.path = request_.path;
    rejection.remote_address = remote_;
    rejection.detail = detail;
    state_.handler->OnRejected(rejection);
  }

  void Answer(HttpResponse answer, bool close) {
    auto response = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(answer.status), request_.version == 10 ? 10 : 11);
    response->set(http::field::content_type, answer.content_type);
    for (const auto& [name, value] : answer.headers) response->set(name, value);
    response->body() = std::move(answer.body);
    response->keep_alive(!close);
    response->prepare_payload();
    state_.handler->OnAnswered(request_, answer.status);
    Lowest().expires_after(state_.limits.write_timeout);
    http::async_write(
        stream_, *response,
        [self = this->shared_from_this(), response, close](const ErrorCode& error, size_t) {
          if (error) {
            if (error == beast::error::timeout) {
              self->Reject("write_timeout", 0, "answer not read in time");
            }
            return self->Close();
          }
          if (close) return self->Linger();
          self->WaitForNextRequest();
        });
  }

  // Closes after an answer: stop sending, discard what the client still sends for a moment, so
  // that it reads the answer rather than a reset.
  void Linger() {
    if constexpr (kTls) {
      Lowest().expires_after(std::chrono::seconds(1));
      stream_.async_shutdown(
          [self = this->shared_from_this()](const ErrorCode&) { self->Close(); });
    } else {
      ErrorCode ignored;
      Lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      Lowest().expires_after(kLingerTime);
      discard_ = std::make_unique<char[]>(kLingerChunk);
      Discard();
    }
  }

  void Discard() {
    Lowest().async_read_some(
        net::buffer(discard_.get(), kLingerChunk),
        [self = this->shared_from_this()](const ErrorCode& error, size_t bytes) {
          self->lingered_ += bytes;
          if (error || self->lingered_ >= kLingerBytes) return self->Close();
          self->Discard();
        });
  }

  void Close() {
    ErrorCode ignored;
    Lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Lowest().close();
  }

  void ReleasePending() {
    if (holding_pending_) {
      holding_pending_ = false;
      state_.pending.fetch_sub(1);
    }
  }

  ServerState& state_;
  ConnectionSlot slot_;
  std::string remote_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<beast_glue::HeadParser> head_;
  std::optional<beast_glue::BodyParser> body_;
  HttpRequest request_;
  bool keep_alive_ = true;
  bool holding_pending_ = false;
  std::unique_ptr<char[]> discard_;
  size_t lingered_ = 0;
};

}  // namespace

class HttpServer::Impl {
 public:
  Impl(HttpServerOptions options, HttpHandler* handler, std::shared_ptr<spdlog::logger> log)
      : options_(std::move(options)),
        log_(std::move(log)),
        workers_(std::max<size_t>(1, options_.limits.max_pending_requests)) {
    state_.limits = options_.limits;
    state_.handler = handler;
    state_.workers = &workers_;
  }

  ~Impl() {
    workers_.stop();
    workers_.join();
  }

  Status Bind() {
    if (bound_port_ != 0) return Status::Ok();
    std::string where = options_.host + ":" + std::to_string(options_.port);
    ErrorCode error;
    tcp::endpoint endpoint;
    auto address = net::ip::make_address(options_.host, error);
    if (!error) {
      endpoint = tcp::endpoint(address, static_cast<unsigned short>(options_.port));
    } else {
      tcp::resolver resolver(ioc_);
      auto results = resolver.resolve(options_.host, std::to_string(options_.port), error);
      if (error || results.empty()) {
        return Error{"cannot resolve " + options_.host + ": " + error.message()};
      }
      endpoint = results.begin()->endpoint();
    }
    acceptor_.open(endpoint.protocol(), error);
    // SO_REUSEADDR allows a quick restart; SO_REUSEPORT is never set, so a second process cannot
    // share the port silently.
    if (!error) acceptor_.set_option(net::socket_base::reuse_address(true), error);
    if (!error) acceptor_.bind(endpoint, error);
    if (!error) acceptor_.listen(net::socket_base::max_listen_connections, error);
    if (error) {
      ErrorCode ignored;
      acceptor_.close(ignored);
      return Error{"cannot bind " + where + ": " + error.message()};
    }
    bound_port_ = acceptor_.local_endpoint(error).port();
    limiter_ = std::make_unique<ConnectionLimiter>(FitFileLimit(options_.limits.max_connections),
                                                   options_.limits.max_connections_per_client);
    return Status::Ok();
  }

  int port() const { return bound_port_; }
  // Runs the I/O loop until stopped; an exception escaping a handler (memory exhausted) is logged
  // and the loop goes on, so one request never takes the listener down.
  void RunIo() {
    while (true) {
      try {
        ioc_.run();
        return;
      } catch (const std::exception& error) {
        log_->error("http server: request handling failed: {}", error.what());
      }
    }
  }
  size_t open_connections() const { return limiter_ ? limiter_->open() : 0; }

  Status Run(std::stop_token stop) {
    if (Status bound = Bind(); !bound.ok()) return bound;
    Accept();
    {
      std::stop_callback on_stop(stop, [this] { ioc_.stop(); });
      std::vector<std::thread> more_io;
      for (int i = 1; i < kIoThreads; ++i) more_io.emplace_back([this] { RunIo(); });
      RunIo();
      for (std::thread& thread : more_io) thread.join();
    }
    ErrorCode ignored;
    acceptor_.close(ignored);  // the port is free for a restarted source at once
    // Handlers in progress finish (their answers are not written: the client retries, and the
    // ids they stored make the retry a duplicate); queued ones are dropped.
    workers_.stop();
    workers_.join();
    return Status::Ok();
  }

 private:
  // Raises the soft open-file limit to fit max_connections; returns the connections that fit.
  size_t FitFileLimit(size_t wanted) {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return wanted;
    rlim_t needed = static_cast<rlim_t>(wanted) + kReservedFiles;
    if (limit.rlim_cur < needed && limit.rlim_cur != RLIM_INFINITY) {
      rlimit raised = limit;
      raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? needed : std::min(needed, limit.rlim_max);
      if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
    }
    if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= needed) return wanted;
    size_t fits = limit.rlim_cur > kReservedFiles + 16 ? limit.rlim_cur - kReservedFiles : 16;
    log_->warn(
        "http server: the open-file limit ({}) fits {} connections, not max_connections {}; "
        "raise LimitNOFILE",
        static_cast<unsigned long long>(limit.rlim_cur), fits, wanted);
    return fits;
  }

  void Accept() {
    acceptor_.async_accept(
        net::make_strand(ioc_),
        [this](const ErrorCode& error, tcp::socket socket) { OnAccept(error, std::move(socket)); });
  }

  void OnAccept(const ErrorCode& error, tcp::socket socket) {
    if (error) {
      if (error == net::error::operation_aborted || !acceptor_.is_open()) return;
      // Out of file descriptors (or buffers): wait a little instead of spinning on accept.
      if (!accept_error_logged_) {
        log_->error("http server: accept failed: {} (retrying)", error.message());
        accept_error_logged_ = true;
      }
      accept_retry_.expires_after(std::chrono::milliseconds(50));
      accept_retry_.async_wait([this](const ErrorCode& waited) {
        if (!waited) Accept();
      });
      return;
    }
    accept_error_logged_ = false;
    ErrorCode ignored;
    std::string remote = socket.remote_endpoint(ignored).address().to_string();
    ConnectionLimiter::Refusal refusal = ConnectionLimiter::Refusal::kNone;
    ConnectionSlot slot = limiter_->TryAcquire(remote, &refusal);
    if (!slot.granted()) {
      ServerRejection rejection;
      rejection.reason =
          refusal == ConnectionLimiter::Refusal::kTotal ? "connections" : "client_connections";
      rejection.remote_address = remote;
      rejection.detail = refusal == ConnectionLimiter::Refusal::kTotal
                             ? "max_connections reached"
                             : "max_connections_per_client reached";
      state_.handler->OnRejected(rejection);
      socket.close(ignored);
      return Accept();
    }
    socket.set_option(tcp::no_delay(true), ignored);
    std::shared_ptr<net::ssl::context> tls = CurrentTls();
    if (tls) {
      using TlsStream = beast::ssl_stream<beast::tcp_stream>;
      std::make_shared<Connection<TlsStream>>(state_, std::move(slot), std::move(remote),
                                              std::move(socket), *tls)
          ->Start();
    } else {
      std::make_shared<Connection<beast::tcp_stream>>(state_, std::move(slot), std::move(remote),
                                                      std::move(socket))
          ->Start();
    }
    Accept();
  }

  std::shared_ptr<net::ssl::context> CurrentTls() {
    std::lock_guard lock(tls_mutex_);
    return options_.tls;
  }

 public:
  void ReplaceTls(std::shared_ptr<net::ssl::context> tls) {
    std::lock_guard lock(tls_mutex_);
    // Connections made with the old context keep a reference to it (the stream was built from
    // it), so it is kept until the server goes: one small object per certificate reload.
    if (options_.tls) retired_tls_.push_back(std::move(options_.tls));
    options_.tls = std::move(tls);
  }

 private:
  HttpServerOptions options_;
  std::mutex tls_mutex_;
  std::vector<std::shared_ptr<net::ssl::context>> retired_tls_;
  std::shared_ptr<spdlog::logger> log_;
  ServerState state_;
  std::unique_ptr<ConnectionLimiter> limiter_;
  int bound_port_ = 0;
  bool accept_error_logged_ = false;
  // Destroyed before the members above, together with the connections their queues still hold
  // (which refer to state_ and limiter_); the workers first, while the sockets' io_context lives.
  net::io_context ioc_{kIoThreads};
  tcp::acceptor acceptor_{ioc_};
  net::steady_timer accept_retry_{ioc_};
  net::thread_pool workers_;
};

HttpServer::HttpServer(HttpServerOptions options, HttpHandler* handler,
                       std::shared_ptr<spdlog::logger> log)
    : impl_(std::make_unique<Impl>(std::move(options), handler, std::move(log))) {}
HttpServer::~HttpServer() = default;
Status HttpServer::Bind() { return impl_->Bind(); }
int HttpServer::port() const { return impl_->port(); }
Status HttpServer::Run(std::stop_token stop) { return impl_->Run(stop); }
size_t HttpServer::open_connections() const { return impl_->open_connections(); }
void HttpServer::ReplaceTls(std::shared_ptr<boost::asio::ssl::context> tls) {
  impl_->ReplaceTls(std::move(tls));
}

}  // namespace trailwatch::server
