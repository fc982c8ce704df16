// `trailwatch match`: many rules against a file of events, one JSON event per line.
#include <chrono>
#include <cstdio>
#include <iostream>

#include "cli/argument_text.h"
#include "cli/commands.h"
#include "common/json_string.h"
#include "config/yaml_json.h"
#include "pattern/compiler.h"
#include "pattern/event_matcher.h"
#include "rules/rules_file.h"
#include "sources/event_lines.h"

namespace trailwatch::cli {

namespace {

struct MatchArgs {
  std::string rules_path;
  std::string events_path;
  bool print_matches = false;
  size_t max_pattern_chars = 2048;
};

int Run(const MatchArgs& args) {
  auto started = std::chrono::steady_clock::now();
  Result<std::vector<rules::PatternText>> texts = rules::LoadRulesFile(args.rules_path);
  if (!texts.ok()) {
    std::cerr << "error: " << texts.message() << "\n";
    return 2;
  }
  pattern::CompileOptions options;
  options.max_pattern_chars = args.max_pattern_chars;
  std::vector<pattern::PatternSet::NamedPattern> patterns;
  bool compile_failed = false;
  for (const rules::PatternText& text : *texts) {
    pattern::CompileResult compiled = pattern::CompilePattern(text.json, options);
    if (!compiled.ok()) {
      std::cerr << "error: " << args.rules_path << ":" << text.line << ": rule \"" << text.name
                << "\": InvalidEventPatternException: " << compiled.error->Message() << "\n";
      compile_failed = true;
      continue;
    }
    patterns.push_back({text.name, std::move(compiled.pattern)});
  }
  if (compile_failed) return 2;
  auto set = pattern::PatternSet::Build(std::move(patterns));
  if (!set.ok()) {
    std::cerr << "error: " << args.rules_path << ": " << set.message() << "\n";
    return 2;
  }
  auto lines = sources::EventLines::Open(args.events_path);
  if (!lines.ok()) {
    std::cerr << "error: " << lines.message() << "\n";
    return 2;
  }
  const std::string where = args.events_path == "-" ? "stdin" : args.events_path;
  pattern::EventMatcher matcher(*set);
  std::vector<uint64_t> counts((*set)->size(), 0);
  uint64_t events = 0;
  uint64_t invalid = 0;
  int exit_code = 0;
  std::string out;
  sources::EventLines::Line line;
  std::string error;
  while ((*lines)->Next(&line, &error)) {
    if (line.too_long) {
      ++invalid;
      std::cerr << "error: " << where << ":" << line.number << ": line too long, skipped\n";
      continue;
    }
    if (line.text.find_first_not_of(" \t\r") == std::string_view::npos) continue;  // blank
    ++events;
    auto matched = matcher.Match(line.text, line.capacity);
    if (!matched.ok()) {
      ++invalid;
      std::cerr << "error: " << where << ":" << line.number << ": " << matched.message() << "\n";
      continue;
    }
    const std::vector<uint32_t>& ids = **matched;
    for (uint32_t id : ids) ++counts[id];
    if (args.print_matches && !ids.empty()) {
      out.append("{\"line\": ").append(std::to_string(line.number)).append(", \"rules\": [");
      for (size_t i = 0; i < ids.size(); ++i) {
        if (i) out.append(", ");
        AppendJsonString(out, (*set)->name(ids[i]));
      }
      out.append("]}\n");
      if (out.size() > (1u << 16)) {
        std::fwrite(out.data(), 1, out.size(), stdout);
        out.clear();
      }
    }
  }
  if (!error.empty()) {
    std::cerr << "error: " << error << "\n";
    exit_code = 1;
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  out.append("{\"events\": ").append(std::to_string(events));
  out.append(", \"invalid\": ").append(std::to_string(invalid));
  out.append(", \"rules\": {");
  for (uint32_t id = 0; id < counts.size(); ++id) {
    if (id) out.append(", ");
    AppendJsonString(out, (*set)->name(id));
    out.append(": ").append(std::to_string(counts[id]));
  }
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.3f", seconds);
  out.append("}, \"seconds\": ").append(secs).append("}\n");
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  return exit_code;
}

}  // namespace

void RegisterMatch(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "match",
      "Match a file of events (one JSON event per line; plain, .gz, or - for stdin) against a\n"
      "rules file (JSON or YAML mapping of rule name to event pattern). Prints\n"
      "{\"events\": N, \"invalid\": N, \"rules\": {\"<name>\": <count>, ...}, \"seconds\": S}.\n"
      "Malformed lines are counted in \"invalid\" and named on stderr; the run goes on.\n"
      "A rule that does not compile is reported with its name and the AWS reason (exit 2).");
  auto args = std::make_shared<MatchArgs>();
  AcceptFileUrl(cmd->add_option("--rules", args->rules_path, "rules file (JSON or YAML)"))->required();
  AcceptFileUrl(cmd->add_option("--events", args->events_path, "events file (JSON lines, plain or .gz; - = stdin)"))
      ->required();
  cmd->add_flag("--print-matches", args->print_matches,
                "print {\"line\": N, \"rules\": [...]} for every event that matched");
  cmd->add_option("--max-pattern-chars", args->max_pattern_chars, "pattern size limit")
      ->capture_default_str();
  cmd->callback([=] { *exit_code = Run(*args); });
}

}  // namespace trailwatch::cli
