// ParseRequestStream: the server's parser and framing rules over raw bytes (what the fuzz target
// drives), and CheckRequestHead's own rules.
#include "server/request_framing.h"

#include <gtest/gtest.h>

namespace trailwatch::server {
namespace {

HeadDecision ReadEverything(const HttpRequest&) { return HeadDecision::ReadBody(0, 503); }

TEST(RequestFramingTest, PipelinedRequestsComeOutInOrderWithTheirBodies) {
  auto parsed = ParseRequestStream(
      "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
      "POST /b HTTP/1.1\r\nhost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n"
      "GET /c?x=1 HTTP/1.1\r\nHost: h\r\nX-Key: V\r\n\r\n",
      {}, ReadEverything);
  ASSERT_FALSE(parsed.error) << parsed.error->message;
  ASSERT_EQ(parsed.requests.size(), 3u);
  EXPECT_EQ(parsed.requests[0].body, "abc");
  EXPECT_EQ(parsed.requests[1].body, "de");
  EXPECT_EQ(parsed.requests[2].path, "/c");
  EXPECT_EQ(parsed.requests[2].target, "/c?x=1");
  EXPECT_EQ(parsed.requests[2].Header("x-key"), "V");  // names lower-cased, values as sent
}

TEST(RequestFramingTest, FramingErrorsNameTheirAnswer) {
  HttpServerLimits limits;
  limits.max_body_bytes = 4;
  auto too_big = ParseRequestStream("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n",
                                    limits, ReadEverything);
  ASSERT_TRUE(too_big.error);
  EXPECT_EQ(too_big.error->status, 413);
  auto chunked_big = ParseRequestStream(
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n0\r\n\r\n",
      limits, ReadEverything);
  ASSERT_TRUE(chunked_big.error);
  EXPECT_EQ(chunked_big.error->status, 413);
  auto no_host = ParseRequestStream("GET / HTTP/1.1\r\n\r\n", {}, ReadEverything);
  ASSERT_TRUE(no_host.error);
  EXPECT_EQ(no_host.error->status, 400);
  EXPECT_NE(no_host.error->message.find("Host"), std::string::npos);
  limits.max_header_bytes = 1024;
  std::string big = "GET / HTTP/1.1\r\nHost: h\r\nX: ";
  big.append(2000, 'a');
  big.append("\r\n\r\n");
  auto big_head = ParseRequestStream(big, limits, ReadEverything);
  ASSERT_TRUE(big_head.error);
  EXPECT_EQ(big_head.error->status, 431);
}

TEST(RequestFramingTest, AnAnsweredRequestWithABodyEndsTheStream) {
  auto parsed = ParseRequestStream(
      "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
      "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc",
      {}, [](const HttpRequest&) { return HeadDecision::Answer(HttpResponse::Text(401, "no")); });
  EXPECT_FALSE(parsed.error);
  EXPECT_TRUE(parsed.requests.empty());
}

TEST(RequestFramingTest, IncompleteInputIsNeitherARequestNorAnError) {
  auto parsed = ParseRequestStream("POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 30\r\n\r\nab",
                                   {}, ReadEverything);
  EXPECT_FALSE(parsed.error);
  EXPECT_TRUE(parsed.requests.empty());
}

}  // namespace
}  // namespace trailwatch::server
