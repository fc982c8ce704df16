#include "targets/webhook_target.h"
#include "common/wall_clock.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "targets/http_client.h"
#include "targets/http_outcome.h"

namespace trailwatch::targets {

namespace {

std::string Hex(const unsigned char* data, size_t size) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0xf];
  }
  return out;
}

class WebhookTarget : public Target {
 public:
  WebhookTarget(config::TargetConfig config, TargetContext context)
      : config_(std::move(config)), context_(std::move(context)) {}

  Outcome Deliver(const outbox::Entry& entry) override {
    Result<std::string> body =
        MessageBody(config_, entry.alert,
                    [&]() -> Result<std::string> { return entry.alert.envelope.json; });
    if (!body.ok()) return Permanent{"applying the input transformer: " + body.message(), 0};
    HttpRequest request;
    request.url = config_.url.reveal();
    request.headers = {{"Content-Type", "application/json"},
                       {"Idempotency-Key", IdempotencyHeader(entry.idempotency_key)}};
    for (const auto& [name, value] : config_.headers)
      request.headers.push_back({name, value.reveal()});
    // Taken per attempt: a retry is signed again with its own time, so a receiver that rejects
    // old timestamps still accepts it (the Idempotency-Key stays the same across attempts).
    std::string timestamp = UnixSecondsText(WallClockNow(context_.now));
    request.headers.push_back({"X-Trailwatch-Timestamp", timestamp});
    // A send-test sample: the body is the event as EventBridge would send it (its record carries
    // a TrailwatchSendTest note), and this header lets a receiver drop it without parsing.
    if (entry.alert.test) request.headers.push_back({"X-Trailwatch-Test", "true"});
    if (!config_.hmac_secret.empty()) {
      request.headers.push_back(
          {"X-Trailwatch-Signature",
           "sha256=" + WebhookSignatureHex(config_.hmac_secret.reveal(), timestamp, *body)});
    }
    request.body = std::move(body.value());
    request.timeout = config_.timeout;
    auto client = clients_.Acquire();
    return ClassifyHttp("webhook", client->Post(request));
  }

 private:
  config::TargetConfig config_;
  TargetContext context_;
  HttpClientPool clients_{context_.abandon_sends};  // context_ is initialised first
};

}  // namespace

std::string HmacSha256Hex(const std::string& secret, const std::string& body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &size);
  return Hex(mac, size);
}

std::string WebhookSignatureHex(const std::string& secret, const std::string& timestamp,
                                const std::string& body) {
  return HmacSha256Hex(secret, timestamp + "." + body);
}

std::string UnixSecondsText(std::chrono::system_clock::time_point when) {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(when.time_since_epoch()).count());
}

std::string IdempotencyHeader(const std::string& idempotency_key) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(idempotency_key.data()), idempotency_key.size(),
         digest);
  return Hex(digest, 16);
}

std::unique_ptr<Target> MakeWebhookTarget(const config::TargetConfig& target,
                                          const TargetContext& context) {
  return std::make_unique<WebhookTarget>(target, context);
}

}  // namespace trailwatch::targets
