// Tests for the record prefilter (cloudtrail/record_prefilter.h): exact agreement with
// RecordReader on every file it accepts (record count, candidate texts and indexes), refusal of
// every non-canonical or broken shape, escapes and block boundaries, and a randomized
// differential test against a byte-by-byte reference.
#include "cloudtrail/record_prefilter.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <random>
#include <string>
#include <vector>

#include "cloudtrail/padded_buffer.h"
#include "cloudtrail/record_reader.h"
#include "cloudtrail/spelling_escape.h"

namespace trailwatch::cloudtrail {
namespace {

using testing::HasSpellingEscape;

struct Prefiltered {
  bool accepted = false;
  size_t records = 0;
  std::vector<std::string> candidates;
  std::vector<size_t> indexes;
};

Prefiltered Prefilter(const std::string& text, const std::vector<std::string>& literals) {
  auto buffer = PaddedBuffer::CopyOf(text);
  EXPECT_TRUE(buffer.ok());
  RecordPrefilter prefilter(literals);
  PrefilteredFile file;
  Prefiltered out;
  out.accepted = prefilter.Find(buffer->view(), &file);
  out.records = file.records;
  for (const auto& candidate : file.candidates) {
    out.candidates.emplace_back(candidate.json);
    out.indexes.push_back(candidate.index);
  }
  return out;
}

// The reference: RecordReader's records, and a record is a candidate when its text contains a
// literal or a \u or \/ escape (spelling_escape.h).

struct Reference {
  bool read_ok = false;
  size_t bad_records = 0;
  InputFormat format = InputFormat::kAuto;
  std::vector<std::string> records;
};

Reference ReadWithReader(const std::string& text) {
  auto buffer = PaddedBuffer::CopyOf(text);
  EXPECT_TRUE(buffer.ok());
  Reference out;
  RecordReader reader;
  auto summary = reader.Read(
      buffer->padded_view(), "f.json",
      [&](const RawRecord& record) { out.records.emplace_back(record.json); },
      [&](const Error&) { ++out.bad_records; });
  out.read_ok = summary.ok();
  if (summary.ok()) out.format = summary->format;
  return out;
}

// Checks the prefilter's promise on `text`: if it accepts a valid JSON file, RecordReader reads
// it as a log file without a bad record, with the same records, and the candidates are exactly
// the records holding a literal or an escape.
void ExpectAgreement(const std::string& text, const std::vector<std::string>& literals) {
  const Prefiltered got = Prefilter(text, literals);
  if (!got.accepted) return;
  // Neither reader checks the grammar inside a record it skips: on invalid JSON (a DOM parse
  // decides) only "no crash" is expected.
  simdjson::dom::parser parser;
  if (parser.parse(text).error() != simdjson::SUCCESS) return;
  const Reference want = ReadWithReader(text);
  ASSERT_TRUE(want.read_ok) << text;
  ASSERT_EQ(want.format, InputFormat::kLogFile) << text;
  ASSERT_EQ(want.bad_records, 0u) << text;
  ASSERT_EQ(got.records, want.records.size()) << text;
  std::vector<std::string> expected;
  std::vector<size_t> expected_indexes;
  for (size_t i = 0; i < want.records.size(); ++i) {
    const std::string& record = want.records[i];
    bool hit = HasSpellingEscape(record);
    for (const std::string& literal : literals) hit = hit || record.find(literal) != std::string::npos;
    if (hit) {
      expected.push_back(record);
      expected_indexes.push_back(i);
    }
  }
  EXPECT_EQ(got.candidates, expected) << text;
  EXPECT_EQ(got.indexes, expected_indexes) << text;
}

const std::vector<std::string> kRoot = {"\"Root\""};

std::string Record(const std::string& type, const std::string& extra = "") {
  return R"({"eventVersion":"1.08","userIdentity":{"type":")" + type +
         R"(","arn":"arn:aws:iam::111122223333:root"},"eventTime":"2025-01-02T03:04:05Z",)"
         R"("eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","resources":[{"a":[1,2]}])" +
         extra + "}";
}

