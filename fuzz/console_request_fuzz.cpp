// libFuzzer target: the web console's parsers of what arrives before authentication (issue 15):
// the query and form body (console::ParseFormFields, QueryOf, FieldOr), the Cookie, Authorization
// and X-CSRF-Token headers and the client address (console::ConsoleAuth: Authenticate, CsrfValid,
// RateLimitedFor, a token Login), and the escapers every such value goes through before it is
// written into a page (EscapeHtml, EncodeUriComponent).
//
// Input: FuzzedDataProvider strings, each ended by a backslash and one other character ("\\" is a
// literal backslash): request target, form body, Cookie (one header per line), Authorization,
// X-CSRF-Token, remote address; the rest is the login secret.
//
// Each input gets a fresh ConsoleAuth (a fixed token, no users: crypt never runs, and a fake clock)
// so that rate limits do not carry over between inputs. Checked:
//   - ParseFormFields: at most kMaxFormFields fields, no empty name, no NUL byte (%00; see the
//     raw NUL note in CheckFormFields); the fields, encoded again with EncodeUriComponent, parse
//     back to the same fields; FieldOr finds each.
//   - QueryOf: what follows the first '?'.
//   - Authenticate: a right bearer token is let in, nothing else is (no session exists yet); a
//     session Login opens is found through its cookie and its CSRF token passes; CsrfValid accepts
//     only the exact token; after max_failures_per_address failures the address (IPv6: its /64,
//     IPv4-mapped: its IPv4 address) is refused even with the right token, until the window ends.
//   - EscapeHtml: no raw & < > " ' or NUL; decoding the five entities gives the input back (NUL as
//     U+FFFD). EncodeUriComponent: only unreserved characters and %XX; decoding gives the input.
// A broken invariant aborts so libFuzzer keeps the input.
//
// Run: make fuzz && build/fuzz/console_request_fuzz -max_total_time=60 /tmp/fz/console_request
// fuzz/corpus/console_request
#include <arpa/inet.h>
#include <fuzzer/FuzzedDataProvider.h>
#include <netinet/in.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "console/console_auth.h"
#include "console/form_fields.h"
#include "console/html.h"
#include "server/http_message.h"

namespace {

using trailwatch::console::ConsoleAuth;
using trailwatch::console::ConsoleAuthSettings;
using trailwatch::console::LoginOutcome;
using trailwatch::console::Principal;
using trailwatch::server::HttpRequest;

constexpr std::string_view kToken = "fuzz-console-token-0123456789";
constexpr std::string_view kCsrf = "fuzz-csrf-token-abcdefghijklmnopqrstuvwxyz0";
constexpr size_t kMaxPart = 4096 + 64;  // a little over the longest secret ConsoleAuth looks at

[[noreturn]] void Fail(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "console_request_fuzz: %s: %.*s\n", what,
               static_cast<int>(std::min<size_t>(detail.size(), 200)), detail.data());
  std::abort();
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;  // EncodeUriComponent writes upper case only
}

bool IsUnreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

void CheckEncodeUriComponent(std::string_view text) {
  std::string encoded = trailwatch::console::EncodeUriComponent(text);
  std::string decoded;
  for (size_t i = 0; i < encoded.size(); ++i) {
    char c = encoded[i];
    if (IsUnreserved(c)) {
      decoded.push_back(c);
      continue;
    }
    if (c != '%' || i + 2 >= encoded.size() || HexValue(encoded[i + 1]) < 0 ||
        HexValue(encoded[i + 2]) < 0) {
      Fail("EncodeUriComponent wrote a reserved character or a bad escape", encoded);
    }
    char byte = static_cast<char>(HexValue(encoded[i + 1]) * 16 + HexValue(encoded[i + 2]));
    if (IsUnreserved(byte)) Fail("EncodeUriComponent escaped an unreserved character", encoded);
    decoded.push_back(byte);
    i += 2;
  }
  if (decoded != text) Fail("EncodeUriComponent does not decode to its input", encoded);
}

