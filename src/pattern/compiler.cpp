// The EventBridge event-pattern compiler: pattern JSON text -> CompiledPattern or the exact
// EventBridge reason (docs/reference/event-patterns.md §1.2, §2, §3.7, §3.11, §3.12).
//
// The structure mirrors event-ruler's JsonRuleCompiler (2.x) function by function, because the
// *order* in which it pulls tokens decides which error a broken pattern reports: the first one
// met in document order wins. Keep each function's sequence of Next() calls and checks in the
// same order as its event-ruler counterpart.
//
// Sub-rules are maps path -> matcher list. As in event-ruler, a leaf array writes its list into
// every sub-rule built so far (so a later duplicate path wins, and duplicate objects merge field
// by field), and "$or" copies every sub-rule once per branch. Lists are shared between sub-rules
// through shared_ptr so that $or copies stay cheap.
#include "pattern/compiler.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pattern/pattern_json.h"

namespace trailwatch::pattern {
namespace {

using MatcherList = std::shared_ptr<const std::vector<Matcher>>;
// std::map<std::string> orders keys by unsigned byte value (char_traits<char>::lt compares as
// unsigned char), which is the path order the matcher relies on (§3.4).
using SubRule = std::map<std::string, MatcherList>;
using SubRules = std::vector<SubRule>;

// Field names event-ruler reserves inside "$or" objects (§3.11, E52).
constexpr std::array<std::string_view, 24> kReservedInOr = {"exactly",
                                                            "equals-ignore-case",
                                                            "prefix",
                                                            "suffix",
                                                            "anything-but",
                                                            "exists",
                                                            "wildcard",
                                                            "numeric",
                                                            "cidr",
                                                            "=",
                                                            "<",
                                                            "<=",
                                                            ">",
                                                            ">=",
                                                            "regex",
                                                            "not-wildcard",
                                                            "not-equals-ignore-case",
                                                            "date-after",
                                                            "date-on-or-after",
                                                            "date-before",
                                                            "date-on-or-before",
                                                            "in-date-range",
                                                            "ip-address-in-range",
                                                            "ip-address-not-in-range"};

// The recursion of the compiler follows the nesting of the JSON, so the nesting limit is also its
// stack bound; clamp it so that a careless option cannot turn into a stack overflow.
constexpr size_t kMaxSupportedDepth = 4096;

// Java counts String.length() in UTF-16 code units: one per BMP character, two per supplementary
// character. Invalid bytes count one each (Java would decode them to U+FFFD).
size_t Utf16Length(std::string_view utf8) {
  size_t units = 0;
  for (const char c : utf8) {
    const auto b = static_cast<unsigned char>(c);
    if ((b & 0xC0) == 0x80) continue;  // continuation byte
    units += (b >= 0xF0 && b <= 0xF4) ? 2 : 1;
  }
  return units;
}

uint64_t SaturatingMultiply(uint64_t a, uint64_t b) {
  if (a != 0 && b > std::numeric_limits<uint64_t>::max() / a) {
    return std::numeric_limits<uint64_t>::max();
  }
  return a * b;
}

// event-ruler's Path: steps joined with '.', except that a step is appended without separator
// when the joined prefix is the empty string (Path.extendedName).
struct PathPrefix {
  std::string joined;
  size_t steps = 0;

  PathPrefix Push(const std::string& step) const {
    return {steps == 0 ? step : joined + "." + step, steps + 1};
  }
  std::string Extended(const std::string& step) const {
    return joined.empty() ? step : joined + "." + step;
  }
};

class PatternCompiler {
 public:
  PatternCompiler(std::string_view json, const CompileOptions& options)
      : reader_(json, std::min(options.max_nesting_depth, kMaxSupportedDepth)), options_(options) {}

  CompileResult Run();

 private:
  bool Next();
  bool Fail(std::string reason);
  bool ExpectEndObject(std::string_view reason);

