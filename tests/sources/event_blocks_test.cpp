#include "sources/event_blocks.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <zlib.h>

#include "cli/cli_test_util.h"

namespace trailwatch::sources {
namespace {

// Every line of the input with its absolute number ("<too long>" for skipped ones), as the
// matcher sees them.
std::vector<std::pair<uint64_t, std::string>> ReadAll(const std::string& path,
                                                      EventBlocks::Options options,
                                                      std::string* error) {
  auto blocks = EventBlocks::Open(path, options);
  EXPECT_TRUE(blocks.ok());
  std::vector<std::pair<uint64_t, std::string>> out;
  uint64_t before = 0;
  EventBlock block;
  while ((*blocks)->Next(&block, error)) {
    if (!block.too_long) {
      EXPECT_GE(block.capacity, block.text.size() + simdjson::SIMDJSON_PADDING);
    }
    uint64_t last = 0;
    (*blocks)->ForEachLine(block, [&](const EventLine& line) {
      EXPECT_EQ(line.number, last + 1);
      last = line.number;
      if (!line.too_long) {
        EXPECT_GE(line.capacity, line.text.size() + simdjson::SIMDJSON_PADDING);
      }
      out.emplace_back(before + line.number, line.too_long ? "<too long>" : std::string(line.text));
    });
    before += last;
    (*blocks)->Recycle(std::move(block));
  }
  return out;
}

std::vector<std::pair<uint64_t, std::string>> ReadAll(const std::string& path, size_t max_line,
                                                      std::string* error) {
  EventBlocks::Options options;
  options.max_line_bytes = max_line;
  return ReadAll(path, options, error);
}

// The same split, the plain way.
std::vector<std::pair<uint64_t, std::string>> Reference(const std::string& content,
                                                        size_t max_line) {
  std::vector<std::pair<uint64_t, std::string>> out;
  size_t begin = 0;
  uint64_t number = 0;
  while (begin < content.size()) {
    size_t end = content.find('\n', begin);
    if (end == std::string::npos) end = content.size();
    std::string line = content.substr(begin, end - begin);
    if (line.size() > max_line) {
      line = "<too long>";
    } else if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    out.emplace_back(++number, line);
    begin = end + 1;
  }
  return out;
}

TEST(EventBlocksTest, SplitsLinesAndStripsCarriageReturns) {
  trailwatch::testing::TempDir dir;
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

TEST(EventBlocksTest, EmptyFileHasNoLines) {
  trailwatch::testing::TempDir dir;
  std::string path = dir.Write("e.jsonl", "");
  std::string error;
  EXPECT_TRUE(ReadAll(path, 1 << 20, &error).empty());
  EXPECT_EQ(error, "");
}

TEST(EventBlocksTest, LinesSpanningBlocksAreWhole) {
  trailwatch::testing::TempDir dir;
  std::string content;
  for (int i = 0; i < 200000; ++i)
    content += "line-" + std::to_string(i) + std::string(i % 97, 'x') + "\n";
  std::string path = dir.Write("e.jsonl", content);
  std::string error;
  auto lines = ReadAll(path, 1 << 20, &error);
  ASSERT_EQ(lines.size(), 200000u);
  for (int i : {0, 1, 77777, 199999}) {
    EXPECT_EQ(lines[i].second, "line-" + std::to_string(i) + std::string(i % 97, 'x'));
  }
}

// Block ends at every position relative to line ends: small blocks over lines of all lengths,
// with and without a final newline, lines at exactly the length limit and one byte over it.
TEST(EventBlocksTest, EveryBlockSizeGivesTheSameLines) {
  trailwatch::testing::TempDir dir;
  std::string content;
  for (int i = 0; i < 300; ++i) {
    content += std::string(static_cast<size_t>(i * 7 % 53), static_cast<char>('a' + i % 26));
    content += i % 11 == 0 ? "\r\n" : "\n";
    if (i % 37 == 0) content += "\n";  // blank line
  }
  for (const std::string& text : {content, content + "tail-without-newline"}) {
    std::string path = dir.Write("e.jsonl", text);
    for (size_t max_line : {size_t{40}, size_t{52}, size_t{1000}}) {
      for (size_t block_bytes : {1, 2, 3, 7, 16, 51, 52, 53, 64, 100, 4096}) {
        EventBlocks::Options options;
        options.max_line_bytes = max_line;
        options.block_bytes = block_bytes;
        std::string error;
        EXPECT_EQ(ReadAll(path, options, &error), Reference(text, max_line))
            << "block_bytes " << block_bytes << ", max_line " << max_line;
        EXPECT_EQ(error, "");
      }
    }
  }
}

// A file ending exactly at a page (and block) boundary, with its last line's newline as the last
// byte or with no newline: the last line still has its padding.
TEST(EventBlocksTest, FileEndingAtABlockBoundary) {
  trailwatch::testing::TempDir dir;
  for (size_t size : {size_t{4096}, size_t{1} << 20}) {
    std::string line = "{\"x\":\"1\"}";
    std::string content;
    while (content.size() + line.size() + 1 <= size) content += line + "\n";
    content += std::string(size - content.size() - 1, ' ') + "\n";
    ASSERT_EQ(content.size(), size);
    for (const std::string& text : {content, content.substr(0, size - 1) + "}"}) {
      std::string path = dir.Write("e.jsonl", text);
      std::string error;
      EXPECT_EQ(ReadAll(path, 1 << 20, &error), Reference(text, 1 << 20)) << size;
    }
  }
}

TEST(EventBlocksTest, OverlongLinesAreReportedOnce) {
  trailwatch::testing::TempDir dir;
  std::string path = dir.Write("e.jsonl", "ok\n" + std::string(10u << 20, 'y') + "\nafter\n");
  std::string error;
  auto lines = ReadAll(path, 1 << 20, &error);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1], std::make_pair(uint64_t{2}, std::string("<too long>")));
  EXPECT_EQ(lines[2], std::make_pair(uint64_t{3}, std::string("after")));
}

TEST(EventBlocksTest, OverlongLastLineWithoutNewline) {
  trailwatch::testing::TempDir dir;
  std::string path = dir.Write("e.jsonl", std::string("ok\n").append(3u << 20, 'y'));
  std::string error;
  auto lines = ReadAll(path, 1 << 20, &error);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1], std::make_pair(uint64_t{2}, std::string("<too long>")));
}

TEST(EventBlocksTest, ReadsGzip) {
  trailwatch::testing::TempDir dir;
  std::string content;
  for (int i = 0; i < 50000; ++i) content += "{\"n\":" + std::to_string(i) + "}\n";
  std::string path = dir.path() + "/e.jsonl.gz";
  gzFile gz = gzopen(path.c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  gzwrite(gz, content.data(), static_cast<unsigned>(content.size()));
  gzclose(gz);
  EventBlocks::Options options;
  options.block_bytes = 4096;
  std::string error;
  EXPECT_EQ(ReadAll(path, options, &error), Reference(content, options.max_line_bytes));
  EXPECT_EQ(error, "");
}

TEST(EventBlocksTest, MissingFileIsNamed) {
  auto blocks = EventBlocks::Open("/nonexistent/events.jsonl");
  ASSERT_FALSE(blocks.ok());
  EXPECT_NE(blocks.message().find("/nonexistent/events.jsonl"), std::string::npos);
}

}  // namespace
}  // namespace trailwatch::sources
