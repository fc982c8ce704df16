// CheckStoreIntegrity: whether the SQLite store file is sound enough to start on, checked once by
// `trailwatch run` before it opens the store (SQLite's `PRAGMA quick_check`).
//
// A store with damaged pages (a disk error, a copy taken while it was being written, a file
// edited by hand) would otherwise start without a word and fail later — an alert lost at its
// enqueue, or the dedup history silently incomplete. Refusing to start, with the file named and
// what to do, turns that into one clear decision for the operator.
//
// quick_check reads every page of the file (without checking that indexes match their tables,
// which integrity_check would add at many times the cost): about a second per few hundred MB.
//
// Thread-safety: a free function; it opens its own connection.
#pragma once

#include <string>

#include "common/result.h"

namespace trailwatch::store {

// OK when `path` does not exist yet (a fresh deployment) or passes quick_check. Otherwise the
// error names the file, quotes SQLite's first findings, and says how to move it aside or salvage
// it.
Status CheckStoreIntegrity(const std::string& path);

}  // namespace trailwatch::store
