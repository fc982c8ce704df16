// Transparent string hashing, so unordered maps keyed by std::string can be searched with a
// std::string_view without allocating (C++20 heterogeneous lookup).
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace trailwatch {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  size_t operator()(const std::string& text) const { return std::hash<std::string_view>{}(text); }
  size_t operator()(const char* text) const { return std::hash<std::string_view>{}(text); }
};

}  // namespace trailwatch
