// `trailwatch import-cfn`: turns the AWS::Events::Rule resources of a CloudFormation template into
// trailwatch rules, so that a team that alerts through EventBridge (rule -> SNS -> Chatbot ->
// Slack) can run the same patterns in trailwatch.
//
// Per rule: the name is Properties.Name, else the logical id; the EventPattern (a mapping or a JSON
// string) has its intrinsic functions resolved (cfn_template.h), becomes one line of JSON and must
// compile with pattern::CompilePattern, else the import fails with EventBridge's reason. State
// DISABLED is kept and marked; rules on another event bus and schedule-only rules are skipped
// with a note. CloudFormation targets are not imported (trailwatch targets are chosen by the
// user); they are listed in a comment.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "bridges/cfn_template.h"
#include "common/result.h"

namespace trailwatch::bridges {

struct ImportedRule {
  std::string name;
  std::string logical_id;
  int line = 0;                      // 1-based line of the logical id
  std::string pattern_json;          // one line, compiles
  bool disabled = false;             // State: DISABLED in the template
  std::vector<std::string> targets;  // "Id: !Ref SNSTopic", for the comment
};

struct ImportResult {
  std::vector<ImportedRule> rules;
  std::vector<std::string> notes;  // skipped rules and other remarks, for stderr
};

// Imports every AWS::Events::Rule of `tpl` (whose parameters are already set). Fails with every
// error found, one per line, each naming file:line and the logical id.
Result<ImportResult> ImportRules(const CfnTemplate& tpl);

enum class ImportFormat {
  kConfig,     // the `rules:` section of trailwatch's config
  kRulesFile,  // a rules file (name: pattern JSON) for `trailwatch match/scan --rules`
};

// Writes the imported rules. `source` names the template in the header comment.
std::string RenderImport(const ImportResult& result, ImportFormat format,
                         const std::string& source);

}  // namespace trailwatch::bridges
