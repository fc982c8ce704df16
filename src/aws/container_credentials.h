// ECS and EKS container credentials: GET AWS_CONTAINER_CREDENTIALS_RELATIVE_URI on the ECS agent
// (http://169.254.170.2), or AWS_CONTAINER_CREDENTIALS_FULL_URI with the header
// `Authorization: <AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE's content or
// AWS_CONTAINER_AUTHORIZATION_TOKEN>` (EKS Pod Identity: http://169.254.170.23/v1/credentials).
//
// A FULL_URI is accepted only over https or to a loopback, ECS (169.254.170.2) or EKS Pod
// Identity (169.254.170.23, fd00:ec2::23) address, as in the SDKs: the answer is a secret and the
// request may carry the token. Also the source of `credential_source = EcsContainer`.
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html
//
// Thread-safety: a plain function.
#pragma once

#include "aws/credentials.h"

namespace trailwatch::aws {

// Skipped when neither variable is set, or when the endpoint fails (the chain goes on to IMDS).
ProviderResult ContainerCredentials(const Environment& environment);

}  // namespace trailwatch::aws
