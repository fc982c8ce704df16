// `trailwatch packs list` and `trailwatch packs show NAME`: the built-in rule packs (rule_packs.h),
// so that a user can see what `pack: NAME` in the config will alert on before enabling it.
#include <simdjson.h>

#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "common/json_string.h"
#include "config/yaml_json.h"
#include "rules/rule_packs.h"

namespace trailwatch::cli {

namespace {

constexpr size_t kInlineArrayWidth = 72;

void AppendIndent(int depth, std::string* out) { out->append(static_cast<size_t>(depth) * 2, ' '); }

std::string Scalar(simdjson::dom::element value) {
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS) {
    std::string out;
    AppendJsonString(out, text);
    return out;
  }
  return simdjson::minify(value);
}

// Objects one member per line; arrays of scalars on one line when they fit, else one per line.
void Pretty(simdjson::dom::element value, int depth, std::string* out) {
  using simdjson::dom::element_type;
  if (value.type() == element_type::OBJECT) {
    simdjson::dom::object object = value.get_object();
    if (object.size() == 0) {
      out->append("{}");
      return;
    }
    out->append("{\n");
    bool first = true;
    for (auto field : object) {
      if (!first) out->append(",\n");
      first = false;
      AppendIndent(depth + 1, out);
      AppendJsonString(*out, field.key);
      out->append(": ");
      Pretty(field.value, depth + 1, out);
    }
    out->push_back('\n');
    AppendIndent(depth, out);
    out->push_back('}');
    return;
  }
  if (value.type() == element_type::ARRAY) {
    simdjson::dom::array array = value.get_array();
    bool scalars = true;
    std::string inline_text = "[";
    for (simdjson::dom::element item : array) {
      if (item.type() == element_type::OBJECT || item.type() == element_type::ARRAY) {
        scalars = false;
        break;
      }
      if (inline_text.size() > 1) inline_text.append(", ");
      inline_text.append(Scalar(item));
    }
    inline_text.push_back(']');
    if (scalars && inline_text.size() + static_cast<size_t>(depth) * 2 <= kInlineArrayWidth) {
      out->append(inline_text);
      return;
    }
    out->append("[\n");
    bool first = true;
    for (simdjson::dom::element item : array) {
      if (!first) out->append(",\n");
      first = false;
      AppendIndent(depth + 1, out);
      Pretty(item, depth + 1, out);
    }
    out->push_back('\n');
    AppendIndent(depth, out);
    out->push_back(']');
    return;
  }
  out->append(Scalar(value));
}

std::string PrettyPattern(std::string_view json, int depth) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
    return std::string(json);  // cannot happen for built-in packs (tests compile them all)
  }
  std::string out;
  AppendIndent(depth, &out);
  Pretty(root, depth, &out);
  return out;
}

std::string PackNames() {
  std::string out;
  for (const rules::RulePack& pack : rules::RulePacks()) {
    if (!out.empty()) out += ", ";
    out += pack.name;
  }
  return out;
}

int RunList() {
  size_t width = 4;
  for (const rules::RulePack& pack : rules::RulePacks()) width = std::max(width, pack.name.size());
  std::cout << std::left << std::setw(static_cast<int>(width)) << "PACK"
            << "  RULES  DESCRIPTION\n";
  for (const rules::RulePack& pack : rules::RulePacks()) {
    std::cout << std::left << std::setw(static_cast<int>(width)) << pack.name << "  " << std::right
              << std::setw(5) << pack.rules.size() << "  " << pack.description << "\n";
  }
  return 0;
}

int RunShow(const std::string& name) {
  const rules::RulePack* pack = rules::FindRulePack(name);
  if (pack == nullptr) {
    std::cerr << "error: unknown pack \"" << name << "\" (built-in packs: " << PackNames()
              << "; see `trailwatch packs list`)\n";
    return 2;
  }
  std::ostringstream out;
  out << "pack " << pack->name << ": " << pack->description << "\n";
  out << pack->rules.size() << (pack->rules.size() == 1 ? " rule" : " rules")
      << "; use it with `- pack: " << pack->name << "` under `rules:` (docs/rules.md)\n";
  for (const rules::PackRule& rule : pack->rules) {
    rules::RuleSpec spec = rules::ToRuleSpec(*pack, rule);
    out << "\n" << spec.name << "\n";
    out << "  severity:    " << route::SeverityName(spec.severity) << "\n";
    out << "  description: " << spec.description << "\n";
    out << "  threshold:   "
        << (spec.threshold ? rules::DescribeThreshold(*spec.threshold)
                           : std::string("none (every match alerts)"))
        << "\n";
    out << "  pattern:\n" << PrettyPattern(spec.pattern_json, 1) << "\n";
  }
  std::cout << out.str();
  return 0;
}

}  // namespace

void RegisterPacks(CLI::App& app, int* exit_code) {
  CLI::App* packs = app.add_subcommand(
      "packs",
      "List the built-in rule packs, or show a pack's rules (name, severity, description,\n"
      "threshold and EventBridge pattern). Use a pack with `- pack: NAME` under `rules:`.");
  packs->require_subcommand(1);
  CLI::App* list = packs->add_subcommand("list", "List the packs: name, rule count, description");
  list->callback([exit_code] { *exit_code = RunList(); });
  CLI::App* show = packs->add_subcommand("show", "Show every rule of one pack");
  auto name = std::make_shared<std::string>();
  show->add_option("NAME", *name, "the pack (see `trailwatch packs list`)")->required();
  show->callback([exit_code, name] { *exit_code = RunShow(*name); });
}

}  // namespace trailwatch::cli
