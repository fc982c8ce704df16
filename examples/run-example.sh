#!/usr/bin/env bash
# `make run`: the live service on the bundled example (examples/trailwatch.yaml): a directory
# source over examples/cloudtrail (the AWS documentation's sign-in records), the root-signin,
# root-activity and console-signin-without-mfa packs, and the stdout target. With
# SLACK_WEBHOOK_URL set, every alert also goes to that Slack channel.
#
# The service keeps running and watching examples/cloudtrail: drop more CloudTrail log files
# (.json or .json.gz) there and their alerts appear. Ctrl-C stops it cleanly.
set -euo pipefail
TW=${1:-build/release/trailwatch}
cd "$(dirname "$0")/.."

config=examples/trailwatch.yaml
# A fresh store each time, so that the example alerts again (a real deployment keeps its store:
# checkpoints make a restart neither re-alert nor skip).
rm -rf build/example
mkdir -p build/example
if [ -n "${SLACK_WEBHOOK_URL:-}" ]; then
  # The URL stays in the environment: the config only names it (${env:...}).
  config=build/example/trailwatch-slack.yaml
  # Relative paths in a config resolve against its folder: this copy lives in build/example/,
  # so it names the example's folder and store absolutely.
  {
    sed -e "s|^store: ../build/example/|store: $PWD/build/example/|" \
        -e "s|path: cloudtrail}|path: $PWD/examples/cloudtrail}|" examples/trailwatch.yaml
    cat <<'YAML'
  - name: slack
    type: slack
    webhook_url: ${env:SLACK_WEBHOOK_URL}

routes:
  - {rules: ["*"], targets: [slack]}
YAML
  } > "$config"
  grep -q "store: $PWD/" "$config" && grep -q "path: $PWD/examples/cloudtrail" "$config" ||
    { echo "run-example.sh: cannot rewrite the paths of examples/trailwatch.yaml" >&2; exit 1; }
  echo "SLACK_WEBHOOK_URL is set: alerts also go to Slack"
fi

echo "\$ trailwatch validate --config $config"
"$TW" validate --config "$config"
echo
echo "\$ trailwatch run --config $config      (Ctrl-C to stop; web console: http://127.0.0.1:9465)"
exec "$TW" run --config "$config"
