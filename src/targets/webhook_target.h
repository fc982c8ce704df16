// Generic webhook target (docs/reference/formats.md §7.5): POST the event (the EventBridge envelope
// JSON, or the input transformer's output) with Content-Type application/json, an Idempotency-Key
// header (a hash of the outbox idempotency key: the same alert always carries the same key, so a
// receiver can drop the repeat a crash may cause), the configured extra headers,
// X-Trailwatch-Timestamp (Unix seconds when the attempt was made) and, when hmac_secret is set,
// X-Trailwatch-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">. The signature covers
// the timestamp so that a receiver can refuse a replayed request (the scheme Slack and Stripe use);
// docs/webhook-signatures.md shows how to verify it. 2xx delivered; 408/429/5xx/transport errors
// transient; other statuses permanent.
//
// Thread-safety: Deliver is safe from many threads.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "targets/target.h"

namespace trailwatch::targets {

std::unique_ptr<Target> MakeWebhookTarget(const config::TargetConfig& target,
                                          const TargetContext& context);

// Lower-case hex HMAC-SHA256 of `body` keyed with `secret` (the signature header's value after
// "sha256=").
std::string HmacSha256Hex(const std::string& secret, const std::string& body);

// The X-Trailwatch-Signature value after "sha256=": HmacSha256Hex(secret, timestamp + "." + body).
std::string WebhookSignatureHex(const std::string& secret, const std::string& timestamp,
                                const std::string& body);

// Whole seconds since the Unix epoch, in decimal (the X-Trailwatch-Timestamp value).
std::string UnixSecondsText(std::chrono::system_clock::time_point when);

// The Idempotency-Key header value for an outbox idempotency key: 32 hex digits of its SHA-256.
std::string IdempotencyHeader(const std::string& idempotency_key);

}  // namespace trailwatch::targets
