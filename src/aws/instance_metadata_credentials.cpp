#include "aws/instance_metadata_credentials.h"

#include <algorithm>
#include <cctype>

#include "aws/credentials_document.h"
#include "aws/http_exchange.h"

namespace trailwatch::aws {

namespace {

constexpr const char* kDefaultEndpoint = "http://169.254.169.254";

std::string TrimmedImdsValue(const std::string& text) {
  size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return {};
  size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(start, end - start + 1);
}

}  // namespace

ProviderResult InstanceMetadataCredentials(const Environment& environment) {
  std::string disabled = EnvironmentValue(environment, "AWS_EC2_METADATA_DISABLED");
  std::transform(disabled.begin(), disabled.end(), disabled.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (disabled == "true") return ProviderResult::Skipped("imds (AWS_EC2_METADATA_DISABLED=true)");
  std::string endpoint = EnvironmentValue(environment, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
  if (endpoint.empty()) endpoint = kDefaultEndpoint;
  while (endpoint.ends_with('/')) endpoint.pop_back();
  auto fail = [&](const std::string& why) {
    return ProviderResult::Skipped("imds (" + endpoint + ": " + why + ")");
  };

  CurlEasy curl;
  HttpExchangeRequest request;
  request.connect_timeout_ms = kCredentialEndpointConnectTimeoutMs;
  request.timeout_ms = kCredentialEndpointTimeoutMs;
  request.method = "PUT";
  request.url = endpoint + "/latest/api/token";
  request.headers = {"X-aws-ec2-metadata-token-ttl-seconds: 21600", "Content-Type:"};
  auto token = curl.Perform(request);
  if (!token.ok()) return fail(token.message());
  if (token->status != 200) return fail("token request: HTTP " + std::to_string(token->status));
  std::string session = TrimmedImdsValue(token->body);

  request.method = "GET";
  request.headers = {"X-aws-ec2-metadata-token: " + session};
  request.url = endpoint + "/latest/meta-data/iam/security-credentials/";
  auto roles = curl.Perform(request);
  if (!roles.ok()) return fail(roles.message());
  if (roles->status == 404) return fail("no IAM role attached to the instance");
  if (roles->status != 200) return fail("role list: HTTP " + std::to_string(roles->status));
  std::string role = TrimmedImdsValue(roles->body.substr(0, roles->body.find('\n')));
  if (role.empty()) return fail("no IAM role attached to the instance");

  request.url += role;
  auto document = curl.Perform(request);
  if (!document.ok()) return fail(document.message());
  if (document->status != 200) {
    return fail("role " + role + ": HTTP " + std::to_string(document->status));
  }
  auto credentials = ParseCredentialsJson(document->body, "imds");
  if (!credentials.ok()) return fail("role " + role + ": " + credentials.message());
  return ProviderResult::Found(std::move(credentials.value()));
}

}  // namespace trailwatch::aws
