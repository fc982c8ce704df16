#include "console/form_fields.h"

namespace trailwatch::console {
namespace {

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> PercentDecode(std::string_view text, std::string_view field) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      int high = i + 2 < text.size() ? HexDigitValue(text[i + 1]) : -1;
      int low = i + 2 < text.size() ? HexDigitValue(text[i + 2]) : -1;
      if (high < 0 || low < 0) {
        std::string message = "field ";
        message.append(field.substr(0, 64)).append(": malformed %-escape");
        return Error{message};
      }
      char decoded = static_cast<char>(high * 16 + low);
      if (decoded == '\0') {
        std::string message = "field ";
        message.append(field.substr(0, 64)).append(": NUL byte");
        return Error{message};
      }
      out.push_back(decoded);
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

Result<FormFields> ParseFormFields(std::string_view encoded) {
  FormFields fields;
  size_t count = 0;
  size_t start = 0;
  while (start <= encoded.size()) {
    size_t end = encoded.find('&', start);
    if (end == std::string_view::npos) end = encoded.size();
    std::string_view pair = encoded.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) {
      if (end == encoded.size()) break;
      continue;
    }
    if (++count > kMaxFormFields) {
      return Error{"more than " + std::to_string(kMaxFormFields) + " fields"};
    }
    size_t equals = pair.find('=');
    std::string_view raw_name = pair.substr(0, equals);
    std::string_view raw_value =
        equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);
    auto name = PercentDecode(raw_name, "name");
    if (!name.ok()) return name.error();
    auto value = PercentDecode(raw_value, *name);
    if (!value.ok()) return value.error();
    if (name->empty()) continue;
    fields.emplace(std::move(name.value()), std::move(value.value()));
    if (end == encoded.size()) break;
  }
  return fields;
}

std::string_view QueryOf(std::string_view target) {
  size_t question = target.find('?');
  return question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
}

std::string FieldOr(const FormFields& fields, std::string_view name) {
  auto found = fields.find(name);
  return found == fields.end() ? std::string() : found->second;
}

}  // namespace trailwatch::console
