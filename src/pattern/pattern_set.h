// PatternSet: many named event patterns compiled together into one automaton.
//
// Design (after event-ruler's NameState/ByteMachine, docs/reference/event-patterns.md §5): every
// sub-pattern is a chain of field conditions sorted by path; chains share states wherever they
// share a prefix of (path, OR-list) steps. A state holds, per field, a ValueIndex (value ->
// next states) and absence transitions for exists:false. Matching walks the automaton once per
// event, so per-event cost follows the event's values, not the number of patterns.
//
// A PatternSet is immutable: changing rules means building a new set and swapping a
// shared_ptr. Thread-safety: all const methods may be called from many threads; per-thread
// matching state lives in EventMatcher.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "pattern/compiled_pattern.h"
#include "pattern/field_paths.h"
#include "pattern/value_index.h"

namespace trailwatch::pattern {

class PatternSet {
 public:
  struct NamedPattern {
    std::string name;
    CompiledPattern pattern;
  };

  // Builds the automaton. Names must be unique; pattern ids are the positions in `patterns`.
  static Result<std::shared_ptr<const PatternSet>> Build(std::vector<NamedPattern> patterns);

  size_t size() const { return names_.size(); }
  const std::string& name(uint32_t id) const { return names_[id]; }
  const FieldPaths& paths() const { return paths_; }
  size_t state_count() const { return states_.size(); }
  // True when some pattern reads the top-level envelope field `key` ("id", "detail", ...).
  bool Reads(std::string_view key) const {
    return paths_.Step(FieldPaths::kRoot, key) != FieldPaths::kNone;
  }
  // RequiredRecordLiterals of the set's patterns: a record whose text holds none of them (and no
  // \u or \/ escape) matches no pattern. nullopt when some pattern offers no literal.
  const std::optional<std::vector<std::string>>& record_literals() const {
    return record_literals_;
  }

 private:
  friend class EventMatcher;
  struct FieldTransitions {
    uint32_t field;
    ValueIndex values;
    StateList on_absent;  // exists:false
  };
  struct State {
    std::vector<FieldTransitions> transitions;  // distinct fields
    std::vector<uint32_t> accepts;              // pattern ids whose sub-pattern ends here
  };

  PatternSet() = default;
  void AddSubPattern(uint32_t pattern_id, const SubPattern& sub);

  std::vector<std::string> names_;
  FieldPaths paths_;
  std::vector<State> states_;  // states_[0] is the start state
  std::optional<std::vector<std::string>> record_literals_;
};

}  // namespace trailwatch::pattern
