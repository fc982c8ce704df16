#include "aws/credentials_document.h"

#include <simdjson.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>

namespace trailwatch::aws {

std::optional<std::chrono::system_clock::time_point> ParseIso8601(std::string_view text) {
  int year, month, day, hour, minute, second, consumed = 0;
  std::string copy(text);
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute,
                  &second, &consumed) != 6) {
    return std::nullopt;
  }
  std::string_view rest = std::string_view(copy).substr(static_cast<size_t>(consumed));
  if (rest.starts_with('.')) {  // a fraction of a second: dropped
    size_t digits = rest.find_first_not_of("0123456789", 1);
    rest = digits == std::string_view::npos ? std::string_view() : rest.substr(digits);
  }
  // AWS writes UTC; an explicit other offset is not expected and refused rather than misread.
  if (rest != "Z" && rest != "+00:00" && rest != "z" && !rest.empty()) return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  time_t when = timegm(&tm);
  if (when == static_cast<time_t>(-1)) return std::nullopt;
  return std::chrono::system_clock::from_time_t(when);
}

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

std::optional<std::string> ReadTrimmedFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  std::string value = text.str();
  size_t start = value.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return std::string();
  size_t end = value.find_last_not_of(" \t\r\n");
  return value.substr(start, end - start + 1);
}

}  // namespace trailwatch::aws