void CheckEscapeHtml(std::string_view text) {
  std::string escaped = trailwatch::console::EscapeHtml(text);
  std::string decoded;
  for (size_t i = 0; i < escaped.size(); ++i) {
    char c = escaped[i];
    if (c == '<' || c == '>' || c == '"' || c == '\'' || c == '\0') {
      Fail("EscapeHtml left a raw < > \" ' or NUL", escaped);
    }
    if (c != '&') {
      decoded.push_back(c);
      continue;
    }
    std::string_view rest = std::string_view(escaped).substr(i);
    bool known = false;
    for (auto [entity, plain] : {std::pair<std::string_view, char>{"&amp;", '&'},
                                 {"&lt;", '<'},
                                 {"&gt;", '>'},
                                 {"&quot;", '"'},
                                 {"&#39;", '\''}}) {
      if (rest.starts_with(entity)) {
        decoded.push_back(plain);
        i += entity.size() - 1;
        known = true;
        break;
      }
    }
    if (!known) Fail("EscapeHtml left a raw & (not an entity it writes)", escaped);
  }
  std::string expected;
  for (char c : text) {
    if (c == '\0') {
      expected.append("\xEF\xBF\xBD");
    } else {
      expected.push_back(c);
    }
  }
  if (decoded != expected) Fail("EscapeHtml does not decode to its input", escaped);
  std::string appended = "<p>";
  trailwatch::console::AppendEscapedHtml(appended, text);
  if (appended.compare(0, 3, "<p>") != 0 || std::string_view(appended).substr(3) != escaped) {
    Fail("AppendEscapedHtml differs from EscapeHtml", appended);
  }
}

void CheckText(std::string_view text) {
  CheckEscapeHtml(text);
  CheckEncodeUriComponent(text);
}

void CheckFormFields(std::string_view encoded) {
  auto fields = trailwatch::console::ParseFormFields(encoded);
  if (!fields.ok()) {
    if (fields.message().empty()) Fail("error without a message", encoded);
    return;
  }
  if (fields->size() > trailwatch::console::kMaxFormFields) Fail("too many fields", encoded);
  std::string again;
  for (const auto& [name, value] : *fields) {
    if (name.empty()) Fail("an empty field name was kept", encoded);
    if (name.find('\0') != std::string::npos || value.find('\0') != std::string::npos) {
      Fail("a NUL byte was let through", encoded);
    }
    if (trailwatch::console::FieldOr(*fields, name) != value) Fail("FieldOr misses", name);
    CheckText(name);
    CheckText(value);
    if (!again.empty()) again.push_back('&');
    again.append(trailwatch::console::EncodeUriComponent(name))
        .append("=")
        .append(trailwatch::console::EncodeUriComponent(value));
  }
  constexpr std::string_view kAbsent = "\x01no such field";
  if (fields->find(kAbsent) == fields->end() &&
      !trailwatch::console::FieldOr(*fields, kAbsent).empty()) {
    Fail("FieldOr found an absent field", encoded);
  }
  auto reparsed = trailwatch::console::ParseFormFields(again);
  if (!reparsed.ok() || *reparsed != *fields) Fail("fields do not survive re-encoding", again);
}

void CheckQueryOf(std::string_view target) {
  std::string_view query = trailwatch::console::QueryOf(target);
  size_t question = target.find('?');
  std::string_view expected =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  if (query != expected) Fail("QueryOf is not what follows the first '?'", target);
  CheckFormFields(query);
}

