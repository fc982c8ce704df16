// Record detection and iteration (see record_reader.h).
#include "cloudtrail/record_reader.h"

#include <cstdio>
#include <cstring>
#include <string>
#include <utility>

#include "cloudtrail/json_space.h"

namespace trailwatch::cloudtrail {
namespace {

namespace od = simdjson::ondemand;

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsJsonSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsJsonSpace(text.back())) text.remove_suffix(1);
  return text;
}

// object::raw_json() runs to the next structural character, so it includes the whitespace
// between the closing brace and the following ',' or ']'.
std::string_view TrimEnd(std::string_view text) {
  while (!text.empty() && IsJsonSpace(text.back())) text.remove_suffix(1);
  return text;
}

std::string_view TypeName(od::json_type type) {
  switch (type) {
    case od::json_type::array:
      return "an array";
    case od::json_type::object:
      return "an object";
    case od::json_type::number:
      return "a number";
    case od::json_type::string:
      return "a string";
    case od::json_type::boolean:
      return "a boolean";
    case od::json_type::null:
      return "null";
  }
  return "an unknown type";
}

std::string JsonErrorText(simdjson::error_code error) {
  switch (error) {
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
      return "truncated JSON (an object or array is not closed)";
    case simdjson::UNCLOSED_STRING:
      return "truncated or malformed JSON (a string is not closed)";
    case simdjson::EMPTY:
      return "no JSON value";
    default:
      return std::string("invalid JSON (") + simdjson::error_message(error) + ")";
  }
}

// True if `text` ends inside a string or with objects/arrays left open: the signature of a cut-off
// file. Only run on the error path, to turn simdjson's generic structure error into "truncated".
bool EndsUnclosed(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return in_string || depth > 0;
}

// Keys every CloudTrail record has had since eventVersion 1.0 (docs/reference/formats.md §1.3);
// used only to tell a record from some other JSON object when the format is auto-detected.
bool IsRecordKey(std::string_view key) {
  return key == "eventVersion" || key == "eventSource" || key == "eventName" || key == "eventTime";
}

// What the top-level keys of one object say about it.
struct ObjectShape {
  bool has_detail_type = false;
  bool has_detail = false;
  bool has_record_key = false;
  bool is_event() const { return has_detail_type && has_detail; }
};

void NoteKey(std::string_view key, ObjectShape& shape) {
  if (key == "detail-type") {
    shape.has_detail_type = true;
  } else if (key == "detail") {
    shape.has_detail = true;
  } else if (IsRecordKey(key)) {
    shape.has_record_key = true;
  }
}

// Walks the top-level keys of `object` (values are skipped, not validated) into `shape`.
simdjson::error_code ScanKeys(od::object& object, ObjectShape& shape) {
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (auto error = std::move(field_result).get(field)) return error;
    if (auto error = field.unescaped_key().get(key)) return error;
    NoteKey(key, shape);
  }
  return simdjson::SUCCESS;
}

// True when no structural token follows what has been consumed of `doc`.
bool AtEnd(od::document& doc) {
  const char* rest = nullptr;
  return doc.current_location().get(rest) == simdjson::OUT_OF_BOUNDS;
}

// Auto-detection between one JSON document and JSON lines, from the first two lines only (a
// 50 MB single-line log file must not be scanned twice). JSON lines: the first line is a whole
// object and more follows; or the first line is a broken object (not ending in '{', '[' or ',',
// which a pretty-printed document's first line would) followed by a line starting with '{'.
bool LooksLikeJsonLines(std::string_view text) {
  // A CloudTrail log file ({"Records":[...]}) is one document whatever its line breaks (its first
  // line may well end in '}'); no accepted JSON-lines shape starts with that key. This also spares
  // a 200 MB one-line file a search for a newline.
  std::string_view head = text.substr(1);
  while (!head.empty() && IsJsonSpace(head.front())) head.remove_prefix(1);
  if (head.starts_with("\"Records\"")) return false;
  const size_t eol = text.find('\n');
  if (eol == std::string_view::npos) return false;
  const std::string_view first = Trim(text.substr(0, eol));
  std::string_view rest = text.substr(eol + 1);
  while (!rest.empty() && IsJsonSpace(rest.front())) rest.remove_prefix(1);
  if (rest.empty() || first.empty()) return false;
  const char last = first.back();
  if (last == '}') return true;
  return rest.front() == '{' && last != '{' && last != '[' && last != ',';
}

}  // namespace

