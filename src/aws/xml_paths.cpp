#include "aws/xml_paths.h"

#include <expat.h>

#include <memory>
#include <type_traits>
#include <vector>

namespace trailwatch::aws {

namespace {

struct ParserDeleter {
  void operator()(XML_Parser parser) const { XML_ParserFree(parser); }
};
using Parser = std::unique_ptr<std::remove_pointer_t<XML_Parser>, ParserDeleter>;

class PathCollector {
 public:
  explicit PathCollector(const XmlPathVisitor& on_end) : on_end_(on_end) {}

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

 private:
  const XmlPathVisitor& on_end_;
  std::string path_;
  std::vector<size_t> lengths_;
  std::string text_;
};

}  // namespace

Status VisitXmlPaths(std::string_view xml, const XmlPathVisitor& on_end) {
  PathCollector collector(on_end);
  Parser parser(XML_ParserCreate("UTF-8"));
  if (!parser) return Error{"out of memory creating the XML parser"};
  XML_SetUserData(parser.get(), &collector);
  XML_SetElementHandler(parser.get(), PathCollector::Start, PathCollector::End);
  XML_SetCharacterDataHandler(parser.get(), PathCollector::Text);
  if (XML_Parse(parser.get(), xml.data(), static_cast<int>(xml.size()), XML_TRUE) ==
      XML_STATUS_ERROR) {
    return Error{std::string("invalid XML at line ") +
                 std::to_string(XML_GetCurrentLineNumber(parser.get())) + ": " +
                 XML_ErrorString(XML_GetErrorCode(parser.get()))};
  }
  return Status::Ok();
}

}  // namespace trailwatch::aws