// Other spellings of `address` that must share its failure budget: for an IPv6 address another
// host of its /64, for an IPv4-mapped one the IPv4 address. Empty when there is none.
std::string SiblingAddress(const std::string& address) {
  in6_addr v6{};
  if (inet_pton(AF_INET6, address.c_str(), &v6) != 1) return {};
  char text[INET6_ADDRSTRLEN];
  if (IN6_IS_ADDR_V4MAPPED(&v6)) {
    in_addr v4{};
    std::memcpy(&v4, v6.s6_addr + 12, 4);
    return inet_ntop(AF_INET, &v4, text, sizeof(text)) != nullptr ? text : std::string();
  }
  v6.s6_addr[15] ^= 1;
  // Flipping a bit of a ::ffff:0:0/96 neighbour cannot make it v4-mapped: only the last byte moves.
  return inet_ntop(AF_INET6, &v6, text, sizeof(text)) != nullptr ? text : std::string();
}

HttpRequest RequestFrom(const std::string& remote, std::string_view authorization = {},
                        std::string_view cookie = {}, std::string_view csrf = {}) {
  HttpRequest request;
  request.method = "GET";
  request.target = "/alerts";
  request.path = "/alerts";
  request.remote_address = remote;
  if (!authorization.empty()) request.headers.emplace_back("authorization", authorization);
  if (!cookie.empty()) request.headers.emplace_back("cookie", cookie);
  if (!csrf.empty()) request.headers.emplace_back("x-csrf-token", csrf);
  return request;
}

