#include "scan/scan_test_util.h"

#include <fcntl.h>
#include <simdjson.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace trailwatch::scan::testing {

namespace {

std::string Quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

std::string Compact(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  if (parser.parse(json).get(element)) return json;
  return simdjson::minify(element);
}

std::string Gzip(std::string_view data) {
  z_stream stream{};
  deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&stream, data.size()) + 64, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

std::string Record(const RecordSpec& spec) {
  std::string identity = "{\"type\":" + Quote(spec.identity_type) +
                         ",\"principalId\":\"AIDAEXAMPLE\",\"accountId\":" + Quote(spec.account);
  if (spec.user_name.empty()) {
    identity += ",\"arn\":" + Quote("arn:aws:iam::" + spec.account + ":root");
  } else {
    identity += ",\"userName\":" + Quote(spec.user_name);
  }
  identity += "}";
  return "{\"eventVersion\":\"1.05\",\"userIdentity\":" + identity +
         ",\"eventTime\":" + Quote(spec.time) +
         ",\"eventSource\":\"signin.amazonaws.com\",\"eventName\":\"ConsoleLogin\",\"awsRegion\":" +
         Quote(spec.region) +
         ",\"sourceIPAddress\":\"192.0.2.1\",\"userAgent\":" + Quote(spec.user_agent) +
         ",\"requestParameters\":null,\"responseElements\":{\"ConsoleLogin\":\"Success\"},"
         "\"additionalEventData\":{\"MFAUsed\":\"No\"},\"eventID\":" +
         Quote(spec.event_id) +
         ",\"eventType\":\"AwsConsoleSignIn\",\"recipientAccountId\":" + Quote(spec.account) + "}";
}

std::string LogFile(const std::vector<std::string>& records) {
  std::string out = "{\"Records\":[";
  for (size_t i = 0; i < records.size(); ++i) {
    if (i) out += ",";
    out += records[i];
  }
  return out + "]}";
}

std::string GzippedLogWith(const std::vector<std::string>& event_ids) {
  std::vector<std::string> records;
  for (const std::string& id : event_ids) {
    RecordSpec spec;
    spec.event_id = id;
    records.push_back(Record(spec));
  }
  return Gzip(LogFile(records));
}

std::string LogKey(const std::string& account, const std::string& region, const std::string& date,
                   const std::string& hhmm, const std::string& unique, const std::string& org) {
  std::string yyyy = date.substr(0, 4), mm = date.substr(5, 2), dd = date.substr(8, 2);
  return "AWSLogs/" + (org.empty() ? "" : org + "/") + account + "/CloudTrail/" + region + "/" +
         yyyy + "/" + mm + "/" + dd + "/" + account + "_CloudTrail_" + region + "_" + yyyy + mm +
         dd + "T" + hhmm + "Z_" + unique + ".json.gz";
}

std::string WriteFile(const std::string& dir, const std::string& relative,
                      const std::string& content) {
  std::filesystem::path path = std::filesystem::path(dir) / relative;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
  return path.string();
}

CommandResult RunWithEnvironment(const std::vector<std::string>& args,
                                 const std::map<std::string, std::string>& environment) {
  return trailwatch::testing::RunTrailwatch(args, "", &environment);
}

std::map<std::string, double> ReadSummary(const std::string& path) {
  std::map<std::string, double> values;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.load(path).get(root)) return values;
  for (auto field : root.get_object()) {
    if (field.value.is_object()) {
      for (auto inner : field.value.get_object()) {
        values[std::string(field.key) + "." + std::string(inner.key)] = double(inner.value);
      }
    } else {
      values[std::string(field.key)] = double(field.value);
    }
  }
  return values;
}

std::vector<std::string> Column(const std::string& jsonl, const std::string& column) {
  std::vector<std::string> values;
  simdjson::dom::parser parser;
  std::istringstream lines(jsonl);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    simdjson::dom::element row;
    std::string_view value;
    if (parser.parse(line).get(row) || row[column].get_string().get(value)) {
      values.push_back("<unparsable>");
    } else {
      values.emplace_back(value);
    }
  }
  return values;
}

}  // namespace trailwatch::scan::testing
