// JsonWriter: builds compact JSON text (objects, arrays, strings) for message bodies, inserting
// commas itself so the renderers read as the structure they produce. Strings are escaped by
// AppendJsonString (common/json_string.h), the one JSON string escaper.
//
// Thread-safety: one writer per thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/json_string.h"

namespace trailwatch::render {

class JsonWriter {
 public:
  JsonWriter& BeginObject() { return Open('{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& BeginArray() { return Open('['); }
  JsonWriter& EndArray() { return Close(']'); }

  // Inside an object: the member name; the next call writes its value.
  JsonWriter& Key(std::string_view name) {
    Separate();
    AppendJsonString(out_, name);
    out_.push_back(':');
    after_key_ = true;
    return *this;
  }
  JsonWriter& String(std::string_view value) {
    Separate();
    AppendJsonString(out_, value);
    return *this;
  }
  JsonWriter& Bool(bool value) { return Raw(value ? "true" : "false"); }
  JsonWriter& Int(long long value) { return Raw(std::to_string(value)); }
  JsonWriter& Null() { return Raw("null"); }
  // Already valid JSON text (a number, or an embedded document).
  JsonWriter& Raw(std::string_view json) {
    Separate();
    out_.append(json);
    return *this;
  }
  // Shorthands for one member.
  JsonWriter& Member(std::string_view name, std::string_view value) {
    return Key(name).String(value);
  }
  JsonWriter& MemberBool(std::string_view name, bool value) { return Key(name).Bool(value); }

  std::string Take() { return std::move(out_); }

 private:
  void Separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_.empty()) {
      if (!first_.back()) out_.push_back(',');
      first_.back() = false;
    }
  }
  JsonWriter& Open(char bracket) {
    Separate();
    out_.push_back(bracket);
    first_.push_back(true);
    return *this;
  }
  JsonWriter& Close(char bracket) {
    out_.push_back(bracket);
    first_.pop_back();
    return *this;
  }

  std::string out_;
  std::vector<bool> first_;  // per open container: nothing written in it yet
  bool after_key_ = false;
};

}  // namespace trailwatch::render
