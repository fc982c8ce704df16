// RunWorkers: runs every worker's Run() at once, one thread each, and returns when all are done;
// a single worker runs on the calling thread (no thread to start for `--threads 1`). Used by the
// scan's file workers and its folder walkers.
#pragma once

#include <memory>
#include <thread>
#include <vector>

namespace trailwatch::scan {

template <class Worker>
void RunWorkers(std::vector<std::unique_ptr<Worker>>& workers) {
  if (workers.size() == 1) {
    workers.front()->Run();
    return;
  }
  std::vector<std::thread> pool;
  pool.reserve(workers.size());
  for (auto& worker : workers) pool.emplace_back([&worker] { worker->Run(); });
  for (std::thread& thread : pool) thread.join();
}

}  // namespace trailwatch::scan
