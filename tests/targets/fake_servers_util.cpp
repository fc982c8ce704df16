#include "targets/fake_servers_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>

#include "common/version.h"

namespace trailwatch::testing {

namespace {

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 202:
      return "Accepted";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 410:
      return "Gone";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

bool SendAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

FakeHttpServer::FakeHttpServer(FakeHandler handler) : handler_(std::move(handler)) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
  listen(listen_fd_, 64);
  socklen_t length = sizeof address;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

FakeHttpServer::~FakeHttpServer() {
  stop_ = true;
  acceptor_.join();
  {
    std::lock_guard lock(mutex_);
    for (int fd : open_fds_) shutdown(fd, SHUT_RDWR);
  }
  for (std::thread& thread : threads_) thread.join();
  close(listen_fd_);
}

std::string FakeHttpServer::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<FakeRequest> FakeHttpServer::Requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

size_t FakeHttpServer::RequestCount() const {
  std::lock_guard lock(mutex_);
  return requests_.size();
}

bool FakeHttpServer::WaitForRequests(size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return arrived_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
}

void FakeHttpServer::AcceptLoop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 20) <= 0) continue;
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard lock(mutex_);
    open_fds_.insert(fd);
    threads_.emplace_back([this, fd] { Serve(fd); });
  }
}

void FakeHttpServer::Serve(int fd) {
  std::string buffer;
  char chunk[65536];
  auto read_more = [&]() -> bool {
    while (!stop_) {
      pollfd p{fd, POLLIN, 0};
      int ready = poll(&p, 1, 20);
      if (ready == 0) continue;
      if (ready < 0) return false;
      ssize_t n = recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) return false;
      buffer.append(chunk, static_cast<size_t>(n));
      return true;
    }
    return false;
  };
  while (!stop_) {
    size_t header_end;
    while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
      if (!read_more()) goto done;
    }
    {
      FakeRequest request;
      std::string head = buffer.substr(0, header_end);
      size_t line_end = head.find("\r\n");
      std::string request_line = head.substr(0, line_end);
      size_t sp1 = request_line.find(' ');
      size_t sp2 = request_line.find(' ', sp1 + 1);
      request.method = request_line.substr(0, sp1);
      request.path = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
      size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
      while (pos < head.size()) {
        size_t end = head.find("\r\n", pos);
        if (end == std::string::npos) end = head.size();
        std::string line = head.substr(pos, end - pos);
        size_t colon = line.find(':');
        if (colon != std::string::npos) {
          std::string name = line.substr(0, colon);
          std::transform(name.begin(), name.end(), name.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
          size_t value_start = line.find_first_not_of(' ', colon + 1);
          request.headers[name] = value_start == std::string::npos ? "" : line.substr(value_start);
        }
        pos = end + 2;
      }
      size_t length = 0;
      if (auto it = request.headers.find("content-length"); it != request.headers.end()) {
        length = std::stoul(it->second);
      }
      buffer.erase(0, header_end + 4);
      while (buffer.size() < length) {
        if (!read_more()) goto done;
      }
      request.body = buffer.substr(0, length);
      buffer.erase(0, length);
      request.received_at = std::chrono::steady_clock::now();
      FakeResponse response = handler_(request);
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
      }
      arrived_.notify_all();
      auto until = std::chrono::steady_clock::now() + response.delay;
      while (!stop_ && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      std::string out =
          "HTTP/1.1 " + std::to_string(response.status) + " " + Reason(response.status) + "\r\n";
      out += "Content-Type: " + response.content_type + "\r\n";
      out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
      for (const auto& [name, value] : response.headers) out += name + ": " + value + "\r\n";
      out += "\r\n" + response.body;
      if (!SendAll(fd, out)) break;
    }
  }
done : {
  std::lock_guard lock(mutex_);
  open_fds_.erase(fd);
}
  close(fd);
}

ScriptedAnswers::ScriptedAnswers(std::vector<FakeResponse> script, FakeResponse fallback)
    : script_(script.begin(), script.end()), fallback_(std::move(fallback)) {}

FakeResponse ScriptedAnswers::Next() {
  std::lock_guard lock(mutex_);
  if (script_.empty()) return fallback_;
  FakeResponse next = std::move(script_.front());
  script_.pop_front();
  return next;
}

