#include "net/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <mutex>

#include "common/version.h"

namespace trailwatch::net {

// Outside the anonymous namespace because HttpClient::Handle holds one: a class with external
// linkage whose member's type has internal linkage is a GCC warning (-Wsubobject-linkage) when
// this file is not the main file, as in a unity build.
struct EasyDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};

namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

// What the body callback needs: the response (for Content-Length) and the limit.
struct Transfer {
  HttpResponse* response;
  size_t max_bytes;  // 0 = none
  bool truncate;
  bool reserved = false;
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::string& body = transfer->response->body;
  size_t n = size * count;
  if (!transfer->reserved) {
    // One allocation for a whole log file instead of log2(size) regrowths.
    transfer->reserved = true;
    std::string length = transfer->response->Header("content-length");
    size_t expected = 0;
    auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), expected);
    if (ec == std::errc() && expected < (size_t{1} << 34)) {
      body.reserve(transfer->max_bytes ? std::min(expected, transfer->max_bytes) : expected);
    }
  }
  if (transfer->max_bytes == 0) {
    body.append(data, n);
  } else if (transfer->truncate) {
    // Keep the first max_bytes, read and drop the rest (the connection stays usable).
    if (body.size() < transfer->max_bytes) {
      body.append(data, std::min(n, transfer->max_bytes - body.size()));
    }
  } else {
    if (body.size() + n > transfer->max_bytes) {
      transfer->too_large = true;
      return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
    }
    body.append(data, n);
  }
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    response->headers.clear();  // a new response (after 100 Continue or a followed redirect)
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

// libcurl calls this about once a second even while no byte moves, so a server that never
// answers is dropped promptly once stop is requested.
int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::stop_token*>(user)->stop_requested() ? 1 : 0;
}

Error Fail(HttpFailure kind, std::string message, HttpFailure* failure) {
  if (failure) *failure = kind;
  return Error{std::move(message)};
}

}  // namespace

struct HttpClient::Handle {
  std::unique_ptr<CURL, EasyDeleter> curl;
};

HttpClient::HttpClient() : handle_(std::make_unique<Handle>()) {
  GlobalInitOnce();
  handle_->curl.reset(curl_easy_init());
}

HttpClient::~HttpClient() = default;

Result<HttpResponse> HttpClient::Perform(const HttpRequest& request, HttpFailure* failure) {
  if (failure) *failure = HttpFailure::kNone;
  CURL* curl = handle_->curl.get();
  if (!curl) return Fail(HttpFailure::kSetup, "could not create a curl handle", failure);
  curl_easy_reset(curl);  // keeps the connection cache: the next request reuses the connection

  HttpResponse response;
  Transfer transfer{&response, request.max_body_bytes, request.truncate_body};
  curl_slist* list = nullptr;
  for (const std::string& header : request.headers) list = curl_slist_append(list, header.c_str());
  Slist headers(list);

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  if (request.path_as_is) curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
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
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(request.connect_timeout.count()));
  if (request.timeout.count() > 0) {
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  }
  if (request.stall.count() > 0) {
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(request.stall.count()));
  }
  if (request.max_body_bytes > 0 && !request.truncate_body) {
    // Refused from Content-Length before any byte is read; chunked bodies hit OnBody's check.
    curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
                     static_cast<curl_off_t>(request.max_body_bytes));
  }
  if (!request.aws_sigv4.empty()) {
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, request.aws_sigv4.c_str());
    curl_easy_setopt(curl, CURLOPT_USERPWD, request.user_password.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // worker threads: no SIGALRM DNS timeouts
  const char* protocols = request.https_only ? "https" : "http,https";
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, protocols);
  if (request.max_redirects > 0) {
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, request.max_redirects);
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
  } else {
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  }
  // Peer and host verification are libcurl's defaults; set anyway so no reset or build default
  // can turn them off.
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!request.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, request.ca_file.c_str());
  // curl_easy_reset cleared it: set on every request, so receivers can tell who is calling.
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
  if (transfer.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
    std::string message = "response larger than ";
    message.append(std::to_string(request.max_body_bytes)).append(" bytes");
    return Fail(HttpFailure::kTooLarge, std::move(message), failure);
  }
  if (rc != CURLE_OK) {
    // curl_easy_strerror is generic ("Couldn't connect to server") and never contains the URL or
    // the credentials; CURLOPT_ERRORBUFFER is not used because its text can.
    HttpFailure kind = rc == CURLE_ABORTED_BY_CALLBACK  ? HttpFailure::kAborted
                       : rc == CURLE_OPERATION_TIMEDOUT ? HttpFailure::kTimedOut
                                                        : HttpFailure::kTransport;
    return Fail(kind, curl_easy_strerror(rc), failure);
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

std::optional<std::chrono::system_clock::time_point> ParseHttpDate(const std::string& text) {
  time_t when = curl_getdate(text.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  return std::chrono::system_clock::from_time_t(when);
}

}  // namespace trailwatch::net
