// AWS credentials and region, resolved like the AWS SDKs' default credential provider chain
// (docs/aws-credentials.md). The chain, in order, and the file of each provider:
//
//   1. environment: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN
//      (environment_credentials.h)
//   2. web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN -> STS AssumeRoleWithWebIdentity
//      (web_identity_credentials.h)
//   3. the shared profile (CredentialsOptions::profile, else AWS_PROFILE, else "default") in
//      ~/.aws/credentials and ~/.aws/config (shared_config.h): static keys, role_arn with
//      source_profile / credential_source (chains of roles), web_identity_token_file,
//      credential_process (credential_process.h), SSO (sso_credentials.h)
//      (profile_credentials.h)
//   4. ECS / EKS container credentials (container_credentials.h)
//   5. EC2 instance metadata, IMDSv2 (instance_metadata_credentials.h)
//
// A CredentialsProvider may also assume a role on top of that chain (CredentialsOptions::role_arn:
// a source reading another account's bucket through a role). STS requests: sts_client.h.
//
// Credentials are secrets: secret keys, session tokens, web identity and SSO tokens never appear
// in logs, errors or command lines.
//
// Thread-safety: Credentials and CredentialsOptions are plain values. A CredentialsProvider may be
// shared by many threads: Get() refreshes temporary credentials 5 minutes before they expire, one
// thread at a time under the provider's lock, while the others keep using the credentials they
// have until those actually expire.
#pragma once

#include <chrono>
#include <functional>
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
  std::string session_token;                                        // empty when none
  std::optional<std::chrono::system_clock::time_point> expiration;  // none: never refreshed
  // Where they came from, for messages (never secret): "environment", "profile default",
  // "ecs", "imds", "web identity arn:...", "role arn:... via profile dev", ...
  std::string source;
};

// Environment access is injected so tests can run without touching the process environment.
using Environment = std::map<std::string, std::string>;
// The variable's value; empty when it is not set (the SDKs treat an empty value as unset).
std::string EnvironmentValue(const Environment& environment, const std::string& name);
Environment ProcessEnvironment();

using WallClock = std::function<std::chrono::system_clock::time_point()>;

struct CredentialsOptions {
  // The shared profile; empty: AWS_PROFILE, else "default". A profile given here (`--profile`,
  // `profile:`) takes the place of the environment's keys, as an explicit profile does in the
  // AWS CLI; it must exist.
  std::string profile;
  // The region of STS requests; empty: ResolveRegion(environment, profile).
  std::string region;
  // A role assumed with the chain's credentials (per-source identity); empty: none.
  std::string role_arn;
  std::string external_id;        // sent with role_arn when set
  std::string role_session_name;  // empty: trailwatch-<unix seconds>
  // How long a credential_process may run before it is killed.
  std::chrono::milliseconds process_timeout{60000};
  // The clock that decides when credentials are due for refresh (tests); empty: system_clock.
  WallClock now;
};

// What one provider of the chain answers: credentials, "not configured here" (why, for the list
// of what was tried: the chain goes on), or "configured but failed" (the chain stops, as the SDKs
// do for a misconfiguration the user must fix). Used by the provider files.
struct ProviderResult {
  std::optional<Credentials> credentials;
  std::string skipped;
  std::string error;

  static ProviderResult Found(Credentials credentials) { return {std::move(credentials), {}, {}}; }
  static ProviderResult Skipped(std::string why) { return {std::nullopt, std::move(why), {}}; }
  static ProviderResult Failed(std::string why) { return {std::nullopt, {}, std::move(why)}; }
};

class CredentialsProvider {
 public:
  explicit CredentialsProvider(Environment environment);
  CredentialsProvider(Environment environment, CredentialsOptions options);
  ~CredentialsProvider();
  CredentialsProvider(const CredentialsProvider&) = delete;
  CredentialsProvider& operator=(const CredentialsProvider&) = delete;

  // Valid credentials (fetched again 5 minutes before they expire), or an error naming the
  // provider or profile that failed, or listing what was tried.
  Result<Credentials> Get();

 private:
  Result<Credentials> Resolve();

  Environment environment_;
  CredentialsOptions options_;
  // With options_.role_arn: the chain whose credentials assume the role (its own cache).
  std::unique_ptr<CredentialsProvider> source_;
  std::mutex refresh_mutex_;  // held while fetching: one refresh at a time
  std::mutex mutex_;          // guards cached_
  std::optional<Credentials> cached_;
};

// The region: AWS_REGION, AWS_DEFAULT_REGION, the profile's `region` in ~/.aws/config (the
// profile: `profile`, else AWS_PROFILE, else default), else "us-east-1".
std::string ResolveRegion(const Environment& environment, const std::string& profile = "");

// The endpoint override: AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL; empty when none.
std::string ResolveS3Endpoint(const Environment& environment);

}  // namespace trailwatch::aws
