// A spec-exact fake Amazon SNS for the HTTP source's tests (docs/reference/formats.md §9.4): moto
// cannot be used (no x-amz-sns-* headers, no confirmation POST, Subject left out of the signature),
// so the tests play SNS themselves.
//
//  * TestPki: a throw-away test CA, an SNS signing certificate (O=Amazon, CN=sns.amazonaws.com,
//    keyUsage digitalSignature), an HTTPS server certificate for 127.0.0.1, and forgeries (a
//    signing certificate from another CA, one with the wrong subject). Made with the `openssl` CLI
//    once per build directory (build/<dir>/test-pki-<hash of the recipe>; no key is committed):
//    ctest runs every test in its own process, and nine RSA keys per test cost ~2 s each time.
//  * FakeCertHost: an HTTPS server on 127.0.0.1 (test CA certificate) that serves signing
//    certificates at /SimpleNotificationService-<hex>.pem and records SubscribeURL GETs.
//  * SnsSender: builds SubscriptionConfirmation / Notification / UnsubscribeConfirmation bodies,
//    signs them (SignatureVersion 1 = SHA1withRSA, 2 = SHA256withRSA) over its own rendering of the
//    string to sign of §5.3, and POSTs them with SNS's headers; tests tamper with the spec between
//    signing and sending.
//  * HoldableRecordingSink: an EventSink that keeps what it was given and can be told to fail.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli/cli_test_util.h"
#include "sources/source.h"

namespace httplib {
class Server;
}

namespace trailwatch::testing {

// The SNS topic of the http source's SNS tests.
inline constexpr char kChatbotTopic[] = "arn:aws:sns:us-east-1:111122223333:chatbot-topic";

class TestPki {
 public:
  // Shared by every test in the process, and through the build directory by every process.
  static const TestPki& Shared();

  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  std::string ca_file() const { return dir_ + "/ca.pem"; }
  std::string server_cert_file() const { return dir_ + "/srv.pem"; }
  std::string server_key_file() const { return dir_ + "/srv.key"; }
  std::string sns_key_file() const { return dir_ + "/sns.key"; }
  std::string sns_cert_pem() const;
  // Signed by another CA ("rogue CA"), same subject: the chain must fail.
  std::string rogue_key_file() const { return dir_ + "/rogue.key"; }
  std::string rogue_cert_pem() const;
  // Issued by a CA named "O=Amazon, CN=Amazon RSA 2048 M01" that no trust store holds: stands in
  // for a real SNS certificate whose intermediate is missing from the system store.
  std::string unknown_amazon_issuer_key_file() const { return dir_ + "/amazonsns.key"; }
  std::string unknown_amazon_issuer_cert_pem() const;
  // Signed by the test CA but with CN=attacker.example.com.
  std::string wrong_subject_key_file() const { return dir_ + "/wrongcn.key"; }
  std::string wrong_subject_cert_pem() const;

 private:
  TestPki();
  std::string dir_;  // holds the keys and certificates
  bool ok_ = false;
  std::string error_;
};

class FakeCertHost {
 public:
  FakeCertHost();  // serves the shared PKI's signing certificate at DefaultCertPath()
  ~FakeCertHost();
  FakeCertHost(const FakeCertHost&) = delete;
  FakeCertHost& operator=(const FakeCertHost&) = delete;

  int port() const { return port_; }
  std::string Url(const std::string& path_and_query) const;  // https://127.0.0.1:<port>...
  static std::string DefaultCertPath() { return "/SimpleNotificationService-0123456789abcdef.pem"; }
  std::string CertUrl() const { return Url(DefaultCertPath()); }
  // The SubscribeURL SNS would send for `topic_arn`, on this host.
  std::string SubscribeUrl(const std::string& topic_arn) const;
  // The regex for HttpSourceConfig::sns_cert_url_pattern that admits this host's .pem paths.
  std::string CertUrlPattern() const;

