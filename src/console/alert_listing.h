// The alert list's filters and its rows, shared by the Alerts page and GET /api/v1/alerts so that
// both read the same parameters the same way (docs/console.md):
//
//   from, to      event time range, RFC 3339 (`2022-11-10T16:00:00Z`); `to` is exclusive
//   severity      info | low | medium | high | critical, or several joined by commas
//   rule          a rule name (matches any rule an alert names)
//   account       a 12-digit account id
//   status        delivered | pending | dead: alerts with a delivery in that state
//   q             free text in identity, source IP or event name (case-insensitive)
//   cursor        the next_cursor of the previous page
//   limit         1-500 (default 50)
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/result.h"
#include "console/form_fields.h"
#include "render/json_writer.h"
#include "store/alert_history.h"

namespace trailwatch::console {

// Errors name the parameter and say what it should be.
Result<store::AlertQuery> ParseAlertFilters(const FormFields& fields);

// `2022-11-10T16:24:34Z` for Unix milliseconds; "" for 0.
std::string FormatTimeMs(int64_t ms);

// "delivered", "pending" (in flight counts as pending: it is being sent), "dead", "purged".
std::string_view DeliveryStatusName(const store::AlertDelivery& delivery);

// "info" ... "critical" for the stored number.
std::string_view SeverityLabel(int severity);

// One alert as the API shows it; with `full`, its alert and event JSON too.
void WriteAlertJson(render::JsonWriter& json, const store::StoredAlert& alert,
                    const std::map<std::string, std::string>& account_aliases, bool full);

}  // namespace trailwatch::console
