// LeaderSource: runs a polled source — a directory or an S3 prefix — on exactly one replica of a
// shared store at a time (issue 14). Every replica runs a LeaderSource for each such source; the
// one that holds the lease "source:<name>" (store/lease_store.h) runs the real source, the others
// wait and try again every third of the lease. Two replicas polling one directory would each
// alert every file (their checkpoints race), so leadership, not luck, decides who reads.
//
// The leader renews the lease every third of its length. It stops its source (and stops counting
// itself leader) when the lease is lost — another replica took it after a long pause — or when its
// own deadline passes without a successful renewal (PostgreSQL unreachable): the deadline is taken
// on this process's monotonic clock before each acquire/renew, a second earlier than the database
// expiry, so the old leader has stopped before anyone else may start. A killed leader's lease runs
// out after `lease`; the next replica to try takes over within lease + lease/3, inside the issue's
// 2 x lease. A clean stop releases the lease so another replica takes over at once.
//
// Each term of leadership runs a fresh source (the factory), resuming from the shared checkpoints.
// SQS and HTTP sources are not wrapped: every replica consumes from them (competing consumers).
//
// Thread-safety: Run on one thread, as every Source; leading() from any thread.
#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "sources/source.h"
#include "store/lease_store.h"

namespace trailwatch::service {

class LeaderSource final : public sources::Source {
 public:
  using Factory = std::function<Result<std::unique_ptr<sources::Source>>()>;
  // `name`: the wrapped source's name (the lease is "source:" + name). `on_role`: called with true
  // when this replica starts leading, false when it stops (metrics, /readyz).
  LeaderSource(std::string name, Factory factory, store::LeaseStore* leases, std::string owner,
               std::chrono::milliseconds lease, std::shared_ptr<spdlog::logger> log,
               std::function<void(bool)> on_role = nullptr);

  std::string name() const override { return name_; }
  // Returns when `stop` is requested, or with the error of a term whose source could not run.
  Status Run(std::stop_token stop, sources::EventSink& sink) override;

  bool leading() const { return leading_.load(); }

 private:
  // One term: runs a fresh source until the lease is lost, its deadline passes or `stop`.
  Status Lead(std::stop_token stop, sources::EventSink& sink, int64_t generation,
              std::chrono::steady_clock::time_point deadline);
  void SetLeading(bool leading);

  const std::string name_;
  const std::string lease_name_;
  Factory factory_;
  store::LeaseStore* leases_;
  const std::string owner_;
  const std::chrono::milliseconds lease_;
  std::shared_ptr<spdlog::logger> log_;
  std::function<void(bool)> on_role_;
  std::atomic<bool> leading_{false};
};

}  // namespace trailwatch::service
