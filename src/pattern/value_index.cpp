#include "pattern/value_index.h"

#include <algorithm>
#include <limits>
#include <optional>

#include "pattern/number.h"

namespace trailwatch::pattern {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

std::string IpKey(const IpAddress& address) {
  std::string key(17, '\0');
  key[0] = address.v6 ? '6' : '4';
  std::copy(address.bytes.begin(), address.bytes.end(), key.begin() + 1);
  return key;
}

void Append(const StateList& states, StateList* out) {
  out->insert(out->end(), states.begin(), states.end());
}

bool InRange(const NumericRange& range, double value) {
  if (range.low) {
    if (range.low_inclusive ? value < *range.low : value <= *range.low) return false;
  }
  if (range.high) {
    if (range.high_inclusive ? value > *range.high : value >= *range.high) return false;
  }
  return true;
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && text.compare(0, prefix.size(), prefix) == 0;
}
bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

void ValueIndex::AffixMap::Add(std::string value, uint32_t target) {
  size_t length = value.size();
  by_value[std::move(value)].push_back(target);
  auto it = std::lower_bound(lengths.begin(), lengths.end(), length);
  if (it == lengths.end() || *it != length) lengths.insert(it, length);
}

void ValueIndex::AffixMap::Probe(std::string_view text, bool suffix, StateList* out) const {
  for (size_t length : lengths) {
    if (length > text.size()) break;
    std::string_view part =
        suffix ? text.substr(text.size() - length) : text.substr(0, length);
    auto it = by_value.find(part);
    if (it != by_value.end()) Append(it->second, out);
  }
}

bool ValueIndex::AnythingButEntry::Satisfied(const Leaf& leaf) const {
  // §3.6: anything-but matches any present value (null and booleans included) that no listed
  // value or form hits; a missing field never reaches here.
  using Form = AnythingBut::Form;
  if (leaf.type == LeafType::kNumber) {
    if (matcher.form != Form::kValues || numbers.empty()) return true;
    // Only a comparable number equal to a listed one is excluded; an estimate far from all of
    // them settles that without the exact value.
    const EventNumber::Bounds bounds = leaf.number.ValueBounds(leaf.text);
    if (std::none_of(numbers.begin(), numbers.end(),
                     [&](double n) { return bounds.Meets(n, n); })) {
      return true;
    }
    std::optional<double> value = leaf.number.Comparable(leaf.text);
    if (!value) return true;
    return std::find(numbers.begin(), numbers.end(), *value) == numbers.end();
  }
  if (leaf.type != LeafType::kString) return true;
  std::string_view text = leaf.text;
  switch (matcher.form) {
    case Form::kValues:
      return std::find(matcher.strings.begin(), matcher.strings.end(), text) ==
             matcher.strings.end();
    case Form::kPrefix:
      return std::none_of(matcher.strings.begin(), matcher.strings.end(),
                          [&](const std::string& p) { return StartsWith(text, p); });
    case Form::kSuffix:
      return std::none_of(matcher.strings.begin(), matcher.strings.end(),
                          [&](const std::string& s) { return EndsWith(text, s); });
    case Form::kEqualsIgnoreCase:
      return std::none_of(folded.begin(), folded.end(),
                          [&](const FoldedPattern& f) { return f.Equals(text); });
    case Form::kWildcard:
      return std::none_of(matcher.wildcards.begin(), matcher.wildcards.end(),
                          [&](const WildcardPattern& w) { return w.Matches(text); });
  }
  return true;
}

void ValueIndex::Add(const Matcher& matcher, uint32_t target) {
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, ExactString>) {
          exact_[m.value].push_back(target);
          if (m.ip_equivalent) {
            if (auto ip = ParseIpLiteral(m.value)) exact_ip_[IpKey(*ip)].push_back(target);
          }
        } else if constexpr (std::is_same_v<T, ExactNumber>) {
          if (m.number.value) {
            StateList& targets = number_equal_[OrderedNumberKey(*m.number.value)];
            if (targets.empty()) {
              const double v = *m.number.value == 0 ? 0.0 : *m.number.value;
              equal_values_.insert(
                  std::lower_bound(equal_values_.begin(), equal_values_.end(), v), v);
            }
            targets.push_back(target);
          } else {
            number_text_[m.number.text].push_back(target);
          }
        } else if constexpr (std::is_same_v<T, Literal>) {
          switch (m.kind) {
            case Literal::Kind::kTrue: on_true_.push_back(target); break;
            case Literal::Kind::kFalse: on_false_.push_back(target); break;
            case Literal::Kind::kNull: on_null_.push_back(target); break;
          }
        } else if constexpr (std::is_same_v<T, Prefix> || std::is_same_v<T, Suffix>) {
          constexpr bool kSuffix = std::is_same_v<T, Suffix>;
          if (!m.ignore_case) {
            (kSuffix ? suffix_ : prefix_).Add(m.value, target);
          } else {
            FoldedPattern folded(m.value);
            if (folded.ascii_only()) {
              (kSuffix ? suffix_folded_ : prefix_folded_).Add(folded.ascii_key(), target);
            } else {
              folded_.push_back({kSuffix ? FoldedEntry::Kind::kSuffix : FoldedEntry::Kind::kPrefix,
                                 std::move(folded), target});
            }
          }
        } else if constexpr (std::is_same_v<T, EqualsIgnoreCase>) {
          FoldedPattern folded(m.value);
          if (folded.ascii_only()) {
            equals_folded_[folded.ascii_key()].push_back(target);
          } else {
            folded_.push_back({FoldedEntry::Kind::kEquals, std::move(folded), target});
          }
        } else if constexpr (std::is_same_v<T, Wildcard>) {
          wildcards_.emplace_back(m.pattern, target);
        } else if constexpr (std::is_same_v<T, NumericRange>) {
          ranges_.emplace_back(m, target);
          range_hulls_.push_back({m.low.value_or(-kInfinity), m.high.value_or(kInfinity)});
        } else if constexpr (std::is_same_v<T, Cidr>) {
          cidrs_.emplace_back(m.block, target);
        } else if constexpr (std::is_same_v<T, AnythingBut>) {
          AnythingButEntry entry{m, {}, {}, target};
          if (m.form == AnythingBut::Form::kEqualsIgnoreCase) {
            for (const std::string& s : m.strings) entry.folded.emplace_back(s);
          }
          for (const Number& n : m.numbers) {
            if (n.value) entry.numbers.push_back(*n.value);
          }
          anything_buts_.push_back(std::move(entry));
        } else if constexpr (std::is_same_v<T, Exists>) {
          // exists:false is an absence transition, handled by the automaton, not here.
          if (m.present) on_any_.push_back(target);
        }
      },
      matcher);
}

