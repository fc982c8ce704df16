#include "aws/environment_credentials.h"

namespace trailwatch::aws {

ProviderResult EnvironmentCredentials(const Environment& environment) {
  auto lookup = [&](const char* name) {
    auto it = environment.find(name);
    return it == environment.end() ? std::string() : it->second;
  };
  std::string id = lookup("AWS_ACCESS_KEY_ID");
  std::string secret = lookup("AWS_SECRET_ACCESS_KEY");
  if (id.empty() && secret.empty()) {
    return ProviderResult::Skipped("environment (AWS_ACCESS_KEY_ID not set)");
  }
  if (id.empty() || secret.empty()) {
    return ProviderResult::Skipped(std::string("environment (") +
                                   (id.empty() ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY") +
                                   " not set while the other is)");
  }
  Credentials credentials;
  credentials.access_key_id = id;
  credentials.secret_access_key = secret;
  credentials.session_token = lookup("AWS_SESSION_TOKEN");
  credentials.source = "environment";
  return ProviderResult::Found(std::move(credentials));
}

}  // namespace trailwatch::aws
