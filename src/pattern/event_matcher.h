// EventMatcher: matches events against a PatternSet; holds one thread's parser and scratch.
//
// Matching is a depth-first walk of the PatternSet automaton over the event's leaves. A step on a
// field picks one leaf; leaves picked along one walk must be array-consistent (they sit in the same
// element of every array enclosing two of them, docs/reference/event-patterns.md §3.4), and
// exists:false holds when no leaf at its path is consistent with the leaves picked so far, which
// reproduces event-ruler's path-order semantics. Events without arrays need no consistency work.
//
// The walk is bounded (MatchOptions::max_steps) so that a hostile event — e.g. 100,000-element
// arrays crafted so that consistency fails late — gives a defined error instead of a hang.
//
// Thread-safety: not thread-safe; use one EventMatcher per thread. The PatternSet is shared.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "pattern/event_leaves.h"
#include "pattern/pattern_set.h"

namespace trailwatch::pattern {

struct MatchOptions {
  FlattenOptions flatten;
  uint64_t max_steps = 20'000'000;  // leaf visits + consistency checks per event
};

class EventMatcher {
 public:
  explicit EventMatcher(std::shared_ptr<const PatternSet> set, MatchOptions options = {});

  // Matches one event. `json` must be followed by simdjson::SIMDJSON_PADDING readable bytes
  // within `capacity`; otherwise it is copied. Returns the ids of the matching patterns in
  // ascending order (a view valid until the next call), or an error for an invalid event.
  Result<const std::vector<uint32_t>*> Match(std::string_view json, size_t capacity);
  Result<const std::vector<uint32_t>*> Match(std::string_view json) { return Match(json, 0); }

  // Matches the envelope {<header>, "resources": [], "detail": <record>} without building its
  // text (EventLeaves::ParseRecord): what `scan` does for every CloudTrail record.
  Result<const std::vector<uint32_t>*> MatchRecord(std::string_view record, size_t capacity,
                                                   std::span<const HeaderField> header);

  // MatchRecord in two steps around one walk of the record, for callers that derive the header
  // from the record itself (scan): ParseRecord walks the record as "detail" and captures the
  // listed top-level fields (EventLeaves::ParseRecordCapturing); MatchParsedRecord adds `header`
  // and matches. Together they equal MatchRecord with that header. MatchParsedRecord must follow
  // a successful ParseRecord.
  Status ParseRecord(std::string_view record, size_t capacity, std::span<CapturedField> capture);
  Result<const std::vector<uint32_t>*> MatchParsedRecord(std::span<const HeaderField> header);

  const PatternSet& set() const { return *set_; }

 private:
  Result<const std::vector<uint32_t>*> Run(const Status& parsed);
  void Visit(uint32_t state);
  void VisitTransitions(uint32_t state);
  bool ConsistentWithPicked(const Leaf& leaf);

  std::shared_ptr<const PatternSet> set_;
  MatchOptions options_;
  EventLeaves leaves_;
  std::vector<uint32_t> matched_;
  std::vector<uint32_t> matched_stamp_;  // per pattern: event number when last matched
  uint32_t stamp_ = 0;
  // A state whose walk read no array leaf does the same whatever was picked before it: after the
  // first such visit in an event (settled_stamp_ == stamp_), later visits only add its steps.
  // This is the numeric rules' case, where every coordinate equal to 0 led to the same state.
  std::vector<uint32_t> settled_stamp_;  // per state
  std::vector<uint64_t> settled_steps_;  // per state: steps its settled walk took
  bool reads_picked_ = false;            // the current walk consulted picked_ (arrays)
  std::vector<const Leaf*> picked_;      // leaves chosen along the current walk, in arrays only
  StateList targets_;                    // shared stack of next-state lists
  std::string scratch_;
  uint64_t steps_ = 0;
  bool over_budget_ = false;
};

}  // namespace trailwatch::pattern