std::string_view InputFormatName(InputFormat format) {
  switch (format) {
    case InputFormat::kAuto:
      return "auto";
    case InputFormat::kLogFile:
      return "CloudTrail log file";
    case InputFormat::kRecordArray:
      return "JSON array of records";
    case InputFormat::kSingleRecord:
      return "single record";
    case InputFormat::kSingleEvent:
      return "single EventBridge event";
    case InputFormat::kRecordLines:
      return "JSON lines of records";
    case InputFormat::kEventLines:
      return "JSON lines of EventBridge events";
  }
  return "unknown";
}

struct RecordReader::Context {
  simdjson::padded_string_view text;  // the file's bytes, BOM skipped
  const char* padding_end = nullptr;  // end of the readable bytes (data + padding)
  std::string_view file_name;
  const RecordCallback& on_record;
  const BadRecordCallback& on_bad_record;
  ReadSummary summary;

  Error Fatal(const std::string& message) const {
    return Error{std::string(file_name) + ": " + message};
  }
  // A parse error met while walking the document at `where`.
  Error FatalAt(const std::string& where, simdjson::error_code error) const {
    if ((error == simdjson::TAPE_ERROR || error == simdjson::INCOMPLETE_ARRAY_OR_OBJECT) &&
        EndsUnclosed(text)) {
      return Fatal(where + ": truncated JSON (the file ends before its objects/arrays close)");
    }
    return Fatal(where + ": " + JsonErrorText(error));
  }
  void Deliver(std::string_view json, bool is_envelope, size_t line) {
    RawRecord record;
    record.json = json;
    record.is_envelope = is_envelope;
    record.line = line;
    record.index = summary.records + summary.bad_records;
    record.padded_capacity = static_cast<size_t>(padding_end - json.data());
    ++summary.records;
    on_record(record);
  }
  void Bad(const std::string& message) {
    ++summary.bad_records;
    on_bad_record(Error{std::string(file_name) + message});
  }
};

Result<ReadSummary> RecordReader::Read(simdjson::padded_string_view text,
                                       std::string_view file_name, const RecordCallback& on_record,
                                       const BadRecordCallback& on_bad_record) {
  Context context{text, text.data() + text.capacity(), file_name, on_record, on_bad_record, {}};
  if (text.empty()) return context.Fatal("empty file (0 bytes)");
  std::string_view view = text;
  if (view.starts_with("\xEF\xBB\xBF")) view.remove_prefix(3);  // UTF-8 BOM from some editors
  context.text = simdjson::padded_string_view(view, text.capacity() - (text.size() - view.size()));
  const std::string_view trimmed = Trim(view);
  if (trimmed.empty()) return context.Fatal("empty file (only whitespace)");

  InputFormat format = format_;
  if (format == InputFormat::kAuto) {
    const char first = trimmed.front();
    if (first == '[') {
      format = InputFormat::kRecordArray;
    } else if (first != '{') {
      char shown[64];
      std::snprintf(shown, sizeof(shown), "not JSON (the first character is byte 0x%02x)",
                    static_cast<unsigned char>(first));
      return context.Fatal(shown);
    } else if (LooksLikeJsonLines(trimmed)) {
      format = InputFormat::kRecordLines;  // refined per line; see ReadLines
    }
  }
  Status status;
  if (format == InputFormat::kRecordLines || format == InputFormat::kEventLines) {
    status = ReadLines(context, format_ == InputFormat::kAuto ? InputFormat::kAuto : format);
  } else {
    status = ReadDocument(context, format);
  }
  if (!status.ok()) return Error{status.message()};
  if (context.summary.format == InputFormat::kAuto) context.summary.format = format;
  return context.summary;
}

