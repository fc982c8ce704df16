// Reading AWS's XML answers (S3 and STS) with expat: every element's text, reported with its path
// ("ListBucketResult/Contents/Key") when the element closes. AWS's documents are flat enough for
// this; the callers pick the paths they need. Internal to src/aws/.
//
// Thread-safety: a plain function.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace trailwatch::aws {

using XmlPathVisitor = std::function<void(const std::string& path, const std::string& text)>;

// Calls `on_end` for each element as it closes. An error (with the line) when the text is not
// well-formed XML; the error never quotes the document (it may hold a secret).
Status VisitXmlPaths(std::string_view xml, const XmlPathVisitor& on_end);

}  // namespace trailwatch::aws
