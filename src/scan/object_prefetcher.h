// ObjectPrefetcher: S3 read-ahead for `trailwatch scan`. While the workers inflate and match the
// objects they hold, a few fetch threads download the next S3 inputs, in input order, so that the
// CPU does not wait for the network between objects (issue 3 item 5).
//
// Bounded: at most PrefetchOptions::max_objects objects are downloading or waiting to be taken,
// and a new download starts only while the bytes waiting (by their listed sizes) stay under
// max_bytes — except that one object is always allowed, so an object larger than the budget is
// still fetched (alone). Workers take inputs in increasing index order, and fetches start in that
// order too, so the object a worker waits for is always among those downloading or done.
//
// Local inputs are not prefetched (they are read from the page cache by the workers).
//
// Thread-safety: Take may be called from many threads, each index at most once. The destructor
// stops the fetch threads (a download in progress runs to its end) and joins them.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "aws/s3_client.h"
#include "common/result.h"
#include "scan/scan_input.h"

namespace trailwatch::scan {

struct PrefetchOptions {
  int fetch_threads = 2;
  size_t max_objects = 4;           // downloading + downloaded and not yet taken
  uint64_t max_bytes = 256u << 20;  // listed (compressed) sizes of those objects
};

class ObjectPrefetcher {
 public:
  // `inputs` and `s3` must outlive the prefetcher. Fetching starts at once.
  ObjectPrefetcher(const std::vector<ScanInput>& inputs, aws::S3Client* s3,
                   PrefetchOptions options = {});
  ~ObjectPrefetcher();
  ObjectPrefetcher(const ObjectPrefetcher&) = delete;
  ObjectPrefetcher& operator=(const ObjectPrefetcher&) = delete;

  // Waits for S3 input `index` and moves its body into *body; the error is the S3Client's (it
  // names s3://bucket/key).
  Status Take(size_t index, std::string* body);

 private:
  struct Fetched {
    bool done = false;
    Status status;
    std::string body;
  };

  void FetchLoop();
  // The next S3 input at or after `from`, or inputs_.size().
  size_t NextS3Input(size_t from) const;

  const std::vector<ScanInput>& inputs_;
  aws::S3Client* s3_;
  PrefetchOptions options_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<size_t, Fetched> held_;  // started and not yet taken, by input index
  uint64_t held_bytes_ = 0;         // listed sizes of held_
  size_t next_ = 0;                 // next input to start fetching
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace trailwatch::scan
