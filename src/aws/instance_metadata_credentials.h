// EC2 instance metadata credentials, IMDSv2: a session token from PUT /latest/api/token, then the
// instance profile's role name and its credentials. AWS_EC2_METADATA_DISABLED=true skips it;
// AWS_EC2_METADATA_SERVICE_ENDPOINT overrides http://169.254.169.254 (tests). Also the source of
// `credential_source = Ec2InstanceMetadata`.
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-security-credentials.html
//
// Thread-safety: a plain function.
#pragma once

#include "aws/credentials.h"

namespace trailwatch::aws {

// Skipped (with why) when disabled, unreachable or without a role: the last link of the chain.
ProviderResult InstanceMetadataCredentials(const Environment& environment);

}  // namespace trailwatch::aws
