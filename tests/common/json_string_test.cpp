// AppendJsonString: the one JSON string escaper (RFC 8259 §7).
#include "common/json_string.h"

#include <gtest/gtest.h>

#include <string>

namespace trailwatch {
namespace {

TEST(JsonStringTest, EscapesQuotesBackslashesAndControls) {
  std::string out;
  AppendJsonString(out, std::string_view("a\"b\\c\n\x01\x1f\xc3\xa9", 10));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001\\u001f\xc3\xa9\"");
  out.clear();
  AppendJsonString(out, "");
  EXPECT_EQ(out, "\"\"");
}

TEST(JsonStringTest, NamedEscapesAndUtf8PassThrough) {
  std::string out = "x:";
  AppendJsonString(out, "\t\r\b\f\x7f\xe2\x86\x92");
  EXPECT_EQ(out, "x:\"\\t\\r\\b\\f\x7f\xe2\x86\x92\"");
}

}  // namespace
}  // namespace trailwatch
