// Local discovery of a directory tree for `trailwatch scan`: the files under a directory named on
// the command line, classified (ClassifyInput) and sized, walked on several threads.
//
// Why not std::filesystem::recursive_directory_iterator: on a trail of many small files (5-minute
// deliveries: ~1,750 files in ~1,700 day folders for 315 MB) the walk ran on one thread before any
// file was read, and every file's size took a stat of its full path (nine components looked up
// again per file). Here each folder is opened once and its files are sized with fstatat relative
// to it (one component), by `threads` walkers taking folders from a shared queue (issue 16).
//
// Same rules as before: directory symlinks are not followed (a link cycle cannot loop), a symlink
// to a regular file is read as that file, folders that cannot be opened for lack of permission are
// skipped silently, any other error on a folder stops the walk with "ROOT: <reason>". Files whose
// names ClassifyInput does not read are counted in `skipped` and never stat'ed.
//
// Thread-safety: DiscoverLocalTree starts and joins its own threads; call it from one thread.
#pragma once

#include <string>

#include "scan/key_pruning.h"
#include "scan/scan_input.h"

namespace trailwatch::scan {

// Appends the files under directory `root` to out.inputs (unordered), counts the skipped ones in
// out.skipped and appends an error, if any, to out.errors. `threads` <= 1 walks on this thread.
void DiscoverLocalTree(const std::string& root, const ScanFilter& filter, int threads,
                       Discovery& out);

}  // namespace trailwatch::scan
