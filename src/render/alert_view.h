// AlertView: what a person reads in an alert, derived once from the Alert's event, shared by the
// Slack, Teams and stdout renderers so that every target says the same thing.
//
// Sign-in records are normalised as docs/reference/formats.md §2.2 recommends: MFAUsed compared
// case-insensitively ("YES" is yes), a missing value is "unknown", not "No"; the principal is the
// ARN, else "user/<userName>", else the principal id. Attacker-controlled text (userName in failed
// sign-ins, user agents) is kept as data and escaped by each renderer.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "route/alert.h"
#include "common/result.h"

namespace trailwatch::render {

struct AlertView {
  std::string rule;            // the alert's rule; grouped: the highest-severity one
  // Every rule the alert names: `rule` first, then the others that matched the same event for
  // the same target (route::Alert::also_rules). Renderers show them all.
  std::vector<std::string> rules;
  route::Severity severity = route::Severity::kHigh;
  std::string emoji;           // e.g. ":rotating_light:" by severity / kind
  std::string title;           // "Root user signed in to the AWS console", "Root sign-in failed",
                               // "Console sign-in without MFA", else "<eventName> by <identity>"
  std::string account_id;
  std::string account_alias;   // from the accounts section, may be empty
  std::string region;
  std::string identity_type;   // userIdentity.type
  std::string identity;        // ARN, user/<name>, or principal id
  std::string source_ip;
  std::string user_agent;      // full
  std::string user_agent_short;// shortened for display
  std::string mfa_used;        // "yes", "no", "unknown"; empty when not a sign-in
  std::string result;          // "Success", "Failure", the errorCode, or empty
  std::string error_message;
  std::string event_name;
  std::string event_source;
  std::string event_id;
  std::string event_time;      // as in the record (UTC, ...Z)
  long long event_epoch = 0;   // seconds since epoch, for Slack's <!date^...> token
  std::string console_url;     // CloudTrail console link to the event
  // Added with the implementation: the same emoji as a Unicode character, for targets that do
  // not expand Slack's :shortcodes: (Teams, the terminal).
  std::string emoji_text;
  bool sign_in = false;        // eventSource signin.amazonaws.com (mfa_used is then set)
};

// Shortens a user agent for display: at most `max_chars` characters, cut at a word boundary when
// there is one in the second half, followed by "…"; whole when it fits.
std::string ShortenUserAgent(std::string_view user_agent, size_t max_chars = 60);

// The CloudTrail console's Event history link for one event (see alert_view.cpp for the form);
// empty when the region or the event id is not plausible.
std::string CloudTrailEventUrl(std::string_view region, std::string_view event_id);

// "[HIGH]": the severity in capitals between brackets, as the Slack fallback text and the Teams
// title start.
std::string SeverityTag(route::Severity severity);

// "rule `a`" or "rules `a`, `b`": the rules of a view as the message footers name them, each
// between `quote`s (Slack: a backtick; Teams and the terminal: nothing), as given (escaping is the
// caller's). At most kMaxRulesShown names, then "and N more", so that a footer stays short.
constexpr size_t kMaxRulesShown = 10;
std::string RulesText(const std::vector<std::string>& rules, std::string_view quote);

// Builds the view from an alert. Errors only when the event is not JSON.
Result<AlertView> MakeAlertView(const route::Alert& alert,
                                const std::map<std::string, std::string>& account_aliases);

}  // namespace trailwatch::render
