// Tests for gzip inflation with both engines (cloudtrail/inflate.h): multi-member files, a lying
// ISIZE trailer, corrupt and truncated input, trailing bytes and the output size limit.
#include "cloudtrail/inflate.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <zlib.h>

#include <limits>
#include <string>

#include "test_util.h"

namespace trailwatch::cloudtrail {
namespace {

// One gzip member of `data`, written by zlib (windowBits 15 + 16 selects the gzip wrapper).
std::string GzipMember(const std::string& data, int level = 6) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&stream, data.size()) + 64, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

// Repetitive but not trivial CloudTrail-like text.
std::string SampleText(size_t records) {
  std::string text = "{\"Records\":[";
  for (size_t i = 0; i < records; ++i) {
    if (i) text += ',';
    // append(): GCC 12 warns falsely on "literal" + std::string chains.
    text.append(R"({"eventVersion":"1.08","eventTime":"2024-01-01T00:00:)")
        .append(std::to_string(10 + i % 50))
        .append(R"(Z","eventSource":"s3.amazonaws.com","eventName":)")
        .append("\"GetObject\",\"eventID\":\"")
        .append(std::to_string(i * 7919))
        .append("\"}");
  }
  return text + "]}";
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[32];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

class InflateTest : public ::testing::TestWithParam<InflateEngine> {
 protected:
  Result<PaddedBuffer> Inflate(std::string_view gzip, size_t limit = size_t{2} << 30) {
    InflateOptions options;
    options.engine = GetParam();
    options.max_output_bytes = limit;
    return InflateGzip(gzip, options);
  }
};

TEST_P(InflateTest, RoundTripsOneMemberWithZeroedPadding) {
  const std::string text = SampleText(20000);
  auto out = Inflate(GzipMember(text));
  ASSERT_TRUE(out.ok()) << out.message();
  ASSERT_EQ(out->size(), text.size());
  EXPECT_TRUE(out->view() == text);
  EXPECT_GE(out->padded_view().capacity(), text.size() + simdjson::SIMDJSON_PADDING);
  for (size_t i = 0; i < simdjson::SIMDJSON_PADDING; ++i)
    EXPECT_EQ(out->data()[text.size() + i], 0);
}

TEST_P(InflateTest, DigestVectorLogFileHasTheDocumentedHash) {
  const std::string gzip = testing::ReadFixture("aws/digest-vector/log-file.json.gz");
  ASSERT_FALSE(gzip.empty());
  auto out = Inflate(gzip);
  ASSERT_TRUE(out.ok()) << out.message();
  EXPECT_EQ(Sha256Hex(out->view()),
            "a7ae5ffc75a92877c48a4ea36522569e3fdeba5926453cecdab7f2d8383730fd");
}

// Three members, the last one tiny: its ISIZE (the only size in the trailer) badly underestimates
// the total, so the libdeflate path must grow and retry.
TEST_P(InflateTest, ConcatenatedMembersInflateToTheConcatenation) {
  const std::string a = SampleText(30000), b = "", c = "tail";
  auto out = Inflate(GzipMember(a) + GzipMember(b, 1) + GzipMember(c, 9));
  ASSERT_TRUE(out.ok()) << out.message();
  EXPECT_TRUE(out->view() == a + b + c);
}

// The buffer must grow while the second member is inflated, keeping the first member's bytes.
TEST_P(InflateTest, GrowingDuringALaterMemberKeepsEarlierOutput) {
  const std::string a = "first member, small and incompressible-ish 0123456789";
  const std::string b(size_t{8} << 20, 'z');
  auto out = Inflate(GzipMember(a) + GzipMember(b) + GzipMember("!"));
  ASSERT_TRUE(out.ok()) << out.message();
  EXPECT_TRUE(out->view() == a + b + "!");
}

TEST_P(InflateTest, TrailingZerosAreIgnoredButGarbageIsNot) {
  const std::string member = GzipMember("hello");
  auto padded = Inflate(member + std::string(100, '\0'));
  ASSERT_TRUE(padded.ok()) << padded.message();
  EXPECT_EQ(padded->view(), "hello");
  auto garbage = Inflate(member + "junk");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.message(), "gzip: trailing garbage after member 1 at byte offset " +
                                   std::to_string(member.size()) + " (not another gzip member)");
}

TEST_P(InflateTest, TruncatedInputIsNamed) {
  const std::string text = SampleText(5000);
  const std::string gzip = GzipMember(text);
  for (size_t keep : {gzip.size() / 2, gzip.size() - 4}) {
    auto out = Inflate(gzip.substr(0, keep));
    ASSERT_FALSE(out.ok()) << keep;
    EXPECT_TRUE(out.message().starts_with(
        "gzip: truncated: the input ends inside member 1 (which starts at byte offset 0) after "))
        << out.message();
  }
  // Truncated inside the second member.
  const std::string first = GzipMember("first");
  auto second = Inflate(first + gzip.substr(0, 30));
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(
      second.message().starts_with("gzip: truncated: the input ends inside member 2 "
                                   "(which starts at byte offset " +
                                   std::to_string(first.size()) + ")"))
      << second.message();
}

TEST_P(InflateTest, CorruptChecksumIsNamed) {
  std::string gzip = GzipMember(SampleText(100));
  gzip[gzip.size() - 6] ^= 0x55;  // inside the CRC-32 of the trailer
  auto out = Inflate(gzip);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.message(),
            "gzip: CRC-32 or length check failed: the data is corrupt in member 1 starting at "
            "byte offset 0");
}

