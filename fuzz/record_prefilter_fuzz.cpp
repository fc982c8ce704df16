// libFuzzer target: arbitrary bytes as an inflated CloudTrail log file for the scan's prefilter
// (cloudtrail/record_prefilter.h).
//
// Find must never read outside the text and its padding (the SIMD loads are the risk; ASan
// watches) and, for every valid JSON file it accepts (a DOM parse decides), agree with
// RecordReader: a log file, same record count, and the candidates are exactly the records holding
// a literal or a \u or \/ escape. Invalid JSON inside records is not checked by either reader
// when they skip a record, so on invalid input only memory safety is asserted. A broken invariant
// aborts so libFuzzer keeps the input.
//
// Run: make fuzz && build/fuzz/record_prefilter_fuzz -max_total_time=60 /tmp/fz/record_prefilter
// fuzz/corpus/record_prefilter
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "cloudtrail/padded_buffer.h"
#include "cloudtrail/record_prefilter.h"
#include "cloudtrail/record_reader.h"
#include "cloudtrail/spelling_escape.h"

namespace {

using trailwatch::cloudtrail::InputFormat;
using trailwatch::cloudtrail::PaddedBuffer;
using trailwatch::cloudtrail::PrefilteredFile;
using trailwatch::cloudtrail::RawRecord;
using trailwatch::cloudtrail::RecordPrefilter;
using trailwatch::cloudtrail::RecordReader;
using trailwatch::cloudtrail::testing::HasSpellingEscape;

[[noreturn]] void Fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "record_prefilter_fuzz: %s: %.*s\n", what, static_cast<int>(input.size()),
               input.data());
  std::abort();
}


}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto buffer = PaddedBuffer::CopyOf(text);
  if (!buffer.ok()) return 0;
  static const RecordPrefilter prefilter({"\"Root\"", "\"ConsoleLogin\"", "x\""});
  PrefilteredFile file;
  if (!prefilter.Find(buffer->view(), &file)) return 0;

  simdjson::dom::parser parser;
  if (parser.parse(buffer->padded_view().data(), size, false).error() != simdjson::SUCCESS) {
    return 0;
  }
  std::vector<std::string_view> records;
  size_t bad = 0;
  RecordReader reader;
  auto read = reader.Read(
      buffer->padded_view(), "fuzz", [&](const RawRecord& record) { records.push_back(record.json); },
      [&](const trailwatch::Error&) { ++bad; });
  if (!read.ok() || read->format != InputFormat::kLogFile || bad > 0) {
    Fail("accepted a valid JSON file RecordReader reads otherwise", text);
  }
  if (records.size() != file.records) Fail("record count differs", text);
  size_t next = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    bool hit = HasSpellingEscape(records[i]);
    for (const std::string& literal : prefilter.literals()) {
      hit = hit || records[i].find(literal) != std::string_view::npos;
    }
    if (!hit) continue;
    if (next >= file.candidates.size() || file.candidates[next].index != i ||
        file.candidates[next].json != records[i]) {
      Fail("candidate missing or different", text);
    }
    ++next;
  }
  if (next != file.candidates.size()) Fail("candidate that holds no literal", text);
  return 0;
}
