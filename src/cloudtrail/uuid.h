// UUIDs for envelope ids: parsing, formatting and name-based UUIDv5 (RFC 4122 §4.3, SHA-1).
//
// The envelope id of a record read from a file is UUIDv5(project namespace, eventID)
// (docs/reference/formats.md §3.4), so re-ingesting the same file yields the same id.
//
// Thread-safety: all functions are pure; Uuid is a plain value.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace trailwatch::cloudtrail {

struct Uuid {
  std::array<std::uint8_t, 16> bytes{};

  // Canonical lower-case 8-4-4-4-12 text.
  std::string ToString() const;
  // Parses 8-4-4-4-12 hex text (either case); nullopt on anything else.
  static std::optional<Uuid> Parse(std::string_view text);

  friend bool operator==(const Uuid&, const Uuid&) = default;
};

// The fixed trailwatch namespace for envelope ids, c1f1e4ff-8e19-482f-9b6e-5b65860592b7
// (docs/reference/formats.md §3.4: "never change it" — every stored id and dedup key depends on
// it).
inline constexpr Uuid kEnvelopeIdNamespace{{0xc1, 0xf1, 0xe4, 0xff, 0x8e, 0x19, 0x48, 0x2f, 0x9b,
                                            0x6e, 0x5b, 0x65, 0x86, 0x05, 0x92, 0xb7}};

// UUIDv5: SHA-1 over namespace bytes + name bytes, first 16 bytes, version 5, RFC 4122 variant.
// Fails only if OpenSSL cannot provide SHA-1 (e.g. a FIPS provider without it).
Result<Uuid> UuidV5(const Uuid& name_space, std::string_view name);

}  // namespace trailwatch::cloudtrail
