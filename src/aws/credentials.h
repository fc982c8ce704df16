// AWS credentials and region, resolved like the AWS SDKs and CLI do: environment variables,
// then AWS_PROFILE (default "default") in ~/.aws/credentials and ~/.aws/config (or
// AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE), then ECS container credentials
// (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI), then EC2 instance metadata (IMDSv2).
//
// Credentials are secrets: they never appear in logs, errors or command lines.
//
// Thread-safety: Credentials is a plain value; a CredentialsProvider may be shared and refreshes
// expiring credentials under its own lock.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/result.h"

namespace trailwatch::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty when none
  std::optional<std::chrono::system_clock::time_point> expiration;
  std::string source;  // "environment", "profile default", "ecs", "imds": for messages, not secret
};

// Environment access is injected so tests can run without touching the process environment.
using Environment = std::map<std::string, std::string>;
Environment ProcessEnvironment();

class CredentialsProvider {
 public:
  explicit CredentialsProvider(Environment environment);
  // Returns valid credentials (refreshing ECS/IMDS ones 5 minutes before expiry) or an error that
  // lists what was tried.
  Result<Credentials> Get();

 private:
  Environment environment_;
  std::mutex mutex_;
  std::optional<Credentials> cached_;
};

// The region: AWS_REGION, AWS_DEFAULT_REGION, the profile's `region` in ~/.aws/config, else
// "us-east-1".
std::string ResolveRegion(const Environment& environment);

// The endpoint override: AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL; empty when none.
std::string ResolveS3Endpoint(const Environment& environment);

}  // namespace trailwatch::aws
