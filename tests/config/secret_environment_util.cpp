#include "config/secret_environment_util.h"

#include <map>

namespace trailwatch::testing {

std::optional<std::string> SecretEnvironment(const std::string& name) {
  static const std::map<std::string, std::string> kValues = {
      {"API_KEY", "XXXXSECRET-0123456789abcdef"},
      {"BAD_BUCKET", "XXXXSECRET_Bucket"},
      {"BAD_DATE", "XXXXSECRET-date"},
      {"BAD_ENDPOINT", "ftp://XXXXSECRET.example"},
      {"BAD_HEADER", "XXXXSECRET header"},
      {"BAD_LISTEN", "XXXXSECRET-host"},
      {"BAD_PREFIX", "XXXXSECRET-no-slash"},
      {"BAD_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/XXXXSECRET"},
      {"BAD_REGION", "XXXXSECRET_REGION"},
      {"BUCKET", "xxxxsecret-trail"},
      {"EMPTY", ""},
      {"LISTEN", "127.0.0.1:0"},
      {"LOG_DIR", "/srv/XXXXSECRET-logs"},
      {"PREFIX", "XXXXSECRET/AWSLogs/"},
      {"QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/111122223333/XXXXSECRET-queue"},
      {"RULE_NAME", "XXXXSECRET rule!"},
      {"SHORT", "ab"},
      {"SHORT_API_KEY", "XXXXSECRET"},
      {"STORE_DIR", "/tmp/XXXXSECRET-store"},
      {"TENANT", "acme-XXXXSECRET1"},
  };
  auto it = kValues.find(name);
  if (it == kValues.end()) return std::nullopt;
  return it->second;
}

}  // namespace trailwatch::testing
