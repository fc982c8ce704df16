// Readiness: whether the service can currently do its job, and if not, why — what `/healthz`
// answers (200 "ok" or 503 with the reasons) and what operators see in the log.
//
// Any stage may report a problem under a key of its own ("store", "source:<name>", …) and clear
// it when it is mended; the service is ready while no key holds a problem. Problems are short
// texts for operators and never carry a secret.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <map>
#include <mutex>
#include <string>

namespace trailwatch {

class Readiness {
 public:
  // Records (or replaces) the problem under `key`.
  void SetProblem(const std::string& key, std::string problem) {
    std::lock_guard lock(mutex_);
    problems_[key] = std::move(problem);
  }
  void ClearProblem(const std::string& key) {
    std::lock_guard lock(mutex_);
    problems_.erase(key);
  }
  bool ready() const {
    std::lock_guard lock(mutex_);
    return problems_.empty();
  }
  // The problem recorded under `key`, "" when none.
  std::string Problem(const std::string& key) const {
    std::lock_guard lock(mutex_);
    auto found = problems_.find(key);
    return found == problems_.end() ? std::string() : found->second;
  }
  // "key: problem" lines, sorted by key; empty when ready.
  std::string Describe() const {
    std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& [key, problem] : problems_) out += key + ": " + problem + "\n";
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::string> problems_;
};

}  // namespace trailwatch