  void Serve(const std::string& path, std::string body);  // adds or replaces a document
  void SetConfirmStatus(int status);                      // answer to SubscribeURL GETs (200)
  size_t CertFetches() const;
  std::vector<std::string> Confirmations() const;  // query strings of the SubscribeURL GETs
  std::vector<std::string> UserAgents() const;     // User-Agent of every GET, in order

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::map<std::string, std::string> documents_;
  int confirm_status_ = 200;
  size_t cert_fetches_ = 0;
  std::vector<std::string> confirmations_;
  std::vector<std::string> user_agents_;
};

struct SnsSpec {
  std::string type = "Notification";
  std::string message_id;  // a fresh UUID by default (the builders fill it)
  std::string topic_arn;
  std::string message;
  std::optional<std::string> subject;
  std::string timestamp;  // ISO 8601 with milliseconds; the builders use now
  std::string signature_version = "1";
  std::string signature;  // base64, filled by Sign
  std::string signing_cert_url;
  std::string token;
  std::string subscribe_url;
  std::string unsubscribe_url;
};

struct SnsReply {
  int status = 0;  // 0 = no HTTP answer
  std::string body;
  std::map<std::string, std::string> headers;
};

class SnsSender {
 public:
  explicit SnsSender(std::string key_file) : key_file_(std::move(key_file)) {}

  static SnsSpec Notification(const std::string& topic_arn, const std::string& message,
                              const std::string& cert_url);
  static SnsSpec SubscriptionConfirmation(const std::string& topic_arn, const std::string& cert_url,
                                          const std::string& subscribe_url);
  static SnsSpec UnsubscribeConfirmation(const std::string& topic_arn, const std::string& cert_url,
                                         const std::string& subscribe_url);
  static std::string NowTimestamp(int seconds_offset = 0);

  // The string to sign of §5.3, written independently of the product's code.
  static std::string StringToSign(const SnsSpec& spec);
  // Signs `spec` with the key (SHA1 for version "1", SHA256 otherwise) and sets spec.signature.
  void Sign(SnsSpec& spec) const;
  static std::string Body(const SnsSpec& spec);
  // SNS's headers for `spec` (§5.1).
  static std::map<std::string, std::string> Headers(const SnsSpec& spec);

  // POSTs to http://127.0.0.1:<port>/sns with `headers` (default: Headers(spec)).
  static SnsReply Post(int port, const std::string& body,
                       const std::map<std::string, std::string>& headers);
  SnsReply SignAndPost(int port, SnsSpec spec) const;
  // SNS's delivery policy (§5.5): a failed attempt (no answer, 5xx, anything outside 200-4xx) is
  // retried up to `retries` times, `delay` apart; 2xx and 4xx end the delivery. Returns the status
  // of every attempt (0 = no answer). Tests use a zero delay.
  std::vector<int> Deliver(int port, SnsSpec spec, int retries = 3,
                           std::chrono::milliseconds delay = std::chrono::milliseconds(0)) const;

 private:
  std::string key_file_;
};

// Plain HTTP client for the tests: POST or GET to 127.0.0.1:<port>.
SnsReply HttpPost(int port, const std::string& path, const std::string& body,
                  const std::map<std::string, std::string>& headers,
                  const std::string& content_type = "application/json; charset=utf-8");
SnsReply HttpGet(int port, const std::string& path);

class HoldableRecordingSink : public envelope::EventSink {
 public:
  Status Submit(const std::string& source_name,
                std::span<const envelope::SourceEvent> events) override;
  std::vector<envelope::SourceEvent> Events() const;
  size_t SubmitCount() const;
  void FailWith(std::string message);  // empty: succeed again
  void FailNext(int count);            // the next `count` Submit calls fail
  // Submit blocks until Release() (for the back-pressure tests).
  void Hold();
  void Release();
  // Waits until `count` Submit calls are blocked in Hold.
  bool WaitForHeld(int count);

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<envelope::SourceEvent> events_;
  size_t submits_ = 0;
  std::string failure_;
  int fail_next_ = 0;
  bool hold_ = false;
  int held_ = 0;
};

}  // namespace trailwatch::testing
