// RuleEngine: the enabled rules of a configuration compiled into one immutable automaton, and
// RuleEvaluator, one thread's view of it that turns an EventBridge envelope into the rules it
// fires (before thresholds, which threshold_store.h applies).
//
// Every rule pattern and every suppress pattern goes into one pattern::PatternSet, so an event is
// walked once whatever the number of rules. A suppress pattern belongs to one rule: an event that
// matches rule R and one of R's suppress patterns is not reported for R, and still is for any
// other rule it matches.
//
// Reloading the config (SIGHUP) builds a new RuleEngine and swaps the shared_ptr; evaluators hold
// the engine they were made from, so an event is always evaluated against one consistent set.
//
// Thread-safety: a RuleEngine is immutable and may be shared by any number of threads. A
// RuleEvaluator is not thread-safe; use one per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "pattern/event_matcher.h"
#include "pattern/pattern_set.h"
#include "rules/rule_spec.h"

namespace trailwatch::rules {

class RuleEngine {
 public:
  // Compiles the enabled rules (disabled ones are left out). Errors name the rule, its file and
  // line, and give the compiler's reason; names must be unique.
  static Result<std::shared_ptr<const RuleEngine>> Build(const std::vector<RuleSpec>& rules);

  // The enabled rules, in the order given; RuleEvaluator reports indexes into this.
  const std::vector<RuleSpec>& rules() const { return rules_; }
  // The enabled rule called `name`, or nullptr.
  const RuleSpec* Find(std::string_view name) const;
  const pattern::PatternSet& patterns() const { return *set_; }

 private:
  friend class RuleEvaluator;
  RuleEngine() = default;

  std::vector<RuleSpec> rules_;
  std::shared_ptr<const pattern::PatternSet> set_;
  // Per pattern id of set_: the rule it belongs to, and whether it is one of its suppressions.
  std::vector<uint32_t> rule_of_pattern_;
  std::vector<bool> is_suppression_;
};

class RuleEvaluator {
 public:
  explicit RuleEvaluator(std::shared_ptr<const RuleEngine> engine,
                         pattern::MatchOptions options = {});

  // The rules `envelope_json` (an EventBridge event) matches and that none of their suppress
  // patterns drops, as indexes into engine().rules() in ascending order. The span is valid until
  // the next call. Errors: invalid JSON, an event over the matcher's step budget.
  Result<std::span<const uint32_t>> Evaluate(std::string_view envelope_json);

  // The same for a CloudTrail record matched in place as the envelope {header, resources: [],
  // detail: record} (pattern::EventMatcher::MatchRecord), without building its text.
  Result<std::span<const uint32_t>> EvaluateRecord(std::string_view record, size_t capacity,
                                                   std::span<const pattern::HeaderField> header);

  // How many matches suppress patterns dropped since construction (for metrics).
  uint64_t suppressed() const { return suppressed_; }

  const RuleEngine& engine() const { return *engine_; }
  const std::shared_ptr<const RuleEngine>& shared_engine() const { return engine_; }

 private:
  Result<std::span<const uint32_t>> Select(const Result<const std::vector<uint32_t>*>& matched);

  std::shared_ptr<const RuleEngine> engine_;
  pattern::EventMatcher matcher_;
  std::vector<uint32_t> fired_;
  std::vector<uint32_t> suppressed_stamp_;  // per rule: event number when last suppressed
  uint32_t stamp_ = 0;
  uint64_t suppressed_ = 0;
};

}  // namespace trailwatch::rules
