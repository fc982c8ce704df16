// The S3 client (s3_client.h): requests signed by libcurl's SigV4 (CURLOPT_AWS_SIGV4).
//
// What libcurl 7.88 does and does not do for us, and why the code below looks the way it does:
// * It signs every header we pass (x-amz-security-token, x-amz-meta-*, Content-Type) plus host
//   and x-amz-date, which it adds.
// * It does not add x-amz-content-sha256, which S3 requires on every request (without it a GET is
//   answered 403). When the header is present, libcurl uses its value as the payload hash of the
//   canonical request, so we send UNSIGNED-PAYLOAD for bodiless requests and the real SHA-256 of
//   the body for PUTs.
// * It puts the URL's path and query string into the canonical request as they are: the URL must
//   already be in canonical form, i.e. URI-encoded per SigV4 (everything but A-Za-z0-9-_.~, and
//   '/' in the key path for S3) with query parameters sorted by name.
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
#include "aws/s3_client.h"

#include <openssl/evp.h>

#include <algorithm>
#include <mutex>
#include <random>
#include <thread>
#include <utility>

#include "aws/http_exchange.h"
#include "aws/s3_xml.h"

namespace trailwatch::aws {

class S3ConnectionPool {
 public:
  std::unique_ptr<CurlEasy> Take() {
    std::lock_guard lock(mutex_);
    if (idle_.empty()) return std::make_unique<CurlEasy>();
    auto handle = std::move(idle_.back());
    idle_.pop_back();
    return handle;
  }
  void Give(std::unique_ptr<CurlEasy> handle) {
    std::lock_guard lock(mutex_);
    if (idle_.size() < kMaxIdle) idle_.push_back(std::move(handle));
  }

