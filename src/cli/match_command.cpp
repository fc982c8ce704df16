// `trailwatch match`: many rules against a file of events, one JSON event per line.
//
// The input is read as blocks of whole lines (sources::EventBlocks: plain, gzip and stdin input
// alike, each block read straight into a padded buffer). With --threads N, N threads each take the next block, match its lines
// with their own EventMatcher (not thread-safe; the PatternSet is shared) and hand the block's
// outcome to the writer, which prints outcomes strictly in block order: --print-matches lines,
// the stderr error lines and the counts are byte for byte those of one thread. Line numbers are
// counted within a block and made absolute when the block is printed.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "cli/argument_text.h"
#include "cli/commands.h"
#include "common/json_string.h"
#include "config/yaml_json.h"
#include "pattern/compiler.h"
#include "pattern/event_matcher.h"
#include "rules/rules_file.h"
#include "sources/event_blocks.h"

namespace trailwatch::cli {

namespace {

struct MatchArgs {
  std::string rules_path;
  std::string events_path;
  bool print_matches = false;
  size_t max_pattern_chars = 2048;
  size_t max_line_bytes = size_t{64} << 20;
  unsigned threads = 0;  // 0: one per core
};

// What matching one block produced, for the writer.
struct BlockOutcome {
  struct MatchedLine {
    uint64_t line;   // within the block
    uint32_t first;  // index of its first rule id in `ids`
    uint32_t count;
  };
  struct LineError {
    uint64_t line;  // within the block
    std::string reason;
  };
  uint64_t lines = 0;
  std::vector<MatchedLine> matched;  // only with --print-matches
  std::vector<uint32_t> ids;
  std::vector<LineError> errors;
};

// Counts of one thread, added up at the end.
struct Tally {
  uint64_t events = 0;
  uint64_t invalid = 0;
  std::vector<uint64_t> per_rule;
};

// The threads' shared state: the reader (one caller at a time) and the writer, which prints
// outcomes in block order however the threads finish.
class MatchRun {
 public:
  MatchRun(std::shared_ptr<const pattern::PatternSet> set, sources::EventBlocks& blocks,
           std::string where, bool print_matches, size_t threads)
      : set_(std::move(set)),
        blocks_(blocks),
        where_(std::move(where)),
        print_matches_(print_matches),
        // Bounds the memory of streamed blocks and of outcomes waiting behind a slow block.
        max_in_flight_(4 * threads) {
    for (uint32_t id = 0; id < set_->size(); ++id) {
      std::string quoted;
      AppendJsonString(quoted, set_->name(id));
      quoted_names_.push_back(std::move(quoted));
    }
    totals_.per_rule.assign(set_->size(), 0);
  }

  // One thread's work: take blocks until the input ends.
  void Work() {
    pattern::EventMatcher matcher(set_);
    Tally tally;
    tally.per_rule.assign(set_->size(), 0);
    sources::EventBlock block;
    uint64_t sequence = 0;
    while (Take(&block, &sequence)) {
      BlockOutcome outcome = MatchBlock(matcher, block, &tally);
      blocks_.Recycle(std::move(block));
      Deliver(sequence, std::move(outcome));
    }
    std::lock_guard<std::mutex> lock(out_mutex_);
    totals_.events += tally.events;
    totals_.invalid += tally.invalid;
    for (size_t id = 0; id < tally.per_rule.size(); ++id)
      totals_.per_rule[id] += tally.per_rule[id];
  }

  // After every Work returned: the counts, the read error if any, and the unprinted output.
  const Tally& totals() const { return totals_; }
  const std::string& read_error() const { return read_error_; }
  std::string& out() { return out_; }
  const std::string& quoted_name(uint32_t id) const { return quoted_names_[id]; }

 private:
  bool Take(sources::EventBlock* block, uint64_t* sequence) {
    std::lock_guard<std::mutex> read_lock(read_mutex_);
    if (input_done_) return false;
    {
      std::unique_lock<std::mutex> out_lock(out_mutex_);
      out_cv_.wait(out_lock, [&] { return next_sequence_ - next_to_write_ < max_in_flight_; });
    }
    std::string error;
    if (!blocks_.Next(block, &error)) {
      input_done_ = true;
      read_error_ = std::move(error);
      return false;
    }
    *sequence = next_sequence_++;
    return true;
  }

  BlockOutcome MatchBlock(pattern::EventMatcher& matcher, const sources::EventBlock& block,
                          Tally* tally) const {
    BlockOutcome outcome;
    blocks_.ForEachLine(block, [&](const sources::EventLine& line) {
      outcome.lines = line.number;
      if (line.too_long) {
        ++tally->invalid;
        outcome.errors.push_back({line.number, "line too long, skipped"});
        return;
      }
      if (line.text.find_first_not_of(" \t\r") == std::string_view::npos) return;  // blank
      ++tally->events;
      auto matched = matcher.Match(line.text, line.capacity);
      if (!matched.ok()) {
        ++tally->invalid;
        outcome.errors.push_back({line.number, matched.message()});
        return;
      }
      const std::vector<uint32_t>& ids = **matched;
      for (uint32_t id : ids) ++tally->per_rule[id];
      if (print_matches_ && !ids.empty()) {
        outcome.matched.push_back({line.number, static_cast<uint32_t>(outcome.ids.size()),
                                   static_cast<uint32_t>(ids.size())});
        outcome.ids.insert(outcome.ids.end(), ids.begin(), ids.end());
      }
    });
    return outcome;
  }

