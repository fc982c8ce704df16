#include "common/loopback_host.h"

#include <string>

namespace trailwatch {

bool IsLoopbackHost(std::string_view host) {
  std::string lower(host);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (lower == "localhost" || lower == "[::1]" || lower == "::1") return true;
  // 127.0.0.0/8 as a dotted quad of decimal octets.
  int parts = 0;
  size_t start = 0;
  bool first_is_127 = false;
  while (start <= lower.size()) {
    size_t dot = lower.find('.', start);
    std::string_view part = std::string_view(lower).substr(
        start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty() || part.size() > 3) return false;
    int value = 0;
    for (char c : part) {
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    if (value > 255) return false;
    if (parts == 0) first_is_127 = part == "127";
    ++parts;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts == 4 && first_is_127;
}

}  // namespace trailwatch
