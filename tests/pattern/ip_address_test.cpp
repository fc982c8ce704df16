// Tests for IP literals and cidr blocks (docs/reference/event-patterns.md §2.3 E42-E48, §3.9).
#include "pattern/ip_address.h"

#include <gtest/gtest.h>

namespace trailwatch::pattern {
namespace {

IpAddress Ip(std::string_view text) {
  std::optional<IpAddress> address = ParseIpLiteral(text);
  EXPECT_TRUE(address.has_value()) << text;
  return address.value_or(IpAddress{});
}

CidrBlock Block(std::string_view text) {
  CidrParse parsed = ParseCidr(text);
  EXPECT_TRUE(parsed.block.has_value()) << text << ": " << parsed.reason;
  return parsed.block.value_or(CidrBlock{});
}

std::string CidrRejectReason(std::string_view text) {
  CidrParse parsed = ParseCidr(text);
  EXPECT_FALSE(parsed.block.has_value()) << text;
  return parsed.reason;
}

TEST(IpLiteral, Ipv4) {
  const IpAddress a = Ip("10.0.0.33");
  EXPECT_FALSE(a.v6);
  EXPECT_EQ(a.bytes[0], 10);
  EXPECT_EQ(a.bytes[3], 33);
  EXPECT_EQ(a.bytes[4], 0);
  EXPECT_EQ(Ip("255.255.255.255").bytes[3], 255);
  EXPECT_EQ(Ip("0.0.0.0"), IpAddress{});
}

TEST(IpLiteral, NotIpv4) {
  for (const char* text : {"256.1.1.1", "999.1.1.1", "1.2.3", "1.2.3.4.5", "1..2.3", "1.2.3.4 ",
                           "010.1.1.1", "1.2.3.00", "a.b.c.d", "", "AWS Internal",
                           "ec2.amazonaws.com", "1.2.3.-4", "+1.2.3.4", "1234.1.1.1"}) {
    EXPECT_EQ(ParseIpLiteral(text), std::nullopt) << text;
  }
}

TEST(IpLiteral, Ipv6SpellingsAreEqual) {
  const IpAddress compressed = Ip("2001:db8::1");
  EXPECT_TRUE(compressed.v6);
  EXPECT_EQ(Ip("2001:0db8:0:0:0:0:0:1"), compressed);
  EXPECT_EQ(Ip("2001:0DB8:0000:0000:0000:0000:0000:0001"), compressed);
  EXPECT_EQ(Ip("2001:db8:0::0:1"), compressed);
  EXPECT_EQ(compressed.bytes[0], 0x20);
  EXPECT_EQ(compressed.bytes[1], 0x01);
  EXPECT_EQ(compressed.bytes[2], 0x0d);
  EXPECT_EQ(compressed.bytes[3], 0xb8);
  EXPECT_EQ(compressed.bytes[15], 0x01);
  EXPECT_EQ(Ip("::"), (IpAddress{true, {}}));
  EXPECT_EQ(Ip("::1").bytes[15], 1);
  EXPECT_EQ(Ip("1::").bytes[1], 1);
  EXPECT_EQ(Ip("1:2:3:4:5:6:7:8").bytes[15], 8);
}

TEST(IpLiteral, NotIpv6) {
  for (const char* text : {":", ":::", "1:::2", "1::2::3", ":1::2", "1::2:", "1:2:3:4:5:6:7:8:9",
                           "1:2:3:4:5:6:7", "1:2:3:4::5:6:7:8", "12345::", "g::1", "::ffff:1.2.3.4",
                           "fe80::1%eth0", "[::1]", "2001:db8::1 "}) {
    EXPECT_EQ(ParseIpLiteral(text), std::nullopt) << text;
  }
}

TEST(IpLiteral, Ipv4MappedIpv6IsIpv4) {
  // java.net.InetAddress (hence event-ruler) turns ::ffff:a.b.c.d into an IPv4 address.
  const IpAddress mapped = Ip("::ffff:a00:1");
  EXPECT_FALSE(mapped.v6);
  EXPECT_EQ(mapped, Ip("10.0.0.1"));
  EXPECT_TRUE(Ip("::fffe:a00:1").v6);
}

TEST(Cidr, Ipv4Containment) {
  const CidrBlock block = Block("10.0.0.0/24");
  EXPECT_FALSE(block.base.v6);
  EXPECT_EQ(block.prefix_bits, 24);
  EXPECT_TRUE(block.Contains(Ip("10.0.0.0")));
  EXPECT_TRUE(block.Contains(Ip("10.0.0.255")));
  EXPECT_FALSE(block.Contains(Ip("10.0.1.0")));
  EXPECT_FALSE(block.Contains(Ip("9.255.255.255")));
  EXPECT_FALSE(block.Contains(Ip("::a00:1")));  // other family

  const CidrBlock odd = Block("192.168.4.0/22");
  EXPECT_TRUE(odd.Contains(Ip("192.168.7.255")));
  EXPECT_FALSE(odd.Contains(Ip("192.168.8.0")));
  EXPECT_FALSE(odd.Contains(Ip("192.168.3.255")));

  const CidrBlock everything = Block("0.0.0.0/0");
  EXPECT_TRUE(everything.Contains(Ip("255.255.255.255")));
  EXPECT_FALSE(everything.Contains(Ip("::")));

  EXPECT_TRUE(Block("1.2.3.4/31").Contains(Ip("1.2.3.5")));
  EXPECT_FALSE(Block("1.2.3.4/31").Contains(Ip("1.2.3.6")));
}

TEST(Cidr, HostBitsAreMasked) {
  const CidrBlock block = Block("10.0.0.77/24");
  EXPECT_EQ(block.base, Ip("10.0.0.0"));
  EXPECT_TRUE(block.Contains(Ip("10.0.0.1")));
  EXPECT_TRUE(block.Contains(Ip("10.0.0.255")));

  const CidrBlock v6 = Block("2001:db8:1234:1a00:ffff::1/56");
  EXPECT_EQ(v6.base, Ip("2001:db8:1234:1a00::"));
  EXPECT_TRUE(v6.Contains(Ip("2001:db8:1234:1aff:ffff:ffff:ffff:ffff")));
}

TEST(Cidr, Ipv6ContainmentInAnySpelling) {
  const CidrBlock block = Block("2001:db8:1234:1a00::/64");
  EXPECT_TRUE(block.base.v6);
  EXPECT_TRUE(block.Contains(Ip("2001:0db8:1234:1a00:0000:0000:0000:0000")));
  EXPECT_TRUE(block.Contains(Ip("2001:DB8:1234:1A00:FFFF:FFFF:FFFF:FFFF")));
  EXPECT_TRUE(block.Contains(Ip("2001:db8:1234:1a00::42")));
  EXPECT_FALSE(block.Contains(Ip("2001:db8:1234:1a01::")));
  EXPECT_FALSE(block.Contains(Ip("10.0.0.1")));
  EXPECT_TRUE(Block("::/0").Contains(Ip("ffff::")));
  EXPECT_TRUE(Block("2001:db8::1/127").Contains(Ip("2001:db8::")));
}

TEST(Cidr, ReasonTextsInEventRulerOrder) {
  EXPECT_EQ(CidrRejectReason("10.0.0.0"), "Malformed CIDR, one '/' required");
  EXPECT_EQ(CidrRejectReason("10.0.0.0/"),
            "Malformed CIDR, one '/' required");  // Java split drops ""
  EXPECT_EQ(CidrRejectReason("10.0.0.0/8/8"), "Malformed CIDR, one '/' required");
  EXPECT_EQ(CidrRejectReason("/"), "Malformed CIDR, one '/' required");
  EXPECT_EQ(CidrRejectReason(""), "Malformed CIDR, one '/' required");
  EXPECT_EQ(CidrRejectReason("10.0.0.0/x"), "Malformed CIDR, mask bits must be an integer");
  EXPECT_EQ(CidrRejectReason("10.0.0.0/2.5"), "Malformed CIDR, mask bits must be an integer");
  EXPECT_EQ(CidrRejectReason("10.0.0.0/ 8"), "Malformed CIDR, mask bits must be an integer");
  EXPECT_EQ(CidrRejectReason("10.0.0.0/99999999999"),
            "Malformed CIDR, mask bits must be an integer");
  EXPECT_EQ(CidrRejectReason("10.0.0.0/-1"), "Malformed CIDR, mask bits must not be negative");
  EXPECT_EQ(CidrRejectReason("xx.11.xx/-1"), "Malformed CIDR, mask bits must not be negative");
  EXPECT_EQ(CidrRejectReason("10.0.0.0/32"), "IPv4 mask bits must be < 32");
  EXPECT_EQ(CidrRejectReason("10.0.0.0/33"), "IPv4 mask bits must be < 32");
  EXPECT_EQ(CidrRejectReason("2001:db8::/128"), "IPv6 mask bits must be < 128");
  EXPECT_EQ(CidrRejectReason("::ffff:a00:0/104"), "IPv4 mask bits must be < 32");  // mapped is IPv4
  EXPECT_EQ(CidrRejectReason("xx.11.xx/24"), "Nonstandard IP address: xx.11.xx");
  EXPECT_EQ(CidrRejectReason("xxxx:db8:1234:1a00::/64"),
            "Nonstandard IP address: xxxx:db8:1234:1a00::");
  EXPECT_EQ(CidrRejectReason("/24"), "Nonstandard IP address: ");
  EXPECT_EQ(CidrRejectReason("::ffff:1.2.3.4/120"), "Nonstandard IP address: ::ffff:1.2.3.4");
  EXPECT_EQ(CidrRejectReason("1.2.3/24"), "Nonstandard IP address: 1.2.3");
  EXPECT_EQ(CidrRejectReason("999.1.1.1/8"), "Invalid IP address: 999.1.1.1");
  EXPECT_EQ(CidrRejectReason("010.1.1.1/8"), "Invalid IP address: 010.1.1.1");  // leading zero (TW)
  EXPECT_EQ(CidrRejectReason("1::2::3/64"), "Invalid IP address: 1::2::3");
  EXPECT_EQ(CidrRejectReason(":/1"), "Invalid IP address: :");
}

TEST(Cidr, JavaIntegerParsingQuirks) {
  EXPECT_EQ(Block("10.0.0.0/24/").prefix_bits, 24);  // trailing empty part dropped by split
  EXPECT_EQ(Block("10.0.0.0/+8").prefix_bits, 8);
  EXPECT_EQ(Block("10.0.0.0/008").prefix_bits, 8);
  EXPECT_EQ(Block("10.0.0.0/-0").prefix_bits, 0);
  EXPECT_EQ(Block("10.0.0.0/\xd9\xa2\xd9\xa4").prefix_bits, 24);  // Arabic-Indic "24"
}

}  // namespace
}  // namespace trailwatch::pattern