  bool ParseObject(SubRules* rules, const PathPrefix& path, bool inside_or);
  bool ParseOr(SubRules* rules, const PathPrefix& path);
  bool WriteRules(SubRules* rules, const std::string& name);
  bool ParseMatchExpression(std::vector<Matcher>* values);
  bool ParsePrefixOrSuffix(bool is_prefix, std::vector<Matcher>* values);
  bool ParseAnythingBut(std::vector<Matcher>* values);
  bool ParseAnythingButValues(AnythingBut* result);
  bool ParseAnythingButSet(AnythingBut* result);
  bool ParseNumeric(std::vector<Matcher>* values);
  bool CompleteNumericRange(const std::string& bottom, bool open_bottom,
                            std::vector<Matcher>* values);
  bool ComparableOrFail(const std::string& text, double* value);
  bool CheckLimits(const SubRules& rules);

  PatternJsonReader reader_;
  const CompileOptions& options_;
  JsonToken token_;
  std::string error_;
  // Product of the lengths of all "$or" arrays (§3.11, the AWS doc formula), saturating.
  uint64_t or_combinations_ = 1;
  // Cleared once the sub-rules built so far exceed the $or cap: E53 is then certain, so the rest
  // of the pattern is only validated and no longer expanded (bounds memory on huge patterns).
  bool expanding_ = true;
};

bool PatternCompiler::Next() {
  if (reader_.Next(&token_)) return true;
  return Fail(reader_.error());
}

bool PatternCompiler::Fail(std::string reason) {
  if (error_.empty()) error_ = std::move(reason);
  return false;
}

bool PatternCompiler::ExpectEndObject(std::string_view reason) {
  if (!Next()) return false;
  if (token_.kind != JsonTokenKind::kEndObject) return Fail(std::string(reason));
  return true;
}

CompileResult PatternCompiler::Run() {
  CompileResult result;
  SubRules rules;
  bool ok = Next();
  if (ok && token_.kind != JsonTokenKind::kStartObject) ok = Fail("Filter is not an object");
  if (ok) ok = ParseObject(&rules, PathPrefix{}, /*inside_or=*/false);
  // event-ruler stops reading here; trailwatch also rejects trailing garbage (pattern_json.h).
  if (ok)
    ok = Next() && (token_.kind == JsonTokenKind::kEndOfInput ||
                    Fail("Malformed JSON: unexpected content after the pattern object"));
  if (ok) ok = CheckLimits(rules);
  if (!ok) {
    result.error = PatternError{error_};
    return result;
  }
  result.pattern.alternatives.reserve(rules.size());
  for (const SubRule& rule : rules) {
    SubPattern sub;
    sub.fields.reserve(rule.size());
    for (const auto& [path, matchers] : rule) sub.fields.push_back({path, *matchers});
    result.pattern.alternatives.push_back(std::move(sub));
  }
  return result;
}

// The checks that event-ruler/AWS apply to the compiled rule rather than while parsing.
bool PatternCompiler::CheckLimits(const SubRules& rules) {
  if (or_combinations_ > options_.max_or_combinations) {
    return Fail("Too many $or combinations: " + std::to_string(or_combinations_) + " exceeds " +
                std::to_string(options_.max_or_combinations));
  }
  for (const SubRule& rule : rules) {
    if (rule.size() > options_.max_fields_per_rule) {
      // GenericMachine.addPatternRule's text, without the rule name trailwatch does not have here.
      return Fail("Size of rule exceeds max value of " +
                  std::to_string(options_.max_fields_per_rule));
    }
  }
  // Wildcard complexity is a property of the value machine of one field. Sub-rules of one pattern
  // that share a path can share that machine in event-ruler, so evaluate the union per path
  // (identical values once), which is never more lenient than event-ruler.
  std::map<std::string, std::vector<WildcardPattern>> wildcards_by_path;
  std::map<std::string, std::set<std::string>> seen_by_path;
  for (const SubRule& rule : rules) {
    for (const auto& [rule_path, matchers] : rule) {
      // A named reference: clang before 16 cannot capture structured bindings in lambdas.
      const std::string& path = rule_path;
      for (const Matcher& matcher : *matchers) {
        auto add = [&](const WildcardPattern& pattern) {
          if (seen_by_path[path].insert(pattern.source()).second) {
            wildcards_by_path[path].push_back(pattern);
          }
        };
        if (const auto* wildcard = std::get_if<Wildcard>(&matcher)) add(wildcard->pattern);
        if (const auto* but = std::get_if<AnythingBut>(&matcher)) {
          for (const WildcardPattern& pattern : but->wildcards) add(pattern);
        }
      }
    }
  }
  for (const auto& [path, patterns] : wildcards_by_path) {
    if (WildcardComplexity(patterns) > options_.max_wildcard_complexity) {
      return Fail(
          "Rule is too complex - try using fewer wildcard characters or fewer repeating "
          "character sequences after a wildcard character");
    }
  }
  return true;
}

// JsonRuleCompiler.parseObject / parseObjectInsideOrRelationship; the '{' is consumed.
bool PatternCompiler::ParseObject(SubRules* rules, const PathPrefix& path, bool inside_or) {
  bool fields_present = false;
  while (true) {
    if (!Next()) return false;
    if (token_.kind == JsonTokenKind::kEndObject) break;
    fields_present = true;
    const std::string step = token_.text;  // a field name: the reader guarantees it
    if (step == "$or") {
      if (!ParseOr(rules, path)) return false;
      continue;
    }
    if (inside_or &&
        std::find(kReservedInOr.begin(), kReservedInOr.end(), step) != kReservedInOr.end()) {
      return Fail(step + " is Ruler reserved fieldName which cannot be used inside $or.");
    }
    if (!Next()) return false;
    if (token_.kind == JsonTokenKind::kStartObject) {
      if (!ParseObject(rules, path.Push(step), inside_or)) return false;
    } else if (token_.kind == JsonTokenKind::kStartArray) {
      if (!WriteRules(rules, path.Extended(step))) return false;
    } else {
      return Fail("\"" + step + "\" must be an object or an array");
    }
  }
  if (!fields_present) return Fail("Empty objects are not allowed");
  return true;
}

// JsonRuleCompiler.parseIntoOrRelationship; the "$or" field name is consumed.
bool PatternCompiler::ParseOr(SubRules* rules, const PathPrefix& path) {
  const SubRules current = std::move(*rules);
  rules->clear();
  if (!Next()) return false;
  if (token_.kind != JsonTokenKind::kStartArray) {
    return Fail("It must be an Array followed with $or.");
  }
  uint64_t branches = 0;
  while (true) {
    if (!Next()) return false;
    if (token_.kind == JsonTokenKind::kEndArray) break;
    ++branches;
    if (token_.kind != JsonTokenKind::kStartObject) {
      return Fail("Only JSON object is allowed in array of $or relationship.");
    }
    SubRules branch;
    if (expanding_) branch = current;
    if (branch.empty()) branch.emplace_back();
    if (!ParseObject(&branch, path, /*inside_or=*/true)) return false;
    if (!expanding_) continue;
    for (SubRule& rule : branch) rules->push_back(std::move(rule));
    if (rules->size() > options_.max_or_combinations) {
      // Sub-rules never outnumber the product of $or lengths, so E53 is certain.
      expanding_ = false;
    }
  }
  if (branches < 2) return Fail("There must have at least 2 Objects in $or relationship.");
  or_combinations_ = SaturatingMultiply(or_combinations_, branches);
  if (!expanding_) {
    rules->clear();
    rules->emplace_back();
  }
  return true;
}

// JsonRuleCompiler.writeRules; the '[' is consumed.
bool PatternCompiler::WriteRules(SubRules* rules, const std::string& name) {
  std::vector<Matcher> values;
  while (true) {
    if (!Next()) return false;
    switch (token_.kind) {
      case JsonTokenKind::kEndArray:
        break;
      case JsonTokenKind::kStartObject:
        if (!ParseMatchExpression(&values)) return false;
        continue;
      case JsonTokenKind::kString:
        // event-ruler turns an IP-literal string into a single-address range; the matcher does
        // the equivalent when ip_equivalent is set.
        values.push_back(ExactString{token_.text, /*ip_equivalent=*/true});
        continue;
      case JsonTokenKind::kNumber:
        // event-ruler inserts a numeric-equality matcher when the number is comparable, plus an
        // exact-text matcher always (§3.7); ExactNumber carries both.
        values.push_back(ExactNumber{Number{token_.text, ComparableNumber(token_.text)}});
        continue;
      case JsonTokenKind::kTrue:
        values.push_back(Literal{Literal::Kind::kTrue});
        continue;
      case JsonTokenKind::kFalse:
        values.push_back(Literal{Literal::Kind::kFalse});
        continue;
      case JsonTokenKind::kNull:
        values.push_back(Literal{Literal::Kind::kNull});
        continue;
      default:
        return Fail("Match value must be String, number, true, false, or null");
    }
    break;
  }
  if (values.empty()) return Fail("Empty arrays are not allowed");
  if (rules->empty()) rules->emplace_back();
  auto shared = std::make_shared<const std::vector<Matcher>>(std::move(values));
  for (SubRule& rule : *rules) rule[name] = shared;  // last wins per path (§1.2 S6)
  return true;
}

// JsonRuleCompiler.processMatchExpression; the '{' of the operator object is consumed.
bool PatternCompiler::ParseMatchExpression(std::vector<Matcher>* values) {
  if (!Next()) return false;
  if (token_.kind != JsonTokenKind::kFieldName) return Fail("Match expression name not found");
  const std::string type = token_.text;
  constexpr std::string_view kOneKey = "Only one key allowed in match expression";

  if (type == "exactly") {
    if (!Next()) return false;
    if (token_.kind != JsonTokenKind::kString) return Fail("exact match pattern must be a string");
    std::string value = token_.text;
    if (!ExpectEndObject(kOneKey)) return false;
    values->push_back(ExactString{std::move(value), /*ip_equivalent=*/false});
    return true;
  }
  if (type == "prefix") return ParsePrefixOrSuffix(/*is_prefix=*/true, values);
  if (type == "suffix") return ParsePrefixOrSuffix(/*is_prefix=*/false, values);
  if (type == "numeric") return ParseNumeric(values);
  if (type == "anything-but") return ParseAnythingBut(values);
  if (type == "exists") {
    if (!Next()) return false;
    bool present = false;
    if (token_.kind == JsonTokenKind::kTrue) {
      present = true;
    } else if (token_.kind != JsonTokenKind::kFalse) {
      return Fail("exists match pattern must be either true or false.");
    }
    if (!ExpectEndObject(kOneKey)) return false;
    values->push_back(Exists{present});
    return true;
  }
  if (type == "cidr") {
    if (!Next()) return false;
    // event-ruler really says "prefix" here (E10, sic).
    if (token_.kind != JsonTokenKind::kString) return Fail("prefix match pattern must be a string");
    CidrParse cidr = ParseCidr(token_.text);
    if (!cidr.block) return Fail(cidr.reason);
    if (!ExpectEndObject(kOneKey)) return false;
    values->push_back(Cidr{*cidr.block});
    return true;
  }
  if (type == "equals-ignore-case") {
    if (!Next()) return false;
    if (token_.kind != JsonTokenKind::kString) {
      return Fail("equals-ignore-case match pattern must be a string");
    }
    std::string value = token_.text;
    if (!ExpectEndObject(kOneKey)) return false;
    values->push_back(EqualsIgnoreCase{std::move(value)});
    return true;
  }
  if (type == "wildcard") {
    if (!Next()) return false;
    if (token_.kind != JsonTokenKind::kString) {
      return Fail("wildcard match pattern must be a string");
    }
    std::string reason;
    std::optional<WildcardPattern> pattern = WildcardPattern::Parse(token_.text, &reason);
    if (!pattern) return Fail(reason);
    if (!ExpectEndObject(kOneKey)) return false;
    values->push_back(Wildcard{std::move(*pattern)});
    return true;
  }
  return Fail("Unrecognized match type " + type);
}

// The prefix and suffix branches of processMatchExpression, with
// processPrefixEqualsIgnoreCaseExpression / processSuffixEqualsIgnoreCaseExpression.
bool PatternCompiler::ParsePrefixOrSuffix(bool is_prefix, std::vector<Matcher>* values) {
  constexpr std::string_view kOneKey = "Only one key allowed in match expression";
  if (!Next()) return false;
  if (token_.kind == JsonTokenKind::kStartObject) {
    if (!Next()) return false;
    if (token_.kind != JsonTokenKind::kFieldName) {
      return Fail(is_prefix ? "Prefix expression name not found"
                            : "Suffix expression name not found");
    }
    if (token_.text != "equals-ignore-case") {
      return Fail((is_prefix ? "Unsupported prefix pattern: " : "Unsupported suffix pattern: ") +
                  token_.text);
    }
    if (!Next()) return false;
    if (token_.kind != JsonTokenKind::kString) {
      return Fail("equals-ignore-case match pattern must be a string");
    }
    std::string value = token_.text;
    if (!ExpectEndObject(kOneKey) || !ExpectEndObject(kOneKey)) return false;
    if (is_prefix) {
      values->push_back(Prefix{std::move(value), /*ignore_case=*/true});
    } else {
      values->push_back(Suffix{std::move(value), /*ignore_case=*/true});
    }
    return true;
  }
  if (token_.kind != JsonTokenKind::kString) {
    return Fail(is_prefix ? "prefix match pattern must be a string"
                          : "suffix match pattern must be a string");
  }
  std::string value = token_.text;
  if (!ExpectEndObject(kOneKey)) return false;
  if (is_prefix) {
    values->push_back(Prefix{std::move(value), /*ignore_case=*/false});
  } else {
    values->push_back(Suffix{std::move(value), /*ignore_case=*/false});
  }
  return true;
}

bool PatternCompiler::ComparableOrFail(const std::string& text, double* value) {
  const std::optional<double> comparable = ComparableNumber(text);
  if (!comparable) return Fail("Cannot compare number : " + text);
  *value = *comparable;
  return true;
}

// The anything-but branch of processMatchExpression.
bool PatternCompiler::ParseAnythingBut(std::vector<Matcher>* values) {
  constexpr std::string_view kTooMany = "Too many elements in numeric expression";  // E30, sic
  AnythingBut result;
  if (!Next()) return false;
  const bool object_form = token_.kind == JsonTokenKind::kStartObject;
  if (object_form) {
    if (!Next()) return false;
    if (token_.kind != JsonTokenKind::kFieldName) {
      return Fail("Anything-But expression name not found");
    }
    const std::string& op = token_.text;
    if (op == "equals-ignore-case") {
      result.form = AnythingBut::Form::kEqualsIgnoreCase;
    } else if (op == "prefix") {
      result.form = AnythingBut::Form::kPrefix;
    } else if (op == "suffix") {
      result.form = AnythingBut::Form::kSuffix;
    } else if (op == "wildcard") {
      result.form = AnythingBut::Form::kWildcard;
    } else {
      return Fail("Unsupported anything-but pattern: " + op);
    }
    if (!Next()) return false;
  }
  if (token_.kind != JsonTokenKind::kStartArray && token_.kind != JsonTokenKind::kString &&
      token_.kind != JsonTokenKind::kNumber) {
    return Fail("Value of anything-but must be an array or single string/number value.");
  }
  const bool ok = result.form == AnythingBut::Form::kValues ? ParseAnythingButValues(&result)
                                                            : ParseAnythingButSet(&result);
  if (!ok) return false;
  if (!ExpectEndObject(kTooMany)) return false;
  if (object_form && !ExpectEndObject(kTooMany)) return false;
  values->push_back(std::move(result));
  return true;
}

// processAnythingButListMatchExpression / processAnythingButMatchExpression. The current token
// is '[', a string or a number. Duplicates are dropped, as event-ruler keeps a set.
bool PatternCompiler::ParseAnythingButValues(AnythingBut* result) {
  std::set<std::string> seen;
  auto add_string = [&](const std::string& value) {
    if (seen.insert(value).second) result->strings.push_back(value);
  };
  auto add_number = [&](const std::string& text) {
    double value = 0;
    if (!ComparableOrFail(text, &value)) return false;
    const bool duplicate = std::any_of(result->numbers.begin(), result->numbers.end(),
                                       [&](const Number& n) { return *n.value == value; });
    if (!duplicate) result->numbers.push_back(Number{text, value});
    return true;
  };
  if (token_.kind == JsonTokenKind::kString) {
    add_string(token_.text);
    return true;
  }
  if (token_.kind == JsonTokenKind::kNumber) return add_number(token_.text);
  bool has_string = false;
  bool has_number = false;
  while (true) {
    if (!Next()) return false;
    if (token_.kind == JsonTokenKind::kEndArray) break;
    if (token_.kind == JsonTokenKind::kString) {
      add_string(token_.text);
      has_string = true;
    } else if (token_.kind == JsonTokenKind::kNumber) {
      if (!add_number(token_.text)) return false;
      has_number = true;
    } else {
      return Fail("Inside anything but list, start|null|boolean is not supported.");
    }
  }
  if (has_number == has_string) {
    return Fail(
        "Inside anything but list, either all values are number or string, mixed type is not "
        "supported");
  }
  return true;
}

// processAnythingButValuesSetMatchExpression / ...SingleValueMatchExpression for the prefix,
// suffix, equals-ignore-case and wildcard forms. The current token is '[', a string or a number.
bool PatternCompiler::ParseAnythingButSet(AnythingBut* result) {
  const AnythingBut::Form form = result->form;
  std::set<std::string> seen;
  auto add = [&]() {
    if (token_.kind != JsonTokenKind::kString) {
      if (form == AnythingBut::Form::kEqualsIgnoreCase) {
        return Fail(
            "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not "
            "supported.");
      }
      if (form == AnythingBut::Form::kWildcard) {
        return Fail("wildcard match pattern must be a string");
      }
      return Fail("prefix/suffix match pattern must be a string");
    }
    if ((form == AnythingBut::Form::kPrefix || form == AnythingBut::Form::kSuffix) &&
        token_.text.empty()) {
      return Fail("Null prefix/suffix not allowed");
    }
    if (seen.insert(token_.text).second) result->strings.push_back(token_.text);
    return true;
  };
  if (token_.kind == JsonTokenKind::kStartArray) {
    while (true) {
      if (!Next()) return false;
      if (token_.kind == JsonTokenKind::kEndArray) break;
      if (!add()) return false;
    }
  } else if (!add()) {
    return false;
  }
  if (form == AnythingBut::Form::kWildcard) {
    // event-ruler validates the wildcard values only after reading the whole list. It iterates a
    // HashSet; trailwatch reports the first invalid value in document order instead.
    for (const std::string& value : result->strings) {
      std::string reason;
      std::optional<WildcardPattern> pattern = WildcardPattern::Parse(value, &reason);
      if (!pattern) return Fail(reason);
      result->wildcards.push_back(std::move(*pattern));
    }
  }
  return true;
}

// The numeric branch of processMatchExpression with processNumericMatchExpression.
bool PatternCompiler::ParseNumeric(std::vector<Matcher>* values) {
  constexpr std::string_view kTooMany = "Too many elements in numeric expression";
  constexpr double kMax = std::numeric_limits<double>::max();
  if (!Next()) return false;
  if (token_.kind != JsonTokenKind::kStartArray) return Fail("Value of numeric must be an array.");
  if (!Next()) return false;
  if (token_.kind != JsonTokenKind::kString) {
    return Fail("Invalid member in numeric match: " + std::string(token_.JacksonText()));
  }
  const std::string op = token_.text;
  if (!Next()) return false;

  NumericRange range;
  double value = 0;
  if (op == "=") {
    if (!token_.IsNumber()) return Fail("Value of equals must be numeric");
    const std::string text = token_.text;
    if (!Next()) return false;
    if (token_.kind != JsonTokenKind::kEndArray) return Fail(std::string(kTooMany));
    if (!ComparableOrFail(text, &value)) return false;
    range = NumericRange{value, true, value, true};
  } else if (op == ">=" || op == ">") {
    if (!token_.IsNumber()) return Fail("Value of " + op + " must be numeric");
    const std::string bottom = token_.text;
    if (!Next()) return false;
    if (token_.kind != JsonTokenKind::kEndArray) {
      if (!CompleteNumericRange(bottom, op == ">", values)) return false;
      return ExpectEndObject(kTooMany);
    }
    if (!ComparableOrFail(bottom, &value)) return false;
    // event-ruler 2.x closes a one-sided range at +/-Double.MAX_VALUE and still requires
    // bottom < top, so a bound at the extreme itself is rejected.
    if (value >= kMax) return Fail("Bottom must be less than top");
    range = NumericRange{value, op == ">=", std::nullopt, false};
  } else if (op == "<=" || op == "<") {
    if (!token_.IsNumber()) return Fail("Value of " + op + " must be numeric");
    const std::string top = token_.text;
    if (!Next()) return false;
    if (token_.kind != JsonTokenKind::kEndArray) return Fail(std::string(kTooMany));
    if (!ComparableOrFail(top, &value)) return false;
    if (-kMax >= value) return Fail("Bottom must be less than top");
    range = NumericRange{std::nullopt, false, value, op == "<="};
  } else {
    return Fail("Unrecognized numeric range operator: " + op);
  }
  if (!ExpectEndObject(kTooMany)) return false;
  values->push_back(range);
  return true;
}

// JsonRuleCompiler.completeNumericRange; the current token follows the bottom bound.
bool PatternCompiler::CompleteNumericRange(const std::string& bottom, bool open_bottom,
                                           std::vector<Matcher>* values) {
  if (token_.kind != JsonTokenKind::kString) {
    return Fail("Bad value in numeric range: " + std::string(token_.JacksonText()));
  }
  const std::string op = token_.text;
  if (op != "<" && op != "<=") return Fail("Bad numeric range operator: " + op);
  if (!Next()) return false;
  if (!token_.IsNumber()) return Fail("Value of " + op + " must be numeric");
  const std::string top = token_.text;
  if (!Next()) return false;
  if (token_.kind != JsonTokenKind::kEndArray) {
    return Fail("Too many terms in numeric range expression");
  }
  double low = 0;
  double high = 0;
  if (!ComparableOrFail(bottom, &low) || !ComparableOrFail(top, &high)) return false;
  if (low >= high) return Fail("Bottom must be less than top");
  values->push_back(NumericRange{low, !open_bottom, high, op == "<="});
  return true;
}

}  // namespace

CompileResult CompilePattern(std::string_view pattern_json, const CompileOptions& options) {
  // The size quota is checked on the whole text before parsing, counted like Java's
  // String.length() (UTF-16 units). Bytes >= units, so short texts skip the count.
  if (pattern_json.size() > options.max_pattern_chars &&
      Utf16Length(pattern_json) > options.max_pattern_chars) {
    CompileResult result;
    result.error = PatternError{"Event pattern exceeds " +
                                std::to_string(options.max_pattern_chars) + " characters"};
    return result;
  }
  return PatternCompiler(pattern_json, options).Run();
}

}  // namespace trailwatch::pattern
