// eventTime parsing (cloudtrail/event_time.h): the RFC 3339 form every source accepts, and the
// SIEM/Athena export form (`2024-11-25 17:51:21.000000000`, no zone) only `trailwatch scan` reads.
#include "cloudtrail/event_time.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace trailwatch::cloudtrail {
namespace {

// The envelope form of what `parse` makes of `text`, or "invalid".
template <typename Parse>
std::string Normalised(Parse parse, std::string_view text) {
  auto parsed = parse(text);
  if (!parsed) return "invalid";
  return FormatEventTime(*parsed).value_or("unformattable");
}

std::string Strict(std::string_view text) { return Normalised(ParseEventTime, text); }
std::string Lenient(std::string_view text) { return Normalised(ParseEventTimeLenient, text); }

TEST(EventTime, StrictRefusesTheExportForm) {
  // What the live sources see: a time without a zone is refused, whatever its separator.
  EXPECT_EQ(Strict("2024-11-25 17:51:21.000000000"), "invalid");
  EXPECT_EQ(Strict("2024-11-25 17:51:21"), "invalid");
  EXPECT_EQ(Strict("2024-11-25T17:51:21"), "invalid");
  // Unchanged: RFC 3339 with a zone, with either separator.
  EXPECT_EQ(Strict("2024-11-25T17:51:21Z"), "2024-11-25T17:51:21Z");
  EXPECT_EQ(Strict("2024-11-25 17:51:21Z"), "2024-11-25T17:51:21Z");
  EXPECT_EQ(Strict("2024-11-25 17:51:21.5+01:00"), "2024-11-25T16:51:21Z");
}

TEST(EventTime, LenientReadsTheExportFormAsUtc) {
  EXPECT_EQ(Lenient("2024-11-25 17:51:21.000000000"), "2024-11-25T17:51:21Z");
  EXPECT_EQ(Lenient("2024-11-25 17:51:21"), "2024-11-25T17:51:21Z");
  EXPECT_EQ(Lenient("2024-11-25 17:51:21.5"), "2024-11-25T17:51:21Z");
  EXPECT_EQ(Lenient("2024-11-25 17:51:21.123"), "2024-11-25T17:51:21Z");
  // A fraction of any length, truncated (never rounded into the next second, day or year).
  EXPECT_EQ(Lenient("2024-12-31 23:59:59.99999999999999999999"), "2024-12-31T23:59:59Z");
  EXPECT_EQ(Lenient("2024-02-29 00:00:00.000000000"), "2024-02-29T00:00:00Z");
  // A leap second rolls over, as in the RFC 3339 form.
  EXPECT_EQ(Lenient("2016-12-31 23:59:60"), "2017-01-01T00:00:00Z");
}

TEST(EventTime, LenientAcceptsEverythingStrictDoes) {
  for (std::string_view text :
       {"2022-11-10T16:24:34Z", "2022-11-10t16:24:34.999999z", "2022-11-10 16:24:34-05:30",
        "2024-02-29T23:59:59+00:00", "2023-12-31T23:59:60Z", "2024-11-25 17:51:21.000Z"}) {
    EXPECT_NE(Strict(text), "invalid") << text;
    EXPECT_EQ(Lenient(text), Strict(text)) << text;
  }
}

TEST(EventTime, LenientRefusesEverythingElse) {
  for (std::string_view text : {
           "",
           "2024-11-25T17:51:21",            // no zone is allowed for the space form only
           "2024-11-25t17:51:21.000000000",  // likewise
           "2024-11-25 17:51:21.",           // a fraction needs a digit
           "2024-11-25 17:51",               // seconds are required
           "2024-11-25",                     // a date alone
           "2024-11-25  17:51:21",           // two spaces
           "2024-11-25 17:51:21 ",           // trailing space
           "2024-11-25 17:51:21 UTC",        // a zone name
           "2024-11-25 17:51:21+0100",       // an offset needs its colon
           "2024-11-25 17:51:21.000000000Zjunk",
           "2024-02-30 00:00:00",  // no such day
           "2023-02-29 00:00:00",
           "2024-11-25 24:00:00",
           "2024-11-25 17:60:00",
           "2024/11/25 17:51:21",
           "24-11-25 17:51:21",
       }) {
    EXPECT_EQ(Lenient(text), "invalid") << '"' << text << '"';
    EXPECT_EQ(Strict(text), "invalid") << '"' << text << '"';
  }
}

TEST(EventTime, NormalizeEventTimeLenient) {
  EXPECT_EQ(NormalizeEventTimeLenient("2024-11-25 17:51:21.000000000"), "2024-11-25T17:51:21Z");
  EXPECT_EQ(NormalizeEventTimeLenient("2024-11-25T18:51:21+01:00"), "2024-11-25T17:51:21Z");
  EXPECT_EQ(NormalizeEventTimeLenient("2024-11-25T17:51:21Z"), "2024-11-25T17:51:21Z");
  EXPECT_EQ(NormalizeEventTimeLenient("2024-11-25T17:51:21"), std::nullopt);
  EXPECT_EQ(NormalizeEventTimeLenient("yesterday"), std::nullopt);
}

}  // namespace
}  // namespace trailwatch::cloudtrail