void CheckAuth(const HttpRequest& request, const std::string& secret) {
  using std::chrono::seconds;
  auto now = std::chrono::steady_clock::time_point() + std::chrono::hours(1);
  ConsoleAuthSettings settings;
  settings.token = std::string(kToken);
  ConsoleAuth auth(settings, [&now] { return now; });
  const std::string& remote = request.remote_address;

  // No session exists yet: only the right bearer token gets in.
  std::optional<Principal> principal = auth.Authenticate(request);
  std::string_view authorization = request.Header("authorization");
  if (principal) {
    if (principal->kind != Principal::Kind::kBearer || principal->name != "token") {
      Fail("let in without a session or the token", authorization);
    }
    if (authorization.find(kToken) == std::string_view::npos) {
      Fail("let in without the token", authorization);
    }
    if (!auth.CsrfValid(*principal, request)) Fail("CSRF refused for a bearer principal");
  } else if (authorization == "Bearer " + std::string(kToken)) {
    Fail("the right token was refused", remote);
  }
  // CSRF: only the exact token (surrounding blanks aside) passes; a made-up anonymous principal
  // never does outside `none` mode.
  std::string_view presented = request.Header("x-csrf-token");
  Principal session_like{Principal::Kind::kSession, "alice", std::string(43, 'A'),
                         std::string(kCsrf)};
  bool valid = auth.CsrfValid(session_like, request);
  while (!presented.empty() && (presented.front() == ' ' || presented.front() == '\t')) {
    presented.remove_prefix(1);
  }
  while (!presented.empty() && (presented.back() == ' ' || presented.back() == '\t')) {
    presented.remove_suffix(1);
  }
  if (valid != (presented == kCsrf)) Fail("CsrfValid disagrees with the token", presented);
  Principal anonymous{Principal::Kind::kNone, "anonymous", {}, std::string(kCsrf)};
  if (auth.CsrfValid(anonymous, request)) Fail("CSRF accepted for a made-up anonymous principal");

  seconds wait = auth.RateLimitedFor(remote);
  if (wait.count() != 0) Fail("rate-limited after at most one failure", remote);

  // A token login: right exactly when the secret is the token.
  LoginOutcome login = auth.Login(remote, "", secret);
  if (login.kind == LoginOutcome::Kind::kRateLimited) Fail("login rate-limited too early", remote);
  bool right = secret == kToken;
  if (right != (login.kind == LoginOutcome::Kind::kOk) &&
      login.kind != LoginOutcome::Kind::kUnavailable) {
    Fail("token login answered wrongly", secret);
  }
  if (login.kind == LoginOutcome::Kind::kOk) {
    std::string cookie = "theme=dark; tw_session=\"" + login.session_id + "\"";
    HttpRequest with_session = RequestFrom(remote, {}, cookie, login.csrf_token);
    std::optional<Principal> session = auth.Authenticate(with_session);
    if (!session || session->kind != Principal::Kind::kSession || session->name != "token" ||
        session->session_id != login.session_id) {
      Fail("the session Login opened is not found", cookie);
    }
    if (!auth.CsrfValid(*session, with_session)) Fail("the session's CSRF token is refused");
    if (ConsoleAuth::SessionCookie(login.session_id, true, seconds(60)).find(login.session_id) ==
        std::string::npos) {
      Fail("SessionCookie dropped the id", login.session_id);
    }
    auth.Logout(login.session_id);
    if (auth.Authenticate(with_session)) Fail("a session survived Logout", cookie);
  }

  // Failures until the address is refused, even with the right token; its /64 (or IPv4 spelling)
  // with it; the window's end lets it in again.
  const size_t limit = auth.settings().max_failures_per_address;
  std::string wrong = secret.substr(0, 4096 - 1) + "\x01";  // never the token (visible ASCII)
  bool limited = false;
  for (size_t i = 0; i <= limit && !limited; ++i) {
    LoginOutcome failed = auth.Login(remote, "", wrong);
    if (failed.kind == LoginOutcome::Kind::kOk) Fail("a wrong secret logged in", wrong);
    if (failed.kind == LoginOutcome::Kind::kRateLimited) {
      if (failed.retry_after < seconds(1) || failed.retry_after > auth.settings().failure_window) {
        Fail("retry_after out of the window", remote);
      }
      limited = true;
    }
  }
  if (!limited) Fail("never rate-limited", remote);
  wait = auth.RateLimitedFor(remote);
  if (wait < seconds(1) || wait > auth.settings().failure_window) Fail("bad wait", remote);
  std::string right_bearer = "Bearer " + std::string(kToken);
  if (auth.Authenticate(RequestFrom(remote, right_bearer))) Fail("limit let the token in", remote);
  std::string sibling = SiblingAddress(remote);
  if (!sibling.empty() && auth.RateLimitedFor(sibling).count() == 0) {
    Fail("the address's /64 or IPv4 spelling is not limited with it", sibling);
  }
  now += auth.settings().failure_window;
  if (auth.RateLimitedFor(remote).count() != 0) Fail("still limited after the window", remote);
  if (!auth.Authenticate(RequestFrom(remote, right_bearer))) Fail("token refused after window");
  (void)auth.stats();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider provider(data, size);
  std::string target = provider.ConsumeRandomLengthString(kMaxPart);
  std::string body = provider.ConsumeRandomLengthString(kMaxPart);
  std::string cookies = provider.ConsumeRandomLengthString(4 * kMaxPart);
  std::string authorization = provider.ConsumeRandomLengthString(kMaxPart);
  std::string csrf = provider.ConsumeRandomLengthString(kMaxPart);
  std::string remote = provider.ConsumeRandomLengthString(256);
  std::string secret = provider.ConsumeRemainingBytesAsString();

  CheckQueryOf(target);
  CheckFormFields(body);

  HttpRequest request;
  request.method = "POST";
  request.target = target;
  request.path = target.substr(0, target.find('?'));
  request.remote_address = remote;
  request.body = body;
  // Several Cookie headers (the parser keeps repeated headers in order): one per line.
  size_t start = 0;
  while (start < cookies.size()) {
    size_t end = cookies.find('\n', start);
    if (end == std::string::npos) end = cookies.size();
    request.headers.emplace_back("cookie", cookies.substr(start, end - start));
    start = end + 1;
  }
  if (!authorization.empty()) request.headers.emplace_back("authorization", authorization);
  request.headers.emplace_back("x-csrf-token", csrf);
  CheckAuth(request, secret);

  for (std::string_view text : {std::string_view(target), std::string_view(cookies),
                                std::string_view(authorization), std::string_view(secret)}) {
    CheckText(text);
  }
  return 0;
}
