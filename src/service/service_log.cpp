#include "service/service_log.h"
#include "common/json_string.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <mutex>

#include <fmt/format.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>

#include "config/yaml_json.h"

namespace trailwatch::service {
namespace {

// RFC 3339 UTC with milliseconds: log lines from several machines sort and compare as text.
void AppendTime(std::chrono::system_clock::time_point when, spdlog::memory_buf_t& dest) {
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  fmt::format_to(std::back_inserter(dest), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                 utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                 utc.tm_sec, static_cast<int>(millis % 1000));
}

class JsonLogFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string line = "{\"time\":\"";
    spdlog::memory_buf_t time;
    AppendTime(msg.time, time);
    line.append(time.data(), time.size());
    line += "\",\"level\":";
    auto level = spdlog::level::to_string_view(msg.level);
    AppendJsonString(line, std::string_view(level.data(), level.size()));
    line += ",\"logger\":";
    AppendJsonString(line, std::string_view(msg.logger_name.data(), msg.logger_name.size()));
    line += ",\"message\":";
    AppendJsonString(line, std::string_view(msg.payload.data(), msg.payload.size()));
    line += "}\n";
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonLogFormatter>();
  }
};

// Writes each formatted line to a file descriptor with one write(2), colour codes included, so a
// line is never split by another writer of the same terminal (the stdout target's alerts, another
// thread's line). spdlog's stderr colour sink writes a line in up to five pieces (text, colour,
// level, reset, text) to the unbuffered stderr.
class LineSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  LineSink(int fd, bool colour) : fd_(fd), colour_(colour) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    std::string line;
    line.reserve(formatted.size() + 16);
    if (colour_ && msg.color_range_end > msg.color_range_start) {
      line.append(formatted.data(), msg.color_range_start);
      line.append(Colour(msg.level));
      line.append(formatted.data() + msg.color_range_start,
                  msg.color_range_end - msg.color_range_start);
      line.append("\033[m");
      line.append(formatted.data() + msg.color_range_end,
                  formatted.size() - msg.color_range_end);
    } else {
      line.append(formatted.data(), formatted.size());
    }
    WriteAll(line);
  }
  void flush_() override {}

 private:
  static const char* Colour(spdlog::level::level_enum level) {
    switch (level) {
      case spdlog::level::trace: return "\033[37m";
      case spdlog::level::debug: return "\033[36m";
      case spdlog::level::info: return "\033[32m";
      case spdlog::level::warn: return "\033[33m\033[1m";
      case spdlog::level::err: return "\033[31m\033[1m";
      case spdlog::level::critical: return "\033[1m\033[41m";
      default: return "";
    }
  }
  // One write(2) in the normal case; a partial write (a signal, a full pipe) continues the line.
  void WriteAll(const std::string& line) {
    size_t done = 0;
    while (done < line.size()) {
      ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // nowhere to report a broken log
      done += static_cast<size_t>(n);
    }
  }

  int fd_;
  bool colour_;
};

}  // namespace

Result<LogFormat> ParseLogFormat(const std::string& text) {
  if (text == "auto") return LogFormat::kAuto;
  if (text == "text") return LogFormat::kText;
  if (text == "json") return LogFormat::kJson;
  return Error("unknown log format \"" + text + "\" (expected auto, text or json)");
}

std::unique_ptr<spdlog::formatter> MakeJsonLogFormatter() {
  return std::make_unique<JsonLogFormatter>();
}

std::shared_ptr<spdlog::logger> MakeServiceLogger(LogFormat format, const std::string& level) {
  if (format == LogFormat::kAuto) {
    format = isatty(STDERR_FILENO) == 1 ? LogFormat::kText : LogFormat::kJson;
  }
  const bool colour = format == LogFormat::kText && isatty(STDERR_FILENO) == 1;
  auto sink = std::make_shared<LineSink>(STDERR_FILENO, colour);
  if (format == LogFormat::kJson) {
    sink->set_formatter(MakeJsonLogFormatter());
  } else {
    sink->set_formatter(std::make_unique<spdlog::pattern_formatter>(
        "%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ %v", spdlog::pattern_time_type::utc));
  }
  auto logger = std::make_shared<spdlog::logger>("trailwatch", sink);
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  return logger;
}

}  // namespace trailwatch::service
