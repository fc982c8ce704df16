// Scan inputs: turns the locations given to `trailwatch scan` (files, directories, s3:// URLs)
// into the list of log files to read, skipping and counting what is not a CloudTrail log file.
//
//   * A file named on the command line is read whatever its name (unless its path is a
//     CloudTrail-Digest or CloudTrail-Insight key, or pruning drops it).
//   * Directories are walked recursively (directory symlinks are not followed, so a link cycle
//     cannot loop); files found there are read when their name ends in .json, .json.gz, .jsonl,
//     .jsonl.gz, .ndjson or .ndjson.gz, otherwise counted as "other".
//   * s3://bucket/prefix is discovered with the key layout of docs/reference/formats.md §1.1:
// delimiter listings
//     find the AWSLogs/[o-…/]<account>/CloudTrail/<region>/YYYY/MM/DD/ folders, pruning whole
//     accounts, regions and days on the way (key_pruning.h), and only the surviving day folders
//     are listed in full (§1.1: "List per account × region × day prefix; never list the whole
//     bucket"). CloudTrail-Digest and CloudTrail-Insight folders are never listed; they are
//     counted as skipped prefixes. A prefix under which no AWSLogs/ folder exists (e.g. exported
//     JSON lines) is listed flat instead and its keys are classified like directory entries.
//
// Every input keeps its origin (the path, or s3://bucket/key) for match rows and error messages.
// Inputs come out sorted by origin, duplicates removed, so a scan's work list is deterministic.
//
// Thread-safety: DiscoverInputs is a pure function of its arguments apart from the file system
// and S3 calls it makes; call it from one thread (it may start its own for local directories).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "aws/s3_client.h"
#include "scan/key_pruning.h"

namespace trailwatch::scan {

struct ScanInput {
  std::string origin;       // the path, or s3://bucket/key
  std::string path;         // local file; empty for S3
  std::string bucket;       // S3 only
  std::string key;          // S3 only
  uint64_t size = 0;        // bytes as stored (compressed), from stat or the listing
  std::string key_account;  // account from the key layout, empty when the name has no layout
};

// What discovery left out, by reason. Files/keys are counted one by one; S3 folders skipped
// without listing them are counted as prefixes (their files are never seen, so never counted).
struct SkipCounts {
  uint64_t digest = 0;            // CloudTrail-Digest files
  uint64_t insight = 0;           // CloudTrail-Insight files
  uint64_t other = 0;             // not a CloudTrail log file (name, extension)
  uint64_t pruned_time = 0;       // delivery date/minute outside --since/--until (+ allowance)
  uint64_t pruned_account = 0;    // account not in --accounts
  uint64_t pruned_region = 0;     // region not in --regions
  uint64_t prefixes_skipped = 0;  // S3 folders pruned or skipped (digest/insight) unlisted

  uint64_t files() const {
    return digest + insight + other + pruned_time + pruned_account + pruned_region;
  }
};

struct Discovery {
  std::vector<ScanInput> inputs;
  SkipCounts skipped;
  std::vector<std::string> errors;  // each names the location (missing path, S3 listing error)
  uint64_t list_requests = 0;       // S3 ListObjectsV2 calls made (pages count separately)
};

// How a key or path is treated.
enum class InputClass {
  kRead,
  kDigest,
  kInsight,
  kOther,
  kPrunedTime,
  kPrunedAccount,
  kPrunedRegion
};

// Counts a file that `kind` leaves out (nothing for kRead).
void CountSkipped(InputClass kind, SkipCounts& skipped);

// Classifies one key or path. `named` is true for a file named on the command line (read even
// without a JSON extension). *key_account receives the layout account, if any.
InputClass ClassifyInput(std::string_view key_or_path, const ScanFilter& filter, bool named,
                         std::string* key_account);

// The number a year, month or day folder's name spells (the caller checked AllAsciiDigits),
// clamped to kMaxFolderNumber: no real year, month or day is larger, and ScanFilter's day numbers
// (year * 10000 + month * 100 + day) stay within int for any clamped folder numbers, however many
// digits a (foreign or hostile) folder name has.
inline constexpr int kMaxFolderNumber = 99999;
int FolderNumber(std::string_view digits);

// Resolves every location. `s3` may be null when no location is an s3:// URL. Local directories
// are walked on `threads` threads (local_tree_walk.h); the result does not depend on it.
Discovery DiscoverInputs(const std::vector<std::string>& locations, const ScanFilter& filter,
                         aws::S3Client* s3, int threads = 1);

}  // namespace trailwatch::scan