TEST(RecordPrefilter, CountsRecordsAndKeepsOnlyThoseWithALiteral) {
  const std::string text = "{\"Records\":[" + Record("IAMUser") + "," + Record("Root") + "," +
                           Record("AssumedRole") + "," + Record("Root") + "]}";
  const Prefiltered got = Prefilter(text, kRoot);
  ASSERT_TRUE(got.accepted);
  EXPECT_EQ(got.records, 4u);
  EXPECT_EQ(got.candidates, (std::vector<std::string>{Record("Root"), Record("Root")}));
  EXPECT_EQ(got.indexes, (std::vector<size_t>{1, 3}));
  ExpectAgreement(text, kRoot);
}

TEST(RecordPrefilter, AcceptsWhitespaceEverywhereAndEmptyArrays) {
  for (const std::string& text :
       {std::string("{\"Records\":[]}"), std::string(" \n{ \"Records\" : [ ] }\n\n"),
        "{\n  \"Records\": [\n    " + Record("Root") + " ,\n    " + Record("IAMUser") + "\n  ]\n}\n"}) {
    EXPECT_TRUE(Prefilter(text, kRoot).accepted) << text;
    ExpectAgreement(text, kRoot);
  }
}

TEST(RecordPrefilter, BracketsAndLiteralsInsideStringsAreText) {
  const std::string tricky = Record("IAMUser", R"(,"note":"}]{[ \"Root\" \\\" ] } ")");
  const std::string text = "{\"Records\":[" + tricky + "," + Record("IAMUser") + "]}";
  const Prefiltered got = Prefilter(text, kRoot);
  ASSERT_TRUE(got.accepted);
  EXPECT_EQ(got.records, 2u);
  // `\"Root\"` inside a string is not the token "Root"; the literal search is textual, so the
  // record is a candidate only if the bytes `"Root"` occur — they do not here.
  EXPECT_TRUE(got.candidates.empty());
  ExpectAgreement(text, kRoot);
}

TEST(RecordPrefilter, EscapesThatCouldSpellALiteralMakeACandidate) {
  const std::string unicode = Record("R\\u006fot");
  const std::string slash = Record("IAMUser", R"(,"path":"a\/b")");
  const std::string harmless = Record("IAMUser", R"(,"q":"say \"hi\"\n\\u")");
  const std::string text =
      "{\"Records\":[" + unicode + "," + slash + "," + harmless + "]}";
  const Prefiltered got = Prefilter(text, kRoot);
  ASSERT_TRUE(got.accepted);
  EXPECT_EQ(got.indexes, (std::vector<size_t>{0, 1}));
  ExpectAgreement(text, kRoot);
}

TEST(RecordPrefilter, RefusesEveryOtherShape) {
  const std::string r = Record("Root");
  const std::vector<std::string> texts = {
           std::string(""), std::string("   "), std::string("[") + r + "]", r,
           "{\"Records\":[" + r + "]", "{\"Records\":[" + r,           // truncated
           "{\"Records\":[" + r + ",]}", "{\"Records\":[," + r + "]}",  // stray commas
           "{\"Records\":[5," + r + "]}", "{\"Records\":[" + r + ",\"x\"]}",
           "{\"Records\":[" + r + "," + "[1]" + "]}", "{\"Records\":{}}", "{\"Records\":5}",
           "{\"Records\":[" + r + "],\"x\":1}", "{\"x\":1,\"Records\":[" + r + "]}",
           "{\"Records\":[" + r + "]} {}", "{\"Records\":[" + r + "]}]",
           "{\"Rec\\u006frds\":[" + r + "]}",
           "{\"Records\":[{\"a\":[}]}",  // the record closed by ']'
           "{\"Records\":[{\"a\":\"unclosed}]}",
           "{\"Records\":[{\"a\":\"\xff\"}]}",  // invalid UTF-8
           "\xEF\xBB\xBF{\"Records\":[]}",       // a BOM: RecordReader's business
       };
  for (const std::string& text : texts) {
    EXPECT_FALSE(Prefilter(text, kRoot).accepted) << text;
  }
}

