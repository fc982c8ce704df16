// A small pull tokenizer for the JSON text of an EventBridge event pattern.
//
// Why not simdjson: the pattern compiler must see the document as event-ruler's streaming Jackson
// parser does (docs/reference/event-patterns.md §1.1, §1.2 S6):
//   - duplicate keys are all delivered, in document order (last-wins per leaf path and the
//     field-by-field merge of duplicate objects depend on it; a DOM collapses or hides them);
//   - validation stops at the first error met in document order, so a semantic error before a
//     syntax error must win, which needs tokens pulled one at a time;
//   - some reasons quote the offending token as Jackson prints it (E32, E36), including end tokens
//     such as "]" that a DOM never exposes.
// Patterns are at most a few KB, so a simple byte loop is fast enough.
//
// Accepts RFC 8259 JSON only (no comments, no trailing commas, no leading zeros, no NaN), rejects
// invalid UTF-8 in strings, lone surrogate escapes and raw control characters, and limits nesting
// depth so that hostile input cannot exhaust the stack of a recursive consumer. Content after the
// root value other than whitespace is an error (event-ruler stops reading after the root object;
// trailwatch rejects the trailing garbage instead of silently ignoring it).
//
// Thread-safety: a reader is single-threaded; distinct readers are independent.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace trailwatch::pattern {

enum class JsonTokenKind {
  kStartObject,
  kEndObject,
  kStartArray,
  kEndArray,
  kFieldName,
  kString,
  kNumber,
  kTrue,
  kFalse,
  kNull,
  kEndOfInput,  // no more tokens (Jackson's null token)
};

struct JsonToken {
  JsonTokenKind kind = JsonTokenKind::kEndOfInput;
  // kFieldName / kString: the unescaped UTF-8 value. kNumber: the number exactly as written.
  std::string text;

  bool IsNumber() const { return kind == JsonTokenKind::kNumber; }
  // The token as Jackson's JsonParser.getText() prints it: "{", "]", "true", a number's text, a
  // string's unescaped value. Used verbatim in some EventBridge reasons (E32, E36).
  std::string_view JacksonText() const;
};

class PatternJsonReader {
 public:
  // `json` must outlive the reader. Opening container number max_depth + 1 is an error.
  PatternJsonReader(std::string_view json, size_t max_depth);

  // Reads the next token into *token. Returns false on malformed JSON; error() then describes it
  // and every later call fails the same way.
  bool Next(JsonToken* token);

  const std::string& error() const { return error_; }

 private:
  enum class State {
    kRootValue,        // before the root value
    kValue,            // after ':' or after ',' in an array
    kFirstValueOrEnd,  // after '['
    kFirstNameOrEnd,   // after '{'
    kName,             // after ',' in an object
    kCommaOrEnd,       // after a value inside a container
    kDone,             // the root value is complete
  };

  bool Fail(std::string what);
  void SkipWhitespace();
  bool ReadValue(JsonToken* token);
  bool ReadName(JsonToken* token);
  bool ReadString(std::string* out);
  bool ReadEscape(std::string* out);
  bool ReadHex4(unsigned* value);
  bool ReadUtf8Sequence(std::string* out);
  bool ReadNumber(JsonToken* token);
  bool ReadLiteral(std::string_view word, JsonTokenKind kind, JsonToken* token);
  bool Push(char container);
  void AfterValue();

  std::string_view json_;
  size_t pos_ = 0;
  size_t max_depth_;
  std::vector<char> stack_;  // 'o' for an object, 'a' for an array
  State state_ = State::kRootValue;
  std::string error_;
};

}  // namespace trailwatch::pattern
