#include "targets/http_outcome.h"

#include <chrono>

namespace trailwatch::targets {

std::string AnswerText(const std::string& body) {
  constexpr size_t kMax = 300;
  std::string text;
  for (char c : body.substr(0, kMax)) {
    text += (static_cast<unsigned char>(c) < 0x20 && c != '\n') ? ' ' : c;
  }
  if (body.size() > kMax) text += "…";
  return text;
}

Outcome TransportFailure(const std::string& what, const Error& error) {
  return Retry{what + ": " + error.message, std::nullopt, 0};
}

Outcome ClassifyHttp(const std::string& what, const Result<HttpResponse>& answer) {
  if (!answer.ok()) return TransportFailure(what, answer.error());
  const HttpResponse& response = *answer;
  int status = static_cast<int>(response.status);
  if (status >= 200 && status < 300) return Delivered{status, response.body, ""};
  std::string error = what + " answered HTTP " + std::to_string(status);
  if (!response.body.empty()) error += ": " + AnswerText(response.body);
  if (status == 408 || status == 429 || status >= 500) {
    std::optional<std::chrono::seconds> retry_after;
    if (auto it = response.headers.find("retry-after"); it != response.headers.end()) {
      retry_after = ParseRetryAfter(it->second, std::chrono::system_clock::now());
    }
    return Retry{error, retry_after, status};
  }
  return Permanent{error, status, response.body};
}

Outcome PostJsonWebhook(HttpClientPool& clients, const config::Secret& url, std::string body,
                        std::chrono::seconds timeout, const std::string& what) {
  HttpRequest request;
  request.url = url.reveal();
  request.headers = {{"Content-Type", "application/json"}};
  request.body = std::move(body);
  request.timeout = timeout;
  auto client = clients.Acquire();
  return ClassifyHttp(what, client->Post(request));
}

}  // namespace trailwatch::targets
