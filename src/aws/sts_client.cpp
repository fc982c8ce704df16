// STS Query API requests (sts_client.h).
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
#include "aws/sts_client.h"

#include <chrono>
#include <thread>
#include <utility>
#include <vector>

#include "aws/credentials_document.h"
#include "aws/http_exchange.h"
#include "aws/xml_paths.h"

namespace trailwatch::aws {

namespace {

constexpr const char* kVersion = "2011-06-15";
constexpr int kMaxAttempts = 3;

std::string Form(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string body;
  for (const auto& [name, value] : fields) {
    if (!body.empty()) body += '&';
    body.append(name).append("=").append(UriEncode(value));
  }
  return body;
}

struct StsAnswer {
  Credentials credentials;
  std::string expiration;
  std::string error_code;
  std::string error_message;
};

Result<StsAnswer> ParseAnswer(const std::string& xml, const std::string& action) {
  StsAnswer answer;
  const std::string result = action + "Response/" + action + "Result/Credentials/";
  Status parsed = VisitXmlPaths(xml, [&](const std::string& path, const std::string& text) {
    if (path.starts_with(result)) {
      std::string_view field = std::string_view(path).substr(result.size());
      if (field == "AccessKeyId") answer.credentials.access_key_id = text;
      if (field == "SecretAccessKey") answer.credentials.secret_access_key = text;
      if (field == "SessionToken") answer.credentials.session_token = text;
      if (field == "Expiration") answer.expiration = text;
    } else if (path == "ErrorResponse/Error/Code") {
      answer.error_code = text;
    } else if (path == "ErrorResponse/Error/Message") {
      answer.error_message = text;
    }
  });
  if (!parsed.ok()) return Error{"the answer is not XML (" + parsed.message() + ")"};
  return answer;
}

bool RetryableStsStatus(long status, const std::string& code) {
  return status >= 500 || status == 429 || code == "Throttling" || code == "IDPCommunicationError";
}

// POSTs `form` and returns the credentials of `action`'s answer.
Result<Credentials> Call(const std::string& endpoint, const std::string& action,
                         const std::string& form, const std::string& role_arn,
                         const std::string& region, const Credentials* caller) {
  std::string where = "STS " + action + " " + role_arn + " at " + endpoint;
  std::string last_error;
  CurlEasy curl;
  for (int attempt = 1;; ++attempt) {
    HttpExchangeRequest http;
    http.method = "POST";
    http.url = endpoint + "/";
    http.body = form;
    http.headers = {"Content-Type: application/x-www-form-urlencoded; charset=utf-8",
                    "Accept: text/xml"};
    http.connect_timeout_ms = 5000;
    http.timeout_ms = 30000;
    if (caller) {
      http.aws_sigv4 = "aws:amz:" + region + ":sts";
      http.user_password = caller->access_key_id + ":" + caller->secret_access_key;
      if (!caller->session_token.empty()) {
        http.headers.push_back("x-amz-security-token: " + caller->session_token);
      }
    }
    auto response = curl.Perform(http);
    bool retryable = true;
    if (response.ok()) {
      auto answer = ParseAnswer(response->body, action);
      if (response->status == 200 && answer.ok()) {
        Credentials& credentials = answer->credentials;
        if (credentials.access_key_id.empty() || credentials.secret_access_key.empty() ||
            credentials.session_token.empty()) {
          return Error{where + ": the answer lacks AccessKeyId, SecretAccessKey or SessionToken"};
        }
        credentials.expiration = ParseIso8601(answer->expiration);
        if (!credentials.expiration) {
          return Error{where + ": unreadable Expiration \"" + answer->expiration + "\""};
        }
        return std::move(credentials);
      }
      std::string code = answer.ok() ? answer->error_code : std::string();
      retryable = RetryableStsStatus(response->status, code);
      last_error = "HTTP " + std::to_string(response->status);
      if (!code.empty()) {
        last_error = code + ": " + answer->error_message + " (" + last_error + ")";
      }
    } else {
      last_error = response.message();
    }
    if (!retryable || attempt >= kMaxAttempts) {
      if (retryable && attempt > 1) {
        last_error += " (after " + std::to_string(attempt) + " attempts)";
      }
      return Error{where + ": " + last_error};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
  }
}

std::vector<std::pair<std::string, std::string>> CommonFields(const std::string& action,
                                                              const AssumeRoleRequest& request) {
  std::vector<std::pair<std::string, std::string>> fields = {
      {"Action", action},
      {"Version", kVersion},
      {"RoleArn", request.role_arn},
      {"RoleSessionName",
       request.role_session_name.empty() ? DefaultRoleSessionName() : request.role_session_name}};
  if (request.duration_seconds > 0) {
    fields.emplace_back("DurationSeconds", std::to_string(request.duration_seconds));
  }
  return fields;
}

}  // namespace

std::string ResolveStsEndpoint(const Environment& environment, const std::string& region) {
  for (const char* name : {"AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"}) {
    std::string endpoint = EnvironmentValue(environment, name);
    while (endpoint.ends_with('/')) endpoint.pop_back();
    if (!endpoint.empty()) return endpoint;
  }
  std::string suffix = region.starts_with("cn-") ? ".amazonaws.com.cn" : ".amazonaws.com";
  return "https://sts." + (region.empty() ? std::string("us-east-1") : region) + suffix;
}

std::string DefaultRoleSessionName() {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return "trailwatch-" + std::to_string(seconds.count());
}

Result<Credentials> AssumeRole(const std::string& endpoint, const std::string& region,
                               const Credentials& caller, const AssumeRoleRequest& request) {
  auto fields = CommonFields("AssumeRole", request);
  if (!request.external_id.empty()) fields.emplace_back("ExternalId", request.external_id);
  auto credentials = Call(endpoint, "AssumeRole", Form(fields), request.role_arn, region, &caller);
  if (!credentials.ok())
    return Error{credentials.message() + " [caller from " + caller.source + "]"};
  credentials->source = "role " + request.role_arn + " via " + caller.source;
  return credentials;
}

Result<Credentials> AssumeRoleWithWebIdentity(const std::string& endpoint,
                                              const AssumeRoleRequest& request,
                                              const std::string& web_identity_token) {
  auto fields = CommonFields("AssumeRoleWithWebIdentity", request);
  fields.emplace_back("WebIdentityToken", web_identity_token);
  auto credentials =
      Call(endpoint, "AssumeRoleWithWebIdentity", Form(fields), request.role_arn, "", nullptr);
  if (!credentials.ok()) {
    // An identity provider's message could quote the token it refused: never pass it on.
    std::string message = credentials.message();
    for (size_t at; !web_identity_token.empty() &&
                    (at = message.find(web_identity_token)) != std::string::npos;) {
      message.replace(at, web_identity_token.size(), "<token>");
    }
    return Error{message};
  }
  credentials->source = "web identity " + request.role_arn;
  return credentials;
}

}  // namespace trailwatch::aws
