// FieldPaths: the set of flattened paths that some pattern of a PatternSet references, as a trie
// over key segments, so that an event walk descends only into subtrees a rule can look at.
//
// EventBridge joins keys with '.' and compares the joined strings (docs/reference/event-patterns.md
// §1.2 S7), so the event key "a.b" reaches the same field as the nested keys "a" then "b". The trie
// is built from the pattern paths split on '.', and event keys containing '.' are split the same
// way while walking; because concatenation with the '.' joiner is associative, both spellings land
// on the same node.
//
// Thread-safety: immutable after construction; Step/field may be called from many threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/string_hash.h"

namespace trailwatch::pattern {

class FieldPaths {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;
  static constexpr uint32_t kRoot = 0;

  FieldPaths();

  // Adds a path and returns its dense field id (the same id for the same path).
  uint32_t Add(std::string_view path);

  // The node reached from `node` by the event key `key`, or kNone when no referenced path goes
  // there (the caller then skips the whole value).
  uint32_t Step(uint32_t node, std::string_view key) const;

  // The field id whose path ends at `node`, or kNone.
  uint32_t field(uint32_t node) const { return nodes_[node].field; }
  // True when some referenced path continues below `node` (so an object value is worth walking).
  bool has_children(uint32_t node) const { return !nodes_[node].children.empty(); }

  size_t field_count() const { return paths_.size(); }

  // Marks a field whose number leaves some matcher compares numerically (exact numbers, ranges,
  // anything-but numbers), so the event walk computes their values once.
  void MarkReadsNumbers(uint32_t field) { reads_numbers_[field] = true; }
  bool reads_numbers(uint32_t field) const { return reads_numbers_[field]; }
  const std::string& path(uint32_t field) const { return paths_[field]; }

 private:
  struct Node {
    // Few children per node in practice: a flat list beats hashing for small fan-out.
    std::vector<std::pair<std::string, uint32_t>> children;
    std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> index;  // built when children grow large
    uint32_t field = kNone;
  };
  uint32_t StepSegment(uint32_t node, std::string_view segment) const;
  uint32_t AddSegment(uint32_t node, std::string_view segment);

  std::vector<Node> nodes_;
  std::vector<std::string> paths_;
  std::vector<bool> reads_numbers_;  // per field id
};

}  // namespace trailwatch::pattern
