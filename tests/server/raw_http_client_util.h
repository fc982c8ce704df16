// RawHttpClient: a TCP client that writes exactly the bytes a test gives it — malformed framing,
// pipelined requests, slow headers, endless bodies — and reads the server's answers, for the
// HTTP server's tests. Optionally binds a source address in 127.0.0.0/8, so that one test can
// play many clients (the server limits connections per client address).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace trailwatch::testing {

class RawHttpClient {
 public:
  // Connects to 127.0.0.1:port from `source_address` (empty = any); check connected().
  explicit RawHttpClient(int port, const std::string& source_address = "");
  ~RawHttpClient();
  RawHttpClient(RawHttpClient&& other) noexcept;
  RawHttpClient& operator=(RawHttpClient&& other) noexcept;
  RawHttpClient(const RawHttpClient&) = delete;
  RawHttpClient& operator=(const RawHttpClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  // Writes all of `bytes`; false when the connection broke (bytes_sent() says how far it got).
  bool Send(std::string_view bytes);
  size_t bytes_sent() const { return sent_; }
  // Reads until `count` complete answers (status line, headers, Content-Length body) arrived, the
  // peer closed, or `timeout` passed; returns the status codes read (ignoring 100 Continue).
  std::vector<int> ReadAnswers(size_t count, std::chrono::milliseconds timeout);
  // Everything read so far.
  const std::string& received() const { return received_; }
  // Whether the server closed the connection (a read returned 0 or a reset) within `timeout`.
  bool WaitClosed(std::chrono::milliseconds timeout);
  void Close();

 private:
  int fd_ = -1;
  size_t sent_ = 0;
  std::string received_;
  size_t parsed_ = 0;  // bytes of received_ already turned into answers
};

// One request on a fresh connection: the status (0 if none) and the seconds it took.
struct TimedAnswer {
  int status = 0;
  double seconds = 0;
};
TimedAnswer TimedRequest(int port, const std::string& request, std::chrono::milliseconds timeout);

// "POST /events" with `body`, Host and Content-Length set, and `extra_headers` ("Name: value\r\n"
// each).
std::string PostRequest(const std::string& path, const std::string& body,
                        const std::string& extra_headers = "");

// One chunk of a chunked body: `size` bytes of `fill` with its hex size line.
std::string Chunk(size_t size, char fill);

// The 99th percentile of `samples` (sorted copy; 0 when empty).
double Percentile99(std::vector<double> samples);

}  // namespace trailwatch::testing
