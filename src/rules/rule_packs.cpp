// The built-in rule packs. Why each pattern looks the way it does is in the comments here; what a
// user needs to know (matches, deviations from CIS) is in docs/rules.md.
//
// Porting CloudWatch Logs metric filters (the CIS mechanism, docs/reference/formats.md §8) to
// EventBridge patterns:
//  * `$.f = "x*"` / `"*x"`      -> {"prefix": "x"} / {"suffix": "x"} (case-sensitive in both).
//  * `$.f NOT EXISTS`           -> {"exists": false}.
//  * `$.f != "x"` is true when the field is absent, while {"anything-but": "x"} needs a present
//    value, so it becomes the OR-list [{"anything-but": "x"}, {"exists": false}] (mixed leaves are
//    legal, docs/reference/event-patterns.md S12).
//  * values in one array are OR-ed, fields are AND-ed, as in the filters' `||` / `&&`.
#include "rules/rule_packs.h"

#include <array>

namespace trailwatch::rules {

namespace {

using route::Severity;

// ---- root-signin ------------------------------------------------------------------------------
// The first user's pattern, widened:
//  * both detail-type spellings: real events say "AWS Console Sign In via CloudTrail", the
//    EventBridge documentation lists "AWS Console Signin via CloudTrail" (docs/reference/formats.md
// §3.2);
//  * no condition on responseElements.ConsoleLogin, so failed sign-ins (which current CloudTrail
//    records, docs/reference/formats.md §2.2 "History") match too.
constexpr std::string_view kRootSignin =
    R"({"detail-type":["AWS Console Sign In via CloudTrail","AWS Console Signin via CloudTrail"],)"
    R"("detail":{"userIdentity":{"type":["Root"]}}})";

// ---- root-activity / CIS 3.3 ------------------------------------------------------------------
// { $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS
//   && $.eventType != "AwsServiceEvent" }
constexpr std::string_view kRootUsage =
    R"({"detail":{"userIdentity":{"type":["Root"],"invokedBy":[{"exists":false}]},)"
    R"("eventType":[{"anything-but":"AwsServiceEvent"},{"exists":false}]}})";

// ---- console-signin-without-mfa ---------------------------------------------------------------
// CIS 3.2 with the false positives of docs/reference/formats.md §8 removed: successful sign-ins
// only (failures carry MFAUsed "No"), MFAUsed compared case-insensitively (AWS's own root example
// says "YES"), a missing MFAUsed is unknown rather than "No", root and IAM users only (IAM Identity
// Center and other federated users sign in as AssumedRole and do MFA at their IdP), SAML sign-ins
// excluded.
constexpr std::string_view kSigninWithoutMfa =
    R"({"detail":{"eventSource":["signin.amazonaws.com"],"eventName":["ConsoleLogin"],)"
    R"("userIdentity":{"type":["Root","IAMUser"]},"responseElements":{"ConsoleLogin":["Success"]},)"
    R"("additionalEventData":{"MFAUsed":[{"equals-ignore-case":"No"}],)"
    R"("SamlProviderArn":[{"exists":false}]}}})";

// ---- console-signin-failures ------------------------------------------------------------------
// Any failed console sign-in: CIS 3.6's errorMessage, or the result field itself
// (docs/reference/formats.md §2.2
// counts anything but "Success" as a failure; "Failure" is the value AWS writes).
constexpr std::string_view kSigninFailures =
    R"({"detail":{"eventSource":["signin.amazonaws.com"],"eventName":["ConsoleLogin"],)"
    R"("$or":[{"responseElements":{"ConsoleLogin":["Failure"]}},)"
    R"({"errorMessage":["Failed authentication"]}]}})";

// ---- cis-aws-foundations ----------------------------------------------------------------------
// 3.1 v3.0: { ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")
//   && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") },
// read as (A || B) && C && D (the v1.4 copy's `||` before the last two terms is a transcription
// error, docs/reference/formats.md §8).
constexpr std::string_view kCisUnauthorized =
    R"({"detail":{"errorCode":[{"suffix":"UnauthorizedOperation"},{"prefix":"AccessDenied"}],)"
    R"("sourceIPAddress":[{"anything-but":"delivery.logs.amazonaws.com"},{"exists":false}],)"
    R"("eventName":[{"anything-but":"HeadBucket"},{"exists":false}]}})";
// 3.2: { ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }, kept
// faithful, false positives included (console-signin-without-mfa is the corrected rule).
constexpr std::string_view kCisSigninWithoutMfa =
    R"({"detail":{"eventName":["ConsoleLogin"],)"
    R"("additionalEventData":{"MFAUsed":[{"anything-but":"Yes"},{"exists":false}]}}})";
// 3.4: CIS lists event names only; iam.amazonaws.com is added (docs/reference/formats.md §8) so
// that AWS Organizations' CreatePolicy/DeletePolicy do not match.
constexpr std::string_view kCisIamPolicy =
    R"({"detail":{"eventSource":["iam.amazonaws.com"],"eventName":["DeleteGroupPolicy",)"
    R"("DeleteRolePolicy","DeleteUserPolicy","PutGroupPolicy","PutRolePolicy","PutUserPolicy",)"
    R"("CreatePolicy","DeletePolicy","CreatePolicyVersion","DeletePolicyVersion",)"
    R"("AttachRolePolicy","DetachRolePolicy","AttachUserPolicy","DetachUserPolicy",)"
    R"("AttachGroupPolicy","DetachGroupPolicy"]}})";
// 3.5: no eventSource in CIS and none here (the names are CloudTrail's own).
constexpr std::string_view kCisCloudTrail =
    R"({"detail":{"eventName":["CreateTrail","UpdateTrail","DeleteTrail","StartLogging",)"
    R"("StopLogging"]}})";
// 3.6: { ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }.
constexpr std::string_view kCisAuthFailures =
    R"({"detail":{"eventName":["ConsoleLogin"],"errorMessage":["Failed authentication"]}})";
constexpr std::string_view kCisKms = R"({"detail":{"eventSource":["kms.amazonaws.com"],)"
                                     R"("eventName":["DisableKey","ScheduleKeyDeletion"]}})";
constexpr std::string_view kCisS3Policy =
    R"({"detail":{"eventSource":["s3.amazonaws.com"],"eventName":["PutBucketAcl",)"
    R"("PutBucketPolicy","PutBucketCors","PutBucketLifecycle","PutBucketReplication",)"
    R"("DeleteBucketPolicy","DeleteBucketCors","DeleteBucketLifecycle",)"
    R"("DeleteBucketReplication"]}})";
constexpr std::string_view kCisConfig =
    R"({"detail":{"eventSource":["config.amazonaws.com"],"eventName":[)"
    R"("StopConfigurationRecorder","DeleteDeliveryChannel","PutDeliveryChannel",)"
    R"("PutConfigurationRecorder"]}})";
// 3.10-3.14: CIS lists event names only; ec2.amazonaws.com is added (docs/reference/formats.md §8),
// which keeps e.g. API Gateway v2's CreateRoute/DeleteRoute out of 3.13.
constexpr std::string_view kCisSecurityGroups =
    R"({"detail":{"eventSource":["ec2.amazonaws.com"],"eventName":[)"
    R"("AuthorizeSecurityGroupIngress","AuthorizeSecurityGroupEgress",)"
    R"("RevokeSecurityGroupIngress","RevokeSecurityGroupEgress","CreateSecurityGroup",)"
    R"("DeleteSecurityGroup"]}})";
constexpr std::string_view kCisNacl =
    R"({"detail":{"eventSource":["ec2.amazonaws.com"],"eventName":["CreateNetworkAcl",)"
    R"("CreateNetworkAclEntry","DeleteNetworkAcl","DeleteNetworkAclEntry",)"
    R"("ReplaceNetworkAclEntry","ReplaceNetworkAclAssociation"]}})";
constexpr std::string_view kCisGateways =
    R"({"detail":{"eventSource":["ec2.amazonaws.com"],"eventName":["CreateCustomerGateway",)"
    R"("DeleteCustomerGateway","AttachInternetGateway","CreateInternetGateway",)"
    R"("DeleteInternetGateway","DetachInternetGateway"]}})";
constexpr std::string_view kCisRouteTables =
    R"({"detail":{"eventSource":["ec2.amazonaws.com"],"eventName":["CreateRoute",)"
    R"("CreateRouteTable","ReplaceRoute","ReplaceRouteTableAssociation","DeleteRouteTable",)"
    R"("DeleteRoute","DisassociateRouteTable"]}})";
constexpr std::string_view kCisVpc =
    R"({"detail":{"eventSource":["ec2.amazonaws.com"],"eventName":["CreateVpc","DeleteVpc",)"
    R"("ModifyVpcAttribute","AcceptVpcPeeringConnection","CreateVpcPeeringConnection",)"
    R"("DeleteVpcPeeringConnection","RejectVpcPeeringConnection","AttachClassicLinkVpc",)"
    R"("DetachClassicLinkVpc","DisableVpcClassicLink","EnableVpcClassicLink"]}})";

// ---- cloudtrail-tampering ---------------------------------------------------------------------
// CIS 3.5 misses PutEventSelectors, which can neuter logging without stopping it
// (docs/reference/formats.md §8).
constexpr std::string_view kTrailStopped =
    R"({"detail":{"eventSource":["cloudtrail.amazonaws.com"],)"
    R"("eventName":["StopLogging","DeleteTrail"]}})";
constexpr std::string_view kTrailChanged =
    R"({"detail":{"eventSource":["cloudtrail.amazonaws.com"],)"
    R"("eventName":["UpdateTrail","PutEventSelectors"]}})";

constexpr std::array<PackRule, 1> kRootSigninRules = {{
    {"root-signin",
     "every console sign-in event (AwsConsoleSignIn) of the root user: ConsoleLogin, success or "
     "failure, and also PasswordUpdated, CheckMfa, ExternalIdPDirectoryLogin, ...",
     Severity::kCritical,
     kRootSignin,
     {}},
}};

constexpr std::array<PackRule, 1> kRootActivityRules = {{
    {"root-activity",
     "any use of the root user (sign-ins, API calls, console actions) except calls AWS services "
     "make on its behalf (invokedBy) and AWS service events; CIS 3.3",
     Severity::kHigh,
     kRootUsage,
     {}},
}};

constexpr std::array<PackRule, 1> kSigninWithoutMfaRules = {{
    {"console-signin-without-mfa",
     "successful console sign-in by the root user or an IAM user with MFAUsed \"No\" (any case); "
     "IAM Identity Center, assumed-role and SAML sign-ins excluded, a missing MFAUsed is not "
     "\"No\"",
     Severity::kHigh,
     kSigninWithoutMfa,
     {}},
}};

constexpr std::array<PackRule, 1> kSigninFailuresRules = {{
    {"console-signin-failures",
     "5 or more failed console sign-ins from one source IP address within 15 minutes",
     Severity::kMedium,
     kSigninFailures,
     {5, 15 * 60, "detail.sourceIPAddress"}},
}};

constexpr std::array<PackRule, 14> kCisRules = {{
    {"cis-3.1-unauthorized-api-calls",
     "CIS 3.1 (v3.0 filter): errorCode *UnauthorizedOperation or AccessDenied*, except "
     "delivery.logs.amazonaws.com and HeadBucket; noisy",
     Severity::kLow,
     kCisUnauthorized,
     {}},
    {"cis-3.2-console-signin-without-mfa",
     "CIS 3.2 as written: ConsoleLogin with MFAUsed not exactly \"Yes\" (also fires on failures, "
     "\"YES\", SSO and records without MFAUsed; see console-signin-without-mfa)",
     Severity::kMedium,
     kCisSigninWithoutMfa,
     {}},
    {"cis-3.3-root-usage",
     "CIS 3.3: root user activity not invoked by an AWS service and not an AWS service event",
     Severity::kHigh,
     kRootUsage,
     {}},
    {"cis-3.4-iam-policy-changes",
     "CIS 3.4: IAM policy created, changed, attached or detached (iam.amazonaws.com only)",
     Severity::kMedium,
     kCisIamPolicy,
     {}},
    {"cis-3.5-cloudtrail-changes",
     "CIS 3.5: CreateTrail, UpdateTrail, DeleteTrail, StartLogging, StopLogging",
     Severity::kHigh,
     kCisCloudTrail,
     {}},
    {"cis-3.6-console-authentication-failures",
     "CIS 3.6: ConsoleLogin with errorMessage \"Failed authentication\" (every failure, no "
     "threshold; see console-signin-failures)",
     Severity::kLow,
     kCisAuthFailures,
     {}},
    {"cis-3.7-kms-key-disabled-or-deleted",
     "CIS 3.7: KMS DisableKey or ScheduleKeyDeletion",
     Severity::kHigh,
     kCisKms,
     {}},
    {"cis-3.8-s3-bucket-policy-changes",
     "CIS 3.8: S3 bucket ACL, policy, CORS, lifecycle or replication changed",
     Severity::kMedium,
     kCisS3Policy,
     {}},
    {"cis-3.9-config-changes",
     "CIS 3.9: AWS Config recorder stopped or recorder/delivery channel changed",
     Severity::kHigh,
     kCisConfig,
     {}},
    {"cis-3.10-security-group-changes",
     "CIS 3.10: security group created, deleted, or a rule authorized or revoked "
     "(ec2.amazonaws.com only)",
     Severity::kMedium,
     kCisSecurityGroups,
     {}},
    {"cis-3.11-nacl-changes",
     "CIS 3.11: network ACL or entry created, replaced or deleted (ec2.amazonaws.com only)",
     Severity::kMedium,
     kCisNacl,
     {}},
    {"cis-3.12-network-gateway-changes",
     "CIS 3.12: customer or internet gateway created, deleted, attached or detached "
     "(ec2.amazonaws.com only)",
     Severity::kMedium,
     kCisGateways,
     {}},
    {"cis-3.13-route-table-changes",
     "CIS 3.13: route or route table created, replaced, deleted or disassociated "
     "(ec2.amazonaws.com only)",
     Severity::kMedium,
     kCisRouteTables,
     {}},
    {"cis-3.14-vpc-changes",
     "CIS 3.14: VPC created, deleted or modified, peering or ClassicLink changed "
     "(ec2.amazonaws.com only)",
     Severity::kMedium,
     kCisVpc,
     {}},
}};

constexpr std::array<PackRule, 2> kTamperingRules = {{
    {"cloudtrail-logging-stopped",
     "a trail stopped logging (StopLogging) or was deleted",
     Severity::kCritical,
     kTrailStopped,
     {}},
    {"cloudtrail-trail-changed",
     "a trail's settings or event selectors changed (UpdateTrail, PutEventSelectors): logging "
     "can be narrowed without stopping it",
     Severity::kHigh,
     kTrailChanged,
     {}},
}};

constexpr std::array<RulePack, 6> kPacks = {{
    {"root-signin",
     "every console sign-in event of the root user, not only ConsoleLogin (the classic "
     "root-login alert)",
     kRootSigninRules},
    {"root-activity", "any use of the root user except AWS service events (CIS 3.3)",
     kRootActivityRules},
    {"console-signin-without-mfa",
     "successful console sign-ins without MFA (CIS 3.2 without its false positives)",
     kSigninWithoutMfaRules},
    {"console-signin-failures", "bursts of failed console sign-ins (CIS 3.6 with a threshold)",
     kSigninFailuresRules},
    {"cis-aws-foundations",
     "CIS AWS Foundations Benchmark v1.2 monitoring items 3.1-3.14 (v1.3-v5.0: 4.1-4.14)",
     kCisRules},
    {"cloudtrail-tampering",
     "CloudTrail stopped, deleted or narrowed (StopLogging, DeleteTrail, UpdateTrail, "
     "PutEventSelectors)",
     kTamperingRules},
}};

}  // namespace

std::span<const RulePack> RulePacks() { return kPacks; }

const RulePack* FindRulePack(std::string_view name) {
  for (const RulePack& pack : kPacks) {
    if (pack.name == name) return &pack;
  }
  return nullptr;
}

const PackRule* FindPackRule(std::string_view name) {
  for (const RulePack& pack : kPacks) {
    for (const PackRule& rule : pack.rules) {
      if (rule.name == name) return &rule;
    }
  }
  return nullptr;
}

RuleSpec ToRuleSpec(const RulePack& pack, const PackRule& rule) {
  RuleSpec spec;
  spec.name = std::string(rule.name);
  spec.description = std::string(rule.description);
  spec.pattern_json = std::string(rule.pattern_json);
  spec.severity = rule.severity;
  if (rule.threshold.count > 0) {
    ThresholdSpec threshold;
    threshold.count = rule.threshold.count;
    threshold.window = std::chrono::seconds(rule.threshold.window_seconds);
    if (!rule.threshold.group_by.empty()) {
      threshold.group_by.emplace_back(rule.threshold.group_by);
    }
    spec.threshold = std::move(threshold);
  }
  spec.pack = std::string(pack.name);
  return spec;
}

std::string DurationText(long long seconds) {
  if (seconds <= 0) return "0s";
  std::string out;
  const std::pair<long long, char> units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
  for (const auto& [size, unit] : units) {
    if (seconds >= size) {
      out += std::to_string(seconds / size);
      out.push_back(unit);
      seconds %= size;
    }
  }
  return out;
}

std::string DescribeThreshold(const ThresholdSpec& threshold) {
  std::string out = std::to_string(threshold.count) +
                    (threshold.count == 1 ? " event in " : " events in ") +
                    DurationText(threshold.window.count());
  if (!threshold.group_by.empty()) {
    out += " per ";
    for (size_t i = 0; i < threshold.group_by.size(); ++i) {
      if (i > 0) out += ", ";
      out += threshold.group_by[i];
    }
  }
  return out;
}

}  // namespace trailwatch::rules
