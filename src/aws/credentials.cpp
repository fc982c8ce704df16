// The credentials chain (credentials.h). Order and file formats follow the AWS CLI / SDKs:
// https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html
#include "aws/credentials.h"

#include <curl/curl.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <fstream>
#include <sstream>
#include <vector>

#include "aws/http_exchange.h"

extern char** environ;

namespace trailwatch::aws {

namespace {

using Clock = std::chrono::system_clock;

// SDKs refresh temporary credentials this long before they expire.
constexpr auto kRefreshMargin = std::chrono::minutes(5);

// The ECS agent's fixed address for AWS_CONTAINER_CREDENTIALS_RELATIVE_URI.
constexpr const char* kEcsHost = "http://169.254.170.2";
constexpr const char* kImdsDefaultEndpoint = "http://169.254.169.254";
// Link-local services answer in milliseconds; a machine without them must not hang the chain.
constexpr long kMetadataConnectTimeoutMs = 1000;
constexpr long kMetadataTimeoutMs = 2000;

std::string Lookup(const Environment& environment, const std::string& name) {
  auto it = environment.find(name);
  return it == environment.end() ? std::string() : it->second;
}

std::string Trim(std::string_view text) {
  size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(start, end - start + 1));
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// --- INI files (~/.aws/credentials, ~/.aws/config) ---------------------------------------------

using IniSection = std::map<std::string, std::string>;
using IniFile = std::map<std::string, IniSection>;

// Like botocore's parser: full-line comments start with '#' or ';' (no inline comments: a secret
// may contain '#'); indented lines under a key are nested settings (e.g. `s3 =` blocks), ignored.
std::optional<IniFile> ReadIni(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  IniFile file;
  IniSection* section = nullptr;
  std::string line;
  while (std::getline(in, line)) {
    bool indented = !line.empty() && (line[0] == ' ' || line[0] == '\t');
    std::string text = Trim(line);
    if (text.empty() || text[0] == '#' || text[0] == ';') continue;
    if (text.front() == '[') {
      size_t close = text.find(']');
      if (close == std::string::npos) continue;
      // "[profile  name]" and "[ default ]" are accepted as the CLI does.
      std::string name = Trim(std::string_view(text).substr(1, close - 1));
      section = &file[name];
      continue;
    }
    if (indented || !section) continue;
    size_t equals = text.find('=');
    if (equals == std::string::npos) continue;
    std::string key = Lower(Trim(std::string_view(text).substr(0, equals)));
    (*section)[key] = Trim(std::string_view(text).substr(equals + 1));
  }
  return file;
}

struct ProfileFiles {
  std::string profile;
  bool profile_explicit = false;
  std::string credentials_path;  // empty when unknown (no HOME)
  std::string config_path;
};

std::string ExpandHome(const std::string& path, const Environment& environment) {
  if (path == "~" || path.starts_with("~/")) {
    std::string home = Lookup(environment, "HOME");
    if (home.empty()) return {};
    return home + path.substr(1);
  }
  return path;
}

ProfileFiles LocateProfileFiles(const Environment& environment) {
  ProfileFiles files;
  files.profile = Lookup(environment, "AWS_PROFILE");
  files.profile_explicit = !files.profile.empty();
  if (files.profile.empty()) files.profile = "default";
  std::string credentials = Lookup(environment, "AWS_SHARED_CREDENTIALS_FILE");
  std::string config = Lookup(environment, "AWS_CONFIG_FILE");
  files.credentials_path =
      ExpandHome(credentials.empty() ? "~/.aws/credentials" : credentials, environment);
  files.config_path = ExpandHome(config.empty() ? "~/.aws/config" : config, environment);
  return files;
}

// The profile's section in the config file: "[profile name]", or "[default]" for default.
const IniSection* ConfigSection(const IniFile& config, const std::string& profile) {
  auto it = config.find("profile " + profile);
  if (it != config.end()) return &it->second;
  if (profile == "default") {
    it = config.find("default");
    if (it != config.end()) return &it->second;
  }
  return nullptr;
}

// --- JSON credentials documents (ECS and IMDS) ------------------------------------------------

std::optional<Clock::time_point> ParseIso8601(std::string_view text) {
  // "2026-11-27T12:34:56Z" (fractions and offsets other than Z/+00:00 do not occur here).
  int year, month, day, hour, minute, second;
  std::string copy(text);
  if (std::sscanf(copy.c_str(), "%d-%d-%dT%d:%d:%d", &year, &month, &day, &hour, &minute,
                  &second) != 6) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  time_t when = timegm(&tm);
  if (when == static_cast<time_t>(-1)) return std::nullopt;
  return Clock::from_time_t(when);
}

// Reads {"AccessKeyId","SecretAccessKey","Token","Expiration"[,"Code"]}. Error texts never
// include the document (it holds the secret).
Result<Credentials> ParseCredentialsJson(const std::string& body, const std::string& source) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body).get(root) != simdjson::SUCCESS || !root.is_object()) {
    return Error{"the answer is not a JSON object"};
  }
  auto field = [&](const char* name) -> std::string {
    std::string_view value;
    if (root[name].get_string().get(value) != simdjson::SUCCESS) return {};
    return std::string(value);
  };
  std::string code = field("Code");
  if (!code.empty() && code != "Success") return Error{"Code is \"" + code + "\""};
  Credentials credentials;
  credentials.access_key_id = field("AccessKeyId");
  credentials.secret_access_key = field("SecretAccessKey");
  credentials.session_token = field("Token");
  credentials.source = source;
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return Error{"the answer lacks AccessKeyId or SecretAccessKey"};
  }
  std::string expiration = field("Expiration");
  if (!expiration.empty()) {
    credentials.expiration = ParseIso8601(expiration);
    if (!credentials.expiration) return Error{"unreadable Expiration \"" + expiration + "\""};
  }
  return credentials;
}

