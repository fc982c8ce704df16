#include "pattern/event_matcher.h"

#include <algorithm>

namespace trailwatch::pattern {

EventMatcher::EventMatcher(std::shared_ptr<const PatternSet> set, MatchOptions options)
    : set_(std::move(set)),
      options_(options),
      matched_stamp_(set_->size(), 0),
      settled_stamp_(set_->state_count(), 0),
      settled_steps_(set_->state_count(), 0) {}

bool EventMatcher::ConsistentWithPicked(const Leaf& leaf) {
  if (leaf.chain_size == 0) return true;
  reads_picked_ = true;
  // Every comparison counts toward the budget: the work that explodes on hostile arrays is here.
  steps_ += picked_.size();
  for (const Leaf* other : picked_) {
    if (!leaves_.Consistent(leaf, *other)) return false;
  }
  return true;
}

void EventMatcher::Visit(uint32_t state_id) {
  if (settled_stamp_[state_id] == stamp_) {
    // Visited before in this event by a walk that never consulted the picked leaves: a new
    // visit would take the same steps and accept the same patterns (already recorded). Only
    // its steps are counted, so the budget still fails exactly where it did.
    steps_ += settled_steps_[state_id];
    if (steps_ > options_.max_steps) over_budget_ = true;
    return;
  }
  const uint64_t steps_before = steps_;
  const bool outer_reads_picked = reads_picked_;
  reads_picked_ = false;
  VisitTransitions(state_id);
  if (!reads_picked_ && !over_budget_) {
    settled_stamp_[state_id] = stamp_;
    settled_steps_[state_id] = steps_ - steps_before;
  }
  reads_picked_ = reads_picked_ || outer_reads_picked;
}

void EventMatcher::VisitTransitions(uint32_t state_id) {
  const PatternSet::State& state = set_->states_[state_id];
  for (uint32_t id : state.accepts) {
    if (matched_stamp_[id] != stamp_) {
      matched_stamp_[id] = stamp_;
      matched_.push_back(id);
    }
  }
  for (const PatternSet::FieldTransitions& t : state.transitions) {
    const std::vector<uint32_t>& candidates = leaves_.leaves_of(t.field);
    bool any_consistent = false;
    for (uint32_t leaf_index : candidates) {
      if (++steps_ > options_.max_steps) over_budget_ = true;
      if (over_budget_) return;
      const Leaf& leaf = leaves_.leaves()[leaf_index];
      if (!ConsistentWithPicked(leaf)) continue;
      any_consistent = true;
      size_t begin = targets_.size();
      t.values.Evaluate(leaf, &scratch_, &targets_);
      size_t end = targets_.size();
      if (end == begin) continue;
      // One leaf can satisfy several matchers of one OR-list: visit each next state once.
      if (end - begin > 1) {
        std::sort(targets_.begin() + begin, targets_.end());
        end = std::unique(targets_.begin() + begin, targets_.end()) - targets_.begin();
        targets_.resize(end);
      }
      bool in_array = leaf.chain_size != 0;
      if (in_array) picked_.push_back(&leaf);
      for (size_t i = begin; i < end; ++i) Visit(targets_[i]);
      if (in_array) picked_.pop_back();
      targets_.resize(begin);
    }
    if (!any_consistent) {
      for (uint32_t next : t.on_absent) Visit(next);
    }
  }
}

Result<const std::vector<uint32_t>*> EventMatcher::Match(std::string_view json, size_t capacity) {
  return Run(leaves_.Parse(set_->paths(), json, capacity, options_.flatten));
}

Result<const std::vector<uint32_t>*> EventMatcher::MatchRecord(
    std::string_view record, size_t capacity, std::span<const HeaderField> header) {
  return Run(leaves_.ParseRecord(set_->paths(), record, capacity, header, options_.flatten));
}

Status EventMatcher::ParseRecord(std::string_view record, size_t capacity,
                                 std::span<CapturedField> capture) {
  return leaves_.ParseRecordCapturing(set_->paths(), record, capacity, capture, options_.flatten);
}

Result<const std::vector<uint32_t>*> EventMatcher::MatchParsedRecord(
    std::span<const HeaderField> header) {
  leaves_.AddHeaderLeaves(set_->paths(), header);
  return Run(Status::Ok());
}

Result<const std::vector<uint32_t>*> EventMatcher::Run(const Status& parsed) {
  matched_.clear();
  if (++stamp_ == 0) {  // wrapped: reset stamps so old marks cannot alias the new event
    std::fill(matched_stamp_.begin(), matched_stamp_.end(), 0);
    std::fill(settled_stamp_.begin(), settled_stamp_.end(), 0);
    stamp_ = 1;
  }
  if (!parsed.ok()) return Error{parsed.message()};
  steps_ = 0;
  over_budget_ = false;
  picked_.clear();
  targets_.clear();
  reads_picked_ = false;
  Visit(0);
  if (over_budget_) {
    matched_.clear();
    return Error{"event too complex to match: more than " + std::to_string(options_.max_steps) +
                 " steps (array elements x rule fields)"};
  }
  std::sort(matched_.begin(), matched_.end());
  return &matched_;
}

}  // namespace trailwatch::pattern
