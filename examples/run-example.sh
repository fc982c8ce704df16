#!/usr/bin/env bash
# `make run`: the main job on the bundled example. Until the service exists (issue 5) this shows the
# pattern engine: the first user's rule tested like `aws events test-event-pattern`, then the
# example rules over the AWS documentation's sign-in events.
set -euo pipefail
TW=${1:-build/release/trailwatch}
cd "$(dirname "$0")/.."

PATTERN='{"detail-type":["AWS Console Sign In via CloudTrail"],"detail":{"userIdentity":{"type":["Root"]}}}'
echo "== trailwatch test-pattern: the first user's rule against a root sign-in"
echo "\$ trailwatch test-pattern --event-pattern '$PATTERN' --event file://tests/fixtures/aws/eventbridge/root-consolelogin-success-mfa.envelope.constructed.json"
"$TW" test-pattern --event-pattern "$PATTERN" \
  --event file://tests/fixtures/aws/eventbridge/root-consolelogin-success-mfa.envelope.constructed.json

echo
echo "== an invalid pattern gets EventBridge's own reason (exit 2)"
echo "\$ trailwatch test-pattern --event-pattern '{\"detail\":{\"userIdentity\":{\"type\":\"Root\"}}}' --event ..."
"$TW" test-pattern --event-pattern '{"detail":{"userIdentity":{"type":"Root"}}}' \
  --event file://tests/fixtures/aws/eventbridge/root-consolelogin-success-mfa.envelope.constructed.json \
  2>&1 && status=0 || status=$?
echo "(exit $status)"

echo
echo "== trailwatch match: examples/rules.yaml over examples/events.jsonl"
echo "\$ trailwatch match --rules examples/rules.yaml --events examples/events.jsonl --print-matches"
"$TW" match --rules examples/rules.yaml --events examples/events.jsonl --print-matches
