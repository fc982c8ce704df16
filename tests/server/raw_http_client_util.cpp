#include "server/raw_http_client_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace trailwatch::testing {

using Clock = std::chrono::steady_clock;

RawHttpClient::RawHttpClient(int port, const std::string& source_address) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  if (!source_address.empty()) {
    sockaddr_in source{};
    source.sin_family = AF_INET;
    inet_pton(AF_INET, source_address.c_str(), &source.sin_addr);
    if (bind(fd, reinterpret_cast<sockaddr*>(&source), sizeof(source)) != 0) {
      close(fd);
      return;
    }
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return;
  }
  int yes = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
  fd_ = fd;
}

RawHttpClient::~RawHttpClient() { Close(); }

RawHttpClient::RawHttpClient(RawHttpClient&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      sent_(other.sent_),
      received_(std::move(other.received_)),
      parsed_(other.parsed_) {}

RawHttpClient& RawHttpClient::operator=(RawHttpClient&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = std::exchange(other.fd_, -1);
    sent_ = other.sent_;
    received_ = std::move(other.received_);
    parsed_ = other.parsed_;
  }
  return *this;
}

void RawHttpClient::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

bool RawHttpClient::Send(std::string_view bytes) {
  while (!bytes.empty() && fd_ >= 0) {
    ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    sent_ += static_cast<size_t>(n);
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return bytes.empty();
}

namespace {

// One complete answer at `from`: its status and length, or status 0 when incomplete.
std::pair<int, size_t> NextAnswer(const std::string& text, size_t from) {
  size_t head_end = text.find("\r\n\r\n", from);
  if (head_end == std::string::npos || text.compare(from, 5, "HTTP/") != 0) return {0, 0};
  size_t space = text.find(' ', from);
  int status = space == std::string::npos ? 0 : std::atoi(text.c_str() + space + 1);
  size_t length = 0;
  std::string head = text.substr(from, head_end - from);
  std::transform(head.begin(), head.end(), head.begin(), ::tolower);
  size_t cl = head.find("\r\ncontent-length:");
  if (cl != std::string::npos) length = std::strtoul(head.c_str() + cl + 17, nullptr, 10);
  size_t end = head_end + 4 + length;
  if (end > text.size()) return {0, 0};
  return {status, end - from};
}

}  // namespace

std::vector<int> RawHttpClient::ReadAnswers(size_t count, std::chrono::milliseconds timeout) {
  std::vector<int> statuses;
  auto deadline = Clock::now() + timeout;
  while (fd_ >= 0) {
    while (true) {
      auto [status, length] = NextAnswer(received_, parsed_);
      if (status == 0) break;
      parsed_ += length;
      if (status != 100) statuses.push_back(status);
    }
    if (statuses.size() >= count) break;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buffer[16384];
    ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
    if (n <= 0) {
      // Closed: parse what is there one last time.
      while (true) {
        auto [status, length] = NextAnswer(received_, parsed_);
        if (status == 0) break;
        parsed_ += length;
        if (status != 100) statuses.push_back(status);
      }
      break;
    }
    received_.append(buffer, static_cast<size_t>(n));
  }
  return statuses;
}

bool RawHttpClient::WaitClosed(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (fd_ >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buffer[16384];
    ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
    if (n <= 0) return true;
    received_.append(buffer, static_cast<size_t>(n));
  }
  return true;
}

TimedAnswer TimedRequest(int port, const std::string& request, std::chrono::milliseconds timeout) {
  auto start = Clock::now();
  TimedAnswer answer;
  RawHttpClient client(port);
  if (client.connected() && client.Send(request)) {
    auto statuses = client.ReadAnswers(1, timeout);
    if (!statuses.empty()) answer.status = statuses[0];
  }
  answer.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return answer;
}

std::string PostRequest(const std::string& path, const std::string& body,
                        const std::string& extra_headers) {
  return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
         extra_headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string Chunk(size_t size, char fill) {
  char size_line[32];
  std::snprintf(size_line, sizeof(size_line), "%zx\r\n", size);
  std::string chunk(size_line);
  chunk.append(size, fill);
  chunk.append("\r\n");
  return chunk;
}

double Percentile99(std::vector<double> samples) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  size_t index = (samples.size() * 99 + 99) / 100;
  return samples[std::min(samples.size() - 1, index == 0 ? 0 : index - 1)];
}

}  // namespace trailwatch::testing
