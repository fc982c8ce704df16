// `trailwatch export-cfn`: writes a CloudFormation template that forwards the AWS events matching
// trailwatch's rules from an AWS account to trailwatch's `POST /events` (docs/reference/formats.md
// §6): an AWS::Events::Connection with an API key (the key is a NoEcho parameter, given at deploy
// time and never on trailwatch's command line), an AWS::Events::ApiDestination, an IAM role
// EventBridge assumes to invoke it, an SQS dead-letter queue, and one AWS::Events::Rule per
// trailwatch rule with EventBridge's maximum retry policy (185 attempts, 24 h).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "rules/rules_file.h"

namespace trailwatch::bridges {

// The rule exported when no rules are given: root console sign-ins, with both spellings of the
// sign-in detail-type (docs/reference/formats.md §3.2).
inline constexpr std::string_view kRootSigninRuleName = "root-signin";
inline constexpr std::string_view kRootSigninPattern =
    R"({"detail-type":["AWS Console Sign In via CloudTrail","AWS Console Signin via CloudTrail"],)"
    R"("detail":{"userIdentity":{"type":["Root"]}}})";

struct ExportOptions {
  std::string endpoint;                       // trailwatch's base URL or its /events URL
  std::vector<rules::PatternText> rules;      // empty: the root sign-in rule
  std::string name = "trailwatch-forwarder";  // stack name, Connection and ApiDestination name
  std::string api_key_header = "x-api-key";
  bool allow_http = false;          // http:// endpoints, for local testing only
  int rate_limit_per_second = 300;  // InvocationRateLimitPerSecond
  std::string template_file;        // file name shown in the deploy command comment
};

// The InvocationEndpoint for `endpoint`: "/events" appended unless the path already ends with it.
// Fails unless it is an https:// URL (http:// with allow_http) of at most 2048 characters without
// a query or fragment.
Result<std::string> EventsEndpoint(const std::string& endpoint, bool allow_http);

// The template text (YAML). Fails on a bad endpoint, name or header, or a pattern that does not
// compile (with EventBridge's reason and the rule's name).
Result<std::string> ExportTemplate(const ExportOptions& options);

}  // namespace trailwatch::bridges
