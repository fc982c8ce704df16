#include "aws/fake_sts_util.h"

#include <ctime>

namespace trailwatch::testing {

std::string IsoTime(std::chrono::system_clock::time_point when) {
  time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

std::string StsCredentialsXml(const std::string& action, const std::string& access_key_id,
                              const std::string& secret, const std::string& token,
                              std::chrono::system_clock::time_point expiration) {
  std::string xml = "<" + action + "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">";
  xml += "<" + action + "Result><Credentials><AccessKeyId>" + access_key_id +
         "</AccessKeyId><SecretAccessKey>" + secret + "</SecretAccessKey><SessionToken>" + token +
         "</SessionToken><Expiration>" + IsoTime(expiration) + "</Expiration></Credentials>";
  xml +=
      "<AssumedRoleUser><Arn>arn:aws:sts::111122223333:assumed-role/R/s</Arn>"
      "<AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>";
  xml += "</" + action + "Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>";
  xml += "</" + action + "Response>";
  return xml;
}

std::string StsErrorXml(const std::string& code, const std::string& message) {
  return "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender"
         "</Type><Code>" +
         code + "</Code><Message>" + message +
         "</Message></Error><RequestId>r</RequestId></ErrorResponse>";
}

std::map<std::string, std::string> ParseForm(const std::string& body) {
  auto decode = [](const std::string& text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '+') {
        out += ' ';
      } else if (text[i] == '%' && i + 2 < text.size()) {
        out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        out += text[i];
      }
    }
    return out;
  };
  std::map<std::string, std::string> fields;
  size_t start = 0;
  while (start <= body.size()) {
    size_t end = body.find('&', start);
    if (end == std::string::npos) end = body.size();
    std::string pair = body.substr(start, end - start);
    size_t equals = pair.find('=');
    if (!pair.empty()) {
      fields[decode(pair.substr(0, equals))] =
          equals == std::string::npos ? "" : decode(pair.substr(equals + 1));
    }
    start = end + 1;
  }
  return fields;
}

}  // namespace trailwatch::testing
