#include "sources/http_endpoints.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <mutex>
#include <optional>
#include <unordered_set>
#include <utility>

#include "envelope/envelope.h"
#include "envelope/validate_envelope.h"
#include "telemetry/metrics.h"
#include "sources/sns_message.h"
#include "sources/sns_verifier.h"

namespace trailwatch::sources {

using server::HeadDecision;
using server::HttpRequest;
using server::HttpResponse;

// Ids already accepted, the oldest forgotten first. Retries of a delivery reuse its id, so a
// bounded memory of recent ids is enough; the outbox's own key catches the rest.
class RecentIds {
 public:
  explicit RecentIds(size_t capacity) : ring_(capacity) { index_.reserve(capacity); }
  bool Contains(std::string_view id) const {
    std::lock_guard lock(mutex_);
    return index_.count(id) != 0;
  }
  void Add(std::string_view id) {
    std::lock_guard lock(mutex_);
    if (ring_.empty() || id.empty() || index_.count(id) != 0) return;
    // The oldest id leaves; its slot's buffer is reused (ids are about the same length), so a
    // warm ring allocates only the index node.
    std::string& slot = ring_[next_];
    if (!slot.empty()) index_.erase(std::string_view(slot));
    slot.assign(id);
    index_.insert(std::string_view(slot));
    next_ = (next_ + 1) % ring_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> ring_;  // the remembered ids, oldest at next_
  size_t next_ = 0;
  std::unordered_set<std::string_view> index_;  // views of ring_'s strings
};

namespace {

constexpr const char* kRequestsMetric = "trailwatch_http_requests_total";
constexpr const char* kRejectedMetric = "trailwatch_http_rejected_total";
constexpr size_t kRememberedIds = 16384;  // per endpoint; ~1 MB at most
constexpr auto kRejectionLogInterval = std::chrono::seconds(60);

// SHA-256 of `text`; nullopt when OpenSSL fails (then nothing is authorized).
std::optional<std::array<unsigned char, SHA256_DIGEST_LENGTH>> Digest(const EVP_MD* sha256,
                                                                      std::string_view text) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest.data(), &length, sha256, nullptr) != 1 ||
      length != digest.size()) {
    return std::nullopt;
  }
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

std::string_view EndpointLabel(std::string_view path) {
  if (path == "/events" || path == "/sns" || path == "/healthz" || path == "/metrics") return path;
  return "other";
}

// An event received over HTTP: EventBridge's rule (validate_envelope.h), plus an object `detail`,
// which EventBridge always sends and the alert views and templates read. `where` is "event",
// "event[N]" or "Message". Fills *out with the header and the minified text.
Status AcceptEnvelope(simdjson::dom::element event, const std::string& where,
                      envelope::Envelope* out) {
  if (Status valid = envelope::ValidateEnvelope(event, out); !valid.ok()) {
    return Error{where + ": " + valid.message()};
  }
  simdjson::dom::element detail;
  if (event.get_object().at_key("detail").get(detail) != simdjson::SUCCESS) {
    return Error{where + ": missing \"detail\""};
  }
  if (!detail.is_object()) return Error{where + ": \"detail\" is not an object"};
  out->json = simdjson::minify(event);
  return Status::Ok();
}

HttpResponse Json(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.content_type = "application/json";
  response.body = std::move(body);
  return response;
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
    SourceEvent event;
    if (Status valid = AcceptEnvelope(root, "Message", &event.envelope); !valid.ok()) {
      return Error{valid.message()};
    }
    event.origin = origin;
    events.push_back(std::move(event));
    return events;
  }
  envelope::EnvelopeBuilder builder;
  auto add_record = [&](simdjson::dom::element record, const std::string& where) -> Status {
    auto envelope = builder.Build(std::string_view(simdjson::minify(record)));
    if (!envelope.ok()) return Error{where + ": " + envelope.message()};
    events.push_back({std::move(*envelope), origin});
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

}  // namespace

HttpEndpoints::HttpEndpoints(const HttpSourceConfig& config, SourceContext context,
                             std::string name)
    : config_(config),
      context_(std::move(context)),
      name_(std::move(name)),
      event_ids_(std::make_unique<RecentIds>(kRememberedIds)),
      sns_ids_(std::make_unique<RecentIds>(kRememberedIds)),
      rejection_log_(kRejectionLogInterval) {}

HttpEndpoints::~HttpEndpoints() = default;

Result<std::unique_ptr<HttpEndpoints>> HttpEndpoints::Create(const HttpSourceConfig& config,
                                                             SourceContext context,
                                                             std::string name) {
  std::unique_ptr<HttpEndpoints> endpoints(
      new HttpEndpoints(config, std::move(context), std::move(name)));
  SnsVerifierOptions sns;
  sns.cert_url_pattern = config.sns_cert_url_pattern;
  sns.ca_file = config.sns_ca_file;
  sns.max_message_age = config.sns_max_message_age;
  auto verifier = SnsVerifier::Create(std::move(sns));
  if (!verifier.ok()) return verifier.error();
  endpoints->verifier_ = std::move(*verifier);
  // Request header names arrive in lower case (server::HttpRequest).
  endpoints->api_key_header_ = config.api_key_header;
  std::transform(endpoints->api_key_header_.begin(), endpoints->api_key_header_.end(),
                 endpoints->api_key_header_.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  endpoints->sha256_.reset(EVP_MD_fetch(nullptr, "SHA256", nullptr));
  if (endpoints->sha256_ == nullptr) return Error{"http source: OpenSSL has no SHA-256"};
  if (!config.api_key.empty()) {
    auto digest = Digest(endpoints->sha256_.get(), config.api_key.reveal());
    if (!digest) return Error{"http source: cannot digest the api_key with SHA-256"};
    endpoints->api_key_digest_.assign(digest->begin(), digest->end());
  }
  telemetry::Metrics& metrics = *endpoints->context_.metrics;
  metrics.Describe(kRequestsMetric, "counter",
                   "HTTP requests to the http source by endpoint and status.");
  metrics.Describe(kRejectedMetric, "counter",
                   "Requests and connections the http source refused, by endpoint and reason.");
  return endpoints;
}

void HttpEndpoints::FreeEvpMd::operator()(EVP_MD* md) const { EVP_MD_free(md); }

bool HttpEndpoints::Authorized(const HttpRequest& request) const {
  if (api_key_digest_.empty() || !request.HasHeader(api_key_header_)) return false;
  auto presented = Digest(sha256_.get(), request.Header(api_key_header_));
  return presented &&
         CRYPTO_memcmp(presented->data(), api_key_digest_.data(), presented->size()) == 0;
}

void HttpEndpoints::CountAndLogRejection(std::string_view endpoint, std::string_view reason,
                                         int status, std::string_view remote,
                                         std::string_view detail) {
  context_.metrics->Add(kRejectedMetric,
                        {{"endpoint", std::string(endpoint)}, {"reason", std::string(reason)}});
  std::string key = std::string(endpoint) + " " + std::string(reason);
  size_t count = rejection_log_.Admit(key);
  if (count == 0) return;
  std::string answer = status == 0 ? "connection closed" : std::to_string(status);
  if (count == 1) {
    context_.log->warn("{} {}: refused ({}, {}) from {}: {}", name_, endpoint, reason, answer,
                       Printable(remote, 64), Printable(detail, 300));
  } else {
    context_.log->warn("{} {}: refused {} times in the last {} s ({}, {}); last from {}: {}", name_,
                       endpoint, count, kRejectionLogInterval.count(), reason, answer,
                       Printable(remote, 64), Printable(detail, 300));
  }
}

HttpResponse HttpEndpoints::Reject(const HttpRequest& request, int status, const char* reason,
                                   const std::string& message) {
  CountAndLogRejection(EndpointLabel(request.path), reason, status, request.remote_address,
                       message);
  return HttpResponse::Text(status, message);
}

void HttpEndpoints::OnRejected(const server::ServerRejection& rejection) {
  std::string_view endpoint =
      rejection.path.empty() ? std::string_view("connection") : EndpointLabel(rejection.path);
  CountAndLogRejection(endpoint, rejection.reason, rejection.status, rejection.remote_address,
                       rejection.detail);
}

void HttpEndpoints::OnAnswered(const HttpRequest& request, int status) {
  char status_text[8];
  auto printed = std::to_chars(status_text, status_text + sizeof status_text, status);
  context_.metrics->Add(kRequestsMetric,
                        {{"endpoint", EndpointLabel(request.path)},
                         {"status", std::string_view(status_text, printed.ptr - status_text)}});
}

HeadDecision HttpEndpoints::OnHead(const HttpRequest& request) {
  const std::string& path = request.path;
  const bool get = request.method == "GET";
  if (path == "/healthz" && get) {
    if (context_.readiness != nullptr && !context_.readiness->ready()) {
      return HeadDecision::Answer(
          HttpResponse::Text(503, "not ready\n" + context_.readiness->Describe()));
    }
    return HeadDecision::Answer(HttpResponse::Text(200, "ok"));
  }
  if (path == "/metrics" && get) {
    HttpResponse response;
    response.content_type = "text/plain; version=0.0.4";
    response.body = context_.metrics->RenderPrometheus();
    return HeadDecision::Answer(std::move(response));
  }
  if (path != "/events" && path != "/sns") {
    return HeadDecision::Answer(HttpResponse::Text(404, "not found"));
  }
  if (request.method != "POST") {
    HttpResponse response = HttpResponse::Text(405, "method not allowed; use POST");
    response.headers.emplace_back("Allow", "POST");
    return HeadDecision::Answer(std::move(response));
  }
  if (path == "/events" && !Authorized(request)) {
    HttpResponse response = Reject(request, 401, "auth", "missing or wrong API key");
    response.headers.emplace_back("WWW-Authenticate", "ApiKey");
    return HeadDecision::Answer(std::move(response));
  }
  // Neither EventBridge nor SNS compresses requests; an inflated body would escape the limit.
  std::string_view encoding = request.Header("content-encoding");
  if (!encoding.empty() && encoding != "identity") {
    return HeadDecision::Answer(Reject(
        request, 415, "encoding", "Content-Encoding is not supported; send the body uncompressed"));
  }
  if (path == "/sns") {
    if (request.Header("x-amz-sns-rawdelivery") == "true") {
      return HeadDecision::Answer(
          Reject(request, 400, "malformed",
                 "raw message delivery carries no signature; turn it off for this subscription"));
    }
    std::string_view type = request.Header("x-amz-sns-message-type");
    if (!type.empty() && !ParseSnsMessageType(std::string(type))) {
      return HeadDecision::Answer(
          Reject(request, 400, "malformed", "x-amz-sns-message-type: unknown type"));
    }
    std::string_view id = request.Header("x-amz-sns-message-id");
    if (!id.empty() && sns_ids_->Contains(id)) {
      // A retry of a message already stored: acknowledged without reading it again.
      return HeadDecision::Answer(HttpResponse::Text(200, "ok"));
    }
    // SNS retries 5xx but never 4xx, so overload is a 503 here.
    return HeadDecision::ReadBody(config_.limits.max_body_bytes, 503);
  }
  return HeadDecision::ReadBody(config_.limits.max_body_bytes, 429);
}

HttpResponse HttpEndpoints::OnRequest(const HttpRequest& request) {
  // The body is in: the events' ingest-to-commit time starts here (SNS verification included).
  const auto received = std::chrono::steady_clock::now();
  if (request.path == "/events") return HandleEvents(request, received);
  return HandleSns(request, received);
}

bool HttpEndpoints::Submit(const HttpRequest& request, std::span<const SourceEvent> events,
                           HttpResponse* failure) {
  EventSink* sink = sink_.load();
  Status submitted = sink == nullptr ? Status(Error{"not running"}) : sink->Submit(name_, events);
  if (submitted.ok()) return true;
  // Through the throttled rejection log: while the store is unavailable every request fails the
  // same way, and a line per request would flood the log.
  CountAndLogRejection(
      EndpointLabel(request.path), "unavailable", 503, request.remote_address,
      "could not store " + std::to_string(events.size()) + " event(s): " + submitted.message());
  *failure = HttpResponse::Text(503, "events not stored; retry later");
  failure->headers.emplace_back("Retry-After", "5");
  return false;
}

HttpResponse HttpEndpoints::HandleEvents(const HttpRequest& request,
                                         std::chrono::steady_clock::time_point received) {
  simdjson::dom::parser parser;
  simdjson::padded_string body(request.body);
  simdjson::dom::element root;
  if (auto error = parser.parse(body).get(root); error != simdjson::SUCCESS) {
    return Reject(request, 400, "malformed",
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
    if (elements.empty()) return Reject(request, 400, "malformed", "body: empty array");
  } else {
    elements.push_back(root);
    wheres.push_back("event");
  }
  std::vector<SourceEvent> events;
  std::vector<std::string> ids;
  size_t duplicates = 0;
  for (size_t i = 0; i < elements.size(); ++i) {
    SourceEvent event;
    if (Status valid = AcceptEnvelope(elements[i], wheres[i], &event.envelope); !valid.ok()) {
      return Reject(request, 400, "malformed", valid.message());
    }
    // EventBridge retries with the same id; an id that is not a string (empty here) cannot be
    // told apart from another, so such events are never taken for repeats.
    const std::string& id = event.envelope.id;
    if (!id.empty()) {
      if (event_ids_->Contains(id) || std::find(ids.begin(), ids.end(), id) != ids.end()) {
        ++duplicates;
        continue;
      }
      ids.push_back(id);
    }
    event.origin = "http:/events";
    event.received = received;
    events.push_back(std::move(event));
  }
  if (!events.empty()) {
    HttpResponse failure;
    if (!Submit(request, events, &failure)) return failure;
    for (const std::string& id : ids) event_ids_->Add(id);
  }
  return Json(202, "{\"accepted\":" + std::to_string(events.size()) +
                       ",\"duplicates\":" + std::to_string(duplicates) + "}");
}

HttpResponse HttpEndpoints::HandleSns(const HttpRequest& request,
                                      std::chrono::steady_clock::time_point received) {
  std::string header_type(request.Header("x-amz-sns-message-type"));
  std::string_view header_id = request.Header("x-amz-sns-message-id");
  std::string_view header_topic = request.Header("x-amz-sns-topic-arn");
  auto parsed = ParseSnsMessage(request.body);
  if (!parsed.ok()) return Reject(request, 400, "malformed", parsed.message());
  const SnsMessage& message = *parsed;
  const char* type_name = SnsMessageTypeName(message.type);
  if (!header_type.empty() && header_type != type_name) {
    return Reject(request, 400, "malformed",
                  "x-amz-sns-message-type does not match the body's Type");
  }
  if (!header_topic.empty() && header_topic != message.topic_arn) {
    return Reject(request, 400, "malformed",
                  "x-amz-sns-topic-arn does not match the body's TopicArn");
  }
  if (!header_id.empty() && header_id != message.message_id) {
    return Reject(request, 400, "malformed",
                  "x-amz-sns-message-id does not match the body's MessageId");
  }
  // Pinned before anything is fetched.
  if (std::find(config_.sns_topics.begin(), config_.sns_topics.end(), message.topic_arn) ==
      config_.sns_topics.end()) {
    return Reject(request, 403, "topic",
                  std::string(type_name) + " for topic " + Printable(message.topic_arn) +
                      " refused: topic not in sns_topics");
  }
  if (sns_ids_->Contains(message.message_id)) return HttpResponse::Text(200, "ok");
  SnsVerdict verdict = verifier_->Verify(message);
  if (!verdict.ok()) {
    int status = verdict.failure == SnsVerdict::Failure::kUnavailable ? 503
                 : verdict.failure == SnsVerdict::Failure::kStale     ? 400
                                                                      : 403;
    context_.log->warn("{} /sns: {} {} from topic {} refused: {}", name_, type_name,
                       Printable(message.message_id), Printable(message.topic_arn),
                       Printable(verdict.message, 400));
    HttpResponse response = Reject(
        request, status, SnsFailureLabel(verdict.failure),
        status == 503
            ? "signing certificate unavailable; retry later"
            : "message verification failed: " + std::string(SnsFailureLabel(verdict.failure)));
    if (status == 503) response.headers.emplace_back("Retry-After", "5");
    return response;
  }

  switch (message.type) {
    case SnsMessageType::kSubscriptionConfirmation: {
      if (Status url = CheckSubscribeUrl(message.subscribe_url, message.topic_arn,
                                         message.signing_cert_url, config_.sns_cert_url_pattern);
          !url.ok()) {
        return Reject(
            request, 403, "subscribe_url",
            "subscription to " + Printable(message.topic_arn) + " not confirmed: " + url.message());
      }
      if (Status confirmed = verifier_->Confirm(message); !confirmed.ok()) {
        context_.log->error("{} /sns: subscription to {} not confirmed: {}", name_,
                            Printable(message.topic_arn), confirmed.message());
        HttpResponse response =
            Reject(request, 503, "confirm_failed", "confirmation failed; retry later");
        response.headers.emplace_back("Retry-After", "5");
        return response;
      }
      context_.log->info("{} /sns: confirmed the subscription to {}", name_,
                         Printable(message.topic_arn));
      break;
    }
    case SnsMessageType::kUnsubscribeConfirmation:
      // Never visited: its SubscribeURL would re-subscribe.
      context_.log->warn(
          "{} /sns: topic {} unsubscribed this endpoint; no more events will arrive from it", name_,
          Printable(message.topic_arn));
      context_.metrics->Add("trailwatch_sns_unsubscribed_total", {{"topic", message.topic_arn}});
      break;
    case SnsMessageType::kNotification: {
      auto events = EventsFromMessage(message);
      if (!events.ok()) {
        return Reject(request, 400, "malformed",
                      "notification " + Printable(message.message_id) + ": " + events.message());
      }
      for (SourceEvent& event : *events) event.received = received;
      HttpResponse failure;
      if (!Submit(request, *events, &failure)) return failure;
      break;
    }
  }
  sns_ids_->Add(message.message_id);
  return HttpResponse::Text(200, "ok");
}

}  // namespace trailwatch::sources
