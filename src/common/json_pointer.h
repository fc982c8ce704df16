// A JSON Pointer (RFC 6901) lookup in a simdjson DOM element, with exactly the results of
// simdjson::dom::element::at_pointer (same matches, same error codes).
//
// Why not at_pointer itself: GCC 12 reports a false -Wstringop-overflow ("__builtin_memcpy ...
// specified size between 9223372036854775810 and ...") inside simdjson's own object::at_pointer
// (its std::string::replace while unescaping "~0"/"~1"), in the copy that is emitted out of line
// in the calling file. That code lies in simdjson.h, so no pragma around our call reaches it. This
// walk decodes escapes without replace() and never instantiates at_pointer.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace trailwatch {

inline simdjson::simdjson_result<simdjson::dom::element> AtJsonPointer(simdjson::dom::element node,
                                                                       std::string_view pointer) {
  while (!pointer.empty()) {  // an empty pointer is the node itself
    if (pointer[0] != '/') return simdjson::INVALID_JSON_POINTER;
    pointer.remove_prefix(1);
    const size_t slash = pointer.find('/');
    const std::string_view token = pointer.substr(0, slash);
    pointer.remove_prefix(token.size());  // the rest starts with '/' or is empty
    simdjson::dom::object object;
    simdjson::dom::array array;
    if (node.get(object) == simdjson::SUCCESS) {
      // The token is a key: "~0" stands for '~', "~1" for '/', any other '~' is an error.
      std::string unescaped;
      std::string_view key = token;
      if (token.find('~') != std::string_view::npos) {
        unescaped.reserve(token.size());
        for (size_t i = 0; i < token.size(); ++i) {
          if (token[i] != '~') {
            unescaped.push_back(token[i]);
            continue;
          }
          const char next = i + 1 < token.size() ? token[i + 1] : '\0';
          if (next != '0' && next != '1') return simdjson::INVALID_JSON_POINTER;
          unescaped.push_back(next == '0' ? '~' : '/');
          ++i;
        }
        key = unescaped;
      }
      if (auto error = object.at_key(key).get(node)) return error;
    } else if (node.get(array) == simdjson::SUCCESS) {
      // The token is an index: decimal digits, no leading zero; a final "-" (past the end) is not
      // an element.
      if (token == "-" && pointer.empty()) return simdjson::INDEX_OUT_OF_BOUNDS;
      size_t index = 0;
      for (char c : token) {
        const auto digit = static_cast<uint8_t>(c - '0');
        if (digit > 9) return simdjson::INCORRECT_TYPE;
        index = index * 10 + digit;
      }
      if (token.size() > 1 && token[0] == '0') return simdjson::INVALID_JSON_POINTER;
      if (token.empty()) return simdjson::INVALID_JSON_POINTER;
      if (auto error = array.at(index).get(node)) return error;
    } else {
      return simdjson::INVALID_JSON_POINTER;  // a scalar has no children
    }
  }
  return node;
}

}  // namespace trailwatch
