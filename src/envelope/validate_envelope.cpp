#include "envelope/validate_envelope.h"

#include <string>

namespace trailwatch::envelope {
namespace {

void AssignString(simdjson::dom::element value, std::string* out) {
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS) {
    out->assign(text);
  } else {
    out->clear();
  }
}

}  // namespace

Status ValidateEnvelope(simdjson::dom::element event, Envelope* envelope) {
  simdjson::dom::object object;
  if (event.get_object().get(object) != simdjson::SUCCESS) return Error{"not a JSON object"};
  std::string* const targets[] = {&envelope->id,     &envelope->account, &envelope->source,
                                  &envelope->time,   &envelope->region,  &envelope->detail_type};
  for (size_t i = 0; i < kRequiredEnvelopeFields.size(); ++i) {
    simdjson::dom::element value;
    if (object.at_key(kRequiredEnvelopeFields[i]).get(value) != simdjson::SUCCESS) {
      return Error{"missing \"" + std::string(kRequiredEnvelopeFields[i]) + "\""};
    }
    AssignString(value, targets[i]);
  }
  envelope->event_id.clear();
  simdjson::dom::object detail;
  if (object.at_key("detail").get_object().get(detail) == simdjson::SUCCESS) {
    simdjson::dom::element event_id;
    if (detail.at_key("eventID").get(event_id) == simdjson::SUCCESS) {
      AssignString(event_id, &envelope->event_id);
    }
  }
  envelope->event_type_unknown = false;
  envelope->id_from_record_text = false;
  return Status::Ok();
}

Status ValidateEnvelopeText(std::string_view json, simdjson::dom::parser& parser,
                            Envelope* envelope) {
  simdjson::dom::element root;
  if (auto error = parser.parse(json.data(), json.size()).get(root)) {
    return Error{std::string("not JSON (") + simdjson::error_message(error) + ")"};
  }
  if (Status valid = ValidateEnvelope(root, envelope); !valid.ok()) return valid;
  envelope->json = simdjson::minify(root);
  return Status::Ok();
}

}  // namespace trailwatch::envelope