bool IsLoopbackOrEcsHost(const std::string& host) {
  return host == "localhost" || host.starts_with("127.") || host == "::1" || host == "[::1]" ||
         host == "169.254.170.2" || host == "169.254.170.23" || host == "fd00:ec2::23" ||
         host == "[fd00:ec2::23]";
}

// The SDKs accept a FULL_URI only over https or to a loopback / ECS / EKS pod identity address:
// the answer is a secret and the request may carry the authorization token.
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
  if (scheme == "https" || (scheme == "http" && IsLoopbackOrEcsHost(host))) return Status::Ok();
  return Error{"AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or a loopback address, not " +
               scheme + "://" + host};
}

// --- the chain links -------------------------------------------------------------------------

// Each link returns credentials, nothing (and appends why to `tried`), or a fatal error that
// stops the chain (a misconfiguration the user must fix, as the SDKs do).
struct LinkResult {
  std::optional<Credentials> credentials;
  std::optional<std::string> fatal;
};

LinkResult FromEnvironment(const Environment& environment, std::vector<std::string>* tried) {
  std::string id = Lookup(environment, "AWS_ACCESS_KEY_ID");
  std::string secret = Lookup(environment, "AWS_SECRET_ACCESS_KEY");
  if (id.empty() && secret.empty()) {
    tried->push_back("environment (AWS_ACCESS_KEY_ID not set)");
    return {};
  }
  if (id.empty() || secret.empty()) {
    tried->push_back(std::string("environment (") +
                     (id.empty() ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY") +
                     " not set while the other is)");
    return {};
  }
  Credentials credentials;
  credentials.access_key_id = id;
  credentials.secret_access_key = secret;
  credentials.session_token = Lookup(environment, "AWS_SESSION_TOKEN");
  credentials.source = "environment";
  return {credentials, std::nullopt};
}

LinkResult FromProfile(const Environment& environment, std::vector<std::string>* tried) {
  ProfileFiles files = LocateProfileFiles(environment);
  std::string label = "profile " + files.profile;
  std::optional<IniFile> credentials_file, config_file;
  if (!files.credentials_path.empty()) credentials_file = ReadIni(files.credentials_path);
  if (!files.config_path.empty()) config_file = ReadIni(files.config_path);

  const IniSection* sections[2] = {nullptr, nullptr};  // credentials file first, then config
  if (credentials_file) {
    auto it = credentials_file->find(files.profile);
    if (it != credentials_file->end()) sections[0] = &it->second;
  }
  if (config_file) sections[1] = ConfigSection(*config_file, files.profile);

  auto where = [&] {
    std::string text;
    text += files.credentials_path.empty()
                ? "no credentials file (HOME not set)"
                : files.credentials_path + (credentials_file ? "" : " (missing)");
    text += ", ";
    text += files.config_path.empty() ? "no config file (HOME not set)"
                                      : files.config_path + (config_file ? "" : " (missing)");
    return text;
  };
  if (!sections[0] && !sections[1]) {
    std::string why = label + " (not found in " + where() + ")";
    // An explicitly chosen profile that does not exist is an error, as in the AWS CLI.
    if (files.profile_explicit) return {std::nullopt, "AWS_PROFILE: " + why};
    tried->push_back(why);
    return {};
  }
  auto value = [&](const char* key) -> std::string {
    for (const IniSection* section : sections) {
      if (!section) continue;
      auto it = section->find(key);
      if (it != section->end() && !it->second.empty()) return it->second;
    }
    return {};
  };
  Credentials credentials;
  credentials.access_key_id = value("aws_access_key_id");
  credentials.secret_access_key = value("aws_secret_access_key");
  credentials.session_token = value("aws_session_token");
  credentials.source = label;
  if (!credentials.access_key_id.empty() && !credentials.secret_access_key.empty()) {
    return {credentials, std::nullopt};
  }
  std::string why = label + " (in " + where() + ": ";
  if (!value("role_arn").empty()) {
    why += "role_arn (assume-role) is not supported; export temporary credentials instead)";
  } else if (!value("sso_start_url").empty() || !value("sso_session").empty()) {
    why += "SSO is not supported; run `aws configure export-credentials` and export them)";
  } else if (!value("credential_process").empty()) {
    why += "credential_process is not supported)";
  } else {
    why += "no aws_access_key_id / aws_secret_access_key)";
  }
  if (files.profile_explicit) return {std::nullopt, "AWS_PROFILE: " + why};
  tried->push_back(why);
  return {};
}

std::string ReadTokenFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::stringstream text;
  text << in.rdbuf();
  return Trim(text.str());
}

