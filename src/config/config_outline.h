// What the commands that send nothing (`outbox list`, `outbox retry`, `outbox purge`) need from a
// configuration file: the store's path and the names of the targets — without resolving any
// ${env:}/${file:} secret, so they run where the service's secrets are not set (a shell on the
// host, a support session). Only `store` is resolved when it holds a reference (it is a path, not
// a secret, and they need it).
//
// The rest of the file is not validated here: `trailwatch validate` and the loaders of the
// commands that send (config/targets_config.h) do that.
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/reference_values.h"

namespace trailwatch::config {

struct ConfigOutline {
  std::string store = "./trailwatch.db";  // as TargetsConfig::store, resolved the same way
  std::chrono::seconds store_lease{15};   // as TargetsConfig::store_lease
  std::set<std::string> target_names;
  // The store's path when it came from a ${...} reference, shown as the reference: errors naming
  // the store pass through RedactReferenceValues with these.
  std::vector<ReferenceValue> reference_values;
};

// Errors: the file's (config_fields.h LoadYamlFile), a `store` that is not one value, a `targets`
// that is not a list.
Result<ConfigOutline> LoadConfigOutline(const std::string& path);

}  // namespace trailwatch::config
