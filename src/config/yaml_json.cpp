#include "config/yaml_json.h"
#include "common/json_string.h"

#include <cstdio>

#include "pattern/number.h"

namespace trailwatch::config {

namespace {

bool IsYamlNull(const std::string& text) {
  return text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL";
}

std::string Where(const std::string& where, const YAML::Mark& mark) {
  if (mark.line < 0) return where;
  return where + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

Status Append(const YAML::Node& node, const std::string& where, int depth, std::string* out) {
  if (depth > 1000) return Error{Where(where, node.Mark()) + ": nesting exceeds 1000 levels"};
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      out->append("null");
      return Status::Ok();
    case YAML::NodeType::Scalar: {
      const std::string& text = node.Scalar();
      if (node.Tag() == "!") {  // quoted: always a string
        trailwatch::AppendJsonString(*out, text);
      } else if (IsYamlNull(text)) {
        out->append("null");
      } else if (text == "true" || text == "True" || text == "TRUE") {
        out->append("true");
      } else if (text == "false" || text == "False" || text == "FALSE") {
        out->append("false");
      } else if (pattern::IsJsonNumber(text)) {
        out->append(text);
      } else {
        trailwatch::AppendJsonString(*out, text);
      }
      return Status::Ok();
    }
    case YAML::NodeType::Sequence: {
      out->push_back('[');
      bool first = true;
      for (const YAML::Node& item : node) {
        if (!first) out->push_back(',');
        first = false;
        Status s = Append(item, where, depth + 1, out);
        if (!s.ok()) return s;
      }
      out->push_back(']');
      return Status::Ok();
    }
    case YAML::NodeType::Map: {
      out->push_back('{');
      bool first = true;
      for (const auto& entry : node) {
        if (!first) out->push_back(',');
        first = false;
        if (!entry.first.IsScalar()) {
          return Error{Where(where, entry.first.Mark()) + ": mapping keys must be scalars"};
        }
        trailwatch::AppendJsonString(*out, entry.first.Scalar());
        out->push_back(':');
        Status s = Append(entry.second, where, depth + 1, out);
        if (!s.ok()) return s;
      }
      out->push_back('}');
      return Status::Ok();
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> YamlToJson(const YAML::Node& node, const std::string& where) {
  std::string out;
  Status s = Append(node, where, 0, &out);
  if (!s.ok()) return Error{s.message()};
  return out;
}

}  // namespace trailwatch::config
