#include "service/service_log.h"
#include "common/json_string.h"

#include <unistd.h>

#include <chrono>
#include <ctime>

#include <fmt/format.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>

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
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(
      format == LogFormat::kText ? spdlog::color_mode::automatic : spdlog::color_mode::never);
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
