// HaReplicas: N `trailwatch run` replicas of one configuration on a shared PostgreSQL store, for
// the high-availability tests of issue 14. Each replica is started, SIGKILLed and started again by
// index; its ports (ops listener, http source; both ephemeral, so the replicas share one config
// file) are read from its log; /metrics is scraped to find which replica leads a polled source.
// Every process that ever ran is kept (a killed one's log included) for the failure message.
//
// Thread-safety: every method may be called from any thread; Kill/Start of one index must not race
// with each other (the chaos loop does both from one thread).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "service/service_process_util.h"

namespace trailwatch::testing {

class HaReplicas {
 public:
  HaReplicas(std::vector<std::string> args, std::string output_dir,
             std::map<std::string, std::string> environment, size_t count);

  size_t size() const { return count_; }
  // Starts a new process for replica `index` (one that is not running), with TW_REPLICA set to
  // "r<index>-<start>" (start: 0 for the first process started, then counting): a configuration
  // may put ${env:TW_REPLICA} into a receiver's URL to tell which process sent a request.
  void Start(size_t index);
  // Waits until replica `index` logged both its ops listener port and its http source port;
  // false on timeout or when the process exited.
  bool WaitReady(size_t index, std::chrono::milliseconds timeout);
  // SIGKILLs replica `index` and reaps it; returns when it is gone. Its ports read 0 afterwards.
  void Kill(size_t index);

  // 0 while replica `index` is not running or not ready.
  int HttpPort(size_t index) const;
  int OpsPort(size_t index) const;
  // The body of GET /metrics on replica `index`; empty when it did not answer 200.
  std::string Metrics(size_t index) const;
  // The replicas whose /metrics say trailwatch_source_leader{source="<source>"} 1.
  std::vector<size_t> Leaders(const std::string& source) const;
  // The last `lines` lines of stderr of every process started so far, oldest first, each headed
  // by its replica index, pid and whether it was killed.
  std::string LogTails(size_t lines) const;
  // Every process started so far, oldest first: its TW_REPLICA, its stderr, and when it was
  // SIGKILLed (system clock, as its log lines' times; nullopt while it runs).
  struct ProcessLog {
    std::string tag;
    std::string stderr_text;
    std::optional<std::chrono::system_clock::time_point> killed_at;
  };
  std::vector<ProcessLog> Logs() const;
  // The TW_REPLICA of replica `index`'s current process ("" when none).
  std::string Tag(size_t index) const;
  // Processes started so far (restarts included).
  size_t starts() const;

 private:
  struct Replica {
    std::unique_ptr<ServiceProcess> process;
    int http_port = 0;
    int ops_port = 0;
    std::string tag;  // TW_REPLICA
  };
  struct Retired {
    size_t index;
    std::string tag;
    std::unique_ptr<ServiceProcess> process;
    std::chrono::system_clock::time_point killed_at;
  };

  const std::vector<std::string> args_;
  const std::string output_dir_;
  const std::map<std::string, std::string> environment_;
  const size_t count_;
  mutable std::mutex mutex_;
  std::vector<Replica> replicas_;
  std::vector<Retired> retired_;
  size_t starts_ = 0;
};

struct ReplicaReply {
  int status = 0;  // 0: no answer (refused, reset, timed out)
  std::string body;
};
ReplicaReply ReplicaGet(int port, const std::string& path);
ReplicaReply ReplicaPostJson(int port, const std::string& path, const std::string& body,
                       const std::map<std::string, std::string>& headers);


}  // namespace trailwatch::testing
