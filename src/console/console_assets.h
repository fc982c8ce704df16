// The web console's static files — its script, its stylesheet and the rule packs' sample events —
// compiled into the binary (cmake/EmbedFiles.cmake generates console_assets_data.cpp from
// src/console/assets/ and tests/fixtures/packs/), so that the console needs no files beside the
// executable and no front-end build chain at run time.
//
// Thread-safety: immutable static data.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace trailwatch::console {

struct EmbeddedFile {
  std::string_view name;  // "console.js", "packs/root-signin.cases.json"
  std::string_view body;
};

// Defined in the generated console_assets_data.cpp.
extern const EmbeddedFile kEmbeddedFiles[];
extern const size_t kEmbeddedFileCount;

std::span<const EmbeddedFile> EmbeddedFiles();
// nullptr when there is no such file.
const EmbeddedFile* FindEmbeddedFile(std::string_view name);
// By the name's extension: "text/javascript; charset=utf-8", "text/css; charset=utf-8",
// "image/png", "application/json", else "application/octet-stream".
std::string_view ContentTypeOf(std::string_view name);

}  // namespace trailwatch::console
