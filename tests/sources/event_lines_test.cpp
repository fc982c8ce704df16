#include "sources/event_lines.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "cli/cli_test_util.h"

namespace trailwatch::sources {
namespace {

std::vector<std::pair<uint64_t, std::string>> ReadAll(const std::string& path, size_t max_line,
                                                      std::string* error) {
  auto lines = EventLines::Open(path, max_line);
  EXPECT_TRUE(lines.ok());
  std::vector<std::pair<uint64_t, std::string>> out;
  EventLines::Line line;
  while ((*lines)->Next(&line, error)) {
    if (!line.too_long) {
      EXPECT_GE(line.capacity, line.text.size() + simdjson::SIMDJSON_PADDING);
    }
    out.emplace_back(line.number, line.too_long ? "<too long>" : std::string(line.text));
  }
  return out;
}

TEST(EventLinesTest, SplitsLinesAndStripsCarriageReturns) {
  testing::TempDir dir;
  std::string path = dir.Write("e.jsonl", "a\r\nb\n\nlast-without-newline");
  std::string error;
  auto lines = ReadAll(path, 1 << 20, &error);
  EXPECT_EQ(error, "");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], std::make_pair(uint64_t{1}, std::string("a")));
  EXPECT_EQ(lines[1], std::make_pair(uint64_t{2}, std::string("b")));
  EXPECT_EQ(lines[2], std::make_pair(uint64_t{3}, std::string("")));
  EXPECT_EQ(lines[3], std::make_pair(uint64_t{4}, std::string("last-without-newline")));
}

TEST(EventLinesTest, LinesSpanningChunksAreWhole) {
  testing::TempDir dir;
  std::string content;
  for (int i = 0; i < 200000; ++i) content += "line-" + std::to_string(i) + std::string(i % 97, 'x') + "\n";
  std::string path = dir.Write("e.jsonl", content);
  std::string error;
  auto lines = ReadAll(path, 1 << 20, &error);
  ASSERT_EQ(lines.size(), 200000u);
  for (int i : {0, 1, 77777, 199999}) {
    EXPECT_EQ(lines[i].second, "line-" + std::to_string(i) + std::string(i % 97, 'x'));
  }
}

TEST(EventLinesTest, OverlongLinesAreReportedOnce) {
  testing::TempDir dir;
  std::string path = dir.Write("e.jsonl", "ok\n" + std::string(10u << 20, 'y') + "\nafter\n");
  std::string error;
  auto lines = ReadAll(path, 1 << 20, &error);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1], std::make_pair(uint64_t{2}, std::string("<too long>")));
  EXPECT_EQ(lines[2], std::make_pair(uint64_t{3}, std::string("after")));
}

TEST(EventLinesTest, MissingFileIsNamed) {
  auto lines = EventLines::Open("/nonexistent/events.jsonl");
  ASSERT_FALSE(lines.ok());
  EXPECT_NE(lines.message().find("/nonexistent/events.jsonl"), std::string::npos);
}

}  // namespace
}  // namespace trailwatch::sources
