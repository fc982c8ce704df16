#include "service/ha_cluster_util.h"

#include <httplib.h>
#include <signal.h>

#include <regex>
#include <sstream>
#include <thread>

namespace trailwatch::testing {
namespace {

std::string TailLines(const std::string& text, size_t lines) {
  size_t at = text.size();
  for (size_t seen = 0; at > 0 && seen <= lines;) {
    --at;
    if (text[at] == '\n') ++seen;
  }
  return at == 0 ? text : text.substr(at + 1);
}

}  // namespace

HaReplicas::HaReplicas(std::vector<std::string> args, std::string output_dir,
                       std::map<std::string, std::string> environment, size_t count)
    : args_(std::move(args)),
      output_dir_(std::move(output_dir)),
      environment_(std::move(environment)),
      count_(count),
      replicas_(count) {}

void HaReplicas::Start(size_t index) {
  std::lock_guard lock(mutex_);
  std::map<std::string, std::string> environment = environment_;
  std::string tag = "r";
  tag.append(std::to_string(index)).append("-").append(std::to_string(starts_));
  environment["TW_REPLICA"] = tag;
  auto process = std::make_unique<ServiceProcess>(args_, output_dir_, environment);
  replicas_[index] = Replica{std::move(process), 0, 0, tag};
  ++starts_;
}

bool HaReplicas::WaitReady(size_t index, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    {
      std::lock_guard lock(mutex_);
      Replica& replica = replicas_[index];
      if (!replica.process || !replica.process->Running()) return false;
      std::string log = replica.process->Stderr();
      int ops = LoggedOpsPort(log);
      int http = replica.process->ListeningPort();
      if (ops != 0 && http != 0) {
        replica.ops_port = ops;
        replica.http_port = http;
        return true;
      }
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void HaReplicas::Kill(size_t index) {
  std::lock_guard lock(mutex_);
  Replica& replica = replicas_[index];
  if (!replica.process) return;
  replica.process->Signal(SIGKILL);
  auto killed_at = std::chrono::system_clock::now();
  replica.process->WaitExit(std::chrono::seconds(10));
  retired_.emplace_back(Retired{index, replica.tag, std::move(replica.process), killed_at});
  replica = Replica{};
}

int HaReplicas::HttpPort(size_t index) const {
  std::lock_guard lock(mutex_);
  return replicas_[index].http_port;
}

int HaReplicas::OpsPort(size_t index) const {
  std::lock_guard lock(mutex_);
  return replicas_[index].ops_port;
}

std::string HaReplicas::Metrics(size_t index) const {
  int port = OpsPort(index);
  if (port == 0) return "";
  ReplicaReply reply = ReplicaGet(port, "/metrics");
  return reply.status == 200 ? reply.body : "";
}

std::vector<size_t> HaReplicas::Leaders(const std::string& source) const {
  std::string series = "trailwatch_source_leader{source=\"" + source + "\"}";
  std::vector<size_t> leaders;
  for (size_t index = 0; index < count_; ++index) {
    if (MetricSample(Metrics(index), series) == 1) leaders.push_back(index);
  }
  return leaders;
}

std::string HaReplicas::LogTails(size_t lines) const {
  std::lock_guard lock(mutex_);
  std::ostringstream out;
  auto one = [&](size_t index, const std::string& tag, const ServiceProcess& process,
                 const char* state) {
    out << "---- replica " << index << " " << tag << " (pid " << process.pid() << ", " << state
        << "), last " << lines << " lines of stderr ----\n"
        << TailLines(process.Stderr(), lines) << "\n";
  };
  for (const Retired& retired : retired_) {
    one(retired.index, retired.tag, *retired.process, "killed");
  }
  for (size_t index = 0; index < count_; ++index) {
    if (replicas_[index].process) {
      one(index, replicas_[index].tag, *replicas_[index].process, "last started");
    }
  }
  return out.str();
}

std::vector<HaReplicas::ProcessLog> HaReplicas::Logs() const {
  std::lock_guard lock(mutex_);
  std::vector<ProcessLog> logs;
  for (const Retired& retired : retired_) {
    logs.emplace_back(ProcessLog{retired.tag, retired.process->Stderr(), retired.killed_at});
  }
  for (const Replica& replica : replicas_) {
    if (replica.process) {
      logs.emplace_back(ProcessLog{replica.tag, replica.process->Stderr(), std::nullopt});
    }
  }
  return logs;
}

std::string HaReplicas::Tag(size_t index) const {
  std::lock_guard lock(mutex_);
  return replicas_[index].tag;
}

size_t HaReplicas::starts() const {
  std::lock_guard lock(mutex_);
  return starts_;
}

ReplicaReply ReplicaGet(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2);
  client.set_read_timeout(5);
  ReplicaReply reply;
  if (httplib::Result result = client.Get(path)) {
    reply.status = result->status;
    reply.body = result->body;
  }
  return reply;
}

ReplicaReply ReplicaPostJson(int port, const std::string& path, const std::string& body,
                       const std::map<std::string, std::string>& headers) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2);
  client.set_read_timeout(10);
  httplib::Headers sent;
  for (const auto& [name, value] : headers) sent.emplace(name, value);
  ReplicaReply reply;
  if (httplib::Result result = client.Post(path, sent, body, "application/json")) {
    reply.status = result->status;
    reply.body = result->body;
  }
  return reply;
}

}  // namespace trailwatch::testing