TEST(RecordPrefilter, FollowsDeepNesting) {
  std::string fine = "{\"Records\":[{\"a\":";
  for (int i = 0; i < 200; ++i) fine += "[{\"b\":";
  fine += "\"Root\"";
  for (int i = 0; i < 200; ++i) fine += "}]";
  fine += "}," + Record("IAMUser") + "]}";
  const Prefiltered got = Prefilter(fine, kRoot);
  ASSERT_TRUE(got.accepted);
  EXPECT_EQ(got.records, 2u);
  EXPECT_EQ(got.indexes, (std::vector<size_t>{0}));
  ExpectAgreement(fine, kRoot);
}

TEST(RecordPrefilter, LiteralsAndEscapesAcrossBlockBoundaries) {
  // Shift the same records across every offset of the 64-byte blocks and the tail copy.
  for (size_t pad = 0; pad < 130; ++pad) {
    const std::string text = "{\"Records\":[" + std::string(pad, ' ') + Record("IAMUser") + "," +
                             Record("Root") + "," + Record("IAMUser", R"(,"p":"\\\\\"\/")") +
                             "]}" + std::string(pad % 7, '\n');
    const Prefiltered got = Prefilter(text, kRoot);
    ASSERT_TRUE(got.accepted) << pad;
    EXPECT_EQ(got.indexes, (std::vector<size_t>{1, 2})) << pad;
    ExpectAgreement(text, kRoot);
  }
}

TEST(RecordPrefilter, TruncatesLongLiteralsAndDropsEmptyOnes) {
  const std::string long_literal(40, 'x');
  RecordPrefilter prefilter({long_literal, "", "\"Root\"", "\"Root\""});
  EXPECT_EQ(prefilter.literals(),
            (std::vector<std::string>{"\"Root\"", std::string(RecordPrefilter::kMaxLiteral, 'x')}));
}

// Random valid JSON values with everything that could confuse the walk inside strings.
std::string RandomValue(std::mt19937& random, int depth) {
  static const std::vector<std::string> kStringPieces = {
      "a", "Root", "\"Root\"", "{", "}", "[", "]", "\\\\", "\\\"", "\\u0041", "\\/", " ", ",",
      ":", "\\n", "k\\\"", "\xc3\xa9"};
  const auto space = [&] { return random() % 3 == 0 ? std::string(" \n") : std::string(); };
  const unsigned kind = depth >= 6 ? random() % 3 : random() % 5;
  if (kind == 0 || kind == 1) {
    std::string text = "\"";
    for (unsigned i = random() % 6; i > 0; --i) text += kStringPieces[random() % kStringPieces.size()];
    return text + "\"";
  }
  if (kind == 2) return random() % 2 ? "12" : "true";
  const bool object = kind == 3;
  std::string text = object ? "{" : "[";
  for (unsigned i = random() % 4; i > 0; --i) {
    text += space();
    if (object) text += RandomValue(random, 99) + space() + ":";  // a string key
    text += space() + RandomValue(random, depth + 1) + space();
    if (i > 1) text += ",";
  }
  return text + (object ? "}" : "]");
}

// Random log files: whatever the prefilter accepts must agree with the reader; byte deletions
// make invalid files, on which nothing may crash.
TEST(RecordPrefilter, RandomizedAgreementWithTheReader) {
  std::mt19937 random(20261127);
  const std::vector<std::string> literals = {"\"Root\"", "\"k\":[1"};
  size_t checked = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string text = "{\"Records\":[";
    for (int r = static_cast<int>(random() % 5), first = 1; r > 0; --r, first = 0) {
      if (!first) text += random() % 2 ? "," : " ,\n";
      text += "{\"eventVersion\":\"1.08\"";
      for (unsigned i = random() % 5; i > 0; --i) text += ",\"k\":" + RandomValue(random, 0);
      text += "}";
    }
    text += "]}";
    if (random() % 4 == 0) text.erase(random() % text.size(), 1);
    const Prefiltered got = Prefilter(text, literals);
    simdjson::dom::parser parser;
    if (got.accepted && parser.parse(text).error() == simdjson::SUCCESS) ++checked;
    ExpectAgreement(text, literals);
    if (HasFailure()) return;
  }
  EXPECT_GT(checked, 1000u);  // the comparison must really run
}

}  // namespace
}  // namespace trailwatch::cloudtrail
