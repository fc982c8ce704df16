// The first provider of the chain: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and the optional
// AWS_SESSION_TOKEN. Also the source of a profile's `credential_source = Environment`.
//
// Thread-safety: a plain function.
#pragma once

#include "aws/credentials.h"

namespace trailwatch::aws {

// Skipped (with why) when the key id or the secret is not set.
ProviderResult EnvironmentCredentials(const Environment& environment);

}  // namespace trailwatch::aws