void ValueIndex::EvaluateString(std::string_view text, std::string* scratch,
                                StateList* out) const {
  if (!exact_.empty()) {
    auto it = exact_.find(text);
    if (it != exact_.end()) Append(it->second, out);
  }
  if (!exact_ip_.empty() || !cidrs_.empty()) {
    if (auto ip = ParseIpLiteral(text)) {
      if (!exact_ip_.empty()) {
        auto it = exact_ip_.find(IpKey(*ip));
        if (it != exact_ip_.end()) Append(it->second, out);
      }
      for (const auto& [block, target] : cidrs_) {
        if (block.Contains(*ip)) out->push_back(target);
      }
    }
  }
  if (!prefix_.lengths.empty()) prefix_.Probe(text, false, out);
  if (!suffix_.lengths.empty()) suffix_.Probe(text, true, out);
  if (!prefix_folded_.lengths.empty() || !suffix_folded_.lengths.empty() ||
      !equals_folded_.empty()) {
    *scratch = AsciiLower(text);
    if (!prefix_folded_.lengths.empty()) prefix_folded_.Probe(*scratch, false, out);
    if (!suffix_folded_.lengths.empty()) suffix_folded_.Probe(*scratch, true, out);
    if (!equals_folded_.empty()) {
      auto it = equals_folded_.find(*scratch);
      if (it != equals_folded_.end()) Append(it->second, out);
    }
  }
  for (const FoldedEntry& entry : folded_) {
    bool hit = false;
    switch (entry.kind) {
      case FoldedEntry::Kind::kEquals: hit = entry.pattern.Equals(text); break;
      case FoldedEntry::Kind::kPrefix: hit = entry.pattern.IsPrefixOf(text); break;
      case FoldedEntry::Kind::kSuffix: hit = entry.pattern.IsSuffixOf(text); break;
    }
    if (hit) out->push_back(entry.target);
  }
  for (const auto& [pattern, target] : wildcards_) {
    if (pattern.Matches(text)) out->push_back(target);
  }
}

void ValueIndex::EvaluateNumber(const Leaf& leaf, StateList* out) const {
  if (!number_text_.empty()) {
    auto it = number_text_.find(leaf.text);
    if (it != number_text_.end()) Append(it->second, out);
  }
  if (number_equal_.empty() && ranges_.empty()) return;
  // §3.7: ranges and numeric equality see comparable numbers only. The walk estimated the value
  // (FieldPaths::reads_numbers is set for every field with such matchers); the exact value, which
  // costs a correctly rounded parse and a shortest print for a 17-digit coordinate, is computed
  // only when the estimate may hit an equal value or a range.
  const EventNumber::Bounds bounds = leaf.number.ValueBounds(leaf.text);
  auto equal = std::lower_bound(equal_values_.begin(), equal_values_.end(), bounds.low);
  const bool may_hit =
      (equal != equal_values_.end() && *equal <= bounds.high) ||
      std::any_of(range_hulls_.begin(), range_hulls_.end(),
                  [&](const RangeHull& hull) { return bounds.Meets(hull.low, hull.high); });
  if (!may_hit) return;
  std::optional<double> value = leaf.number.Comparable(leaf.text);
  if (!value) return;
  if (!number_equal_.empty()) {
    auto it = number_equal_.find(OrderedNumberKey(*value));
    if (it != number_equal_.end()) Append(it->second, out);
  }
  for (const auto& [range, target] : ranges_) {
    if (InRange(range, *value)) out->push_back(target);
  }
}

void ValueIndex::Evaluate(const Leaf& leaf, std::string* scratch, StateList* out) const {
  switch (leaf.type) {
    case LeafType::kString: EvaluateString(leaf.text, scratch, out); break;
    case LeafType::kNumber: EvaluateNumber(leaf, out); break;
    case LeafType::kTrue: Append(on_true_, out); break;
    case LeafType::kFalse: Append(on_false_, out); break;
    case LeafType::kNull: Append(on_null_, out); break;
  }
  if (!on_any_.empty()) Append(on_any_, out);
  for (const AnythingButEntry& entry : anything_buts_) {
    if (entry.Satisfied(leaf)) out->push_back(entry.target);
  }
}

}  // namespace trailwatch::pattern
