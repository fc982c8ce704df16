// What an STS endpoint answers, for fake STS servers in the credential tests (the answers moto and
// AWS give: docs/aws-credentials.md, STS API reference), and form-body helpers to check requests.
#pragma once

#include <chrono>
#include <map>
#include <string>

namespace trailwatch::testing {

// "2026-12-05T20:00:00Z"
std::string IsoTime(std::chrono::system_clock::time_point when);

// <ActionResponse><ActionResult><Credentials>...</Credentials>...</ActionResponse>, HTTP 200.
std::string StsCredentialsXml(const std::string& action, const std::string& access_key_id,
                              const std::string& secret, const std::string& token,
                              std::chrono::system_clock::time_point expiration);

// <ErrorResponse><Error><Type>Sender</Type><Code/><Message/></Error></ErrorResponse>
std::string StsErrorXml(const std::string& code, const std::string& message);

// The fields of an application/x-www-form-urlencoded body, decoded.
std::map<std::string, std::string> ParseForm(const std::string& body);

}  // namespace trailwatch::testing
