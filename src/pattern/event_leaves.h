// EventLeaves: one event flattened into the leaves that some pattern can look at.
//
// Every event scalar (string, number, true, false, null) at a referenced path becomes a leaf with
// its typed value and its array membership: the (array instance, element index) of every array that
// encloses it (docs/reference/event-patterns.md §3.1). Containers emit nothing, so {}, [] and [{}]
// yield no leaf. Subtrees that no pattern references are skipped without being materialised
// (simdjson On-Demand), which is most of the work saved on a large CloudTrail record.
//
// Thread-safety: an EventLeaves is per-thread scratch; reuse one per thread. Leaves point into the
// parser's buffers and are valid until the next Parse.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "pattern/event_number.h"
#include "pattern/field_paths.h"

namespace trailwatch::pattern {

enum class LeafType : uint8_t { kString, kNumber, kTrue, kFalse, kNull };

struct ArrayPosition {
  uint32_t array;  // array instance, unique within one event
  uint32_t index;  // element index within that array
};

struct Leaf {
  uint32_t field;  // FieldPaths field id
  LeafType type;
  std::string_view text;  // unescaped string, or the number's JSON text
  uint32_t chain_begin;   // this leaf's ArrayPositions, outermost first
  uint32_t chain_size;
  // Numbers: the value as far as numeric matchers need it (estimated at parse time on fields some
  // numeric matcher reads, made exact on first need; see EventNumber).
  EventNumber number;
};

// One field of an EventBridge envelope built around a record (ParseRecord): a top-level key and
// its string value.
struct HeaderField {
  std::string_view key;  // "version", "id", "detail-type", "source", "account", "time", "region"
  std::string_view value;
};

// A top-level key of a record whose value the caller wants during ParseRecordCapturing's walk
// (scan reads the envelope header fields this way instead of parsing each record twice).
struct CapturedField {
  enum class State : uint8_t {
    kAbsent,  // the key did not occur
    kString,  // `value` is the unescaped string (valid until the next parse)
    kNull,    // JSON null
    kOther,   // a number, boolean, object or array
  };
  std::string_view key;  // set by the caller
  // Set by the caller: when the value is an object that no rule reads into, iterate its keys
  // anyway (values skipped), so that a syntax error among them fails the parse just as it fails
  // a reader that looks for one key inside (EnvelopeBuilder's userIdentity.accountId fallback).
  bool check_object_keys = false;
  State state = State::kAbsent;
  std::string_view value;
};

struct FlattenOptions {
  size_t max_depth = 1000;  // EventBridge's JSON nesting limit (docs/reference/formats.md §3.1)
};

class EventLeaves {
 public:
  EventLeaves();

  // Parses `json` (which must have simdjson::SIMDJSON_PADDING readable bytes after its end:
  // `capacity` is the size of the readable buffer from json.data()) and collects the leaves at
  // the paths of `paths`. On error (not JSON, not an object, too deep), returns a message naming
  // the problem and leaves the collection empty.
  Status Parse(const FieldPaths& paths, std::string_view json, size_t capacity,
               const FlattenOptions& options = {});

  // Flattens the envelope {<header fields>, "resources": [], "detail": <record>} without building
  // its text: header values become leaves directly and the record is walked as "detail". The
  // result equals Parse of the built envelope (the record is read only if a rule looks into
  // "detail"). Header values must stay valid until the next parse.
  Status ParseRecord(const FieldPaths& paths, std::string_view record, size_t capacity,
                     std::span<const HeaderField> header, const FlattenOptions& options = {});

  // ParseRecord in two halves, so that the header can be computed from the record in the same
  // walk: ParseRecordCapturing walks `record` as "detail" and, for every top-level key listed in
  // `capture`, records its value there (the last occurrence wins, as in a JSON object read into a
  // map). The record is walked even when no rule reads "detail". AddHeaderLeaves then adds the
  // header leaves (values must stay valid until the next parse). The result equals ParseRecord.
  Status ParseRecordCapturing(const FieldPaths& paths, std::string_view record, size_t capacity,
                              std::span<CapturedField> capture, const FlattenOptions& options = {});
  void AddHeaderLeaves(const FieldPaths& paths, std::span<const HeaderField> header);

  // Same as Parse, copying `json` into an internal padded buffer first.
  Status ParseUnpadded(const FieldPaths& paths, std::string_view json,
                       const FlattenOptions& options = {});

  const std::vector<Leaf>& leaves() const { return leaves_; }
  // Leaf indices per field id, in document order.
  const std::vector<uint32_t>& leaves_of(uint32_t field) const { return by_field_[field]; }
  const ArrayPosition* chain(const Leaf& leaf) const { return chains_.data() + leaf.chain_begin; }

  // True iff two leaves sit in the same element of every array that encloses both (§3.4).
  bool Consistent(const Leaf& a, const Leaf& b) const;

 private:
  void Reset(const FieldPaths& paths, const FlattenOptions& options);
  Status WalkDocument(std::string_view json, size_t capacity, uint32_t node,
                      std::span<CapturedField> capture = {});
  // The walk's steps return false on an invalid event, leaving the reason in failure_ (a Status
  // per recursion level and leaf was a measurable share of walking coordinate arrays).
  bool Walk(simdjson::ondemand::value value, uint32_t node, size_t depth);
  bool Emit(simdjson::ondemand::value& value, simdjson::ondemand::json_type type, uint32_t field);
  void EmitString(std::string_view text, uint32_t field);
  void Append(const Leaf& leaf);
  uint32_t CurrentChain();
  bool Fail(Error error);
  Error TooDeep() const;

  const FieldPaths* paths_ = nullptr;
  FlattenOptions options_;
  simdjson::ondemand::parser parser_;
  std::string padded_;
  std::vector<Leaf> leaves_;
  std::vector<std::vector<uint32_t>> by_field_;
  std::vector<uint32_t> touched_fields_;
  std::vector<ArrayPosition> chains_;
  std::vector<ArrayPosition> stack_;  // current array membership while walking
  uint32_t chain_begin_ = 0;          // where stack_ was last copied into chains_
  bool chain_stale_ = true;           // stack_ changed since
  Status failure_;
  uint32_t next_array_ = 0;
};

}  // namespace trailwatch::pattern