  // Queues the outcome and prints every outcome that is next in order.
  void Deliver(uint64_t sequence, BlockOutcome outcome) {
    std::lock_guard<std::mutex> lock(out_mutex_);
    waiting_.emplace(sequence, std::move(outcome));
    for (auto it = waiting_.begin(); it != waiting_.end() && it->first == next_to_write_;
         it = waiting_.erase(it)) {
      Print(it->second);
      ++next_to_write_;
    }
    out_cv_.notify_all();
  }

  void Print(const BlockOutcome& outcome) {
    if (!outcome.errors.empty()) {
      std::string err;
      for (const BlockOutcome::LineError& error : outcome.errors) {
        err.append("error: ").append(where_).push_back(':');
        err.append(std::to_string(lines_before_ + error.line)).append(": ");
        err.append(error.reason).push_back('\n');
      }
      std::fwrite(err.data(), 1, err.size(), stderr);
    }
    for (const BlockOutcome::MatchedLine& line : outcome.matched) {
      out_.append("{\"line\": ").append(std::to_string(lines_before_ + line.line));
      out_.append(", \"rules\": [");
      for (uint32_t i = 0; i < line.count; ++i) {
        if (i) out_.append(", ");
        out_.append(quoted_names_[outcome.ids[line.first + i]]);
      }
      out_.append("]}\n");
    }
    if (out_.size() > (1u << 16)) {
      std::fwrite(out_.data(), 1, out_.size(), stdout);
      out_.clear();
    }
    lines_before_ += outcome.lines;
  }

  const std::shared_ptr<const pattern::PatternSet> set_;
  sources::EventBlocks& blocks_;
  const std::string where_;
  const bool print_matches_;
  const uint64_t max_in_flight_;
  std::vector<std::string> quoted_names_;

  std::mutex read_mutex_;  // taken before out_mutex_ when both are held
  bool input_done_ = false;
  uint64_t next_sequence_ = 0;
  std::string read_error_;

  std::mutex out_mutex_;
  std::condition_variable out_cv_;
  std::map<uint64_t, BlockOutcome> waiting_;
  uint64_t next_to_write_ = 0;
  uint64_t lines_before_ = 0;
  std::string out_;
  Tally totals_;
};

unsigned ThreadCount(unsigned requested) {
  if (requested > 0) return requested;
  return std::max(1u, std::thread::hardware_concurrency());
}

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
  sources::EventBlocks::Options read_options;
  read_options.max_line_bytes = args.max_line_bytes;
  auto blocks = sources::EventBlocks::Open(args.events_path, read_options);
  if (!blocks.ok()) {
    std::cerr << "error: " << blocks.message() << "\n";
    return 2;
  }
  const unsigned threads = ThreadCount(args.threads);
  MatchRun run(*set, **blocks, args.events_path == "-" ? "stdin" : args.events_path,
               args.print_matches, threads);
  std::vector<std::thread> helpers;
  for (unsigned i = 1; i < threads; ++i) helpers.emplace_back([&run] { run.Work(); });
  run.Work();
  for (std::thread& helper : helpers) helper.join();

  int exit_code = 0;
  if (!run.read_error().empty()) {
    std::cerr << "error: " << run.read_error() << "\n";
    exit_code = 1;
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const Tally& totals = run.totals();
  std::string& out = run.out();
  out.append("{\"events\": ").append(std::to_string(totals.events));
  out.append(", \"invalid\": ").append(std::to_string(totals.invalid));
  out.append(", \"rules\": {");
  for (uint32_t id = 0; id < totals.per_rule.size(); ++id) {
    if (id) out.append(", ");
    out.append(run.quoted_name(id));
    out.append(": ").append(std::to_string(totals.per_rule[id]));
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
      "A rule that does not compile is reported with its name and the AWS reason (exit 2).\n"
      "Events are matched on --threads threads (default: one per core); the output is the same,\n"
      "byte for byte and in input order, whatever the thread count.");
  auto args = std::make_shared<MatchArgs>();
  AcceptFileUrl(cmd->add_option("--rules", args->rules_path, "rules file (JSON or YAML)"))
      ->required();
  AcceptFileUrl(cmd->add_option("--events", args->events_path,
                                "events file (JSON lines, plain or .gz; - = stdin)"))
      ->required();
  cmd->add_flag("--print-matches", args->print_matches,
                "print {\"line\": N, \"rules\": [...]} for every event that matched");
  cmd->add_option("--max-pattern-chars", args->max_pattern_chars, "pattern size limit")
      ->capture_default_str();
  cmd->add_option("--max-line-bytes", args->max_line_bytes,
                  "longer lines are counted in \"invalid\", named on stderr and skipped")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{1} << 30));
  cmd->add_option("--threads", args->threads,
                  "threads matching events (default 0: one per core, std::thread::"
                  "hardware_concurrency); output and counts do not depend on it")
      ->check(CLI::Range(0u, 1024u));
  cmd->callback([=] { *exit_code = Run(*args); });
}

}  // namespace trailwatch::cli