Status RecordReader::ReadDocument(Context& context, InputFormat format) {
  if (format == InputFormat::kRecordArray) return ReadArrayDocument(context);
  return ReadObjectDocument(context, format);
}

Status RecordReader::ReadArrayDocument(Context& context) {
  context.summary.format = InputFormat::kRecordArray;
  od::document doc;
  if (auto error = parser_.iterate(context.text).get(doc)) {
    return context.Fatal(JsonErrorText(error));
  }
  od::array array;
  if (auto error = doc.get_array().get(array)) {
    if (error == simdjson::INCORRECT_TYPE) {
      return context.Fatal("expected a JSON array of records");
    }
    return context.Fatal(JsonErrorText(error));
  }
  size_t index = 0;
  for (auto element_result : array) {
    // Built only on the error paths: a string per record showed up in the scan profile.
    // Appended rather than concatenated: GCC 12 warns falsely (-Wstringop-overflow) on it.
    const auto where = [i = index++] {
      std::string out = "[";
      out.append(std::to_string(i)).append("]");
      return out;
    };
    od::value element;
    if (auto error = std::move(element_result).get(element)) {
      return context.FatalAt(where(), error);
    }
    od::json_type type;
    if (auto error = element.type().get(type)) {
      return context.FatalAt(where(), error);
    }
    if (type != od::json_type::object) {
      context.Bad(": " + where() + ": not a JSON object (it is " + std::string(TypeName(type)) +
                  ")");
      continue;
    }
    od::object object;
    std::string_view raw;
    if (auto error = element.get_object().get(object)) {
      return context.FatalAt(where(), error);
    }
    if (auto error = object.raw_json().get(raw)) {
      return context.FatalAt(where(), error);
    }
    context.Deliver(TrimEnd(raw), false, 0);
  }
  if (!AtEnd(doc)) return context.Fatal("trailing content after the JSON array");
  return Status::Ok();
}

Status RecordReader::ReadObjectDocument(Context& context, InputFormat format) {
  od::document doc;
  if (auto error = parser_.iterate(context.text).get(doc)) {
    return context.Fatal(JsonErrorText(error));
  }
  od::object object;
  if (auto error = doc.get_object().get(object)) {
    if (error == simdjson::INCORRECT_TYPE) return context.Fatal("expected a JSON object");
    return context.Fatal(JsonErrorText(error));
  }
  const bool want_records = format == InputFormat::kAuto || format == InputFormat::kLogFile;
  bool saw_records = false;
  ObjectShape shape;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (auto error = std::move(field_result).get(field)) {
      return context.Fatal(JsonErrorText(error));
    }
    if (auto error = field.unescaped_key().get(key)) return context.Fatal(JsonErrorText(error));
    NoteKey(key, shape);
    if (key != "Records" || !want_records || saw_records) continue;
    saw_records = true;
    context.summary.format = InputFormat::kLogFile;
    od::value records_value = field.value();
    od::json_type type;
    if (auto error = records_value.type().get(type)) return context.Fatal(JsonErrorText(error));
    if (type != od::json_type::array) {
      return context.Fatal("\"Records\" is not an array (it is " + std::string(TypeName(type)) +
                           ")");
    }
    od::array records;
    if (auto error = records_value.get_array().get(records)) {
      return context.Fatal(JsonErrorText(error));
    }
    size_t index = 0;
    for (auto element_result : records) {
      const auto where = [i = index++] { return "Records[" + std::to_string(i) + "]"; };
      od::value element;
      if (auto error = std::move(element_result).get(element)) {
        return context.FatalAt(where(), error);
      }
      if (auto error = element.type().get(type)) {
        return context.FatalAt(where(), error);
      }
      if (type != od::json_type::object) {
        context.Bad(": " + where() + ": not a JSON object (it is " + std::string(TypeName(type)) +
                    ")");
        continue;
      }
      od::object record;
      std::string_view raw;
      if (auto error = element.get_object().get(record)) {
        return context.FatalAt(where(), error);
      }
      if (auto error = record.raw_json().get(raw)) {
        return context.FatalAt(where(), error);
      }
      context.Deliver(TrimEnd(raw), false, 0);
    }
  }
  if (!AtEnd(doc)) {
    return context.Fatal(
        "trailing content after the first JSON value (JSON lines need one object per line)");
  }
  if (saw_records) return Status::Ok();
  if (format == InputFormat::kLogFile) {
    return context.Fatal("not a CloudTrail log file: no \"Records\" key");
  }
  // A single object: the whole document is the record or event.
  const std::string_view whole = Trim(context.text);
  const bool as_event =
      format == InputFormat::kSingleEvent || (format == InputFormat::kAuto && shape.is_event());
  if (format == InputFormat::kSingleEvent && !shape.is_event()) {
    return context.Fatal("not an EventBridge event: no \"detail-type\" and \"detail\" keys");
  }
  if (format == InputFormat::kAuto && !as_event && !shape.has_record_key) {
    return context.Fatal(
        "not a CloudTrail log file, record or EventBridge event (no \"Records\", \"eventSource\", "
        "\"eventTime\", \"eventName\", \"eventVersion\" or \"detail-type\" key)");
  }
  context.summary.format = as_event ? InputFormat::kSingleEvent : InputFormat::kSingleRecord;
  context.Deliver(whole, as_event, 0);
  return Status::Ok();
}

