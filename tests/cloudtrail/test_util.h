// Helpers shared by the cloudtrail tests: fixture loading and JSON comparison by value.
#pragma once

#include <simdjson.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace trailwatch::cloudtrail::testing {

inline std::string ReadFixture(const std::string& relative) {
  std::ifstream in(std::string(TW_FIXTURES_DIR) + "/" + relative, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Structural equality of two parsed JSON values: objects compare as key → value maps (order-free),
// arrays element by element, scalars by type and value.
inline bool JsonValuesEqual(simdjson::dom::element a, simdjson::dom::element b) {
  using simdjson::dom::element_type;
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case element_type::OBJECT: {
      std::map<std::string_view, simdjson::dom::element> left, right;
      simdjson::dom::object x, y;
      if (a.get_object().get(x) || b.get_object().get(y)) return false;
      for (auto field : x) left.emplace(field.key, field.value);
      for (auto field : y) right.emplace(field.key, field.value);
      if (left.size() != right.size()) return false;
      for (const auto& [key, value] : left) {
        auto it = right.find(key);
        if (it == right.end() || !JsonValuesEqual(value, it->second)) return false;
      }
      return true;
    }
    case element_type::ARRAY: {
      simdjson::dom::array x, y;
      if (a.get_array().get(x) || b.get_array().get(y)) return false;
      if (x.size() != y.size()) return false;
      auto it = y.begin();
      for (simdjson::dom::element value : x) {
        if (!JsonValuesEqual(value, *it)) return false;
        ++it;
      }
      return true;
    }
    case element_type::STRING:
      return a.get_string().value_unsafe() == b.get_string().value_unsafe();
    case element_type::INT64:
      return a.get_int64().value_unsafe() == b.get_int64().value_unsafe();
    case element_type::UINT64:
      return a.get_uint64().value_unsafe() == b.get_uint64().value_unsafe();
    case element_type::DOUBLE:
      return a.get_double().value_unsafe() == b.get_double().value_unsafe();
    case element_type::BOOL:
      return a.get_bool().value_unsafe() == b.get_bool().value_unsafe();
    case element_type::NULL_VALUE:
      return true;
  }
  return false;
}

// Parses both texts and compares them by value; false if either is not valid JSON.
inline bool JsonTextsEqual(const std::string& a, const std::string& b) {
  simdjson::dom::parser pa, pb;
  simdjson::dom::element ea, eb;
  if (pa.parse(a).get(ea) || pb.parse(b).get(eb)) return false;
  return JsonValuesEqual(ea, eb);
}

}  // namespace trailwatch::cloudtrail::testing
