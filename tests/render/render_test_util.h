// Helpers shared by the render tests: the EventBridge envelopes of the AWS sign-in samples
// (examples/events.jsonl, one per line, in the order of docs/reference/formats.md §2.3) and alerts
// built on them.
#pragma once

#include <simdjson.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "route/alert.h"
#include "common/json_string.h"
#include "config/yaml_json.h"
#include "render/alert_view.h"

namespace trailwatch::render::testing {

// Line numbers (0-based) of examples/events.jsonl.
enum SampleEvent {
  kRootSuccessNoMfa = 0,
  kRootSuccessMfa = 1,  // MFAUsed "YES"
  kRootFailure = 2,
  kRootPasswordUpdated = 3,
  kRootEnableMfaDevice = 4,  // AwsApiCall on iam.amazonaws.com
  kIamUserSuccessNoMfa = 5,  // us-east-2
  kIamUserSuccessMfa = 6,
  kIamUserFailure = 7,  // no userIdentity.arn
  kIamUserCheckMfa = 8,
};

// The string at JSON `pointer` under `e`, or "<missing>" (rendered Slack/Teams bodies).
inline std::string StringAt(simdjson::dom::element e, std::string_view pointer) {
  std::string_view text;
  if (e.at_pointer(pointer).get_string().get(text) != simdjson::SUCCESS) return "<missing>";
  return std::string(text);
}

inline std::string SampleEnvelope(int line) {
  std::ifstream in(std::string(TW_SOURCE_DIR).append("/examples/events.jsonl"));
  std::string text;
  for (int i = 0; i <= line && std::getline(in, text); ++i) {
  }
  return text;
}

inline route::Alert SampleAlert(int line, route::Severity severity = route::Severity::kHigh,
                                 const std::string& rule = "root-console-signin") {
  route::Alert alert;
  alert.rule = rule;
  alert.severity = severity;
  alert.envelope.json = SampleEnvelope(line);
  alert.origin = "examples/events.jsonl";
  return alert;
}

inline const std::map<std::string, std::string>& Aliases() {
  static const std::map<std::string, std::string> kAliases = {{"111122223333", "production"}};
  return kAliases;
}

inline AlertView SampleView(int line, route::Severity severity = route::Severity::kHigh) {
  Result<AlertView> view = MakeAlertView(SampleAlert(line, severity), Aliases());
  return view.ok() ? *view : AlertView{};
}

// A sign-in failure for an IAM user whose name (attacker-controlled) is `user_name`, with the
// given user agent.
inline std::string FailedSignInEnvelope(const std::string& user_name,
                                        const std::string& user_agent) {
  std::string name_json, agent_json;
  AppendJsonString(name_json, user_name);
  AppendJsonString(agent_json, user_agent);
  return R"({"version":"0","id":"84da115c-d405-52f5-a2e1-356e0d4743d1","detail-type":"AWS Console Sign In via CloudTrail","source":"aws.signin","account":"111122223333","time":"2022-11-10T16:24:34Z","region":"us-east-1","resources":[],"detail":{"eventVersion":"1.05","userIdentity":{"type":"IAMUser","principalId":"AIDACKCEVSQ6C2EXAMPLE","accountId":"111122223333","accessKeyId":"","userName":)" +
         name_json +
         R"(},"eventTime":"2022-11-10T16:24:34Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.0","userAgent":)" +
         agent_json +
         R"(,"errorMessage":"Failed authentication","requestParameters":null,"responseElements":{"ConsoleLogin":"Failure"},"additionalEventData":{"MFAUsed":"No"},"eventID":"d38ce1b3-4575-4cb8-a632-611b8243bfc3","eventType":"AwsConsoleSignIn","recipientAccountId":"111122223333"}})";
}

// Collects every string value at key `key` anywhere under `element`.
inline void CollectStrings(simdjson::dom::element element, std::string_view key,
                           std::vector<std::string>* out) {
  if (element.is_object()) {
    simdjson::dom::object field_list = element.get_object().value();
    for (auto field : field_list) {
      std::string_view text;
      if (field.key == key && field.value.get_string().get(text) == simdjson::SUCCESS) {
        out->emplace_back(text);
      }
      CollectStrings(field.value, key, out);
    }
  } else if (element.is_array()) {
    simdjson::dom::array item_list = element.get_array().value();
    for (auto item : item_list) CollectStrings(item, key, out);
  }
}

}  // namespace trailwatch::render::testing
