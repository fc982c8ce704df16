#include "aws/sso_credentials.h"

#include <openssl/evp.h>
#include <simdjson.h>

#include "aws/credentials_document.h"
#include "aws/http_exchange.h"

namespace trailwatch::aws {

namespace {

std::string PortalEndpoint(const Environment& environment, const std::string& region) {
  for (const char* name : {"AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL"}) {
    std::string endpoint = EnvironmentValue(environment, name);
    while (endpoint.ends_with('/')) endpoint.pop_back();
    if (!endpoint.empty()) return endpoint;
  }
  std::string suffix = region.starts_with("cn-") ? ".amazonaws.com.cn" : ".amazonaws.com";
  return "https://portal.sso." + region + suffix;
}

}  // namespace

bool IsSsoProfile(const ProfileSettings& settings) {
  return !Setting(settings, "sso_session").empty() || !Setting(settings, "sso_start_url").empty();
}

std::string SsoCacheFileName(const std::string& key) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(key.data(), key.size(), digest, &length, EVP_sha1(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string name;
  for (unsigned int i = 0; i < length; ++i) {
    name += kHex[digest[i] >> 4];
    name += kHex[digest[i] & 15];
  }
  return name + ".json";
}

Result<Credentials> SsoCredentials(const SharedConfig& config, const std::string& profile,
                                   const ProfileSettings& settings, const Environment& environment,
                                   std::chrono::system_clock::time_point now) {
  const std::string label = "profile " + profile + ": SSO";
  const std::string login = "run `aws sso login --profile " + profile + "`";
  std::string session_name = Setting(settings, "sso_session");
  std::string region, cache_key;
  if (!session_name.empty()) {
    auto session = config.SsoSession(session_name);
    if (!session) {
      return Error{label + ": sso_session = " + session_name + " but there is no [sso-session " +
                   session_name + "] section in " + config.Describe()};
    }
    region = Setting(*session, "sso_region");
    if (region.empty()) {
      return Error{label + ": [sso-session " + session_name + "] has no sso_region"};
    }
    cache_key = session_name;
  } else {
    region = Setting(settings, "sso_region");
    cache_key = Setting(settings, "sso_start_url");
    if (region.empty()) return Error{label + ": sso_start_url is set but sso_region is not"};
  }
  std::string account = Setting(settings, "sso_account_id");
  std::string role = Setting(settings, "sso_role_name");
  if (account.empty() || role.empty()) {
    return Error{label +
                 ": sso_account_id and sso_role_name are required (a profile for one "
                 "account and role; trailwatch does not list them)"};
  }

  std::string cache_dir = ExpandHome("~/.aws/sso/cache", environment);
  if (cache_dir.empty()) return Error{label + ": HOME is not set, so ~/.aws/sso/cache is unknown"};
  std::string cache_path = cache_dir + "/" + SsoCacheFileName(cache_key);
  auto cached = ReadTrimmedFile(cache_path);
  if (!cached) return Error{label + ": no cached SSO token (" + cache_path + "); " + login};
  simdjson::dom::parser parser;
  simdjson::dom::element token_document;
  std::string_view access_token, expires_at;
  if (parser.parse(*cached).get(token_document) != simdjson::SUCCESS ||
      token_document["accessToken"].get_string().get(access_token) != simdjson::SUCCESS ||
      token_document["expiresAt"].get_string().get(expires_at) != simdjson::SUCCESS) {
    return Error{label + ": " + cache_path + " lacks accessToken or expiresAt; " + login};
  }
  auto expiry = ParseIso8601(expires_at);
  if (!expiry) {
    return Error{label + ": " + cache_path + ": unreadable expiresAt \"" + std::string(expires_at) +
                 "\"; " + login};
  }
  if (*expiry <= now) {
    return Error{label + ": the SSO token in " + cache_path + " expired at " +
                 std::string(expires_at) + "; " + login};
  }

  std::string endpoint = PortalEndpoint(environment, region);
  HttpExchangeRequest request;
  request.url = endpoint + "/federation/credentials?account_id=" + UriEncode(account) +
                "&role_name=" + UriEncode(role);
  request.headers = {"x-amz-sso_bearer_token: " + std::string(access_token)};
  request.connect_timeout_ms = 5000;
  request.timeout_ms = 30000;
  CurlEasy curl;
  auto response = curl.Perform(request);
  std::string where =
      label + ": GetRoleCredentials (account " + account + ", role " + role + ") at " + endpoint;
  if (!response.ok()) return Error{where + ": " + response.message()};
  if (response->status == 401 || response->status == 403) {
    return Error{where + ": HTTP " + std::to_string(response->status) +
                 " (the token was refused or the role is not assigned to you); " + login};
  }
  if (response->status != 200) {
    return Error{where + ": HTTP " + std::to_string(response->status)};
  }
  simdjson::dom::element answer;
  simdjson::dom::object role_credentials;
  if (parser.parse(response->body).get(answer) != simdjson::SUCCESS ||
      answer["roleCredentials"].get_object().get(role_credentials) != simdjson::SUCCESS) {
    return Error{where + ": the answer has no roleCredentials object"};
  }
  auto field = [&](const char* name) -> std::string {
    std::string_view value;
    if (role_credentials[name].get_string().get(value) != simdjson::SUCCESS) return {};
    return std::string(value);
  };
  Credentials credentials;
  credentials.access_key_id = field("accessKeyId");
  credentials.secret_access_key = field("secretAccessKey");
  credentials.session_token = field("sessionToken");
  int64_t expiration_ms = 0;
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty() ||
      role_credentials["expiration"].get_int64().get(expiration_ms) != simdjson::SUCCESS) {
    return Error{where + ": the answer lacks accessKeyId, secretAccessKey or expiration"};
  }
  // The portal gives milliseconds since the epoch.
  credentials.expiration =
      std::chrono::system_clock::time_point(std::chrono::milliseconds(expiration_ms));
  credentials.source = "profile " + profile + " (SSO " + account + "/" + role + ")";
  return credentials;
}

}  // namespace trailwatch::aws
