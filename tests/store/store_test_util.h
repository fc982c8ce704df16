// Helpers for the store tests: a store file with damaged pages, as a disk error or a copy taken
// mid-write leaves it.
#pragma once

#include <string>

namespace trailwatch::store::testing {

// Creates a store at `path` (outbox and checkpoint tables, enough rows for a few dozen pages),
// closes it, then overwrites one page in the middle of the file with garbage. The header stays
// intact, so SQLite opens the file; PRAGMA quick_check reports the damage.
void WriteDamagedStore(const std::string& path);

}  // namespace trailwatch::store::testing
