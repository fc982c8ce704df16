#include "sources/sns_verifier.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <optional>
#include <regex>
#include <string_view>
#include <utility>
#include <vector>

#include "cloudtrail/event_time.h"
#include "common/percent_decode.h"
#include "net/http_client.h"

namespace trailwatch::sources {

// Outside the anonymous namespace because SnsVerifier::CachedCertificate holds one: a class with
// external linkage whose member's type has internal linkage is a GCC warning (-Wsubobject-linkage)
// when this file is not the main file, as in a unity build.
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

namespace {

constexpr size_t kMaxUrlLength = 2048;

// The parts of an absolute URL that the rules look at. Deliberately strict: anything unusual
// (userinfo, fragment, spaces, backslashes) makes it fail to parse rather than be guessed at.
struct UrlParts {
  std::string scheme;
  std::string host;
  std::string port;  // empty = default
  std::string path;
  std::string query;
  bool has_query = false;
};

std::optional<UrlParts> ParseUrl(std::string_view url) {
  if (url.size() > kMaxUrlLength) return std::nullopt;
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '\\' || c == '#') {
      return std::nullopt;
    }
  }
  UrlParts parts;
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  parts.scheme = std::string(url.substr(0, scheme_end));
  std::string_view rest = url.substr(scheme_end + 3);
  size_t authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  if (authority.front() == '[') return std::nullopt;  // IPv6 literals are never SNS hosts
  size_t colon = authority.find(':');
  parts.host = std::string(authority.substr(0, colon));
  if (colon != std::string_view::npos) {
    parts.port = std::string(authority.substr(colon + 1));
    if (parts.port.empty() || parts.port.size() > 5 ||
        parts.port.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
  }
  if (authority_end == std::string_view::npos) return parts;
  rest = rest.substr(authority_end);
  size_t question = rest.find('?');
  parts.path = std::string(rest.substr(0, question));
  if (question != std::string_view::npos) {
    parts.has_query = true;
    parts.query = std::string(rest.substr(question + 1));
  }
  return parts;
}

// arn:<partition>:sns:<region>:<account>:<name> -> region.
std::string TopicRegion(const std::string& topic_arn) {
  std::vector<std::string_view> fields;
  std::string_view rest = topic_arn;
  for (int i = 0; i < 5; ++i) {
    size_t colon = rest.find(':');
    if (colon == std::string_view::npos) return {};
    fields.push_back(rest.substr(0, colon));
    rest = rest.substr(colon + 1);
  }
  if (fields[0] != "arn" || fields[2] != "sns") return {};
  return std::string(fields[3]);
}

// AWS host rule (docs/reference/formats.md §5.4): sns.<region>.amazonaws.com or .amazonaws.com.cn,
// with the region equal to the topic's.
Status CheckAwsHost(const UrlParts& parts, const std::string& topic_arn, const char* what) {
  static const std::regex kHost(R"(^sns\.([a-z0-9][a-z0-9\-]*[a-z0-9])\.amazonaws\.com(\.cn)?$)");
  std::smatch match;
  if (!std::regex_match(parts.host, match, kHost)) {
    return Error{std::string(what) + ": host is not sns.<region>.amazonaws.com"};
  }
  std::string region = TopicRegion(topic_arn);
  if (region.empty() || match[1].str() != region) {
    return Error{std::string(what) + ": host region does not match the topic's region"};
  }
  if (!parts.port.empty()) return Error{std::string(what) + ": explicit port"};
  return Status::Ok();
}

Status CheckHttps(const std::optional<UrlParts>& parts, const char* what) {
  if (!parts) return Error{std::string(what) + ": not a well-formed absolute URL"};
  if (parts->scheme != "https") return Error{std::string(what) + ": scheme is not https"};
  return Status::Ok();
}

Result<std::vector<unsigned char>> DecodeBase64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0 || text.size() > 4096) {
    return Error{"Signature is not base64 of a plausible length"};
  }
  std::vector<unsigned char> out(text.size() / 4 * 3);
  int length = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                               static_cast<int>(text.size()));
  if (length < 0) return Error{"Signature is not base64"};
  // EVP_DecodeBlock counts padding as zero bytes.
  size_t padding = 0;
  if (text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  out.resize(static_cast<size_t>(length) - padding);
  return out;
}

std::string NameEntry(X509_NAME* name, int nid) {
  if (name == nullptr) return {};
  int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) return {};
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  int length = ASN1_STRING_to_UTF8(&utf8, data);
  if (length < 0) return {};
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(length));
  OPENSSL_free(utf8);
  return out;
}

