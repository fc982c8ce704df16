// `trailwatch match --threads N`: the same stdout and stderr, byte for byte, as one thread.
#include <gtest/gtest.h>
#include <zlib.h>

#include <regex>

#include "cli/cli_test_util.h"

namespace trailwatch::testing {
namespace {

// The summary's "seconds" is the only part that may differ between runs.
std::string WithoutSeconds(const std::string& out) {
  return std::regex_replace(out, std::regex(", \"seconds\": [0-9.]+\\}\n$"), "}\n");
}

// A rules file, and ~3 MB of events (several 1 MB read blocks) with matches, malformed lines,
// blank lines, over-long lines (beyond --max-line-bytes 4000) and no final newline.
struct Inputs {
  TempDir dir;
  std::string rules;
  std::string events_text;
  std::string events;
  std::string gz;

  Inputs() {
    rules = dir.Write("rules.json",
                      R"({"one": {"x": ["1"]}, "odd": {"n": [{"numeric": [">", 0]}], "x": ["3"]},)"
                      R"( "pad": {"pad": [{"prefix": "aa"}]}, "never": {"x": ["none"]}})");
    for (int i = 0; i < 40000; ++i) {
      switch (i % 10) {
        case 0:
          events_text += "not json\n";
          break;
        case 1:
          events_text += "\n";
          break;
        case 2:
          events_text += "  \t\r\n";
          break;
        case 3:
          events_text += "[1]\n";
          break;
        default:
          events_text += "{\"x\":\"" + std::to_string(i % 4) + "\",\"n\":" + std::to_string(i % 7) +
                         ",\"pad\":\"" +
                         std::string(static_cast<size_t>(i % 61), i % 3 ? 'a' : 'b') + "b\"}\r\n";
      }
      if (i % 9001 == 0)
        events_text += "{\"x\":\"1\",\"pad\":\"" + std::string(5000, 'z') + "\"}\n";
    }
    events_text += "{\"x\":\"1\"}";  // no final newline
    events = dir.Write("events.jsonl", events_text);
    gz = dir.path() + "/events.jsonl.gz";
    gzFile file = gzopen(gz.c_str(), "wb");
    gzwrite(file, events_text.data(), static_cast<unsigned>(events_text.size()));
    gzclose(file);
  }
};

CommandResult Match(const Inputs& in, const std::string& events, const std::string& threads,
                    const std::string& input = "") {
  return RunTrailwatch({"match", "--rules", in.rules, "--events", events, "--print-matches",
                        "--max-line-bytes", "4000", "--threads", threads},
                       input);
}

TEST(MatchThreads, SameOutputAsOneThread) {
  Inputs in;
  for (const std::string& events : {in.events, in.gz, std::string("-")}) {
    const std::string input = events == "-" ? in.events_text : "";
    CommandResult one = Match(in, events, "1", input);
    ASSERT_EQ(one.exit_code, 0) << one.err.substr(0, 500);
    // One thread's own counts, checked once (computed independently): 2 in 10 lines blank, 2
    // malformed, 5 over-long lines; the last line has no newline.
    EXPECT_EQ(WithoutSeconds(one.out).substr(one.out.rfind("{\"events\"")),
              "{\"events\": 32001, \"invalid\": 8005, \"rules\": {\"one\": 6001, \"odd\": 5143, "
              "\"pad\": 15477, \"never\": 0}}\n")
        << events;
    EXPECT_NE(one.err.find(":9004: line too long, skipped\n"), std::string::npos);
    EXPECT_NE(one.out.find("{\"line\": 40006, \"rules\": [\"one\"]}\n"), std::string::npos);
    for (const std::string threads : {"2", "3", "8", "0"}) {
      CommandResult many = Match(in, events, threads, input);
      EXPECT_EQ(many.exit_code, 0);
      EXPECT_EQ(WithoutSeconds(many.out), WithoutSeconds(one.out)) << events << " " << threads;
      EXPECT_EQ(many.err, one.err) << events << " " << threads;
    }
  }
}

TEST(MatchThreads, EmptyFileAndBlockBoundary) {
  TempDir dir;
  std::string rules = dir.Write("rules.json", R"({"one": {"x": ["1"]}})");
  std::string empty = dir.Write("empty.jsonl", "");
  for (const std::string threads : {"1", "2"}) {
    CommandResult r =
        RunTrailwatch({"match", "--rules", rules, "--events", empty, "--threads", threads});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(WithoutSeconds(r.out), "{\"events\": 0, \"invalid\": 0, \"rules\": {\"one\": 0}}\n");
    EXPECT_EQ(r.err, "");
  }
  // Files of exactly one page and exactly one 1 MiB read block, the last line's newline being
  // the last byte, or no newline at all.
  for (size_t size : {size_t{4096}, size_t{1} << 20, (size_t{1} << 20) + 1}) {
    const std::string line = "{\"x\":\"1\"}\n";
    std::string content;
    uint64_t lines = 1;
    for (; content.size() + line.size() + 30 <= size; ++lines) content += line;
    // The last line, 30 to 39 bytes: {"x":"1","p":"ppp..."} and its newline.
    content += "{\"x\":\"1\",\"p\":\"" + std::string(size - content.size() - 17, 'p') + "\"}\n";
    ASSERT_EQ(content.size(), size);
    for (const std::string& text : {content, content.substr(0, size - 1)}) {
      std::string events = dir.Write("e.jsonl", text);
      for (const std::string threads : {"1", "2"}) {
        CommandResult r =
            RunTrailwatch({"match", "--rules", rules, "--events", events, "--threads", threads});
        EXPECT_EQ(r.exit_code, 0) << r.err;
        EXPECT_EQ(WithoutSeconds(r.out),
                  "{\"events\": " + std::to_string(lines) +
                      ", \"invalid\": 0, \"rules\": {\"one\": " + std::to_string(lines) + "}}\n")
            << size;
      }
    }
  }
}

}  // namespace
}  // namespace trailwatch::testing
