#include "pattern/field_paths.h"

#include <cstring>

namespace trailwatch::pattern {

namespace {
constexpr size_t kIndexThreshold = 8;  // above this many children a node also gets a hash index
}  // namespace

FieldPaths::FieldPaths() { nodes_.emplace_back(); }

uint32_t FieldPaths::AddSegment(uint32_t node, std::string_view segment) {
  uint32_t existing = StepSegment(node, segment);
  if (existing != kNone) return existing;
  uint32_t child = static_cast<uint32_t>(nodes_.size());
  nodes_.emplace_back();
  Node& parent = nodes_[node];
  parent.children.emplace_back(std::string(segment), child);
  if (parent.children.size() > kIndexThreshold) {
    if (parent.index.empty()) {
      for (const auto& [name, id] : parent.children) parent.index.emplace(name, id);
    } else {
      parent.index.emplace(std::string(segment), child);
    }
  }
  return child;
}

uint32_t FieldPaths::Add(std::string_view path) {
  uint32_t node = kRoot;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string_view segment =
        path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    node = AddSegment(node, segment);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (nodes_[node].field == kNone) {
    nodes_[node].field = static_cast<uint32_t>(paths_.size());
    paths_.emplace_back(path);
    reads_numbers_.push_back(false);
  }
  return nodes_[node].field;
}

uint32_t FieldPaths::StepSegment(uint32_t node, std::string_view segment) const {
  const Node& n = nodes_[node];
  if (!n.index.empty()) {
    auto it = n.index.find(segment);
    return it == n.index.end() ? kNone : it->second;
  }
  // Length and first byte reject almost every other child before a memcmp call (a CloudTrail
  // record's keys were compared against each referenced sibling; the calls were a fifth of
  // matching one).
  for (const auto& [name, id] : n.children) {
    if (name.size() != segment.size()) continue;
    if (segment.empty()) return id;
    if (name[0] == segment[0] && std::memcmp(name.data(), segment.data(), segment.size()) == 0) {
      return id;
    }
  }
  return kNone;
}

uint32_t FieldPaths::Step(uint32_t node, std::string_view key) const {
  // A trie segment never contains '.', so a key found whole is one segment.
  const uint32_t whole = StepSegment(node, key);
  if (whole != kNone) return whole;
  const Node& n = nodes_[node];
  if (n.index.empty()) {
    // A dotted key can only go on through the child named by its first segment, i.e. a child c
    // with key = c + '.' + rest. Asking each (of few) children costs less than scanning the key
    // for '.': most keys of a CloudTrail record lead nowhere, and that byte scan was over half
    // of Step.
    for (const auto& [name, id] : n.children) {
      if (key.size() > name.size() && key[name.size()] == '.' &&
          key.compare(0, name.size(), name) == 0) {
        return Step(id, key.substr(name.size() + 1));
      }
    }
    return kNone;
  }
  const size_t dot = key.find('.');
  if (dot == std::string_view::npos) return kNone;
  const uint32_t child = StepSegment(node, key.substr(0, dot));
  return child == kNone ? kNone : Step(child, key.substr(dot + 1));
}

}  // namespace trailwatch::pattern
