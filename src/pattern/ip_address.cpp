// IP literals and {"cidr": ...} blocks (docs/reference/event-patterns.md §2.3 E42-E48, §3.9).
//
// The order of checks and the reason texts follow event-ruler's CIDR.cidr(): split on '/' as Java's
// String.split does, parse the mask bits as Integer.parseInt does, then classify the address by
// *shape* (Constants.IPv4_REGEX / IPv6_REGEX) before parsing it, exactly as CIDR.ipToBytes() does:
// not IP-shaped -> "Nonstandard IP address", IP-shaped but unparseable -> "Invalid IP address".
// The parse itself stands in for java.net.InetAddress.getByName() on a literal.
#include "pattern/ip_address.h"

#include <unicode/uchar.h>

#include <algorithm>
#include <climits>
#include <cstddef>
#include <vector>

#include "common/ascii_digits.h"

namespace trailwatch::pattern {
namespace {

inline int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// event-ruler Constants.IPv4_REGEX: [0-9]+\.[0-9]+\.[0-9]+\.[0-9]+ (full match).
bool LooksLikeIpv4(std::string_view text) {
  int dots = 0;
  bool digit_before = false;
  for (char c : text) {
    if (IsAsciiDigit(c)) {
      digit_before = true;
    } else if (c == '.' && digit_before && dots < 3) {
      ++dots;
      digit_before = false;
    } else {
      return false;
    }
  }
  return dots == 3 && digit_before;
}

// event-ruler Constants.IPv6_REGEX: [0-9a-fA-F:]*:[0-9a-fA-F:]* (full match): hex digits and
// colons only, at least one colon. Dotted IPv4 tails, zone ids and brackets fail this shape.
bool LooksLikeIpv6(std::string_view text) {
  bool colon = false;
  for (char c : text) {
    if (c == ':') {
      colon = true;
    } else if (HexValue(c) < 0) {
      return false;
    }
  }
  return colon;
}

// Four decimal octets 0-255. A leading zero ("010") makes the text non-IP: JDKs disagree on it
// (old ones read decimal, new ones reject it as ambiguous), so trailwatch rejects it (§3.9, TW).
std::optional<IpAddress> ParseIpv4(std::string_view text) {
  if (!LooksLikeIpv4(text)) return std::nullopt;
  IpAddress address;
  size_t pos = 0;
  for (int octet = 0; octet < 4; ++octet) {
    const size_t start = pos;
    int value = 0;
    while (pos < text.size() && IsAsciiDigit(text[pos])) {
      if (pos - start >= 3) return std::nullopt;
      value = value * 10 + (text[pos] - '0');
      ++pos;
    }
    if (pos - start > 1 && text[start] == '0') return std::nullopt;
    if (value > 255) return std::nullopt;
    address.bytes[static_cast<size_t>(octet)] = static_cast<uint8_t>(value);
    ++pos;  // the '.'
  }
  return address;
}

// RFC 4291 text without an embedded IPv4 tail, parsed like inet_pton / Java's
// IPAddressUtil.textToNumericFormatV6: groups of 1-4 hex digits, at most one "::" which stands for
// at least one zero group, no single leading or trailing ':'.
std::optional<IpAddress> ParseIpv6(std::string_view text) {
  if (!LooksLikeIpv6(text) || text.size() < 2) return std::nullopt;
  std::array<uint8_t, 16> bytes{};
  size_t filled = 0;  // bytes written
  int gap_at = -1;    // byte index where "::" was seen
  size_t i = 0;
  if (text[0] == ':') {
    if (text[1] != ':') return std::nullopt;
    ++i;  // the first ':' of a leading "::"; the loop handles the second
  }
  bool group_open = false;
  unsigned group = 0;
  int group_digits = 0;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ':') {
      if (!group_open) {
        if (gap_at >= 0) return std::nullopt;  // a second "::", or ":::"
        gap_at = static_cast<int>(filled);
        continue;
      }
      if (i + 1 == text.size()) return std::nullopt;  // trailing single ':'
      if (filled + 2 > 16) return std::nullopt;
      bytes[filled++] = static_cast<uint8_t>(group >> 8);
      bytes[filled++] = static_cast<uint8_t>(group & 0xff);
      group_open = false;
      group = 0;
      group_digits = 0;
      continue;
    }
    if (++group_digits > 4) return std::nullopt;
    group = (group << 4) | static_cast<unsigned>(HexValue(c));
    group_open = true;
  }
  if (group_open) {
    if (filled + 2 > 16) return std::nullopt;
    bytes[filled++] = static_cast<uint8_t>(group >> 8);
    bytes[filled++] = static_cast<uint8_t>(group & 0xff);
  }
  if (gap_at >= 0) {
    if (filled == 16) return std::nullopt;  // "::" must stand for at least one group
    // The groups after "::" move to the end, the zeros in [filled, 16) before them. One rotate
    // rather than a byte loop (which was correct): GCC 12 read the loop as a 16-byte write into
    // 15 bytes (-Wstringop-overflow, a false positive).
    std::rotate(bytes.begin() + gap_at, bytes.begin() + static_cast<std::ptrdiff_t>(filled),
                bytes.end());
  } else if (filled != 16) {
    return std::nullopt;
  }
  IpAddress address;
  // Java's InetAddress turns an IPv4-mapped address (::ffff:a.b.c.d, RFC 4291 §2.5.5.2) into an
  // Inet4Address, so event-ruler treats "::ffff:a00:1" as 10.0.0.1 (IPAddressUtil
  // .convertFromIPv4MappedAddress). We do the same so that both directions agree with it.
  bool mapped = bytes[10] == 0xff && bytes[11] == 0xff;
  for (size_t k = 0; k < 10 && mapped; ++k) mapped = bytes[k] == 0;
  if (mapped) {
    for (size_t k = 0; k < 4; ++k) address.bytes[k] = bytes[12 + k];
    return address;
  }
  address.v6 = true;
  address.bytes = bytes;
  return address;
}

