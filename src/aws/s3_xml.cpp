#include "aws/s3_xml.h"

#include <expat.h>

#include <charconv>
#include <functional>
#include <memory>

namespace trailwatch::aws {

namespace {

struct ParserDeleter {
  void operator()(XML_Parser parser) const { XML_ParserFree(parser); }
};
using Parser = std::unique_ptr<std::remove_pointer_t<XML_Parser>, ParserDeleter>;

// Collects the text of every element with its path ("ListBucketResult/Contents/Key") and calls
// `on_end(path, text)` when the element closes. S3 documents are flat enough for this.
class PathCollector {
 public:
  template <typename OnEnd>
  static Status Run(std::string_view xml, OnEnd on_end) {
    PathCollector collector;
    collector.on_end_ = [&](const std::string& path, const std::string& text) {
      on_end(path, text);
    };
    Parser parser(XML_ParserCreate("UTF-8"));
    if (!parser) return Error{"out of memory creating the XML parser"};
    XML_SetUserData(parser.get(), &collector);
    XML_SetElementHandler(parser.get(), Start, End);
    XML_SetCharacterDataHandler(parser.get(), Text);
    if (XML_Parse(parser.get(), xml.data(), static_cast<int>(xml.size()), XML_TRUE) ==
        XML_STATUS_ERROR) {
      return Error{std::string("invalid XML at line ") +
                   std::to_string(XML_GetCurrentLineNumber(parser.get())) + ": " +
                   XML_ErrorString(XML_GetErrorCode(parser.get()))};
    }
    return Status::Ok();
  }

 private:
  static void Start(void* user, const XML_Char* name, const XML_Char**) {
    auto* self = static_cast<PathCollector*>(user);
    self->lengths_.push_back(self->path_.size());
    if (!self->path_.empty()) self->path_ += '/';
    self->path_ += name;
    self->text_.clear();
  }
  static void End(void* user, const XML_Char*) {
    auto* self = static_cast<PathCollector*>(user);
    self->on_end_(self->path_, self->text_);
    self->text_.clear();
    self->path_.resize(self->lengths_.back());
    self->lengths_.pop_back();
  }
  static void Text(void* user, const XML_Char* text, int length) {
    static_cast<PathCollector*>(user)->text_.append(text, static_cast<size_t>(length));
  }

  std::function<void(const std::string&, const std::string&)> on_end_;
  std::string path_;
  std::vector<size_t> lengths_;
  std::string text_;
};

}  // namespace

Result<ListObjectsPage> ParseListObjectsV2(std::string_view xml) {
  ListObjectsPage page;
  S3Object current;
  bool root_seen = false;
  Status parsed = PathCollector::Run(xml, [&](const std::string& path, const std::string& text) {
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
  Status parsed = PathCollector::Run(xml, [&](const std::string& path, const std::string& text) {
    if (path == "Error/Code") error.code = text;
    if (path == "Error/Message") error.message = text;
    if (path == "Error/Region") error.region = text;
  });
  if (!parsed.ok()) return S3ErrorDocument();
  return error;
}

}  // namespace trailwatch::aws
