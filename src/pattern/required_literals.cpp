#include "pattern/required_literals.h"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <variant>

namespace trailwatch::pattern {

namespace {

constexpr std::string_view kDetailPrefix = "detail.";

// True when JSON text always spells `bytes` verbatim (no '"', '\' or control byte, which a writer
// must escape). Other bytes may still be written as \uXXXX, or '/' as \/; callers treat records
// holding those escapes as candidates.
bool SpelledVerbatim(std::string_view bytes) {
  return std::none_of(bytes.begin(), bytes.end(), [](char c) {
    return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
  });
}

std::optional<std::string> Usable(std::string_view value, std::string literal) {
  if (!SpelledVerbatim(value) || literal.size() < kMinRequiredLiteral) return std::nullopt;
  return literal;
}

std::string Quoted(std::string_view value) {
  std::string out = "\"";
  out += value;
  out += '"';
  return out;
}

// A wildcard's literal: the longest usable one among its segments. The first segment of a pattern
// without a leading star starts the string value, so its literal carries the opening quote; the
// last segment of a pattern without a trailing star ends it, so it carries the closing quote.
std::optional<std::string> WildcardLiteral(const WildcardPattern& pattern) {
  const std::vector<std::string>& segments = pattern.segments();
  std::optional<std::string> best;
  for (size_t i = 0; i < segments.size(); ++i) {
    std::string literal;
    if (i == 0 && !pattern.leading_star()) literal += '"';
    literal += segments[i];
    if (i + 1 == segments.size() && !pattern.trailing_star()) literal += '"';
    std::optional<std::string> usable = Usable(segments[i], std::move(literal));
    if (usable && (!best || usable->size() > best->size())) best = std::move(usable);
  }
  return best;
}

// The literals of one field condition (sorted, distinct), or nullopt if some matcher has none.
std::optional<std::vector<std::string>> ConditionLiterals(const FieldCondition& field) {
  if (field.path.compare(0, kDetailPrefix.size(), kDetailPrefix) != 0) return std::nullopt;
  std::vector<std::string> literals;
  for (const Matcher& matcher : field.matchers) {
    std::optional<std::string> literal = RequiredMatcherLiteral(field.path, matcher);
    if (!literal) return std::nullopt;
    literals.push_back(std::move(*literal));
  }
  std::sort(literals.begin(), literals.end());
  literals.erase(std::unique(literals.begin(), literals.end()), literals.end());
  return literals;
}

size_t ShortestSize(const std::vector<std::string>& literals) {
  size_t shortest = SIZE_MAX;
  for (const std::string& literal : literals) shortest = std::min(shortest, literal.size());
  return shortest;
}

// Prefers fewer literals (fewer needles to search for), then a longer shortest one (rarer).
bool Better(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return ShortestSize(a) > ShortestSize(b);
}

}  // namespace

std::optional<std::string> RequiredMatcherLiteral(const std::string& path, const Matcher& matcher) {
  if (const auto* exact = std::get_if<ExactString>(&matcher)) {
    // Plain IP strings match every spelling of the address (value_index.cpp), not just this one.
    if (exact->ip_equivalent && ParseIpLiteral(exact->value)) return std::nullopt;
    return Usable(exact->value, Quoted(exact->value));
  }
  if (const auto* prefix = std::get_if<Prefix>(&matcher)) {
    if (prefix->ignore_case || prefix->value.empty()) return std::nullopt;
    return Usable(prefix->value, "\"" + prefix->value);
  }
  if (const auto* suffix = std::get_if<Suffix>(&matcher)) {
    if (suffix->ignore_case || suffix->value.empty()) return std::nullopt;
    return Usable(suffix->value, suffix->value + "\"");
  }
  if (const auto* wildcard = std::get_if<Wildcard>(&matcher)) {
    return WildcardLiteral(wildcard->pattern);
  }
  if (const auto* exists = std::get_if<Exists>(&matcher)) {
    if (!exists->present) return std::nullopt;
    // The event key that reaches the leaf ends with the path's last segment, but it need not *be*
    // that segment: event keys are split at '.' like pattern keys (FieldPaths::Step), so the
    // record {"a.b": 1} has a leaf at "detail.a.b" and never spells "b" with its opening quote.
    // Only the segment and the key's closing quote are certain.
    size_t dot = path.rfind('.');
    std::string_view last = std::string_view(path).substr(dot == std::string::npos ? 0 : dot + 1);
    return Usable(last, std::string(last) + '"');
  }
  // ExactNumber, true/false/null, ignore-case forms, anything-but, numeric, cidr: the value's text
  // has other spellings, or the matcher accepts values that share no fixed text.
  return std::nullopt;
}

std::optional<std::vector<std::string>> RequiredRecordLiterals(
    const std::vector<const CompiledPattern*>& patterns) {
  std::vector<std::string> all;
  for (const CompiledPattern* pattern : patterns) {
    for (const SubPattern& sub : pattern->alternatives) {
      std::optional<std::vector<std::string>> chosen;
      for (const FieldCondition& field : sub.fields) {
        std::optional<std::vector<std::string>> literals = ConditionLiterals(field);
        if (literals && (!chosen || Better(*literals, *chosen))) chosen = std::move(literals);
      }
      if (!chosen) return std::nullopt;
      all.insert(all.end(), chosen->begin(), chosen->end());
    }
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

}  // namespace trailwatch::pattern
