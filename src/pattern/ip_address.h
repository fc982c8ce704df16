// IP literals and CIDR blocks as EventBridge understands them (docs/reference/event-patterns.md
// §3.9).
//
// An IPv4 literal is four dotted decimal octets 0-255 without leading zeros; an IPv6 literal is
// hex digits and colons only (at least one colon), valid RFC 4291 text, with optional "::".
// Embedded IPv4 tails, zone ids and brackets are not IP literals. Both the CIDR base and event
// values are normalised to bytes, so every IPv6 spelling is equivalent.
//
// Thread-safety: plain values and free functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace trailwatch::pattern {

// An address normalised to bytes. IPv4 uses bytes[0..3]; the rest are zero.
struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};
  bool operator==(const IpAddress&) const = default;
};

// Parses an IP literal; nullopt when the text is not an IPv4 or IPv6 literal as defined above.
std::optional<IpAddress> ParseIpLiteral(std::string_view text);

// A CIDR block with host bits masked off.
struct CidrBlock {
  IpAddress base;
  int prefix_bits = 0;
  // True iff `address` has the same family and lies inside the block.
  bool Contains(const IpAddress& address) const;
};

// Parses the value of a {"cidr": "..."} operator. On failure returns the exact EventBridge reason
// (E42-E48 of docs/reference/event-patterns.md §2.3), e.g. "Malformed CIDR, one '/' required",
// "IPv4 mask bits must be < 32", "Nonstandard IP address: xx.11.xx", "Invalid IP address: 999.1.1.1".
struct CidrParse {
  std::optional<CidrBlock> block;
  std::string reason;  // set when block is empty
};
CidrParse ParseCidr(std::string_view text);

}  // namespace trailwatch::pattern
