#include "sources/http_source.h"

#include <httplib.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <list>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cloudtrail/envelope.h"
#include "service/metrics.h"
#include "sources/sns_message.h"
#include "sources/sns_verifier.h"

namespace trailwatch::sources {
namespace {

constexpr const char* kRequestsMetric = "trailwatch_http_requests_total";
constexpr const char* kRejectedMetric = "trailwatch_http_rejected_total";
constexpr size_t kRememberedIds = 16384;  // per endpoint; ~1 MB at most

// "host:port" or "[v6]:port".
Result<std::pair<std::string, int>> ParseListen(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == listen.size()) {
    return Error{"listen: \"" + listen + "\" is not host:port"};
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  std::string port_text = listen.substr(colon + 1);
  if (host.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos) {
    return Error{"listen: \"" + listen + "\" is not host:port"};
  }
  int port = std::stoi(port_text);
  if (port > 65535) return Error{"listen: port " + port_text + " is out of range"};
  return std::make_pair(host, port);
}

// Ids already accepted, the oldest forgotten first. Retries of a delivery reuse its id (§5.5,
// §6.4), so a bounded memory of recent ids is enough; the outbox's own key catches the rest.
class RecentIds {
 public:
  explicit RecentIds(size_t capacity) : capacity_(capacity) {}
  bool Contains(const std::string& id) const {
    std::lock_guard lock(mutex_);
    return index_.count(id) != 0;
  }
  void Add(const std::string& id) {
    std::lock_guard lock(mutex_);
    if (index_.count(id) != 0) return;
    order_.push_back(id);
    index_.emplace(order_.back(), std::prev(order_.end()));
    if (order_.size() > capacity_) {
      index_.erase(order_.front());
      order_.pop_front();
    }
  }

 private:
  size_t capacity_;
  mutable std::mutex mutex_;
  std::list<std::string> order_;
  std::unordered_map<std::string, std::list<std::string>::iterator> index_;
};

// Counts a request in flight for as long as the handler runs.
class PendingGuard {
 public:
  explicit PendingGuard(std::atomic<int>& pending) : pending_(pending), count_(++pending) {}
  ~PendingGuard() { --pending_; }
  int count() const { return count_; }

 private:
  std::atomic<int>& pending_;
  int count_;
};

std::array<unsigned char, SHA256_DIGEST_LENGTH> Digest(const std::string& text) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
  return digest;
}

// Text from a request (topic, message id) for a log line: control characters replaced, length
// capped, so a hostile body cannot forge or flood log lines.
std::string Printable(std::string_view text, size_t max = 200) {
  std::string out(text.substr(0, max));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  if (text.size() > max) out += "...";
  return out;
}

std::string EndpointLabel(const std::string& path) {
  if (path == "/events" || path == "/sns" || path == "/healthz" || path == "/metrics") return path;
  return "other";
}

// The envelope fields of formats.md §3.1; `where` is "event" or "event[N]".
Status CheckEnvelope(simdjson::dom::element event, const std::string& where) {
  simdjson::dom::object object;
  if (event.get_object().get(object) != simdjson::SUCCESS) {
    return Error{where + ": not a JSON object"};
  }
  static constexpr const char* kStrings[] = {"version", "id",   "detail-type", "source",
                                             "account", "time", "region"};
  for (const char* field : kStrings) {
    simdjson::dom::element value;
    if (object.at_key(field).get(value) != simdjson::SUCCESS) {
      return Error{where + ": missing \"" + field + "\""};
    }
    if (!value.is_string()) return Error{where + ": \"" + field + "\" is not a string"};
  }
  simdjson::dom::element value;
  if (object.at_key("resources").get(value) != simdjson::SUCCESS) {
    return Error{where + ": missing \"resources\""};
  }
  if (!value.is_array()) return Error{where + ": \"resources\" is not an array"};
  if (object.at_key("detail").get(value) != simdjson::SUCCESS) {
    return Error{where + ": missing \"detail\""};
  }
  if (!value.is_object()) return Error{where + ": \"detail\" is not an object"};
  return Status::Ok();
}

std::string EnvelopeId(simdjson::dom::element event) {
  std::string_view id;
  if (event["id"].get_string().get(id) != simdjson::SUCCESS) return {};
  return std::string(id);
}

}  // namespace