// Java's Integer.parseInt(s): optional '+'/'-', then one or more decimal digits, where a digit is
// any BMP character Java's Character.digit(c, 10) accepts (Unicode Nd, not only ASCII); overflow
// of int is a NumberFormatException. Returns false where Java would throw.
bool JavaParseInt(std::string_view text, int* out) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  if (i >= text.size()) return false;
  int64_t value = 0;
  while (i < text.size()) {
    // Decode one UTF-8 character; Java sees UTF-16 units, so supplementary characters are never
    // digits there.
    const auto lead = static_cast<unsigned char>(text[i]);
    UChar32 c = -1;
    size_t len = 1;
    if (lead < 0x80) {
      c = lead;
    } else if ((lead & 0xE0) == 0xC0 && i + 1 < text.size()) {
      c = ((lead & 0x1F) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3F);
      len = 2;
    } else if ((lead & 0xF0) == 0xE0 && i + 2 < text.size()) {
      c = ((lead & 0x0F) << 12) | ((static_cast<unsigned char>(text[i + 1]) & 0x3F) << 6) |
          (static_cast<unsigned char>(text[i + 2]) & 0x3F);
      len = 3;
    }
    const int digit = (c >= 0 && c <= 0xFFFF) ? u_charDigitValue(c) : -1;
    if (digit < 0 || digit > 9 || (c >= 0x80 && u_charType(c) != U_DECIMAL_DIGIT_NUMBER)) {
      return false;
    }
    value = value * 10 + digit;
    if (value > int64_t{INT_MAX} + (negative ? 1 : 0)) return false;
    i += len;
  }
  *out = static_cast<int>(negative ? -value : value);
  return true;
}

CidrParse Fail(std::string reason) {
  CidrParse result;
  result.reason = std::move(reason);
  return result;
}

}  // namespace

std::optional<IpAddress> ParseIpLiteral(std::string_view text) {
  if (auto v4 = ParseIpv4(text)) return v4;
  return ParseIpv6(text);
}

bool CidrBlock::Contains(const IpAddress& address) const {
  if (address.v6 != base.v6) return false;
  int bits = prefix_bits;
  for (size_t k = 0; bits > 0; ++k, bits -= 8) {
    const auto mask = static_cast<uint8_t>(bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff);
    if ((address.bytes[k] & mask) != base.bytes[k]) return false;
  }
  return true;
}

CidrParse ParseCidr(std::string_view text) {
  // Java's cidr.split("/") drops trailing empty strings, so "10.0.0.0/24/" splits into two parts
  // and is accepted, while "10.0.0.0/" yields one part (event-ruler CIDR.cidr).
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '/') {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  while (!parts.empty() && parts.back().empty()) parts.pop_back();
  if (parts.size() != 2) return Fail("Malformed CIDR, one '/' required");

  int mask_bits = -1;
  if (!JavaParseInt(parts[1], &mask_bits))
    return Fail("Malformed CIDR, mask bits must be an integer");
  if (mask_bits < 0) return Fail("Malformed CIDR, mask bits must not be negative");

  const std::string_view ip_text = parts[0];
  if (!LooksLikeIpv4(ip_text) && !LooksLikeIpv6(ip_text)) {
    return Fail("Nonstandard IP address: " + std::string(ip_text));
  }
  const std::optional<IpAddress> ip = ParseIpLiteral(ip_text);
  if (!ip) return Fail("Invalid IP address: " + std::string(ip_text));
  // event-ruler rejects the single-address masks /32 and /128 (§2.3 E45, E46).
  if (!ip->v6 && mask_bits > 31) return Fail("IPv4 mask bits must be < 32");
  if (ip->v6 && mask_bits > 127) return Fail("IPv6 mask bits must be < 128");

  CidrBlock block;
  block.prefix_bits = mask_bits;
  block.base.v6 = ip->v6;
  // Host bits are masked off (§3.9), so Contains() compares the prefix bytes directly.
  int bits = mask_bits;
  for (size_t k = 0; bits > 0 && k < 16; ++k, bits -= 8) {
    const auto mask = static_cast<uint8_t>(bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff);
    block.base.bytes[k] = ip->bytes[k] & mask;
  }
  CidrParse result;
  result.block = block;
  return result;
}

}  // namespace trailwatch::pattern