FakeHandler ScriptedAnswers::Handler() {
  return [this](const FakeRequest&) { return Next(); };
}

FakeSlackApi::FakeSlackApi() : server_([this](const FakeRequest& r) { return Answer(r); }) {}

void FakeSlackApi::ScriptPostErrors(std::vector<std::string> codes) {
  std::lock_guard lock(mutex_);
  post_errors_.assign(codes.begin(), codes.end());
}

void FakeSlackApi::ScriptPostResponses(std::vector<FakeResponse> responses) {
  std::lock_guard lock(mutex_);
  post_responses_.assign(responses.begin(), responses.end());
}

std::vector<FakeRequest> FakeSlackApi::Posts() const {
  std::vector<FakeRequest> posts;
  for (FakeRequest& r : server_.Requests()) {
    if (r.path == "/api/chat.postMessage") posts.push_back(std::move(r));
  }
  return posts;
}

std::vector<FakeRequest> FakeSlackApi::Updates() const {
  std::vector<FakeRequest> updates;
  for (FakeRequest& r : server_.Requests()) {
    if (r.path == "/api/chat.update") updates.push_back(std::move(r));
  }
  return updates;
}

FakeResponse FakeSlackApi::Answer(const FakeRequest& request) {
  std::lock_guard lock(mutex_);
  if (request.Header("authorization").rfind("Bearer ", 0) != 0) {
    return FakeResponse::Json(200, R"({"ok":false,"error":"not_authed"})");
  }
  if (request.path == "/api/chat.postMessage") {
    if (!post_responses_.empty()) {
      FakeResponse response = std::move(post_responses_.front());
      post_responses_.pop_front();
      return response;
    }
    if (!post_errors_.empty()) {
      std::string code = post_errors_.front();
      post_errors_.pop_front();
      if (!code.empty()) {
        return FakeResponse::Json(200, R"({"ok":false,"error":")" + code + R"("})");
      }
    }
    std::string ts = "1700000000." + std::to_string(100000 + next_ts_++);
    return FakeResponse::Json(
        200, R"({"ok":true,"channel":"C0123456789","ts":")" + ts + R"(","message":{}})");
  }
  if (request.path == "/api/chat.update") {
    return FakeResponse::Json(200, R"({"ok":true,"channel":"C0123456789","ts":"x"})");
  }
  return FakeResponse::Json(404, R"({"ok":false,"error":"unknown_method"})");
}

std::string ReferenceHmacSha256Hex(const std::string& key, const std::string& message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &size);
  std::string hex;
  char byte[3];
  for (unsigned i = 0; i < size; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", mac[i]);
    hex += byte;
  }
  return hex;
}

FakeWebhookReceiver::FakeWebhookReceiver(std::string secret, std::chrono::seconds tolerance)
    : secret_(std::move(secret)),
      tolerance_(tolerance),
      server_([this](const FakeRequest& r) { return Answer(r); }) {}

FakeWebhookReceiver::Tally FakeWebhookReceiver::Counts() const {
  std::lock_guard lock(mutex_);
  return tally_;
}

FakeResponse FakeWebhookReceiver::Answer(const FakeRequest& request) {
  auto refuse = [&](int status, std::string why) {
    std::lock_guard lock(mutex_);
    tally_.refusals.push_back(why);
    return FakeResponse::Text(status, why);
  };
  if (request.Header("user-agent") != std::string("trailwatch/") + Version()) {
    return refuse(400, "User-Agent is \"" + request.Header("user-agent") + "\"");
  }
  std::string timestamp = request.Header("x-trailwatch-timestamp");
  if (timestamp.empty() || timestamp.size() > 12 ||
      !std::all_of(timestamp.begin(), timestamp.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return refuse(401, "no X-Trailwatch-Timestamp in Unix seconds");
  }
  auto sent = std::chrono::seconds(std::stoll(timestamp));
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch());
  if (sent < now - tolerance_ || sent > now + tolerance_) return refuse(401, "stale timestamp");
  std::string expected = "sha256=" + ReferenceHmacSha256Hex(secret_, timestamp + "." + request.body);
  if (request.Header("x-trailwatch-signature") != expected) return refuse(401, "bad signature");
  std::lock_guard lock(mutex_);
  ++tally_.accepted;
  return FakeResponse::Text(204, "");
}

}  // namespace trailwatch::testing
