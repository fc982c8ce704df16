#include "rules/rule_engine.h"

#include <algorithm>
#include <set>

#include "pattern/compiler.h"

namespace trailwatch::rules {

namespace {

std::string RuleWhere(const RuleSpec& rule) {
  // Appended rather than concatenated: GCC 12 warns falsely (-Wstringop-overflow) on the
  // inlined std::string concatenation.
  std::string out;
  if (!rule.file.empty()) {
    out.append(rule.file);
    if (rule.line > 0) out.append(":").append(std::to_string(rule.line));
    out.append(": ");
  }
  out.append("rule ").append(rule.name);
  return out;
}

}  // namespace

Result<std::shared_ptr<const RuleEngine>> RuleEngine::Build(const std::vector<RuleSpec>& rules) {
  std::shared_ptr<RuleEngine> engine(new RuleEngine());
  std::vector<pattern::PatternSet::NamedPattern> patterns;
  std::set<std::string> names;
  for (const RuleSpec& rule : rules) {
    if (!rule.enabled) continue;
    if (rule.name.empty()) return Error{"a rule has no name"};
    if (!names.insert(rule.name).second) {
      return Error{RuleWhere(rule) + ": duplicate rule name"};
    }
    uint32_t index = static_cast<uint32_t>(engine->rules_.size());
    // The loader's compiled pattern when there is one (rule_spec.h); compiled here otherwise.
    pattern::CompiledPattern own;
    if (rule.compiled_pattern) {
      own = *rule.compiled_pattern;
    } else {
      pattern::CompileResult compiled = pattern::CompilePattern(rule.pattern_json);
      if (!compiled.ok()) return Error{RuleWhere(rule) + ": pattern: " + compiled.error->Message()};
      own = std::move(compiled.pattern);
    }
    // Pattern names only need to be unique inside the set; they are never shown. A rule's own
    // pattern is "<name>", its suppressions "<name>\n<k>" (a newline cannot be in a rule name).
    patterns.push_back({rule.name, std::move(own)});
    engine->rule_of_pattern_.push_back(index);
    engine->is_suppression_.push_back(false);
    for (size_t k = 0; k < rule.suppress_json.size(); ++k) {
      pattern::CompiledPattern suppress_pattern;
      if (k < rule.compiled_suppress.size() && rule.compiled_suppress[k]) {
        suppress_pattern = *rule.compiled_suppress[k];
      } else {
        pattern::CompileResult suppress = pattern::CompilePattern(rule.suppress_json[k]);
        if (!suppress.ok()) {
          return Error{RuleWhere(rule) + ": suppress[" + std::to_string(k) +
                       "]: " + suppress.error->Message()};
        }
        suppress_pattern = std::move(suppress.pattern);
      }
      patterns.push_back({rule.name + "\n" + std::to_string(k), std::move(suppress_pattern)});
      engine->rule_of_pattern_.push_back(index);
      engine->is_suppression_.push_back(true);
    }
    engine->rules_.push_back(rule);
  }
  Result<std::shared_ptr<const pattern::PatternSet>> set =
      pattern::PatternSet::Build(std::move(patterns));
  if (!set.ok()) return set.error();
  engine->set_ = std::move(*set);
  return std::shared_ptr<const RuleEngine>(std::move(engine));
}

const RuleSpec* RuleEngine::Find(std::string_view name) const {
  for (const RuleSpec& rule : rules_) {
    if (rule.name == name) return &rule;
  }
  return nullptr;
}

RuleEvaluator::RuleEvaluator(std::shared_ptr<const RuleEngine> engine,
                             pattern::MatchOptions options)
    : engine_(std::move(engine)),
      matcher_(engine_->set_, options),
      suppressed_stamp_(engine_->rules_.size(), 0) {}

Result<std::span<const uint32_t>> RuleEvaluator::Evaluate(std::string_view envelope_json) {
  return Select(matcher_.Match(envelope_json));
}

Result<std::span<const uint32_t>> RuleEvaluator::EvaluateRecord(
    std::string_view record, size_t capacity, std::span<const pattern::HeaderField> header) {
  return Select(matcher_.MatchRecord(record, capacity, header));
}

Result<std::span<const uint32_t>> RuleEvaluator::Select(
    const Result<const std::vector<uint32_t>*>& matched) {
  if (!matched.ok()) return matched.error();
  fired_.clear();
  const std::vector<uint32_t>& ids = **matched;
  if (ids.empty()) return std::span<const uint32_t>(fired_);
  if (++stamp_ == 0) {  // wrapped: forget old stamps so none is mistaken for this event's
    std::fill(suppressed_stamp_.begin(), suppressed_stamp_.end(), 0);
    stamp_ = 1;
  }
  const RuleEngine& engine = *engine_;
  // Two passes over the (few) matched ids: suppressions first, then the rules they spare.
  for (uint32_t id : ids) {
    if (engine.is_suppression_[id]) suppressed_stamp_[engine.rule_of_pattern_[id]] = stamp_;
  }
  for (uint32_t id : ids) {
    if (engine.is_suppression_[id]) continue;
    uint32_t rule = engine.rule_of_pattern_[id];
    if (suppressed_stamp_[rule] == stamp_) {
      ++suppressed_;
    } else {
      fired_.push_back(rule);
    }
  }
  // Pattern ids follow rule order (a rule's own pattern precedes the next rule's), and ids come
  // in ascending order, so fired_ is already sorted by rule index.
  return std::span<const uint32_t>(fired_);
}

}  // namespace trailwatch::rules