class HttpSource::Server {
 public:
  Server(HttpSourceConfig config, SourceContext context, std::string host, int port)
      : config_(std::move(config)),
        context_(std::move(context)),
        host_(std::move(host)),
        requested_port_(port),
        event_ids_(kRememberedIds),
        sns_ids_(kRememberedIds) {}

  Status Init() {
    if (config_.tls_cert_file.empty() != config_.tls_key_file.empty()) {
      return Error{"tls_cert_file and tls_key_file: set both or neither"};
    }
    if (!config_.tls_cert_file.empty()) {
      auto tls = std::make_unique<httplib::SSLServer>(config_.tls_cert_file.c_str(),
                                                      config_.tls_key_file.c_str());
      if (!tls->is_valid()) {
        return Error{"tls_cert_file/tls_key_file: cannot load the certificate and key (" +
                     config_.tls_cert_file + ", " + config_.tls_key_file + ")"};
      }
      http_ = std::move(tls);
    } else {
      http_ = std::make_unique<httplib::Server>();
    }
    if (config_.max_pending_requests < 1) return Error{"max_pending_requests: must be at least 1"};
    if (config_.max_body_bytes < 1) return Error{"max_body_bytes: must be at least 1"};

    SnsVerifierOptions sns;
    sns.cert_url_pattern = config_.sns_cert_url_pattern;
    sns.ca_file = config_.sns_ca_file;
    sns.max_message_age = config_.sns_max_message_age;
    auto verifier = SnsVerifier::Create(std::move(sns));
    if (!verifier.ok()) return verifier.error();
    verifier_ = std::move(*verifier);

    if (!config_.api_key.empty()) {
      auto digest = Digest(config_.api_key.reveal());
      api_key_digest_.assign(digest.begin(), digest.end());
    }

    // Threads beyond max_pending_requests so that the requests over the limit get their 429
    // quickly instead of queueing behind the ones that wait on the sink.
    size_t threads =
        std::clamp<size_t>(static_cast<size_t>(config_.max_pending_requests) + 4, 4, 256);
    http_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    http_->set_payload_max_length(config_.max_body_bytes);
    http_->set_read_timeout(std::chrono::seconds(5));
    http_->set_write_timeout(std::chrono::seconds(5));
    http_->set_keep_alive_timeout(5);
    http_->set_keep_alive_max_count(1000);
    // The answer's headers and body are separate writes: without TCP_NODELAY, Nagle holds the
    // body until the client's delayed ACK (40 ms on Linux) — every keep-alive request would wait.
    http_->set_tcp_nodelay(true);

    http_->Post("/events", [this](const httplib::Request& req, httplib::Response& res) {
      HandleEvents(req, res);
    });
    http_->Post("/sns", [this](const httplib::Request& req, httplib::Response& res) {
      HandleSns(req, res);
    });
    http_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("ok\n", "text/plain");
    });
    http_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(context_.metrics->RenderPrometheus(), "text/plain; version=0.0.4");
    });
    http_->set_exception_handler(
        [this](const httplib::Request& req, httplib::Response& res, std::exception_ptr error) {
          std::string what = "unknown exception";
          try {
            std::rethrow_exception(error);
          } catch (const std::exception& e) {
            what = e.what();
          } catch (...) {
          }
          context_.log->error("{} {}: internal error: {}", name(), EndpointLabel(req.path), what);
          res.status = 500;
          res.set_content("internal error\n", "text/plain");
        });
    // cpp-httplib inflates gzip/deflate/br request bodies without applying the payload limit to
    // the inflated size (measured with 0.11.4: 1 KB of gzip became a 1 MB body), so compressed
    // bodies are refused before they are read. Neither EventBridge nor SNS compresses requests.
    http_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      std::string encoding = req.get_header_value("Content-Encoding");
      if (encoding.empty() || encoding == "identity")
        return httplib::Server::HandlerResponse::Unhandled;
      res.set_header("Connection", "close");
      Reject(res, EndpointLabel(req.path).c_str(), 415, "encoding",
             "Content-Encoding is not supported; send the body uncompressed");
      return httplib::Server::HandlerResponse::Handled;
    });
    // httplib's default sets SO_REUSEPORT, which would let a second process share the port
    // silently; SO_REUSEADDR alone still allows a quick restart.
    http_->set_socket_options([](int fd) {
      int yes = 1;
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    });
    // The post-routing handler runs for every answer (httplib's own 404/413 included) before it
    // is written, so a client that has its answer also sees it counted.
    http_->set_post_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      std::string endpoint = EndpointLabel(req.path);
      context_.metrics->Add(kRequestsMetric,
                            {{"endpoint", endpoint}, {"status", std::to_string(res.status)}});
      // httplib answers 413 itself, before any handler runs.
      if (res.status == 413) {
        context_.metrics->Add(kRejectedMetric, {{"endpoint", endpoint}, {"reason", "too_large"}});
      }
    });

    context_.metrics->Describe(kRequestsMetric, "counter",
                               "HTTP requests to the http source by endpoint and status.");
    context_.metrics->Describe(kRejectedMetric, "counter",
                               "Requests the http source refused, by endpoint and reason.");
    if (api_key_digest_.empty()) {
      context_.log->warn("{}: no api_key configured: POST /events refuses every request", name());
    }
    if (config_.sns_topics.empty()) {
      context_.log->info("{}: no sns_topics configured: POST /sns refuses every message", name());
    }
    return Status::Ok();
  }

  std::string name() const { return "http:" + config_.listen; }
  int port() const { return bound_port_; }

  Status Bind() {
    if (bound_port_ != 0) return Status::Ok();
    int port = requested_port_;
    if (port == 0) {
      port = http_->bind_to_any_port(host_);
      if (port <= 0) return Error{name() + ": cannot bind " + host_ + " on an ephemeral port"};
    } else if (!http_->bind_to_port(host_, port)) {
      return Error{name() + ": cannot bind " + config_.listen};
    }
    bound_port_ = port;
    return Status::Ok();
  }

  Status Run(std::stop_token stop, EventSink& sink) {
    if (Status bound = Bind(); !bound.ok()) return bound;
    sink_.store(&sink);
    context_.log->info("{}: listening on port {}{}", name(), bound_port_,
                       config_.tls_cert_file.empty() ? "" : " (https)");
    std::mutex mutex;
    std::condition_variable_any done_cv;
    bool done = false;
    bool served = false;
    std::thread listener([&] {
      bool ok = http_->listen_after_bind();
      std::lock_guard lock(mutex);
      served = ok;
      done = true;
      done_cv.notify_all();
    });
    {
      std::unique_lock lock(mutex);
      done_cv.wait(lock, stop, [&] { return done; });
    }
    // stop() is a no-op until the listener has started: wait for it (or for its failure).
    while (true) {
      {
        std::lock_guard lock(mutex);
        if (done) break;
      }
      if (http_->is_running()) {
        http_->stop();
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    listener.join();
    sink_.store(nullptr);
    if (!stop.stop_requested() && !served)
      return Error{name() + ": the server stopped unexpectedly"};
    context_.log->info("{}: stopped", name());
    return Status::Ok();
  }

 private:
  void Reject(httplib::Response& res, const std::string& endpoint, int status, const char* reason,
              const std::string& message) {
    res.status = status;
    res.set_content(message + "\n", "text/plain");
    context_.metrics->Add(kRejectedMetric, {{"endpoint", endpoint}, {"reason", reason}});
  }

  void Overloaded(httplib::Response& res, const char* endpoint, int status) {
    res.set_header("Retry-After", "1");
    Reject(res, endpoint, status, "overload", "too many requests in progress");
  }

  // Submits and answers: `ok_status` after Submit succeeded, 503 otherwise.
  bool Submit(httplib::Response& res, const char* endpoint, std::span<const SourceEvent> events) {
    EventSink* sink = sink_.load();
    Status submitted =
        sink == nullptr ? Status(Error{"not running"}) : sink->Submit(name(), events);
    if (!submitted.ok()) {
      context_.log->error("{} {}: could not store {} event(s), answering 503: {}", name(), endpoint,
                          events.size(), submitted.message());
      res.set_header("Retry-After", "5");
      Reject(res, endpoint, 503, "unavailable", "events not stored; retry later");
      return false;
    }
    return true;
  }

  bool Authorized(const httplib::Request& req) const {
    if (api_key_digest_.empty() || !req.has_header(config_.api_key_header.c_str())) return false;
    auto presented = Digest(req.get_header_value(config_.api_key_header.c_str()));
    return CRYPTO_memcmp(presented.data(), api_key_digest_.data(), presented.size()) == 0;
  }

  void HandleEvents(const httplib::Request& req, httplib::Response& res) {
    constexpr const char* kEndpoint = "/events";
    if (!Authorized(req)) {
      res.set_header("WWW-Authenticate", "ApiKey");
      return Reject(res, kEndpoint, 401, "auth", "missing or wrong API key");
    }
    PendingGuard pending(pending_);
    if (pending.count() > config_.max_pending_requests) return Overloaded(res, kEndpoint, 429);

    simdjson::dom::parser parser;
    simdjson::padded_string body(req.body);
    simdjson::dom::element root;
    if (auto error = parser.parse(body).get(root); error != simdjson::SUCCESS) {
      return Reject(res, kEndpoint, 400, "malformed",
                    std::string("body: not JSON (") + simdjson::error_message(error) + ")");
    }
    std::vector<simdjson::dom::element> elements;
    std::vector<std::string> wheres;
    simdjson::dom::array array;
    if (root.get_array().get(array) == simdjson::SUCCESS) {
      size_t index = 0;
      for (simdjson::dom::element element : array) {
        elements.push_back(element);
        wheres.push_back("event[" + std::to_string(index++) + "]");
      }
      if (elements.empty()) return Reject(res, kEndpoint, 400, "malformed", "body: empty array");
    } else {
      elements.push_back(root);
      wheres.push_back("event");
    }
    std::vector<SourceEvent> events;
    std::vector<std::string> ids;
    size_t duplicates = 0;
    for (size_t i = 0; i < elements.size(); ++i) {
      if (Status valid = CheckEnvelope(elements[i], wheres[i]); !valid.ok()) {
        return Reject(res, kEndpoint, 400, "malformed", valid.message());
      }
      std::string id = EnvelopeId(elements[i]);
      if (event_ids_.Contains(id) || std::find(ids.begin(), ids.end(), id) != ids.end()) {
        ++duplicates;
        continue;
      }
      ids.push_back(std::move(id));
      events.push_back({simdjson::minify(elements[i]), "http:/events"});
    }
    if (!events.empty()) {
      if (!Submit(res, kEndpoint, events)) return;
      for (const std::string& id : ids) event_ids_.Add(id);
    }
    res.status = 202;
    res.set_content("{\"accepted\":" + std::to_string(events.size()) +
                        ",\"duplicates\":" + std::to_string(duplicates) + "}",
                    "application/json");
  }

  // A Notification's Message: an EventBridge event, a CloudTrail record, or {"Records": [...]}.
  Result<std::vector<SourceEvent>> EventsFromMessage(const SnsMessage& message) {
    simdjson::dom::parser parser;
    simdjson::padded_string text(message.message);
    simdjson::dom::element root;
    simdjson::dom::object object;
    if (parser.parse(text).get(root) != simdjson::SUCCESS ||
        root.get_object().get(object) != simdjson::SUCCESS) {
      return Error{"Message: not a JSON object"};
    }
    const std::string origin = "sns:" + message.message_id;
    std::vector<SourceEvent> events;
    simdjson::dom::element unused;
    if (object.at_key("detail-type").get(unused) == simdjson::SUCCESS ||
        object.at_key("detail").get(unused) == simdjson::SUCCESS) {
      if (Status valid = CheckEnvelope(root, "Message"); !valid.ok()) return Error{valid.message()};
      events.push_back({simdjson::minify(root), origin});
      return events;
    }
    cloudtrail::EnvelopeBuilder builder;
    auto add_record = [&](simdjson::dom::element record, const std::string& where) -> Status {
      auto envelope = builder.Build(std::string_view(simdjson::minify(record)));
      if (!envelope.ok()) return Error{where + ": " + envelope.message()};
      events.push_back({std::move(envelope->json), origin});
      return Status::Ok();
    };
    simdjson::dom::array records;
    if (object.at_key("Records").get_array().get(records) == simdjson::SUCCESS) {
      size_t index = 0;
      for (simdjson::dom::element record : records) {
        if (Status added = add_record(record, "Message.Records[" + std::to_string(index++) + "]");
            !added.ok()) {
          return Error{added.message()};
        }
      }
      if (events.empty()) return Error{"Message: empty Records"};
      return events;
    }
    if (object.at_key("eventID").get(unused) == simdjson::SUCCESS ||
        object.at_key("eventVersion").get(unused) == simdjson::SUCCESS) {
      if (Status added = add_record(root, "Message"); !added.ok()) return Error{added.message()};
      return events;
    }
    return Error{"Message: neither an EventBridge event nor a CloudTrail record"};
  }

  void HandleSns(const httplib::Request& req, httplib::Response& res) {
    constexpr const char* kEndpoint = "/sns";
    PendingGuard pending(pending_);
    // SNS retries 5xx but never 4xx (§5.5), so overload is a 503 here.
    if (pending.count() > config_.max_pending_requests) return Overloaded(res, kEndpoint, 503);

    if (req.get_header_value("x-amz-sns-rawdelivery") == "true") {
      return Reject(res, kEndpoint, 400, "malformed",
                    "raw message delivery carries no signature; turn it off for this subscription");
    }
    std::string header_type = req.get_header_value("x-amz-sns-message-type");
    std::string header_id = req.get_header_value("x-amz-sns-message-id");
    std::string header_topic = req.get_header_value("x-amz-sns-topic-arn");
    if (!header_type.empty() && !ParseSnsMessageType(header_type)) {
      return Reject(res, kEndpoint, 400, "malformed", "x-amz-sns-message-type: unknown type");
    }
    if (!header_id.empty() && sns_ids_.Contains(header_id)) {
      res.set_content("ok\n", "text/plain");  // a retry of a message already stored
      return;
    }
    auto parsed = ParseSnsMessage(req.body);
    if (!parsed.ok()) return Reject(res, kEndpoint, 400, "malformed", parsed.message());
    const SnsMessage& message = *parsed;
    const char* type_name = SnsMessageTypeName(message.type);
    if (!header_type.empty() && header_type != type_name) {
      return Reject(res, kEndpoint, 400, "malformed",
                    "x-amz-sns-message-type does not match the body's Type");
    }
    if (!header_topic.empty() && header_topic != message.topic_arn) {
      return Reject(res, kEndpoint, 400, "malformed",
                    "x-amz-sns-topic-arn does not match the body's TopicArn");
    }
    if (!header_id.empty() && header_id != message.message_id) {
      return Reject(res, kEndpoint, 400, "malformed",
                    "x-amz-sns-message-id does not match the body's MessageId");
    }
    // Pinned before anything is fetched (§5.4).
    if (std::find(config_.sns_topics.begin(), config_.sns_topics.end(), message.topic_arn) ==
        config_.sns_topics.end()) {
      context_.log->warn("{} /sns: {} for topic {} refused: topic not in sns_topics", name(),
                         type_name, Printable(message.topic_arn));
      return Reject(res, kEndpoint, 403, "topic", "topic not allowed");
    }
    if (sns_ids_.Contains(message.message_id)) {
      res.set_content("ok\n", "text/plain");
      return;
    }
    SnsVerdict verdict = verifier_->Verify(message);
    if (!verdict.ok()) {
      int status = verdict.failure == SnsVerdict::Failure::kUnavailable ? 503
                   : verdict.failure == SnsVerdict::Failure::kStale     ? 400
                                                                        : 403;
      context_.log->warn("{} /sns: {} {} from topic {} refused: {}", name(), type_name,
                         Printable(message.message_id), message.topic_arn,
                         Printable(verdict.message, 400));
      if (status == 503) res.set_header("Retry-After", "5");
      return Reject(res, kEndpoint, status, SnsFailureLabel(verdict.failure),
                    status == 503 ? "signing certificate unavailable; retry later"
                                  : "message verification failed: " +
                                        std::string(SnsFailureLabel(verdict.failure)));
    }

    switch (message.type) {
      case SnsMessageType::kSubscriptionConfirmation: {
        if (Status url = CheckSubscribeUrl(message.subscribe_url, message.topic_arn,
                                           message.signing_cert_url, config_.sns_cert_url_pattern);
            !url.ok()) {
          context_.log->warn("{} /sns: subscription to {} not confirmed: {}", name(),
                             message.topic_arn, url.message());
          return Reject(res, kEndpoint, 403, "subscribe_url", url.message());
        }
        if (Status confirmed = verifier_->Confirm(message); !confirmed.ok()) {
          context_.log->error("{} /sns: subscription to {} not confirmed: {}", name(),
                              message.topic_arn, confirmed.message());
          res.set_header("Retry-After", "5");
          return Reject(res, kEndpoint, 503, "confirm_failed", "confirmation failed; retry later");
        }
        context_.log->info("{} /sns: confirmed the subscription to {}", name(), message.topic_arn);
        break;
      }
      case SnsMessageType::kUnsubscribeConfirmation:
        // Never visited: its SubscribeURL would re-subscribe (§5.2, §5.5).
        context_.log->warn(
            "{} /sns: topic {} unsubscribed this endpoint; no more events will arrive from it",
            name(), message.topic_arn);
        context_.metrics->Add("trailwatch_sns_unsubscribed_total", {{"topic", message.topic_arn}});
        break;
      case SnsMessageType::kNotification: {
        auto events = EventsFromMessage(message);
        if (!events.ok()) {
          context_.log->warn("{} /sns: notification {} from {} refused: {}", name(),
                             message.message_id, message.topic_arn,
                             Printable(events.message(), 400));
          return Reject(res, kEndpoint, 400, "malformed", events.message());
        }
        if (!Submit(res, kEndpoint, *events)) return;
        break;
      }
    }
    sns_ids_.Add(message.message_id);
    res.set_content("ok\n", "text/plain");
  }

  HttpSourceConfig config_;
  SourceContext context_;
  std::string host_;
  int requested_port_;
  int bound_port_ = 0;
  std::unique_ptr<httplib::Server> http_;
  std::unique_ptr<SnsVerifier> verifier_;
  std::vector<unsigned char> api_key_digest_;  // SHA-256 of the key; empty = no key
  std::atomic<EventSink*> sink_{nullptr};
  std::atomic<int> pending_{0};
  RecentIds event_ids_;
  RecentIds sns_ids_;
};

HttpSource::HttpSource(std::unique_ptr<Server> server) : server_(std::move(server)) {}
HttpSource::~HttpSource() = default;

Result<std::unique_ptr<HttpSource>> HttpSource::Create(HttpSourceConfig config,
                                                       SourceContext context) {
  auto listen = ParseListen(config.listen);
  if (!listen.ok()) return listen.error();
  auto server = std::make_unique<Server>(std::move(config), std::move(context), listen->first,
                                         listen->second);
  if (Status ok = server->Init(); !ok.ok()) return Error{"http source: " + ok.message()};
  return std::unique_ptr<HttpSource>(new HttpSource(std::move(server)));
}

std::string HttpSource::name() const { return server_->name(); }
Status HttpSource::Bind() { return server_->Bind(); }
int HttpSource::port() const { return server_->port(); }
Status HttpSource::Run(std::stop_token stop, EventSink& sink) { return server_->Run(stop, sink); }

}  // namespace trailwatch::sources
