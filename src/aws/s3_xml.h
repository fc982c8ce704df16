// Reading S3's XML answers (aws/xml_paths.h): a ListObjectsV2 page (ListBucketResult) and an error
// document (<Error><Code/><Message/></Error>). Internal to src/aws/; tested on its own.
//
// Thread-safety: plain functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "aws/s3_client.h"
#include "common/result.h"

namespace trailwatch::aws {

struct ListObjectsPage {
  std::vector<S3Object> objects;             // <Contents>
  std::vector<std::string> common_prefixes;  // <CommonPrefixes><Prefix>
  bool is_truncated = false;
  std::string next_continuation_token;
};

Result<ListObjectsPage> ParseListObjectsV2(std::string_view xml);

struct S3ErrorDocument {
  std::string code;  // e.g. "NoSuchKey"; empty when the body is not an S3 error document
  std::string message;
  std::string region;  // <Region> of a PermanentRedirect / AuthorizationHeaderMalformed, if any
};

S3ErrorDocument ParseS3Error(std::string_view xml);

}  // namespace trailwatch::aws
