#include "console/sample_events.h"

#include <simdjson.h>

#include "console/console_assets.h"
#include "envelope/envelope.h"

namespace trailwatch::console {

std::vector<SampleEvent> PackSampleEvents() {
  std::vector<SampleEvent> samples;
  simdjson::dom::parser parser;
  for (const EmbeddedFile& file : EmbeddedFiles()) {
    if (!file.name.starts_with("packs/") || !file.name.ends_with(".cases.json")) continue;
    simdjson::dom::element root;
    if (parser.parse(file.body.data(), file.body.size()).get(root)) continue;
    std::string_view pack;
    if (root["pack"].get(pack)) continue;
    simdjson::dom::array cases;
    if (root["cases"].get(cases)) continue;
    for (simdjson::dom::element one : cases) {
      std::string_view name;
      simdjson::dom::element record;
      if (one["name"].get(name) || one["record"].get(record)) continue;
      auto envelope = envelope::BuildEnvelope(simdjson::minify(record));
      if (!envelope.ok()) continue;
      std::string label(pack);
      label.append(": ").append(name);
      samples.push_back({std::move(label), std::move(envelope->json)});
    }
  }
  return samples;
}

}  // namespace trailwatch::console
