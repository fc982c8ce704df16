#include "pattern/event_leaves.h"

#include <cstring>


namespace trailwatch::pattern {

namespace sj = simdjson;
namespace od = simdjson::ondemand;

namespace {

Error JsonError(sj::error_code code) {
  return Error{std::string("event is not valid JSON: ") + sj::error_message(code)};
}

std::string_view TrimRight(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' ||
                           text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

EventLeaves::EventLeaves() = default;

bool EventLeaves::Consistent(const Leaf& a, const Leaf& b) const {
  // Chains are root-to-leaf paths in one tree: arrays enclosing both leaves form a common prefix
  // of both chains, and the leaves are consistent iff they agree on the index in each of them.
  const ArrayPosition* ca = chain(a);
  const ArrayPosition* cb = chain(b);
  uint32_t n = a.chain_size < b.chain_size ? a.chain_size : b.chain_size;
  for (uint32_t i = 0; i < n; ++i) {
    if (ca[i].array != cb[i].array) return true;
    if (ca[i].index != cb[i].index) return false;
  }
  return true;
}

Status EventLeaves::ParseUnpadded(const FieldPaths& paths, std::string_view json,
                                  const FlattenOptions& options) {
  padded_.assign(json.data(), json.size());
  padded_.append(sj::SIMDJSON_PADDING, ' ');
  return Parse(paths, std::string_view(padded_.data(), json.size()), padded_.size(), options);
}

void EventLeaves::Reset(const FieldPaths& paths, const FlattenOptions& options) {
  paths_ = &paths;
  options_ = options;
  for (uint32_t f : touched_fields_) by_field_[f].clear();
  touched_fields_.clear();
  if (by_field_.size() < paths.field_count()) by_field_.resize(paths.field_count());
  leaves_.clear();
  chains_.clear();
  stack_.clear();
  chain_begin_ = 0;
  chain_stale_ = true;
  next_array_ = 0;
}

Status EventLeaves::Parse(const FieldPaths& paths, std::string_view json, size_t capacity,
                          const FlattenOptions& options) {
  if (capacity < json.size() + sj::SIMDJSON_PADDING) return ParseUnpadded(paths, json, options);
  Reset(paths, options);
  return WalkDocument(json, capacity, FieldPaths::kRoot);
}

void EventLeaves::AddHeaderLeaves(const FieldPaths& paths, std::span<const HeaderField> header) {
  for (const HeaderField& field : header) {
    uint32_t node = paths.Step(FieldPaths::kRoot, field.key);
    if (node == FieldPaths::kNone || paths.field(node) == FieldPaths::kNone) continue;
    uint32_t id = paths.field(node);
    if (by_field_[id].empty()) touched_fields_.push_back(id);
    by_field_[id].push_back(static_cast<uint32_t>(leaves_.size()));
    leaves_.push_back(
        Leaf{id, LeafType::kString, field.value, static_cast<uint32_t>(chains_.size()), 0, {}});
  }
}

Status EventLeaves::ParseRecord(const FieldPaths& paths, std::string_view record, size_t capacity,
                                std::span<const HeaderField> header,
                                const FlattenOptions& options) {
  Reset(paths, options);
  AddHeaderLeaves(paths, header);
  uint32_t detail = paths.Step(FieldPaths::kRoot, "detail");
  if (detail == FieldPaths::kNone) return Status::Ok();  // no rule reads the record itself
  if (capacity < record.size() + sj::SIMDJSON_PADDING) {
    padded_.assign(record.data(), record.size());
    padded_.append(sj::SIMDJSON_PADDING, ' ');
    record = std::string_view(padded_.data(), record.size());
    capacity = padded_.size();
  }
  return WalkDocument(record, capacity, detail);
}

Status EventLeaves::ParseRecordCapturing(const FieldPaths& paths, std::string_view record,
                                         size_t capacity, std::span<CapturedField> capture,
                                         const FlattenOptions& options) {
  Reset(paths, options);
  for (CapturedField& field : capture) field.state = CapturedField::State::kAbsent;
  // kNone: no rule reads "detail"; the walk then only captures.
  const uint32_t detail = paths.Step(FieldPaths::kRoot, "detail");
  if (capacity < record.size() + sj::SIMDJSON_PADDING) {
    padded_.assign(record.data(), record.size());
    padded_.append(sj::SIMDJSON_PADDING, ' ');
    record = std::string_view(padded_.data(), record.size());
    capacity = padded_.size();
  }
  return WalkDocument(record, capacity, detail, capture);
}

Status EventLeaves::WalkDocument(std::string_view json, size_t capacity, uint32_t node,
                                 std::span<CapturedField> capture) {
  od::document doc;
  if (auto err = parser_.iterate(json.data(), json.size(), capacity).get(doc)) {
    return JsonError(err);
  }
  od::json_type type;
  if (auto err = doc.type().get(type)) return JsonError(err);
  if (type != od::json_type::object) {
    // Rare path: tell "valid JSON but not an object" from "not JSON at all".
    simdjson::dom::parser validator;
    simdjson::dom::element ignored;
    if (auto err = validator.parse(json.data(), json.size(), false).get(ignored)) {
      return JsonError(err);
    }
    return Error{"event is not a JSON object"};
  }
  od::object root;
  if (auto err = doc.get_object().get(root)) return JsonError(err);
  for (auto field : root) {
    std::string_view key;
    if (auto err = field.unescaped_key().get(key)) return JsonError(err);
    uint32_t child = node == FieldPaths::kNone ? FieldPaths::kNone : paths_->Step(node, key);
    CapturedField* captured = nullptr;
    for (CapturedField& c : capture) {
      if (c.key == key) captured = &c;
    }
    if (child == FieldPaths::kNone && captured == nullptr) continue;  // skipped by the iterator
    od::value value;
    if (auto err = field.value().get(value)) return JsonError(err);
    if (captured != nullptr) {
      // An On-Demand string can be read once: the captured text also becomes the leaf, which is
      // what Walk would emit for a string at the top level (no enclosing array).
      od::json_type type;
      if (auto err = value.type().get(type)) return JsonError(err);
      if (type == od::json_type::string) {
        if (auto err = value.get_string().get(captured->value)) return JsonError(err);
        captured->state = CapturedField::State::kString;
        if (child != FieldPaths::kNone && paths_->field(child) != FieldPaths::kNone) {
          EmitString(captured->value, paths_->field(child));
        }
        continue;
      }
      captured->state =
          type == od::json_type::null ? CapturedField::State::kNull : CapturedField::State::kOther;
      captured->value = {};
      if (type == od::json_type::object && captured->check_object_keys &&
          (child == FieldPaths::kNone || !paths_->has_children(child))) {
        od::object object;
        if (auto err = value.get_object().get(object)) return JsonError(err);
        for (auto object_field : object) {
          std::string_view object_key;
          if (auto err = object_field.unescaped_key().get(object_key)) return JsonError(err);
        }
        continue;  // no rule reads below it, and an object is not a leaf
      }
      if (child == FieldPaths::kNone) continue;
    }
    if (!Walk(value, child, 1)) {
      leaves_.clear();
      return std::move(failure_);
    }
  }
  // On-Demand stops at the root object's closing brace; anything but whitespace after it is an
  // error (the location is that brace once the root object is finished).
  const char* end = nullptr;
  if (doc.current_location().get(end) == sj::SUCCESS && end >= json.data() &&
      end < json.data() + json.size()) {
    for (const char* p = end + 1; p < json.data() + json.size(); ++p) {
      if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
        return Error{"event is not valid JSON: trailing content after the object"};
      }
    }
  }
  return Status::Ok();
}

bool EventLeaves::Fail(Error error) {
  failure_ = Status(std::move(error));
  return false;
}

uint32_t EventLeaves::CurrentChain() {
  // Leaves under the same array elements share one copy of the membership chain: the 3 numbers
  // of a coordinate triple, or the fields of one object in an array, store it once.
  if (chain_stale_) {
    chain_begin_ = static_cast<uint32_t>(chains_.size());
    chains_.insert(chains_.end(), stack_.begin(), stack_.end());
    chain_stale_ = false;
  }
  return chain_begin_;
}

void EventLeaves::Append(const Leaf& leaf) {
  if (by_field_[leaf.field].empty()) touched_fields_.push_back(leaf.field);
  by_field_[leaf.field].push_back(static_cast<uint32_t>(leaves_.size()));
  leaves_.push_back(leaf);
}

void EventLeaves::EmitString(std::string_view text, uint32_t field) {
  Append(Leaf{field, LeafType::kString, text, CurrentChain(), static_cast<uint32_t>(stack_.size()),
              {}});
}

bool EventLeaves::Emit(od::value& value, od::json_type type, uint32_t field) {
  // Built in place (a failed walk clears leaves_, so an unfinished leaf never survives it).
  Leaf& leaf = leaves_.emplace_back(
      Leaf{field, LeafType::kNull, {}, 0, static_cast<uint32_t>(stack_.size()), {}});
  switch (type) {
    case od::json_type::string: {
      leaf.type = LeafType::kString;
      if (auto err = value.get_string().get(leaf.text)) return Fail(JsonError(err));
      break;
    }
    case od::json_type::number: {
      leaf.type = LeafType::kNumber;
      leaf.text = TrimRight(value.raw_json_token());
      // Read validates the grammar (On-Demand does not for a raw token) and, where a numeric
      // matcher will look, estimates the value; exactness is left for when a matcher needs it.
      if (!leaf.number.Read(leaf.text, paths_->reads_numbers(field))) {
        return Fail(Error{"event is not valid JSON: bad number " +
                          std::string(leaf.text.substr(0, 40))});
      }
      break;
    }
    case od::json_type::boolean: {
      bool b = false;
      if (auto err = value.get_bool().get(b)) return Fail(JsonError(err));
      leaf.type = b ? LeafType::kTrue : LeafType::kFalse;
      break;
    }
    case od::json_type::null: {
      bool is_null = false;
      if (auto err = value.is_null().get(is_null)) return Fail(JsonError(err));
      if (!is_null) return Fail(Error{"event is not valid JSON: bad literal"});
      leaf.type = LeafType::kNull;
      break;
    }
    default:
      return Fail(Error{"event is not valid JSON"});
  }
  leaf.chain_begin = CurrentChain();
  if (by_field_[field].empty()) touched_fields_.push_back(field);
  by_field_[field].push_back(static_cast<uint32_t>(leaves_.size() - 1));
  return true;
}

bool EventLeaves::Walk(od::value value, uint32_t node, size_t depth) {
  if (depth > options_.max_depth) return Fail(TooDeep());
  od::json_type type;
  if (auto err = value.type().get(type)) return Fail(JsonError(err));
  switch (type) {
    case od::json_type::object: {
      if (!paths_->has_children(node)) return true;  // an object is not a leaf
      od::object object;
      if (auto err = value.get_object().get(object)) return Fail(JsonError(err));
      for (auto field : object) {
        std::string_view key;
        if (auto err = field.unescaped_key().get(key)) return Fail(JsonError(err));
        uint32_t child = paths_->Step(node, key);
        if (child == FieldPaths::kNone) continue;
        od::value child_value;
        if (auto err = field.value().get(child_value)) return Fail(JsonError(err));
        if (!Walk(child_value, child, depth + 1)) return false;
      }
      return true;
    }
    case od::json_type::array: {
      od::array array;
      if (auto err = value.get_array().get(array)) return Fail(JsonError(err));
      const uint32_t id = next_array_++;
      const uint32_t field = paths_->field(node);
      uint32_t index = 0;
      for (auto element : array) {
        od::value element_value;
        if (auto err = element.get(element_value)) return Fail(JsonError(err));
        od::json_type element_type;
        if (auto err = element_value.type().get(element_type)) return Fail(JsonError(err));
        // event-ruler (Event.traverseArray) records array membership only for object and array
        // elements; a scalar element carries just its enclosing memberships. Consistency then
        // differs only for mixed arrays such as ["s", {"b": "t"}], where "s" and "t" combine.
        if (element_type == od::json_type::object || element_type == od::json_type::array) {
          stack_.push_back({id, index});
          chain_stale_ = true;
          const bool walked = Walk(element_value, node, depth + 1);
          stack_.pop_back();
          chain_stale_ = true;
          if (!walked) return false;
        } else {
          // A scalar element is emitted here rather than by a recursive Walk (coordinate arrays
          // are mostly scalars); the depth limit still counts it as one level deeper.
          if (depth + 1 > options_.max_depth) return Fail(TooDeep());
          if (field != FieldPaths::kNone && !Emit(element_value, element_type, field)) {
            return false;
          }
        }
        ++index;
      }
      return true;
    }
    default: {
      uint32_t field = paths_->field(node);
      if (field == FieldPaths::kNone) return true;
      return Emit(value, type, field);
    }
  }
}

Error EventLeaves::TooDeep() const {
  return Error{"event nesting exceeds " + std::to_string(options_.max_depth) + " levels"};
}

}  // namespace trailwatch::pattern
