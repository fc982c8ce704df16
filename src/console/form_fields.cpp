#include "console/form_fields.h"

#include "common/percent_decode.h"

namespace trailwatch::console {
namespace {

Result<std::string> DecodeField(std::string_view text, std::string_view field) {
  std::optional<std::string> decoded = PercentDecodeForm(text);
  std::string message = "field ";
  message.append(field.substr(0, 64));
  if (!decoded) return Error{message.append(": malformed %-escape")};
  if (decoded->find('\0') != std::string::npos) return Error{message.append(": NUL byte")};
  return std::move(*decoded);
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
    auto name = DecodeField(raw_name, "name");
    if (!name.ok()) return name.error();
    auto value = DecodeField(raw_value, *name);
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