// GET over HTTPS only (net::HttpClient: no redirects, User-Agent, generic error text), the body
// capped at max_bytes while reading: a larger answer fails as "response larger than ..." (which
// Certificate() reads as a bad certificate, not an outage).
Result<SnsVerifierOptions::FetchResult> HttpsGet(const std::string& url, size_t max_bytes,
                                                 const std::string& ca_file,
                                                 std::chrono::milliseconds timeout) {
  net::HttpRequest request;
  request.url = url;
  request.https_only = true;
  request.ca_file = ca_file;
  request.timeout = timeout;
  request.connect_timeout = timeout;
  request.max_body_bytes = max_bytes;
  net::HttpClient client;  // one handle per fetch: fetches are rare (certificates are cached)
  net::HttpFailure failure = net::HttpFailure::kNone;
  auto response = client.Perform(request, &failure);
  if (!response.ok()) {
    if (failure == net::HttpFailure::kSetup) return Error{"curl_easy_init failed"};
    return response.error();
  }
  SnsVerifierOptions::FetchResult result;
  result.status = response->status;
  result.body = std::move(response->body);
  return result;
}

}  // namespace

struct SnsVerifier::CachedCertificate {
  X509Ptr certificate;
  std::chrono::system_clock::time_point fetched_at;
};

const char* SnsFailureLabel(SnsVerdict::Failure failure) {
  switch (failure) {
    case SnsVerdict::Failure::kNone:
      return "ok";
    case SnsVerdict::Failure::kBadSignatureVersion:
      return "signature_version";
    case SnsVerdict::Failure::kStale:
      return "stale";
    case SnsVerdict::Failure::kBadCertUrl:
      return "cert_url";
    case SnsVerdict::Failure::kBadCertificate:
      return "certificate";
    case SnsVerdict::Failure::kBadSignature:
      return "signature";
    case SnsVerdict::Failure::kUnavailable:
      return "unavailable";
  }
  return "unknown";
}

Status CheckSigningCertUrl(const std::string& url, const std::string& topic_arn,
                           const std::string& pattern) {
  auto parts = ParseUrl(url);
  if (Status https = CheckHttps(parts, "SigningCertURL"); !https.ok()) return https;
  if (!pattern.empty()) {
    // Compiled per call: the override exists for tests, where speed does not matter.
    if (!std::regex_match(url, std::regex(pattern))) {
      return Error{"SigningCertURL: does not match sns_cert_url_pattern"};
    }
    return Status::Ok();
  }
  if (Status host = CheckAwsHost(*parts, topic_arn, "SigningCertURL"); !host.ok()) return host;
  static const std::regex kPath(R"(^/SimpleNotificationService-[0-9a-f]+\.pem$)");
  if (!std::regex_match(parts->path, kPath)) {
    return Error{"SigningCertURL: path is not /SimpleNotificationService-<hex>.pem"};
  }
  if (parts->has_query) return Error{"SigningCertURL: has a query"};
  return Status::Ok();
}

Status CheckSubscribeUrl(const std::string& url, const std::string& topic_arn,
                         const std::string& signing_cert_url, const std::string& pattern) {
  auto parts = ParseUrl(url);
  if (Status https = CheckHttps(parts, "SubscribeURL"); !https.ok()) return https;
  if (pattern.empty()) {
    if (Status host = CheckAwsHost(*parts, topic_arn, "SubscribeURL"); !host.ok()) return host;
    if (parts->path != "/" && !parts->path.empty()) return Error{"SubscribeURL: path is not /"};
  } else {
    auto cert_parts = ParseUrl(signing_cert_url);
    if (!cert_parts || cert_parts->scheme != parts->scheme || cert_parts->host != parts->host ||
        cert_parts->port != parts->port) {
      return Error{"SubscribeURL: not on the SigningCertURL's host"};
    }
  }
  std::optional<std::string> action;
  std::optional<std::string> topic;
  std::string_view query = parts->query;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    size_t equals = pair.find('=');
    auto key = PercentDecodeForm(pair.substr(0, equals));
    auto value = PercentDecodeForm(equals == std::string_view::npos ? std::string_view()
                                                                : pair.substr(equals + 1));
    if (!key || !value) return Error{"SubscribeURL: bad percent-encoding in the query"};
    std::optional<std::string>* slot = *key == "Action"     ? &action
                                       : *key == "TopicArn" ? &topic
                                                            : nullptr;
    if (slot == nullptr) continue;
    if (slot->has_value()) return Error{"SubscribeURL: repeated " + *key + " parameter"};
    *slot = std::move(*value);
  }
  if (action != "ConfirmSubscription")
    return Error{"SubscribeURL: Action is not ConfirmSubscription"};
  if (topic != topic_arn) return Error{"SubscribeURL: TopicArn does not match the message's"};
  return Status::Ok();
}

SnsVerifier::SnsVerifier(SnsVerifierOptions options) : options_(std::move(options)) {}

