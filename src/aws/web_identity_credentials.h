// Web identity credentials (EKS IRSA, GitHub OIDC, ...): the token in a file is exchanged for a
// role's credentials with STS AssumeRoleWithWebIdentity, an unsigned request (the token is the
// proof). From the environment (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN, optional
// AWS_ROLE_SESSION_NAME), the second provider of the chain; and from a profile
// (web_identity_token_file, role_arn, role_session_name), used by profile_credentials.cpp.
// The file is read on every refresh: EKS rotates the token.
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-assume-role-credentials.html
//
// Thread-safety: plain functions.
#pragma once

#include <string>

#include "aws/credentials.h"
#include "aws/sts_client.h"

namespace trailwatch::aws {

// Skipped when AWS_WEB_IDENTITY_TOKEN_FILE is not set; Failed when it is set and the exchange
// fails (or AWS_ROLE_ARN is missing). `region`: the STS region.
ProviderResult WebIdentityCredentials(const Environment& environment, const std::string& region);

// One exchange of the token in `token_file` for `request.role_arn`'s credentials; errors start
// with `label` ("web identity", "profile dev") and never quote the token.
Result<Credentials> AssumeRoleWithWebIdentityFile(const Environment& environment,
                                                  const std::string& region,
                                                  const std::string& token_file,
                                                  const AssumeRoleRequest& request,
                                                  const std::string& label);

}  // namespace trailwatch::aws
