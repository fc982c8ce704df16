// LineCorpus: JSON lines in one buffer followed by simdjson's padding, so that every line can be
// parsed in place — the readable capacity from a line's first byte runs to the end of the buffer.
// Shared by the benchmarks that parse the generated corpora (pattern_bench, simdjson_floor_bench).
//
// Header-only for the reason corpus_generator.h gives: every bench/*_bench.cpp is its own
// executable.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace trailwatch::bench {

struct LineCorpus {
  std::string buffer;
  std::vector<std::pair<size_t, size_t>> lines;  // offset, length (without the newline)
  size_t text_bytes = 0;                         // the text without the padding

  explicit LineCorpus(std::string text) : buffer(std::move(text)) {
    text_bytes = buffer.size();
    size_t begin = 0;
    while (begin < buffer.size()) {
      size_t end = buffer.find('\n', begin);
      if (end == std::string::npos) end = buffer.size();
      if (end > begin) lines.emplace_back(begin, end - begin);
      begin = end + 1;
    }
    buffer.append(simdjson::SIMDJSON_PADDING, ' ');
  }
  std::string_view line(size_t i) const {
    return {buffer.data() + lines[i].first, lines[i].second};
  }
  size_t capacity(size_t i) const { return buffer.size() - lines[i].first; }
};

}  // namespace trailwatch::bench