SnsVerifier::~SnsVerifier() { X509_STORE_free(static_cast<X509_STORE*>(trust_store_)); }

Result<std::unique_ptr<SnsVerifier>> SnsVerifier::Create(SnsVerifierOptions options) {
  if (!options.cert_url_pattern.empty()) {
    try {
      std::regex check(options.cert_url_pattern);
    } catch (const std::regex_error& error) {
      return Error{"sns_cert_url_pattern: not a valid regular expression (" +
                   std::string(error.what()) + ")"};
    }
  }
  std::unique_ptr<SnsVerifier> verifier(new SnsVerifier(std::move(options)));
  X509_STORE* store = X509_STORE_new();
  if (store == nullptr) return Error{"X509_STORE_new failed"};
  verifier->trust_store_ = store;
  const std::string& ca_file = verifier->options_.ca_file;
  if (!ca_file.empty()) {
    if (X509_STORE_load_file(store, ca_file.c_str()) != 1) {
      return Error{"sns_ca_file: cannot load certificates from " + ca_file};
    }
  } else if (X509_STORE_set_default_paths(store) != 1) {
    return Error{"cannot load the system's trusted certificates"};
  }
  if (!verifier->options_.fetch) {
    std::string ca = ca_file;
    auto timeout = verifier->options_.fetch_timeout;
    verifier->options_.fetch = [ca, timeout](const std::string& url, size_t max_bytes) {
      return HttpsGet(url, max_bytes, ca, timeout);
    };
  }
  return verifier;
}

std::chrono::system_clock::time_point SnsVerifier::Now() const {
  return options_.now ? options_.now() : std::chrono::system_clock::now();
}

size_t SnsVerifier::fetch_count() const {
  std::lock_guard lock(mutex_);
  return fetch_count_;
}

Result<std::shared_ptr<SnsVerifier::CachedCertificate>> SnsVerifier::LoadCertificate(
    const std::string& pem, SnsVerdict::Failure* failure) {
  *failure = SnsVerdict::Failure::kBadCertificate;
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  X509Ptr leaf(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!leaf) {
    // DER is allowed too (§5.4).
    const unsigned char* der = reinterpret_cast<const unsigned char*>(pem.data());
    leaf.reset(d2i_X509(nullptr, &der, static_cast<long>(pem.size())));
  }
  if (!leaf) return Error{"signing certificate: neither PEM nor DER"};
  // Further certificates in the file are untrusted intermediates for the chain.
  std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> intermediates(
      sk_X509_new_null(), [](STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); });
  while (X509* extra = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    if (sk_X509_num(intermediates.get()) >= 8) {
      X509_free(extra);
      break;
    }
    sk_X509_push(intermediates.get(), extra);
  }

  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> context(X509_STORE_CTX_new(),
                                                                          X509_STORE_CTX_free);
  if (!context || X509_STORE_CTX_init(context.get(), static_cast<X509_STORE*>(trust_store_),
                                      leaf.get(), intermediates.get()) != 1) {
    return Error{"signing certificate: cannot set up chain verification"};
  }
  if (X509_verify_cert(context.get()) != 1) {
    int code = X509_STORE_CTX_get_error(context.get());
    bool missing_issuer = code == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
                          code == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE;
    // See the header: with the system store only, a missing Amazon intermediate is tolerated.
    bool tolerated =
        missing_issuer && options_.ca_file.empty() &&
        NameEntry(X509_get_issuer_name(leaf.get()), NID_organizationName) == "Amazon" &&
        X509_cmp_current_time(X509_get0_notBefore(leaf.get())) < 0 &&
        X509_cmp_current_time(X509_get0_notAfter(leaf.get())) > 0;
    if (!tolerated) {
      return Error{std::string("signing certificate: chain does not verify (") +
                   X509_verify_cert_error_string(code) + ")"};
    }
  }
  static const std::regex kSubject(R"(^sns\.([a-z0-9\-]+\.)?amazonaws\.com(\.cn)?$)");
  std::string common_name = NameEntry(X509_get_subject_name(leaf.get()), NID_commonName);
  if (!std::regex_match(common_name, kSubject)) {
    return Error{"signing certificate: subject is not sns.amazonaws.com"};
  }
  if ((X509_get_extension_flags(leaf.get()) & EXFLAG_KUSAGE) != 0 &&
      (X509_get_key_usage(leaf.get()) & KU_DIGITAL_SIGNATURE) == 0) {
    return Error{"signing certificate: key usage lacks digitalSignature"};
  }
  *failure = SnsVerdict::Failure::kNone;
  auto cached = std::make_shared<CachedCertificate>();
  cached->certificate = std::move(leaf);
  cached->fetched_at = Now();
  return cached;
}

