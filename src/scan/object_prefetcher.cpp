// S3 read-ahead for scan (see object_prefetcher.h).
#include "scan/object_prefetcher.h"

#include <algorithm>
#include <utility>

namespace trailwatch::scan {

ObjectPrefetcher::ObjectPrefetcher(const std::vector<ScanInput>& inputs, aws::S3Client* s3,
                                   PrefetchOptions options)
    : inputs_(inputs), s3_(s3), options_(options) {
  options_.max_objects = std::max<size_t>(options_.max_objects, 1);
  next_ = NextS3Input(0);
  const int threads = std::max(options_.fetch_threads, 1);
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { FetchLoop(); });
}

ObjectPrefetcher::~ObjectPrefetcher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

size_t ObjectPrefetcher::NextS3Input(size_t from) const {
  while (from < inputs_.size() && !inputs_[from].path.empty()) ++from;
  return from;
}

void ObjectPrefetcher::FetchLoop() {
  std::unique_lock lock(mutex_);
  while (true) {
    // Start the next object when the window has room; one held object is always allowed.
    changed_.wait(lock, [this] {
      if (stopping_ || next_ >= inputs_.size()) return true;
      if (held_.empty()) return true;
      return held_.size() < options_.max_objects &&
             held_bytes_ + inputs_[next_].size <= options_.max_bytes;
    });
    if (stopping_ || next_ >= inputs_.size()) return;
    const size_t index = next_;
    next_ = NextS3Input(index + 1);
    const ScanInput& input = inputs_[index];
    held_[index];  // started: Take waits for it rather than fetching it itself
    held_bytes_ += input.size;
    lock.unlock();
    std::string body;
    Status status = s3_ == nullptr ? Status(Error{input.origin + ": no S3 client"})
                                   : s3_->Get(input.bucket, input.key, &body);
    lock.lock();
    Fetched& fetched = held_[index];
    fetched.done = true;
    fetched.status = std::move(status);
    fetched.body = std::move(body);
    changed_.notify_all();
  }
}

Status ObjectPrefetcher::Take(size_t index, std::string* body) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] {
    auto it = held_.find(index);
    return it != held_.end() && it->second.done;
  });
  auto it = held_.find(index);
  Status status = std::move(it->second.status);
  *body = std::move(it->second.body);
  held_bytes_ -= inputs_[index].size;
  held_.erase(it);
  lock.unlock();
  changed_.notify_all();
  return status;
}

}  // namespace trailwatch::scan
