#include "aws/container_credentials.h"

#include <curl/curl.h>

#include "aws/credentials_document.h"
#include "aws/http_exchange.h"

namespace trailwatch::aws {

namespace {

// The ECS agent's fixed address for AWS_CONTAINER_CREDENTIALS_RELATIVE_URI.
constexpr const char* kEcsHost = "http://169.254.170.2";

bool IsLoopbackOrContainerHost(const std::string& host) {
  return host == "localhost" || host.starts_with("127.") || host == "::1" || host == "[::1]" ||
         host == "169.254.170.2" || host == "169.254.170.23" || host == "fd00:ec2::23" ||
         host == "[fd00:ec2::23]";
}

Status CheckFullUri(const std::string& uri) {
  CURLU* url = curl_url();
  std::string scheme, host;
  bool parsed = curl_url_set(url, CURLUPART_URL, uri.c_str(), 0) == CURLUE_OK;
  if (parsed) {
    char* part = nullptr;
    if (curl_url_get(url, CURLUPART_SCHEME, &part, 0) == CURLUE_OK) scheme = part;
    curl_free(part);
    part = nullptr;
    if (curl_url_get(url, CURLUPART_HOST, &part, 0) == CURLUE_OK) host = part;
    curl_free(part);
  }
  curl_url_cleanup(url);
  if (!parsed) return Error{"AWS_CONTAINER_CREDENTIALS_FULL_URI is not a URL"};
  if (scheme == "https" || (scheme == "http" && IsLoopbackOrContainerHost(host))) {
    return Status::Ok();
  }
  return Error{
      "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or a loopback address (or the ECS / EKS "
      "addresses 169.254.170.2, 169.254.170.23), not " +
      scheme + "://" + host};
}

}  // namespace

ProviderResult ContainerCredentials(const Environment& environment) {
  std::string relative = EnvironmentValue(environment, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  std::string full = EnvironmentValue(environment, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
  if (relative.empty() && full.empty()) {
    return ProviderResult::Skipped(
        "ecs (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI not set)");
  }
  HttpExchangeRequest request;
  if (!relative.empty()) {
    request.url = kEcsHost + relative;
  } else {
    Status allowed = CheckFullUri(full);
    if (!allowed.ok()) return ProviderResult::Skipped("ecs (" + allowed.message() + ")");
    request.url = full;
    std::string token_file = EnvironmentValue(environment, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    std::string token = EnvironmentValue(environment, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
    if (!token_file.empty()) {  // the file wins: EKS rotates it
      auto text = ReadTrimmedFile(token_file);
      if (!text || text->empty()) {
        return ProviderResult::Skipped("ecs (cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " +
                                       token_file + ")");
      }
      token = *text;
    }
    if (!token.empty()) request.headers.push_back("Authorization: " + token);
  }
  request.connect_timeout_ms = kCredentialEndpointConnectTimeoutMs;
  request.timeout_ms = kCredentialEndpointTimeoutMs;
  CurlEasy curl;
  auto response = curl.Perform(request);
  if (!response.ok()) {
    return ProviderResult::Skipped("ecs (" + request.url + ": " + response.message() + ")");
  }
  if (response->status != 200) {
    return ProviderResult::Skipped("ecs (" + request.url + ": HTTP " +
                                   std::to_string(response->status) + ")");
  }
  auto credentials = ParseCredentialsJson(response->body, "ecs");
  if (!credentials.ok()) {
    return ProviderResult::Skipped("ecs (" + request.url + ": " + credentials.message() + ")");
  }
  return ProviderResult::Found(std::move(credentials.value()));
}

}  // namespace trailwatch::aws
