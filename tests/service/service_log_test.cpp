#include "service/service_log.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <spdlog/details/log_msg.h>

namespace trailwatch::service {
namespace {

TEST(ServiceLogTest, JsonFormatterWritesOneEscapedObjectPerLine) {
  auto formatter = MakeJsonLogFormatter();
  spdlog::details::log_msg message("trailwatch", spdlog::level::warn,
                                   "file \"a.json\"\nline 2\t\x01 done");
  spdlog::memory_buf_t out;
  formatter->format(message, out);
  std::string line(out.data(), out.size());
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line per message";
  simdjson::dom::parser parser;
  simdjson::dom::element parsed;
  ASSERT_FALSE(parser.parse(line).get(parsed)) << line;
  EXPECT_EQ(std::string(parsed["level"].get_string().value()), "warning");
  EXPECT_EQ(std::string(parsed["logger"].get_string().value()), "trailwatch");
  EXPECT_EQ(std::string(parsed["message"].get_string().value()),
            "file \"a.json\"\nline 2\t\x01 done");
  std::string time(parsed["time"].get_string().value());
  ASSERT_EQ(time.size(), 24u) << time;  // 2026-11-27T14:03:07.123Z
  EXPECT_EQ(time[10], 'T');
  EXPECT_EQ(time.back(), 'Z');
}

TEST(ServiceLogTest, ParsesFormatNames) {
  EXPECT_EQ(*ParseLogFormat("auto"), LogFormat::kAuto);
  EXPECT_EQ(*ParseLogFormat("text"), LogFormat::kText);
  EXPECT_EQ(*ParseLogFormat("json"), LogFormat::kJson);
  auto bad = ParseLogFormat("xml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("\"xml\""), std::string::npos);
}

}  // namespace
}  // namespace trailwatch::service
