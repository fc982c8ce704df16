// CompiledPattern: an EventBridge event pattern after validation, as the matcher consumes it.
//
// A pattern compiles to one or more sub-patterns (one per "$or" combination); the pattern matches
// an event iff any sub-pattern does. A sub-pattern is a list of field conditions sorted by path
// (byte order, as event-ruler sorts them; §3.4 depends on it). A field condition is an OR-list of
// matchers on one flattened path ("detail.userIdentity.type": keys joined with '.', array levels
// omitted). Semantics: docs/reference/event-patterns.md §3.
//
// Thread-safety: plain immutable values once built.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "pattern/ip_address.h"
#include "pattern/number.h"
#include "pattern/wildcard.h"

namespace trailwatch::pattern {

// ["abc"], and {"exactly": "abc"}. When the value is an IP literal and ip_equivalent is set
// (plain strings, not "exactly"), any spelling of the same address matches too (event-ruler).
struct ExactString {
  std::string value;
  bool ip_equivalent = true;
};

// [300]: numeric equality when the literal is comparable, else identical text (§3.7).
struct ExactNumber {
  Number number;
};

// [true], [false], [null].
struct Literal {
  enum class Kind { kTrue, kFalse, kNull };
  Kind kind;
};

// {"prefix": "..."}, {"prefix": {"equals-ignore-case": "..."}}.
struct Prefix {
  std::string value;
  bool ignore_case = false;
};

// {"suffix": "..."}, {"suffix": {"equals-ignore-case": "..."}}.
struct Suffix {
  std::string value;
  bool ignore_case = false;
};

// {"equals-ignore-case": "..."}.
struct EqualsIgnoreCase {
  std::string value;
};

// {"wildcard": "..."}.
struct Wildcard {
  WildcardPattern pattern;
};

// Every form of {"anything-but": ...} (§2.1, §3.6): matches a *present* value that none of the
// listed values/forms hits. For kValues, strings and numbers are never both non-empty.
struct AnythingBut {
  enum class Form { kValues, kPrefix, kSuffix, kEqualsIgnoreCase, kWildcard };
  Form form = Form::kValues;
  std::vector<std::string> strings;           // kValues strings, or the prefix/suffix/... values
  std::vector<Number> numbers;                // kValues numbers (compared numerically)
  std::vector<WildcardPattern> wildcards;     // kWildcard
};

// {"numeric": [...]}: a possibly one-sided range over comparable numbers; "=" is [v, v].
struct NumericRange {
  std::optional<double> low;   // bound value, if any
  bool low_inclusive = false;
  std::optional<double> high;
  bool high_inclusive = false;
};

// {"exists": true|false}.
struct Exists {
  bool present = true;
};

// {"cidr": "10.0.0.0/24"}.
struct Cidr {
  CidrBlock block;
};

using Matcher = std::variant<ExactString, ExactNumber, Literal, Prefix, Suffix, EqualsIgnoreCase,
                             Wildcard, AnythingBut, NumericRange, Exists, Cidr>;

struct FieldCondition {
  std::string path;               // flattened path, e.g. "detail.userIdentity.type"
  std::vector<Matcher> matchers;  // OR-list, in pattern order, never empty
};

struct SubPattern {
  std::vector<FieldCondition> fields;  // sorted by path (byte order), paths unique
};

struct CompiledPattern {
  std::vector<SubPattern> alternatives;  // never empty
};

}  // namespace trailwatch::pattern
