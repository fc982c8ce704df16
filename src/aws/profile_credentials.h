// The shared-profile provider of the chain: the credentials a named profile of ~/.aws/config and
// ~/.aws/credentials describes (shared_config.h). Within a profile, as the AWS SDKs decide:
//
//   1. role_arn: assume the role (STS AssumeRole, sts_client.h) with the credentials of
//        - source_profile (resolved the same way, so roles chain: a source profile may itself
//          have a role_arn; a profile naming itself uses its own static keys), or
//        - credential_source = Environment | Ec2InstanceMetadata | EcsContainer, or
//      or, with web_identity_token_file, AssumeRoleWithWebIdentity (web_identity_credentials.h).
//      external_id, role_session_name and duration_seconds are sent with it. mfa_serial is refused:
//      a daemon has no terminal to ask for the code.
//   2. sso_session / sso_start_url: IAM Identity Center (sso_credentials.h)
//   3. credential_process (credential_process.h)
//   4. aws_access_key_id + aws_secret_access_key (+ aws_session_token)
//
// Errors name the profile (and each profile of a chain) and never a secret.
//
// Thread-safety: a plain function.
#pragma once

#include <chrono>

#include "aws/credentials.h"

namespace trailwatch::aws {

// Skipped when no profile was chosen and "default" does not exist or holds no credentials;
// Failed when a chosen profile is missing or a configured one fails.
ProviderResult ProfileCredentials(const Environment& environment, const CredentialsOptions& options,
                                  std::chrono::system_clock::time_point now);

}  // namespace trailwatch::aws
