// IAM Identity Center (SSO) profiles: the role credentials for `sso_account_id` /
// `sso_role_name`, fetched from the SSO portal (GetRoleCredentials:
// GET https://portal.sso.<sso_region>.amazonaws.com/federation/credentials?account_id=&role_name=
// with the header x-amz-sso_bearer_token) with the access token that `aws sso login` cached in
// ~/.aws/sso/cache/<sha1>.json: sha1 of the `sso_session` name for profiles that name an
// `[sso-session]` section, of the `sso_start_url` for legacy profiles.
//
// trailwatch only reads the cache: it never starts a login (a daemon has no browser) and does not
// refresh the token; a missing or expired token is an error saying to run
// `aws sso login --profile <name>`. The portal endpoint can be overridden with
// AWS_ENDPOINT_URL_SSO / AWS_ENDPOINT_URL (tests).
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-sso-credentials.html
//
// Thread-safety: a plain function.
#pragma once

#include <chrono>
#include <string>

#include "aws/credentials.h"
#include "aws/shared_config.h"

namespace trailwatch::aws {

// True when `settings` configure SSO (sso_session or sso_start_url).
bool IsSsoProfile(const ProfileSettings& settings);

// Errors start with "profile <name>: SSO" and never quote a token.
Result<Credentials> SsoCredentials(const SharedConfig& config, const std::string& profile,
                                   const ProfileSettings& settings, const Environment& environment,
                                   std::chrono::system_clock::time_point now);

// The cache file's name for `key` (session name or start URL): lower-case hex SHA-1 + ".json".
std::string SsoCacheFileName(const std::string& key);

}  // namespace trailwatch::aws