Status RecordReader::ReadLines(Context& context, InputFormat format) {
  const std::string_view text = context.text;
  size_t line_number = 0;
  bool format_known = false;
  for (size_t pos = 0; pos < text.size();) {
    ++line_number;
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    const std::string_view line = Trim(text.substr(pos, eol - pos));
    pos = eol + 1;
    if (line.empty()) continue;
    // Appended rather than concatenated: GCC 12 warns falsely (-Wstringop-overflow) on it.
    const auto where = [line_number] {
      std::string out = ":";
      out.append(std::to_string(line_number)).append(": ");
      return out;
    };

    // Each line is parsed on its own; the rest of the buffer after it serves as padding.
    const simdjson::padded_string_view padded(
        line.data(), line.size(), static_cast<size_t>(context.padding_end - line.data()));
    od::document doc;
    od::object object;
    simdjson::error_code error = parser_.iterate(padded).get(doc);
    if (!error) error = doc.get_object().get(object);
    if (error == simdjson::INCORRECT_TYPE) {
      context.Bad(where() + "not a JSON object");
      continue;
    }
    ObjectShape shape;
    if (!error) error = ScanKeys(object, shape);
    if (error) {
      context.Bad(where() + JsonErrorText(error));
      continue;
    }
    if (!AtEnd(doc)) {
      context.Bad(where() + "trailing content after the JSON object");
      continue;
    }
    bool is_event = false;
    if (format == InputFormat::kEventLines) {
      if (!shape.is_event()) {
        context.Bad(where() + "not an EventBridge event: no \"detail-type\" and \"detail\" keys");
        continue;
      }
      is_event = true;
    } else if (format == InputFormat::kAuto) {
      is_event = shape.is_event();
      if (!is_event && !shape.has_record_key) {
        context.Bad(where() + "neither a CloudTrail record nor an EventBridge event");
        continue;
      }
    }
    if (!format_known) {
      // Report the file by its first good line; mixed files are still read line by line.
      context.summary.format = is_event ? InputFormat::kEventLines : InputFormat::kRecordLines;
      format_known = true;
    }
    context.Deliver(line, is_event, line_number);
  }
  if (!format_known) {
    context.summary.format =
        format == InputFormat::kEventLines ? InputFormat::kEventLines : InputFormat::kRecordLines;
  }
  return Status::Ok();
}

}  // namespace trailwatch::cloudtrail