TEST_P(InflateTest, CorruptDeflateDataIsAnError) {
  std::string gzip = GzipMember(SampleText(2000));
  for (size_t i = 20; i < 60; ++i) gzip[i] = static_cast<char>(0xff);
  auto out = Inflate(gzip);
  ASSERT_FALSE(out.ok());
  EXPECT_TRUE(out.message().starts_with("gzip: corrupt deflate data") ||
              out.message().starts_with("gzip: CRC-32 or length check failed"))
      << out.message();
  EXPECT_NE(out.message().find("in member 1"), std::string::npos) << out.message();
}

TEST_P(InflateTest, NotGzipAndEmptyInput) {
  auto plain = Inflate("{\"Records\":[]}");
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.message(), "gzip: not gzip data (missing the 1f 8b magic bytes)");
  auto empty = Inflate("");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.message(), "gzip: empty input (0 bytes)");
  auto header_only = Inflate(std::string("\x1f\x8b", 2));
  ASSERT_FALSE(header_only.ok());
}

// 64 MiB of zeros compress to ~64 KB; a 1 MiB limit must stop it without inflating it all.
TEST_P(InflateTest, OutputLimitStopsGzipBombs) {
  const std::string bomb = GzipMember(std::string(size_t{64} << 20, '\0'), 9);
  auto out = Inflate(bomb, size_t{1} << 20);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.message(),
            "gzip: inflated size exceeds the limit of 1048576 bytes (max_inflated_bytes; a "
            "corrupt file or a gzip bomb)");
  const std::string exact(size_t{1} << 20, 'x');
  auto at_limit = Inflate(GzipMember(exact), exact.size());
  ASSERT_TRUE(at_limit.ok()) << at_limit.message();
  EXPECT_EQ(at_limit->size(), exact.size());
  auto over = Inflate(GzipMember(exact + "y"), exact.size());
  EXPECT_FALSE(over.ok());
}

TEST_P(InflateTest, UnlimitedOutputDoesNotOverflowTheRoomComputation) {
  auto out = Inflate(GzipMember("unbounded"), std::numeric_limits<size_t>::max());
  ASSERT_TRUE(out.ok()) << out.message();
  EXPECT_EQ(out->view(), "unbounded");
}

TEST_P(InflateTest, InflaterIsReusable) {
  InflateOptions options;
  options.engine = GetParam();
  Inflater inflater(options);
  auto first = inflater.Inflate(GzipMember("one"));
  auto broken = inflater.Inflate("nope");
  auto second = inflater.Inflate(GzipMember("two") + GzipMember("three"));
  ASSERT_TRUE(first.ok()) << first.message();
  EXPECT_FALSE(broken.ok());
  ASSERT_TRUE(second.ok()) << second.message();
  EXPECT_EQ(first->view(), "one");
  EXPECT_EQ(second->view(), "twothree");
}

TEST_P(InflateTest, InflateIntoReusesAndResetsTheBuffer) {
  InflateOptions options;
  options.engine = GetParam();
  Inflater inflater(options);
  PaddedBuffer out;
  const std::string big = SampleText(3000);
  ASSERT_TRUE(inflater.InflateInto(GzipMember(big), out).ok());
  EXPECT_TRUE(out.view() == big);
  const size_t capacity = out.capacity();
  ASSERT_TRUE(inflater.InflateInto(GzipMember("small"), out).ok());
  EXPECT_EQ(out.view(), "small");
  EXPECT_EQ(out.capacity(), capacity);  // no reallocation for a smaller file
  EXPECT_EQ(out.data()[5], 0);          // padding re-zeroed after the new size
  EXPECT_FALSE(inflater.InflateInto("x", out).ok());
  EXPECT_EQ(out.size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Inflate, InflateTest,
                         ::testing::Values(InflateEngine::kLibdeflate, InflateEngine::kIsal),
                         [](const ::testing::TestParamInfo<InflateEngine>& info) {
                           return info.param == InflateEngine::kIsal ? "Isal" : "Libdeflate";
                         });

TEST(InflateGzipTest, LooksLikeGzipChecksTheMagic) {
  EXPECT_TRUE(LooksLikeGzip(std::string("\x1f\x8b\x08", 3)));
  EXPECT_FALSE(LooksLikeGzip("\x1f"));
  EXPECT_FALSE(LooksLikeGzip("{}"));
}

}  // namespace
}  // namespace trailwatch::cloudtrail