LinkResult FromEcs(const Environment& environment, std::vector<std::string>* tried) {
  std::string relative = Lookup(environment, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  std::string full = Lookup(environment, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
  if (relative.empty() && full.empty()) {
    tried->push_back("ecs (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI not set)");
    return {};
  }
  HttpExchangeRequest request;
  if (!relative.empty()) {
    request.url = kEcsHost + relative;
  } else {
    Status allowed = CheckFullUri(full);
    if (!allowed.ok()) {
      tried->push_back("ecs (" + allowed.message() + ")");
      return {};
    }
    request.url = full;
    std::string token_file = Lookup(environment, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    std::string token = Lookup(environment, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
    if (!token_file.empty()) {
      token = ReadTokenFile(token_file);
      if (token.empty()) {
        tried->push_back("ecs (cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + token_file +
                         ")");
        return {};
      }
    }
    if (!token.empty()) request.headers.push_back("Authorization: " + token);
  }
  request.connect_timeout_ms = kMetadataConnectTimeoutMs;
  request.timeout_ms = kMetadataTimeoutMs;
  CurlEasy curl;
  auto response = curl.Perform(request);
  if (!response.ok()) {
    tried->push_back("ecs (" + request.url + ": " + response.message() + ")");
    return {};
  }
  if (response->status != 200) {
    tried->push_back("ecs (" + request.url + ": HTTP " + std::to_string(response->status) + ")");
    return {};
  }
  auto credentials = ParseCredentialsJson(response->body, "ecs");
  if (!credentials.ok()) {
    tried->push_back("ecs (" + request.url + ": " + credentials.message() + ")");
    return {};
  }
  return {std::move(credentials.value()), std::nullopt};
}

// IMDSv2: a session token from PUT /latest/api/token, then the role name and its credentials.
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-security-credentials.html
LinkResult FromImds(const Environment& environment, std::vector<std::string>* tried) {
  if (Lower(Lookup(environment, "AWS_EC2_METADATA_DISABLED")) == "true") {
    tried->push_back("imds (AWS_EC2_METADATA_DISABLED=true)");
    return {};
  }
  std::string endpoint = Lookup(environment, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
  if (endpoint.empty()) endpoint = kImdsDefaultEndpoint;
  while (endpoint.ends_with('/')) endpoint.pop_back();
  auto fail = [&](const std::string& why) {
    tried->push_back("imds (" + endpoint + ": " + why + ")");
    return LinkResult{};
  };

  CurlEasy curl;
  HttpExchangeRequest request;
  request.connect_timeout_ms = kMetadataConnectTimeoutMs;
  request.timeout_ms = kMetadataTimeoutMs;
  request.method = "PUT";
  request.url = endpoint + "/latest/api/token";
  request.headers = {"X-aws-ec2-metadata-token-ttl-seconds: 21600", "Content-Type:"};
  auto token = curl.Perform(request);
  if (!token.ok()) return fail(token.message());
  if (token->status != 200) return fail("token request: HTTP " + std::to_string(token->status));
  std::string session = Trim(token->body);

  request.method = "GET";
  request.headers = {"X-aws-ec2-metadata-token: " + session};
  request.url = endpoint + "/latest/meta-data/iam/security-credentials/";
  auto roles = curl.Perform(request);
  if (!roles.ok()) return fail(roles.message());
  if (roles->status == 404) return fail("no IAM role attached to the instance");
  if (roles->status != 200) return fail("role list: HTTP " + std::to_string(roles->status));
  std::string role = Trim(roles->body.substr(0, roles->body.find('\n')));
  if (role.empty()) return fail("no IAM role attached to the instance");

  request.url += role;
  auto document = curl.Perform(request);
  if (!document.ok()) return fail(document.message());
  if (document->status != 200) {
    return fail("role " + role + ": HTTP " + std::to_string(document->status));
  }
  auto credentials = ParseCredentialsJson(document->body, "imds");
  if (!credentials.ok()) return fail("role " + role + ": " + credentials.message());
  return {std::move(credentials.value()), std::nullopt};
}

std::string Join(const std::vector<std::string>& parts) {
  std::string text;
  for (const std::string& part : parts) {
    if (!text.empty()) text += "; ";
    text += part;
  }
  return text;
}

Result<Credentials> ResolveChain(const Environment& environment) {
  std::vector<std::string> tried;
  for (auto link : {FromEnvironment, FromProfile, FromEcs, FromImds}) {
    LinkResult result = link(environment, &tried);
    if (result.credentials) return std::move(*result.credentials);
    if (result.fatal) {
      tried.push_back(*result.fatal);
      return Error{"AWS credentials: " + *result.fatal +
                   (tried.size() > 1 ? "; tried before: " + Join({tried.begin(), tried.end() - 1})
                                     : std::string())};
    }
  }
  return Error{"no AWS credentials found; tried: " + Join(tried)};
}

bool Fresh(const Credentials& credentials, Clock::time_point now) {
  return !credentials.expiration || *credentials.expiration - kRefreshMargin > now;
}

}  // namespace

Environment ProcessEnvironment() {
  Environment environment;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view text(*entry);
    size_t equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    environment.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  return environment;
}

CredentialsProvider::CredentialsProvider(Environment environment)
    : environment_(std::move(environment)) {}

Result<Credentials> CredentialsProvider::Get() {
  std::lock_guard lock(mutex_);
  Clock::time_point now = Clock::now();
  if (cached_ && Fresh(*cached_, now)) return *cached_;
  Result<Credentials> resolved = ResolveChain(environment_);
  if (resolved.ok()) {
    cached_ = resolved.value();
    return resolved;
  }
  // A failed refresh keeps using credentials that have not expired yet (the SDKs do the same).
  if (cached_ && cached_->expiration && *cached_->expiration > now) return *cached_;
  return resolved;
}

std::string ResolveRegion(const Environment& environment) {
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    std::string region = Lookup(environment, name);
    if (!region.empty()) return region;
  }
  ProfileFiles files = LocateProfileFiles(environment);
  if (!files.config_path.empty()) {
    if (auto config = ReadIni(files.config_path)) {
      if (const IniSection* section = ConfigSection(*config, files.profile)) {
        auto it = section->find("region");
        if (it != section->end() && !it->second.empty()) return it->second;
      }
    }
  }
  return "us-east-1";
}

std::string ResolveS3Endpoint(const Environment& environment) {
  for (const char* name : {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}) {
    std::string endpoint = Lookup(environment, name);
    while (endpoint.ends_with('/')) endpoint.pop_back();
    if (!endpoint.empty()) return endpoint;
  }
  return {};
}

}  // namespace trailwatch::aws
