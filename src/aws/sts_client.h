// STS, the AWS Security Token Service: AssumeRole (SigV4-signed) and AssumeRoleWithWebIdentity
// (unsigned: the web identity token is the proof) over the Query API (form-encoded POST,
// Version=2011-06-15, XML answer), for the role providers of the credential chain.
//
// The endpoint is regional by default, https://sts.<region>.amazonaws.com (the SDKs' default
// since 2022; the global sts.amazonaws.com is a single point in us-east-1), overridden by
// AWS_ENDPOINT_URL_STS, then AWS_ENDPOINT_URL (moto_server in the tests).
//
// The answers hold secrets: errors name the role, the action and AWS's error code and message,
// never a key, token or the document.
//
// Thread-safety: plain functions; each call uses its own HTTP handle.
#pragma once

#include <string>

#include "aws/credentials.h"
#include "common/result.h"

namespace trailwatch::aws {

struct AssumeRoleRequest {
  std::string role_arn;
  std::string role_session_name;  // empty: DefaultRoleSessionName()
  std::string external_id;        // empty: not sent
  int duration_seconds = 0;       // 0: not sent (STS's default, 1 hour)
};

// The endpoint for `region` (see the file comment), without a trailing '/'.
std::string ResolveStsEndpoint(const Environment& environment, const std::string& region);

// "trailwatch-<unix seconds>", as the SDKs make "botocore-session-<seconds>".
std::string DefaultRoleSessionName();

// AssumeRole signed with `caller`; Credentials::source is "role <arn> via <caller.source>".
Result<Credentials> AssumeRole(const std::string& endpoint, const std::string& region,
                               const Credentials& caller, const AssumeRoleRequest& request);

// AssumeRoleWithWebIdentity with `web_identity_token` (a secret, never in errors);
// Credentials::source is "web identity <arn>".
Result<Credentials> AssumeRoleWithWebIdentity(const std::string& endpoint,
                                              const AssumeRoleRequest& request,
                                              const std::string& web_identity_token);

}  // namespace trailwatch::aws
