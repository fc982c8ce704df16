// The JSON credentials documents that the ECS/EKS container endpoint and EC2 instance metadata
// answer ({"AccessKeyId", "SecretAccessKey", "Token", "Expiration"[, "Code"]}), how long to wait
// for those endpoints, and the ISO 8601 times AWS writes in the documents, in STS answers and in
// credential_process output.
//
// Error texts never quote the document: it holds the secret.
//
// Thread-safety: plain functions.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "common/result.h"

namespace trailwatch::aws {

// Timeouts for the container endpoint and instance metadata: link-local services answer in
// milliseconds, and a machine without them must not hang the credential chain.
inline constexpr long kCredentialEndpointConnectTimeoutMs = 1000;
inline constexpr long kCredentialEndpointTimeoutMs = 2000;

// "2026-11-27T12:34:56Z", with or without a fraction, "Z" or "+00:00"; nullopt otherwise.
std::optional<std::chrono::system_clock::time_point> ParseIso8601(std::string_view text);

// The container / instance metadata document; `source` is set as Credentials::source.
Result<Credentials> ParseCredentialsJson(const std::string& body, const std::string& source);

// The whole text of a small file, trimmed (token files); nullopt when unreadable.
std::optional<std::string> ReadTrimmedFile(const std::string& path);

}  // namespace trailwatch::aws
