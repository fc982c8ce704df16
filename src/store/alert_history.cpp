// What both AlertHistory backends share (alert_history.h): the query check and the rule names of
// an alert.
#include "store/alert_history.h"

#include <simdjson.h>

#include <algorithm>

namespace trailwatch::store {

Status CheckAlertQuery(const AlertQuery& query) {
  if (query.limit < 1 || query.limit > kMaxAlertQueryLimit) {
    std::string message = "alert history: limit must be 1 ... ";
    message.append(std::to_string(kMaxAlertQueryLimit))
        .append(" (it was ")
        .append(std::to_string(query.limit))
        .append(")");
    return Error{std::move(message)};
  }
  if (query.before_id < 0) {
    std::string message = "alert history: before_id must be 0 or an alert id (it was ";
    message.append(std::to_string(query.before_id)).append(")");
    return Error{std::move(message)};
  }
  return Status::Ok();
}

Result<std::vector<std::string>> AlertRuleNames(const AlertRecord& record) {
  std::vector<std::string> names;
  if (!record.rule.empty()) names.push_back(record.rule);
  if (!record.rules_json.empty()) {
    auto refuse = [&record]() {
      std::string message = "alert history: alert ";
      message.append(record.alert_key).append(": rules_json is not a JSON array of strings");
      return Error{std::move(message)};
    };
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(record.rules_json).get(root) != simdjson::SUCCESS) return refuse();
    simdjson::dom::array rules;
    if (root.get_array().get(rules) != simdjson::SUCCESS) return refuse();
    for (simdjson::dom::element rule : rules) {
      std::string_view name;
      if (rule.get_string().get(name) != simdjson::SUCCESS) return refuse();
      names.emplace_back(name);
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace trailwatch::store
