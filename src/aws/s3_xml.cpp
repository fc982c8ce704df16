#include "aws/s3_xml.h"

#include <charconv>

#include "aws/xml_paths.h"

namespace trailwatch::aws {

Result<ListObjectsPage> ParseListObjectsV2(std::string_view xml) {
  ListObjectsPage page;
  S3Object current;
  bool root_seen = false;
  Status parsed = VisitXmlPaths(xml, [&](const std::string& path, const std::string& text) {
    if (path == "ListBucketResult") root_seen = true;
    if (path == "ListBucketResult/Contents/Key") {
      current.key = text;
    } else if (path == "ListBucketResult/Contents/Size") {
      std::from_chars(text.data(), text.data() + text.size(), current.size);
    } else if (path == "ListBucketResult/Contents/ETag") {
      current.etag = text;
    } else if (path == "ListBucketResult/Contents/LastModified") {
      current.last_modified = text;
    } else if (path == "ListBucketResult/Contents") {
      page.objects.push_back(std::move(current));
      current = S3Object();
    } else if (path == "ListBucketResult/CommonPrefixes/Prefix") {
      page.common_prefixes.push_back(text);
    } else if (path == "ListBucketResult/IsTruncated") {
      page.is_truncated = text == "true";
    } else if (path == "ListBucketResult/NextContinuationToken") {
      page.next_continuation_token = text;
    }
  });
  if (!parsed.ok()) return Error{parsed.message()};
  if (!root_seen) return Error{"the answer is not a ListBucketResult"};
  return page;
}

S3ErrorDocument ParseS3Error(std::string_view xml) {
  S3ErrorDocument error;
  if (xml.empty()) return error;
  Status parsed = VisitXmlPaths(xml, [&](const std::string& path, const std::string& text) {
    if (path == "Error/Code") error.code = text;
    if (path == "Error/Message") error.message = text;
    if (path == "Error/Region") error.region = text;
  });
  if (!parsed.ok()) return S3ErrorDocument();
  return error;
}

}  // namespace trailwatch::aws
