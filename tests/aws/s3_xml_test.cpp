// S3 XML answers read with expat: ListObjectsV2 pages and error documents.
#include "aws/s3_xml.h"

#include <gtest/gtest.h>

namespace trailwatch::aws {
namespace {

TEST(S3XmlTest, ReadsAListObjectsV2Page) {
  auto page = ParseListObjectsV2(R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>ct-logs</Name><Prefix>AWSLogs/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <Contents><Key>AWSLogs/a&amp;b.json.gz</Key><LastModified>2024-01-02T03:04:05.000Z</LastModified>
    <ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>12345678901</Size>
    <StorageClass>STANDARD</StorageClass></Contents>
  <Contents><Key>AWSLogs/&#xfc;.json.gz</Key><Size>7</Size></Contents>
  <CommonPrefixes><Prefix>AWSLogs/111122223333/</Prefix></CommonPrefixes>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
</ListBucketResult>)");
  ASSERT_TRUE(page.ok()) << page.message();
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "AWSLogs/a&b.json.gz");
  EXPECT_EQ(page->objects[0].size, 12345678901u);
  EXPECT_EQ(page->objects[0].etag, "\"9b2cf535f27731c974343645a3985328\"");
  EXPECT_EQ(page->objects[0].last_modified, "2024-01-02T03:04:05.000Z");
  EXPECT_EQ(page->objects[1].key, "AWSLogs/\xc3\xbc.json.gz");
  EXPECT_EQ(page->objects[1].size, 7u);
  EXPECT_EQ(page->common_prefixes, std::vector<std::string>{"AWSLogs/111122223333/"});
  EXPECT_TRUE(page->is_truncated);
  EXPECT_EQ(page->next_continuation_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

TEST(S3XmlTest, RejectsBrokenOrForeignDocuments) {
  EXPECT_FALSE(ParseListObjectsV2("<ListBucketResult><Contents>").ok());
  EXPECT_FALSE(ParseListObjectsV2("").ok());
  auto foreign = ParseListObjectsV2("<Error><Code>NoSuchBucket</Code></Error>");
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.message().find("not a ListBucketResult"), std::string::npos);
}

TEST(S3XmlTest, ReadsErrorDocuments) {
  S3ErrorDocument error = ParseS3Error(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>PermanentRedirect</Code>"
      "<Message>The bucket you are attempting to access must be addressed using the specified "
      "endpoint.</Message><Endpoint>ct-logs.s3.eu-west-1.amazonaws.com</Endpoint>"
      "<Region>eu-west-1</Region></Error>");
  EXPECT_EQ(error.code, "PermanentRedirect");
  EXPECT_EQ(error.region, "eu-west-1");
  EXPECT_NE(error.message.find("specified endpoint"), std::string::npos);
  EXPECT_EQ(ParseS3Error("").code, "");
  EXPECT_EQ(ParseS3Error("<html>Bad Gateway").code, "");
}

}  // namespace
}  // namespace trailwatch::aws
