// SnsVerifier: decides whether an SNS HTTP(S) delivery really comes from Amazon SNS
// (docs/reference/formats.md §5.3, §5.4), and confirms subscriptions.
//
// Checks, cheapest first, so a forged message never makes trailwatch fetch anything it would not
// trust: SignatureVersion "1" (SHA1withRSA) or "2" (SHA256withRSA); Timestamp within
// max_message_age (replays) and not far in the future; SigningCertURL rules (https, no userinfo,
// default port, host sns.<topic region>.amazonaws.com[.cn], path
// /SimpleNotificationService-<hex>.pem, no query) or, for tests on loopback, an operator regex over
// the whole URL; then the certificate, fetched over HTTPS (net/http_client.h: no redirects, 10 KB
// cap) and cached by URL, is checked (chain to the trust store, validity, subject CN
// sns[.<region>].amazonaws.com[.cn], digitalSignature) and the RSA PKCS#1 v1.5 signature is
// verified over the exact string to sign (sns_message.h).
//
// TopicArn pinning is the caller's job and must happen before Verify (http_source.cpp), so an
// unknown topic costs no fetch at all.
//
// The chain: Amazon's signing certificate is issued by an intermediate ("Amazon RSA 2048 M0x")
// that the PEM file may not carry and system trust stores do not hold. With the system store (no
// ca_file), a chain that fails only for a missing issuer is accepted when the certificate's issuer
// organisation is Amazon: it was fetched over HTTPS, verified against the same roots, from a host
// that passed the sns.<region>.amazonaws.com rule, which is what AWS's own SDK validators rely on.
// With ca_file set (tests, or an operator bundle with Amazon's intermediates) the chain must
// verify.
//
// Thread-safety: Verify and Confirm may be called from many threads at once (the cache is locked;
// a fetch runs outside the lock).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/result.h"
#include "sources/sns_message.h"

namespace trailwatch::sources {

struct SnsVerifierOptions {
  std::string
      cert_url_pattern;  // ECMAScript regex over the whole SigningCertURL; empty = AWS rules
  std::string ca_file;   // PEM bundle for HTTPS fetches and the chain; empty = system store
  std::chrono::seconds max_message_age{3600 + 300};
  std::chrono::seconds max_clock_skew{900};  // a Timestamp this far in the future is refused
  std::chrono::seconds cert_cache_ttl{24 * 3600};
  size_t cert_cache_entries = 32;
  size_t max_cert_bytes = 10 * 1024;
  std::chrono::milliseconds fetch_timeout{5000};

  struct FetchResult {
    long status = 0;
    std::string body;
  };
  // GETs an https URL, reading at most `max_bytes`. An error is a transport failure. Empty: libcurl
  // with ca_file. Tests may replace it (unit tests without a server).
  std::function<Result<FetchResult>(const std::string& url, size_t max_bytes)> fetch;
  // Empty: the system clock.
  std::function<std::chrono::system_clock::time_point()> now;
};

struct SnsVerdict {
  enum class Failure {
    kNone,
    kBadSignatureVersion,
    kStale,           // Timestamp too old (replay) or in the future
    kBadCertUrl,      // SigningCertURL breaks the rules: nothing was fetched
    kBadCertificate,  // fetched, but not a trusted SNS signing certificate
    kBadSignature,
    kUnavailable,  // the certificate could not be fetched (transient: answer 5xx)
  };
  Failure failure = Failure::kNone;
  std::string message;  // for logs; never holds a secret
  bool ok() const { return failure == Failure::kNone; }
};

// Short label for metrics: "ok", "signature_version", "stale", "cert_url", "certificate",
// "signature", "unavailable".
const char* SnsFailureLabel(SnsVerdict::Failure failure);

// §5.4 rules for SigningCertURL (see the file comment). `pattern` empty = AWS rules.
Status CheckSigningCertUrl(const std::string& url, const std::string& topic_arn,
                           const std::string& pattern);
// SubscribeURL (rec. §5.4): https, no userinfo; AWS rules: the SigningCertURL host rules and path
// "/"; with a pattern: the same scheme, host and port as the (already checked) SigningCertURL.
// Always: query Action=ConfirmSubscription and TopicArn equal to `topic_arn`.
Status CheckSubscribeUrl(const std::string& url, const std::string& topic_arn,
                         const std::string& signing_cert_url, const std::string& pattern);

class SnsVerifier {
 public:
  // Loads the trust store (ca_file or the system default paths) and compiles the pattern.
  static Result<std::unique_ptr<SnsVerifier>> Create(SnsVerifierOptions options);
  ~SnsVerifier();
  SnsVerifier(const SnsVerifier&) = delete;
  SnsVerifier& operator=(const SnsVerifier&) = delete;

  SnsVerdict Verify(const SnsMessage& message);

  // For a verified SubscriptionConfirmation: checks SubscribeURL and GETs it. An error means the
  // subscription is not confirmed (the caller answers 5xx so SNS retries).
  Status Confirm(const SnsMessage& message);

  // Certificates fetched so far (tests check the cache).
  size_t fetch_count() const;

 private:
  struct CachedCertificate;
  explicit SnsVerifier(SnsVerifierOptions options);
  std::chrono::system_clock::time_point Now() const;
  // The checked certificate for `url`, from the cache or fetched.
  Result<std::shared_ptr<CachedCertificate>> Certificate(const std::string& url,
                                                         SnsVerdict::Failure* failure);
  Result<std::shared_ptr<CachedCertificate>> LoadCertificate(const std::string& pem,
                                                             SnsVerdict::Failure* failure);

  SnsVerifierOptions options_;
  void* trust_store_ = nullptr;  // X509_STORE*
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<CachedCertificate>> cache_;
  size_t fetch_count_ = 0;
};

}  // namespace trailwatch::sources