 private:
  static constexpr size_t kMaxIdle = 64;
  std::mutex mutex_;
  std::vector<std::unique_ptr<CurlEasy>> idle_;
};

namespace {

constexpr const char* kUnsignedPayload = "UNSIGNED-PAYLOAD";

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

struct S3Request {
  std::string method = "GET";
  std::string bucket;
  std::string key;  // empty for bucket-level requests
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::string> headers;
  std::string_view body;
  std::string content_sha256 = kUnsignedPayload;
};

// "s3://bucket/key" for messages.
std::string Where(const std::string& bucket, const std::string& key) {
  return "s3://" + bucket + "/" + key;
}

std::string BuildUrl(const S3ClientOptions& options, const S3Request& request) {
  std::string url;
  std::string path = "/" + UriEncode(request.key, /*keep_slash=*/true);
  if (!options.endpoint.empty()) {
    std::string endpoint = options.endpoint;
    while (endpoint.ends_with('/')) endpoint.pop_back();
    // Path style: the endpoint (moto_server, MinIO) does not resolve bucket host names.
    url = endpoint + "/" + UriEncode(request.bucket, false) + (request.key.empty() ? "" : path);
  } else if (request.bucket.find('.') != std::string::npos) {
    // A dotted bucket name breaks the *.s3.<region>.amazonaws.com certificate: path style.
    url = "https://s3." + options.region + ".amazonaws.com/" + request.bucket +
          (request.key.empty() ? "" : path);
  } else {
    url = "https://" + request.bucket + ".s3." + options.region + ".amazonaws.com" + path;
  }
  auto query = request.query;
  std::sort(query.begin(), query.end());  // canonical order (see the file comment)
  for (size_t i = 0; i < query.size(); ++i) {
    url += i == 0 ? '?' : '&';
    url += UriEncode(query[i].first, false) + "=" + UriEncode(query[i].second, false);
  }
  return url;
}

bool RetryableStatus(long status, const std::string& code) {
  return status >= 500 || status == 429 || code == "SlowDown" || code == "RequestTimeout" ||
         code == "InternalError" || code == "ServiceUnavailable" || code == "Throttling" ||
         code == "ThrottlingException" || code == "RequestTimeTooSkewed";
}

std::chrono::milliseconds Backoff(int attempt) {
  // Exponential with jitter: half fixed, half random, capped at 10 s (S3's SlowDown guidance).
  thread_local std::mt19937 random(std::random_device{}());
  int64_t ceiling = std::min<int64_t>(10000, int64_t{200} << std::min(attempt, 10));
  std::uniform_int_distribution<int64_t> jitter(0, ceiling / 2);
  return std::chrono::milliseconds(ceiling / 2 + jitter(random));
}

std::string DescribeFailure(const HttpExchangeResponse& response, const Credentials& credentials) {
  S3ErrorDocument error = ParseS3Error(response.body);
  std::string text;
  if (error.code.empty()) {
    text = "HTTP " + std::to_string(response.status);
    if (response.status == 404) text += " (not found)";
    if (response.status == 403) text += " (access denied)";
  } else {
    text = error.code + ": " + (error.message.empty() ? "(no message)" : error.message) +
           " (HTTP " + std::to_string(response.status) + ")";
  }
  std::string bucket_region = response.Header("x-amz-bucket-region");
  if (bucket_region.empty()) bucket_region = error.region;
  if (!bucket_region.empty() && (error.code == "PermanentRedirect" || response.status == 301 ||
                                 error.code == "AuthorizationHeaderMalformed")) {
    text += "; the bucket is in " + bucket_region + ": set AWS_REGION=" + bucket_region;
  }
  if (error.code == "InvalidAccessKeyId" || error.code == "SignatureDoesNotMatch" ||
      error.code == "ExpiredToken" || error.code == "InvalidToken" ||
      error.code == "AccessDenied") {
    text += " [credentials from " + credentials.source + "]";  // the source, never the secret
  }
  return text;
}

// Sends one S3 request with retries; returns the 2xx response or an error naming `where`.
Result<HttpExchangeResponse> Send(const S3ClientOptions& options, CredentialsProvider& provider,
                                  S3ConnectionPool& pool, const S3Request& request,
                                  const std::string& where) {
  std::string url = BuildUrl(options, request);
  std::string last_error;
  for (int attempt = 0;; ++attempt) {
    auto credentials = provider.Get();
    if (!credentials.ok()) return Error{where + ": " + credentials.message()};
    HttpExchangeRequest http;
    http.method = request.method;
    http.url = url;
    http.body = request.body;
    http.headers = request.headers;
    http.headers.push_back("x-amz-content-sha256: " + request.content_sha256);
    if (!credentials->session_token.empty()) {
      http.headers.push_back("x-amz-security-token: " + credentials->session_token);
    }
    http.connect_timeout_ms = std::min<long>(10000, options.timeout_seconds * 1000);
    http.stall_seconds = options.timeout_seconds;
    http.aws_sigv4 = "aws:amz:" + options.region + ":s3";
    http.user_password = credentials->access_key_id + ":" + credentials->secret_access_key;

    std::unique_ptr<CurlEasy> curl = pool.Take();
    auto response = curl->Perform(http);
    bool retryable = true;
    if (response.ok()) {
      pool.Give(std::move(curl));  // a connection that failed is not reused
      if (response->status >= 200 && response->status < 300) return response;
      std::string code = ParseS3Error(response->body).code;
      retryable = RetryableStatus(response->status, code);
      last_error = DescribeFailure(*response, *credentials);
    } else {
      last_error = response.message();
    }
    if (!retryable || attempt >= options.max_retries) {
      if (retryable && attempt > 0) {
        last_error += " (after " + std::to_string(attempt + 1) + " attempts)";
      }
      return Error{where + ": " + last_error};
    }
    std::this_thread::sleep_for(Backoff(attempt));
  }
}

}  // namespace

S3Client::S3Client(S3ClientOptions options, std::shared_ptr<CredentialsProvider> credentials)
    : options_(std::move(options)),
      credentials_(std::move(credentials)),
      connections_(std::make_shared<S3ConnectionPool>()) {}

Status S3Client::List(const std::string& bucket, const std::string& prefix,
                      const std::string& start_after, const std::string& delimiter,
                      const std::function<bool(const std::vector<S3Object>&)>& on_page) {
  std::string continuation;
  for (bool first = true;; first = false) {
    S3Request request;
    request.bucket = bucket;
    request.query.emplace_back("list-type", "2");
    if (!prefix.empty()) request.query.emplace_back("prefix", prefix);
    if (!delimiter.empty()) request.query.emplace_back("delimiter", delimiter);
    // S3 ignores start-after once a continuation token is given; send it on the first page only.
    if (first && !start_after.empty()) request.query.emplace_back("start-after", start_after);
    if (!continuation.empty()) request.query.emplace_back("continuation-token", continuation);
    auto response = Send(options_, *credentials_, *connections_, request, Where(bucket, prefix));
    if (!response.ok()) return Error{response.message()};
    auto page = ParseListObjectsV2(response->body);
    if (!page.ok()) return Error{Where(bucket, prefix) + ": ListObjectsV2: " + page.message()};
    std::vector<S3Object> objects;
    if (delimiter.empty()) {
      objects = std::move(page->objects);
    } else {
      objects.reserve(page->common_prefixes.size());
      for (std::string& common : page->common_prefixes) {
        S3Object object;
        object.key = std::move(common);
        objects.push_back(std::move(object));
      }
    }
    if (!on_page(objects)) return Status::Ok();
    if (!page->is_truncated) return Status::Ok();
    if (page->next_continuation_token.empty()) {
      return Error{Where(bucket, prefix) +
                   ": ListObjectsV2: truncated page without NextContinuationToken"};
    }
    continuation = std::move(page->next_continuation_token);
  }
}

Status S3Client::Get(const std::string& bucket, const std::string& key, std::string* body,
                     std::map<std::string, std::string>* metadata) {
  S3Request request;
  request.bucket = bucket;
  request.key = key;
  auto response = Send(options_, *credentials_, *connections_, request, Where(bucket, key));
  if (!response.ok()) return Error{response.message()};
  *body = std::move(response->body);
  if (metadata) {
    metadata->clear();
    constexpr std::string_view kPrefix = "x-amz-meta-";
    for (const auto& [name, value] : response->headers) {
      if (name.starts_with(kPrefix)) (*metadata)[name.substr(kPrefix.size())] = value;
    }
  }
  return Status::Ok();
}

Status S3Client::Put(const std::string& bucket, const std::string& key, const std::string& body,
                     const std::string& content_type) {
  return Put(bucket, key, body, content_type, {});
}

Status S3Client::Put(const std::string& bucket, const std::string& key, const std::string& body,
                     const std::string& content_type,
                     const std::map<std::string, std::string>& metadata) {
  S3Request request;
  request.method = "PUT";
  request.bucket = bucket;
  request.key = key;
  request.body = body;
  request.content_sha256 = Sha256Hex(body);
  // Without an explicit Content-Type libcurl sends application/x-www-form-urlencoded, which
  // moto_server stores as an empty object (docs/reference/formats.md §9.2).
  request.headers.push_back("Content-Type: " +
                            (content_type.empty() ? "application/octet-stream" : content_type));
  for (const auto& [name, value] : metadata) {
    request.headers.push_back("x-amz-meta-" + name + ": " + value);
  }
  auto response = Send(options_, *credentials_, *connections_, request, Where(bucket, key));
  if (!response.ok()) return Error{response.message()};
  return Status::Ok();
}

Status S3Client::CreateBucket(const std::string& bucket) {
  S3Request request;
  request.method = "PUT";
  request.bucket = bucket;
  std::string body;
  // us-east-1 takes no location constraint; every other region requires one.
  if (options_.region != "us-east-1") {
    body =
        "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<LocationConstraint>" +
        options_.region + "</LocationConstraint></CreateBucketConfiguration>";
  }
  request.body = body;
  request.content_sha256 = Sha256Hex(body);
  // Constructed in place: a push_back of a temporary trips a false -Warray-bounds in GCC 12.
  request.headers.emplace_back("Content-Type: application/xml");
  auto response = Send(options_, *credentials_, *connections_, request, Where(bucket, ""));
  if (!response.ok()) {
    if (response.message().find("BucketAlreadyOwnedByYou") != std::string::npos) {
      return Status::Ok();
    }
    return Error{response.message()};
  }
  return Status::Ok();
}

bool ParseS3Url(const std::string& url, std::string* bucket, std::string* prefix) {
  constexpr std::string_view kScheme = "s3://";
  if (!url.starts_with(kScheme)) return false;
  std::string_view rest = std::string_view(url).substr(kScheme.size());
  size_t slash = rest.find('/');
  std::string_view name = rest.substr(0, slash);
  if (name.empty()) return false;
  *bucket = std::string(name);
  *prefix = slash == std::string_view::npos ? std::string() : std::string(rest.substr(slash + 1));
  return true;
}

}  // namespace trailwatch::aws
