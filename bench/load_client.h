// The load client of the service benchmarks (bench/service_load.cpp, bench/ha_load.cpp): a
// keep-alive HTTP/1.1 connection that POSTs to /events, distinct events cut from the root sign-in
// envelope, the CPU time of a process, and percentiles. Header-only: two small bench executables
// share it, nothing else does.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace trailwatch::bench {

// The api_key the benchmarks' http sources are configured with (${env:TW_LOAD_API_KEY}).
inline constexpr const char* kLoadApiKey = "load-test-api-key";

// One keep-alive HTTP/1.1 connection; reconnects when the server closes it.
class Connection {
 public:
  explicit Connection(int port) : port_(port) {}
  ~Connection() { Close(); }

  // POSTs `body` to /events; returns the status (0 on a transport error).
  int Post(const std::string& body) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (fd_ < 0 && !Connect()) return 0;
      std::string request = "POST /events HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: ";
      request += kLoadApiKey;
      request += "\r\nContent-Type: application/json\r\nContent-Length: " +
                 std::to_string(body.size()) + "\r\n\r\n" + body;
      if (!SendAll(request)) {
        Close();
        continue;
      }
      int status = ReadResponse();
      if (status == 0) {
        Close();
        continue;
      }
      return status;
    }
    return 0;
  }

 private:
  bool Connect() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port_));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      Close();
      return false;
    }
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    buffer_.clear();
    return true;
  }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  bool SendAll(const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
      ssize_t n = send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }
  int ReadResponse() {
    size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return 0;
    }
    std::string headers = buffer_.substr(0, header_end);
    int status = std::atoi(headers.c_str() + 9);
    size_t length = 0;
    std::string lower = headers;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (size_t at = lower.find("content-length:"); at != std::string::npos) {
      length = std::strtoul(lower.c_str() + at + 15, nullptr, 10);
    }
    while (buffer_.size() < header_end + 4 + length) {
      if (!Fill()) return 0;
    }
    buffer_.erase(0, header_end + 4 + length);
    if (lower.find("connection: close") != std::string::npos) Close();
    return status;
  }
  bool Fill() {
    char chunk[16384];
    ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int port_;
  int fd_ = -1;
  std::string buffer_;
};

// Distinct events from the root sign-in envelope: its envelope id and CloudTrail eventID are
// replaced by a serial number, and non-matching events get another identity type. The template is
// cut once, so that making an event costs the client almost nothing (it shares the CPUs with the
// service).
class EventMaker {
 public:
  explicit EventMaker(const std::string& templ) {
    std::string text = std::regex_replace(templ, std::regex("\"id\": *\"[^\"]*\""), "\"id\":\"@ID@\"");
    text = std::regex_replace(text, std::regex("deb1e1f9-c99b-4612-8e9f-21f93b5d79c0"), "@ID@");
    text = std::regex_replace(text, std::regex("\"Root\""), "\"@TYPE@\"");
    for (size_t at = 0;;) {
      size_t id = text.find("@ID@", at), type = text.find("@TYPE@", at);
      size_t next = std::min(id, type);
      pieces_.push_back(text.substr(at, next == std::string::npos ? std::string::npos : next - at));
      if (next == std::string::npos) break;
      kinds_.push_back(next == id ? 'i' : 't');
      at = next + (next == id ? 4 : 6);
    }
  }
  std::string Make(uint64_t serial, bool matching) const {
    char id[40];
    std::snprintf(id, sizeof id, "%08llx-0000-4000-8000-%012llx",
                  static_cast<unsigned long long>(serial >> 20),
                  static_cast<unsigned long long>(serial));
    std::string event = pieces_[0];
    for (size_t i = 0; i < kinds_.size(); ++i) {
      event += kinds_[i] == 'i' ? id : (matching ? "Root" : "IAMUser");
      event += pieces_[i + 1];
    }
    return event;
  }

 private:
  std::vector<std::string> pieces_;
  std::vector<char> kinds_;
};

// CPU time (user + system) the process `pid` has used so far, in seconds: fields 14 (utime) and 15
// (stime) of /proc/<pid>/stat, in clock ticks. For a process (not /proc/<pid>/task/<tid>/stat) the
// kernel sums all its threads, including threads that have already exited, so the service's
// worker, I/O and delivery threads are all counted. nullopt when the file cannot be read.
inline std::optional<double> ProcessCpuSeconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  // Field 2 is the command name in parentheses and may contain spaces: count from the last ')'.
  size_t close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(close + 1));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int number = 3; number <= 15 && fields >> field; ++number) {
    if (number == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
    if (number == 15) {
      stime = std::strtoull(field.c_str(), nullptr, 10);
      return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
    }
  }
  return std::nullopt;
}

inline double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t index = static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

}  // namespace trailwatch::bench
