#include "aws/http_exchange.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <memory>
#include <mutex>

#include "common/version.h"

namespace trailwatch::aws {

namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

struct Transfer {
  HttpExchangeResponse* response;
  bool reserved = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t n = size * count;
  if (!transfer->reserved) {
    // One allocation for a whole log file instead of log2(size) regrowths.
    transfer->reserved = true;
    std::string length = transfer->response->Header("content-length");
    size_t expected = 0;
    auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), expected);
    if (ec == std::errc() && expected < (size_t{1} << 34))
      transfer->response->body.reserve(expected);
  }
  transfer->response->body.append(data, n);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* response = static_cast<HttpExchangeResponse*>(user);
  size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    response->headers.clear();  // a new response (after 100 Continue)
    return n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  size_t start = line.find_first_not_of(" \t", colon + 1);
  size_t end = line.find_last_not_of(" \t\r\n");
  response->headers[name] = start == std::string_view::npos || end < start
                                ? std::string()
                                : std::string(line.substr(start, end - start + 1));
  return n;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::stop_token*>(user)->stop_requested() ? 1 : 0;
}

}  // namespace

CurlEasy::CurlEasy() {
  GlobalInitOnce();
  handle_ = curl_easy_init();
}

CurlEasy::~CurlEasy() { curl_easy_cleanup(static_cast<CURL*>(handle_)); }

Result<HttpExchangeResponse> CurlEasy::Perform(const HttpExchangeRequest& request) {
  CURL* curl = static_cast<CURL*>(handle_);
  if (!curl) return Error{"could not create a curl handle"};
  curl_easy_reset(curl);  // keeps the connection cache: the next request reuses the connection

  HttpExchangeResponse response;
  Transfer transfer{&response};
  curl_slist* list = nullptr;
  for (const std::string& header : request.headers) list = curl_slist_append(list, header.c_str());
  Slist headers(list);

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  // S3 keys may contain "/./" or "/../": send the path exactly as encoded.
  curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
  if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data() ? request.body.data() : "");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    if (request.method != "POST") {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, request.connect_timeout_ms);
  if (request.timeout_ms > 0) curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, request.timeout_ms);
  if (request.stall_seconds > 0) {
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, request.stall_seconds);
  }
  if (!request.aws_sigv4.empty()) {
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, request.aws_sigv4.c_str());
    curl_easy_setopt(curl, CURLOPT_USERPWD, request.user_password.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // worker threads: no SIGALRM DNS timeouts
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  // curl_easy_reset cleared it: set on every request (S3, SQS, STS, ECS and EC2 metadata).
  curl_easy_setopt(curl, CURLOPT_USERAGENT, UserAgent());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);
  if (request.stop.stop_possible()) {
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, OnProgress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &request.stop);
  }
  CURLcode rc = curl_easy_perform(curl);
  // The password stays in the handle until the next reset; clear it now.
  if (!request.user_password.empty()) curl_easy_setopt(curl, CURLOPT_USERPWD, nullptr);
  if (rc != CURLE_OK) {
    // curl_easy_strerror is generic ("Couldn't connect to server") and never contains the
    // credentials; CURLOPT_ERRORBUFFER is not used because its text can.
    return Error{curl_easy_strerror(rc)};
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace trailwatch::aws
