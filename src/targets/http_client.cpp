#include "targets/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <mutex>

#include "common/version.h"

namespace trailwatch::targets {

namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  // Answers are small (Slack: "ok" or a JSON object); cap what we keep against a hostile server.
  constexpr size_t kMaxBody = 1 << 20;
  size_t n = size * count;
  if (body->size() < kMaxBody) body->append(data, std::min(n, kMaxBody - body->size()));
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  size_t n = size * count;
  std::string line(data, n);
  if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();  // a new response (after 100 Continue or a redirect)
    return n;
  }
  size_t colon = line.find(':');
  if (colon == std::string::npos) return n;
  std::string name = line.substr(0, colon);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  size_t start = line.find_first_not_of(" \t", colon + 1);
  size_t end = line.find_last_not_of(" \t\r\n");
  (*headers)[name] = start == std::string::npos || end < start
                         ? std::string()
                         : line.substr(start, end - start + 1);
  return n;
}

// Aborts the transfer once the shutdown gives up on it; libcurl calls this about once a second
// even while no byte moves, so a receiver that never answers is dropped promptly.
int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::stop_token*>(user)->stop_requested() ? 1 : 0;
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

HttpClient::HttpClient(std::stop_token abandon) : abandon_(std::move(abandon)) {
  GlobalInitOnce();
  curl_ = curl_easy_init();
}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

Result<HttpResponse> HttpClient::Post(const HttpRequest& request, TransportError* transport_error) {
  CURL* curl = static_cast<CURL*>(curl_);
  if (!curl) return Error{"HTTP client could not be created"};
  if (abandon_.stop_requested()) {
    if (transport_error) transport_error->message = "HTTP request abandoned: shutting down";
    return Error{"HTTP request abandoned: shutting down"};
  }
  curl_easy_reset(curl);
  HttpResponse response;
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  curl_slist* list = nullptr;
  for (const auto& [name, value] : request.headers) {
    list = curl_slist_append(list, (name + ": " + value).c_str());
  }
  // libcurl adds "Expect: 100-continue" to large POSTs; Slack and most webhooks do not need the
  // extra round trip.
  list = curl_slist_append(list, "Expect:");
  headers.reset(list);
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<int64_t>(request.timeout.count(), 10000)));
  // Worker threads: no SIGALRM-based DNS timeouts.
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  // Never follow redirects: a redirect could carry the signed body or the bearer token elsewhere.
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  // curl_easy_reset cleared it: set on every request, so receivers can tell who is calling.
  curl_easy_setopt(curl, CURLOPT_USERAGENT, UserAgent());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, OnProgress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &abandon_);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) {
    // curl_easy_strerror is generic ("Timeout was reached"); CURLOPT_ERRORBUFFER is not used
    // because its text can include the URL.
    std::string message = rc == CURLE_ABORTED_BY_CALLBACK
                              ? std::string("HTTP request abandoned: shutting down")
                              : std::string("HTTP request failed: ") + curl_easy_strerror(rc);
    if (transport_error) {
      transport_error->message = message;
      transport_error->timed_out = rc == CURLE_OPERATION_TIMEDOUT;
    }
    return Error{message};
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

HttpClientPool::Lease HttpClientPool::Acquire() {
  std::unique_ptr<HttpClient> client;
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      client = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (!client) client = std::make_unique<HttpClient>(abandon_);
  return Lease(this, std::move(client));
}

void HttpClientPool::Release(std::unique_ptr<HttpClient> client) {
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(client));
}

std::optional<std::chrono::seconds> ParseRetryAfter(const std::string& value,
                                                    std::chrono::system_clock::time_point now) {
  size_t start = value.find_first_not_of(" \t");
  if (start == std::string::npos) return std::nullopt;
  size_t end = value.find_last_not_of(" \t\r\n");
  std::string text = value.substr(start, end - start + 1);
  if (std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) {
    if (text.size() > 9) return std::chrono::seconds(999999999);
    return std::chrono::seconds(std::stoll(text));
  }
  // IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT"; curl_getdate also reads the obsolete RFC 850 and
  // asctime forms RFC 9110 asks recipients to accept.
  time_t when = curl_getdate(text.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  auto delta = std::chrono::system_clock::from_time_t(when) - now;
  auto seconds = std::chrono::ceil<std::chrono::seconds>(delta);
  return std::max(seconds, std::chrono::seconds(0));
}

}  // namespace trailwatch::targets
