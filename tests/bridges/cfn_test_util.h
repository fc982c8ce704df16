// Helpers for the CloudFormation bridge tests: loading template text and matching an imported
// pattern against an event.
#pragma once

#include <string>

#include "bridges/cfn_template.h"

namespace trailwatch::testing {

// Parses `text` as a template named "t.yaml" and sets `parameters`; fails the test on error.
bridges::CfnTemplate ParseTemplate(const std::string& text,
                                   const bridges::ParameterValues& parameters = {});

// Whether `pattern_json` (which must compile) matches the event JSON `event`.
bool PatternMatches(const std::string& pattern_json, const std::string& event);

// The root console sign-in envelope fixture, and the same event as an IAM user's sign-in.
std::string RootSigninEvent();
std::string IamUserSigninEvent();

}  // namespace trailwatch::testing
