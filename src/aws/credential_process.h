// A profile's `credential_process`: an external command that prints credentials as JSON
// ({"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}), run like the
// SDKs run it: through the shell (/bin/sh -c), with the process's environment, its stderr passed
// through to ours (so its prompts and errors reach the operator's log), its stdout read as the
// answer. It is killed (its whole process group) when it runs longer than the timeout.
// Credentials without "Expiration" are never refreshed; with it, they are refreshed 5 minutes
// before it.
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-process-credentials.html
//
// Errors name the profile and what went wrong (exit status, signal, timeout, which field of the
// JSON is wrong); they never quote the output, which holds the secret.
//
// Thread-safety: a plain function; safe to call from several threads (posix_spawn, CLOEXEC pipes).
#pragma once

#include <chrono>
#include <string>

#include "aws/credentials.h"

namespace trailwatch::aws {

Result<Credentials> RunCredentialProcess(const std::string& command, const std::string& profile,
                                         const Environment& environment,
                                         std::chrono::milliseconds timeout);

}  // namespace trailwatch::aws
