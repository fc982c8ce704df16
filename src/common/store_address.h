// Whether a `store` setting names PostgreSQL (a postgresql:// or postgres:// URI) rather than a
// SQLite file path. One answer for the configuration loader (which must not turn a URI into a path
// relative to the config file), the store backends and the commands that treat a shared store
// differently (no delivery lock file, send-test watching for a replica's delivery).
//
// Thread-safety: a pure function.
#pragma once

#include <string_view>

namespace trailwatch {

inline bool IsPostgresUri(std::string_view store) {
  return store.starts_with("postgresql://") || store.starts_with("postgres://");
}

}  // namespace trailwatch