Result<std::shared_ptr<SnsVerifier::CachedCertificate>> SnsVerifier::Certificate(
    const std::string& url, SnsVerdict::Failure* failure) {
  {
    std::lock_guard lock(mutex_);
    auto it = cache_.find(url);
    if (it != cache_.end()) {
      bool fresh = Now() - it->second->fetched_at < options_.cert_cache_ttl &&
                   X509_cmp_current_time(X509_get0_notAfter(it->second->certificate.get())) > 0;
      if (fresh) return it->second;
      cache_.erase(it);
    }
    ++fetch_count_;
  }
  auto fetched = options_.fetch(url, options_.max_cert_bytes);
  if (!fetched.ok()) {
    *failure = fetched.message().rfind("response larger", 0) == 0
                   ? SnsVerdict::Failure::kBadCertificate
                   : SnsVerdict::Failure::kUnavailable;
    return Error{"signing certificate: fetch failed: " + fetched.message()};
  }
  if (fetched->status != 200) {
    *failure = fetched->status >= 500 ? SnsVerdict::Failure::kUnavailable
                                      : SnsVerdict::Failure::kBadCertificate;
    return Error{"signing certificate: fetch answered HTTP " + std::to_string(fetched->status)};
  }
  auto loaded = LoadCertificate(fetched->body, failure);
  if (!loaded.ok()) return loaded;
  std::lock_guard lock(mutex_);
  if (cache_.size() >= options_.cert_cache_entries) {
    auto oldest = cache_.begin();
    for (auto it = cache_.begin(); it != cache_.end(); ++it) {
      if (it->second->fetched_at < oldest->second->fetched_at) oldest = it;
    }
    cache_.erase(oldest);
  }
  cache_[url] = *loaded;
  return loaded;
}

SnsVerdict SnsVerifier::Verify(const SnsMessage& message) {
  using Failure = SnsVerdict::Failure;
  const EVP_MD* digest = nullptr;
  if (message.signature_version == "1") {
    digest = EVP_sha1();
  } else if (message.signature_version == "2") {
    digest = EVP_sha256();
  } else {
    return {Failure::kBadSignatureVersion, "SignatureVersion is neither \"1\" nor \"2\""};
  }

  auto timestamp = cloudtrail::ParseEventTime(message.timestamp);
  if (!timestamp) return {Failure::kStale, "Timestamp is not an ISO 8601 time"};
  auto now = Now();
  if (now - *timestamp > options_.max_message_age) {
    return {Failure::kStale, "Timestamp " + message.timestamp + " is older than the allowed age"};
  }
  if (*timestamp - now > options_.max_clock_skew) {
    return {Failure::kStale, "Timestamp " + message.timestamp + " is in the future"};
  }

  if (Status url = CheckSigningCertUrl(message.signing_cert_url, message.topic_arn,
                                       options_.cert_url_pattern);
      !url.ok()) {
    return {Failure::kBadCertUrl, url.message()};
  }

  auto signature = DecodeBase64(message.signature);
  if (!signature.ok()) return {Failure::kBadSignature, signature.message()};

  Failure failure = Failure::kNone;
  auto certificate = Certificate(message.signing_cert_url, &failure);
  if (!certificate.ok()) return {failure, certificate.message()};

  EVP_PKEY* key = X509_get0_pubkey((*certificate)->certificate.get());
  if (key == nullptr || EVP_PKEY_base_id(key) != EVP_PKEY_RSA) {
    return {Failure::kBadCertificate, "signing certificate: not an RSA key"};
  }
  std::string to_sign = SnsStringToSign(message);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  EVP_MD_CTX_free);
  if (!context || EVP_DigestVerifyInit(context.get(), nullptr, digest, nullptr, key) != 1) {
    return {Failure::kBadSignature, "cannot set up signature verification"};
  }
  int verified =
      EVP_DigestVerify(context.get(), signature->data(), signature->size(),
                       reinterpret_cast<const unsigned char*>(to_sign.data()), to_sign.size());
  if (verified != 1) return {Failure::kBadSignature, "signature does not verify"};
  return {};
}

Status SnsVerifier::Confirm(const SnsMessage& message) {
  if (Status url = CheckSubscribeUrl(message.subscribe_url, message.topic_arn,
                                     message.signing_cert_url, options_.cert_url_pattern);
      !url.ok()) {
    return url;
  }
  auto answer = options_.fetch(message.subscribe_url, 64 * 1024);
  if (!answer.ok()) return Error{"confirming the subscription failed: " + answer.message()};
  if (answer->status != 200) {
    return Error{"confirming the subscription failed: HTTP " + std::to_string(answer->status)};
  }
  return Status::Ok();
}

}  // namespace trailwatch::sources
