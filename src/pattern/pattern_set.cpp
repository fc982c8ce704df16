#include "pattern/pattern_set.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>

#include "pattern/required_literals.h"

namespace trailwatch::pattern {

namespace {

// A canonical text for one matcher, so that equal OR-lists share a next state.
std::string MatcherKey(const Matcher& matcher) {
  std::ostringstream key;
  key << matcher.index() << ':';
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, ExactString>) {
          key << m.ip_equivalent << m.value.size() << ':' << m.value;
        } else if constexpr (std::is_same_v<T, ExactNumber>) {
          if (m.number.value) {
            key << 'v' << OrderedNumberKey(*m.number.value);
          } else {
            key << 't' << m.number.text;
          }
        } else if constexpr (std::is_same_v<T, Literal>) {
          key << static_cast<int>(m.kind);
        } else if constexpr (std::is_same_v<T, Prefix> || std::is_same_v<T, Suffix>) {
          key << m.ignore_case << m.value.size() << ':' << m.value;
        } else if constexpr (std::is_same_v<T, EqualsIgnoreCase>) {
          key << m.value.size() << ':' << m.value;
        } else if constexpr (std::is_same_v<T, Wildcard>) {
          key << m.pattern.source().size() << ':' << m.pattern.source();
        } else if constexpr (std::is_same_v<T, AnythingBut>) {
          key << static_cast<int>(m.form) << '[';
          for (const auto& s : m.strings) key << s.size() << ':' << s;
          key << '|';
          for (const auto& n : m.numbers) key << n.text.size() << ':' << n.text;
          key << '|';
          for (const auto& w : m.wildcards) key << w.source().size() << ':' << w.source();
          key << ']';
        } else if constexpr (std::is_same_v<T, NumericRange>) {
          key.precision(17);
          if (m.low) key << (m.low_inclusive ? '[' : '(') << *m.low;
          key << ',';
          if (m.high) key << *m.high << (m.high_inclusive ? ']' : ')');
        } else if constexpr (std::is_same_v<T, Exists>) {
          key << m.present;
        } else if constexpr (std::is_same_v<T, Cidr>) {
          key << m.block.base.v6 << '/' << m.block.prefix_bits << ':';
          for (uint8_t b : m.block.base.bytes) key << static_cast<int>(b) << '.';
        }
      },
      matcher);
  return key.str();
}

std::string OrListKey(const FieldCondition& field) {
  std::vector<std::string> keys;
  keys.reserve(field.matchers.size());
  for (const Matcher& m : field.matchers) keys.push_back(MatcherKey(m));
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  std::string joined;
  for (const std::string& k : keys) {
    joined += std::to_string(k.size());
    joined += ':';
    joined += k;
  }
  return joined;
}

}  // namespace

Result<std::shared_ptr<const PatternSet>> PatternSet::Build(std::vector<NamedPattern> patterns) {
  std::shared_ptr<PatternSet> set(new PatternSet());
  set->states_.emplace_back();
  std::vector<const CompiledPattern*> compiled;
  compiled.reserve(patterns.size());
  for (const NamedPattern& named : patterns) compiled.push_back(&named.pattern);
  set->record_literals_ = RequiredRecordLiterals(compiled);
  std::set<std::string> seen;
  // Children are keyed by (state, field, canonical OR-list): sub-patterns sharing a prefix of steps
  // share states, and each chain stays deterministic.
  std::map<std::tuple<uint32_t, uint32_t, std::string>, uint32_t> children;
  for (uint32_t id = 0; id < patterns.size(); ++id) {
    NamedPattern& named = patterns[id];
    if (!seen.insert(named.name).second) {
      return Error{"duplicate pattern name \"" + named.name + "\""};
    }
    set->names_.push_back(named.name);
    for (const SubPattern& sub : named.pattern.alternatives) {
      uint32_t state = 0;
      for (const FieldCondition& field : sub.fields) {
        uint32_t field_id = set->paths_.Add(field.path);
        auto key = std::make_tuple(state, field_id, OrListKey(field));
        auto found = children.find(key);
        if (found != children.end()) {
          state = found->second;
          continue;
        }
        uint32_t next = static_cast<uint32_t>(set->states_.size());
        set->states_.emplace_back();
        children.emplace(std::move(key), next);
        std::vector<FieldTransitions>& transitions = set->states_[state].transitions;
        auto it = std::find_if(transitions.begin(), transitions.end(),
                               [&](const FieldTransitions& t) { return t.field == field_id; });
        if (it == transitions.end()) {
          transitions.push_back(FieldTransitions{field_id, {}, {}});
          it = transitions.end() - 1;
        }
        for (const Matcher& matcher : field.matchers) {
          const Exists* exists = std::get_if<Exists>(&matcher);
          if (exists != nullptr && !exists->present) {
            if (std::find(it->on_absent.begin(), it->on_absent.end(), next) == it->on_absent.end())
              it->on_absent.push_back(next);
          } else {
            it->values.Add(matcher, next);
          }
          const AnythingBut* but = std::get_if<AnythingBut>(&matcher);
          if (std::holds_alternative<ExactNumber>(matcher) ||
              std::holds_alternative<NumericRange>(matcher) ||
              (but != nullptr && !but->numbers.empty())) {
            set->paths_.MarkReadsNumbers(field_id);
          }
        }
        state = next;
      }
      std::vector<uint32_t>& accepts = set->states_[state].accepts;
      if (std::find(accepts.begin(), accepts.end(), id) == accepts.end()) accepts.push_back(id);
    }
  }
  return std::shared_ptr<const PatternSet>(std::move(set));
}

}  // namespace trailwatch::pattern
