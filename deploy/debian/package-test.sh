#!/usr/bin/env bash
# `make package-test`: the Debian package installed on a fresh Debian 12 root (issue 12).
#
#   deploy/debian/package-test.sh [BUILD_DIR]     (default build/release; `make package` first)
#
# 1. lintian on BUILD_DIR/package/trailwatch_*.deb: no errors (the warnings are printed).
# 2. deploy/trailwatch.service: `systemd-analyze security --offline=true` exposure <= 2.0.
# 3. A minimal bookworm root (mmdebstrap --variant=apt), cached under BUILD_DIR/package-test/
#    keyed by the UTC date; in a fresh copy of it (chroot, as root):
#    `apt-get install ./trailwatch_*.deb` (dependencies from Debian's archive), then
#    `trailwatch --version`, `trailwatch validate` of /etc/trailwatch/trailwatch.yaml (as root and
#    as the package's user), `trailwatch scan` of the packaged sample logs (root sign-ins found),
#    `trailwatch run` of the shipped configuration as the package's user (a sample log dropped
#    into its folder alerts; SIGTERM stops it with 0), validate refusing a missing source folder, the user, folders and conffile the package makes,
#    `systemd-analyze verify` and `security` of the installed unit (systemd installed in the root),
#    and `dpkg --purge`.
# 4. The Dockerfile's RUN in a second fresh root (as `docker build` would run it; there is no
#    container runtime here): the package keeps the image's trailwatch user 10001, and
#    `trailwatch validate` passes as the image's USER.
# Any failure exits 1: nothing is skipped (no mmdebstrap, no network: failure).
# Downloaded .debs and apt lists are kept beside the root tarball, so a second run the same day
# downloads nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build/release}
CACHE=$BUILD/package-test
MAX_EXPOSURE=2.0

fail() { echo "package-test: FAIL: $*" >&2; exit 1; }
started=$SECONDS
phase_start=$SECONDS
phase() {
  echo "package-test: $1 ($((SECONDS - phase_start)) s)"
  phase_start=$SECONDS
}

[ "$(id -u)" = 0 ] || fail "needs root: it builds a Debian root and chroots into it (sudo make package-test)"
for tool in mmdebstrap lintian systemd-analyze dpkg-deb; do
  command -v "$tool" >/dev/null || fail "$tool is missing (make deps installs it)"
done
mapfile -t debs < <(ls -t "$BUILD"/package/trailwatch_*.deb 2>/dev/null)
[ "${#debs[@]}" -ge 1 ] || fail "no $BUILD/package/trailwatch_*.deb: run make package"
deb=${debs[0]}
echo "package-test: $deb"

# 1. lintian: errors fail; warnings are listed in docs/deployment.md.
lintian --fail-on error "$deb" || fail "lintian reports errors on $deb"
phase "lintian: no errors"

# 2. The unit's exposure, as systemd-analyze rates it.
exposure_of() {
  local report level
  report=$("$@" 2>&1) || { echo "$report" >&2; fail "systemd-analyze security failed"; }
  level=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p' <<<"$report")
  [ -n "$level" ] || { echo "$report" >&2; fail "no overall exposure level in the output"; }
  awk -v l="$level" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(l <= m) }' ||
    { echo "$report" >&2; fail "exposure $level > $MAX_EXPOSURE"; }
  echo "$level"
}
level=$(exposure_of systemd-analyze security --offline=true deploy/trailwatch.service)
phase "deploy/trailwatch.service: exposure $level <= $MAX_EXPOSURE"

# 3. The root, built once a day.
mkdir -p "$CACHE"
day=$(date -u +%Y%m%d)
tarball=$CACHE/bookworm-apt-$day.tar
if [ ! -f "$tarball" ]; then
  rm -rf "$CACHE"/bookworm-apt-*.tar "$CACHE"/apt-lists-*
  # mmdebstrap picks the output format from the name: the partial file must end in .tar too.
  partial=$CACHE/partial-bookworm-apt-$day.tar
  mmdebstrap --variant=apt --quiet bookworm "$partial" ||
    fail "mmdebstrap could not build a bookworm root (network? a Debian mirror?)"
  mv "$partial" "$tarball"
  phase "built $tarball"
fi
root=$CACHE/root
cleanup() { rm -rf --one-file-system "$root"; }
trap cleanup EXIT
rm -rf --one-file-system "$root"
mkdir -p "$root" "$CACHE/archives"
tar -C "$root" -xf "$tarball" || fail "cannot unpack $tarball"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/"
cp "$CACHE"/archives/*.deb "$root/var/cache/apt/archives/" 2>/dev/null || true
lists=$CACHE/apt-lists-$day
if [ -d "$lists" ]; then
  cp -a "$lists/." "$root/var/lib/apt/lists/"
else
  chroot "$root" apt-get update -qq || fail "apt-get update in the root"
  mkdir -p "$lists.tmp" && cp -a "$root/var/lib/apt/lists/." "$lists.tmp/" && mv "$lists.tmp" "$lists"
fi
phase "root ready"

in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
apt_install() {
  in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}
apt_install "/tmp/$(basename "$deb")" > "$CACHE/apt-install.log" 2>&1 ||
  { cat "$CACHE/apt-install.log"; fail "apt-get install ./$(basename "$deb") in the root"; }
phase "apt-get install ./$(basename "$deb")"

version=$(in_root trailwatch --version) || fail "trailwatch --version"
echo "package-test: trailwatch --version: $version"
in_root trailwatch validate --config /etc/trailwatch/trailwatch.yaml ||
  fail "trailwatch validate of the packaged configuration"
in_root setpriv --reuid=trailwatch --regid=trailwatch --init-groups \
  trailwatch validate --config /etc/trailwatch/trailwatch.yaml ||
  fail "trailwatch validate as the trailwatch user"
rows=$(in_root trailwatch scan /usr/share/doc/trailwatch/examples/cloudtrail --output jsonl \
       --quiet) || fail "trailwatch scan of the packaged sample logs"
signins=$(grep -c '"rule": "root-signin"' <<<"$rows" || true)
[ "$signins" -ge 1 ] || fail "trailwatch scan found no root sign-in in the sample logs"
echo "package-test: trailwatch scan: $signins root sign-in rows"

# The shipped configuration runs as the package's user: a sample log dropped into its folder
# alerts on stdout (the journal under systemd), and SIGTERM stops it cleanly (exit 0).
sample=$(in_root find /usr/share/doc/trailwatch/examples/cloudtrail -name '*us-east-1*.json' | head -1)
[ -n "$sample" ] || fail "no sample log in /usr/share/doc/trailwatch/examples"
in_root install -o trailwatch -g trailwatch -m 0640 "$sample" /var/lib/trailwatch/cloudtrail/
set +e
in_root timeout --preserve-status --kill-after=10 6 \
  setpriv --reuid=trailwatch --regid=trailwatch --init-groups \
  trailwatch run --config /etc/trailwatch/trailwatch.yaml --log-format json \
  > "$CACHE/run.out" 2> "$CACHE/run.err"
status=$?
set -e
[ "$status" = 0 ] || { cat "$CACHE/run.err"; fail "trailwatch run as the trailwatch user exited $status"; }
grep -q '"rule":"root-signin"' "$CACHE/run.out" ||
  { cat "$CACHE/run.err"; fail "trailwatch run printed no root-signin alert for the sample log"; }
echo "package-test: trailwatch run: $(grep -c '"rule":"root-signin"' "$CACHE/run.out") alert(s), stopped by SIGTERM"

# A directory source whose folder is missing is an error of validate (exit 2), naming the path.
cat > "$root/tmp/missing-source.yaml" <<'YAML'
store: /var/lib/trailwatch/test.db
sources:
  - {type: directory, path: no-such-folder}
YAML
set +e
message=$(in_root trailwatch validate --config /tmp/missing-source.yaml 2>&1)
status=$?
set -e
[ "$status" = 2 ] || fail "validate of a missing source folder exited $status, not 2: $message"
grep -q "/tmp/no-such-folder" <<<"$message" ||
  fail "validate's error does not name /tmp/no-such-folder: $message"

# What the package made.
[ "$(in_root stat -c %U:%G:%a /var/lib/trailwatch)" = trailwatch:trailwatch:700 ] ||
  fail "/var/lib/trailwatch is not trailwatch:trailwatch 0700"
[ "$(in_root stat -c %U:%G:%a /etc/trailwatch/trailwatch.yaml)" = root:trailwatch:640 ] ||
  fail "/etc/trailwatch/trailwatch.yaml is not root:trailwatch 0640"
in_root dpkg-query -W -f='${Conffiles}\n' trailwatch | grep -q ' /etc/trailwatch/trailwatch.yaml ' ||
  fail "/etc/trailwatch/trailwatch.yaml is not a conffile"
in_root test -f /usr/share/man/man1/trailwatch.1.gz || fail "no manual page"
phase "trailwatch runs in the root"

# The installed unit, where its binaries exist: systemd-analyze verify and security.
apt_install systemd > "$CACHE/apt-install-systemd.log" 2>&1 ||
  { cat "$CACHE/apt-install-systemd.log"; fail "apt-get install systemd in the root"; }
in_root systemd-analyze verify --man=no /lib/systemd/system/trailwatch.service ||
  fail "systemd-analyze verify /lib/systemd/system/trailwatch.service"
level=$(exposure_of in_root systemd-analyze security --offline=true \
        /lib/systemd/system/trailwatch.service)
phase "installed unit: systemd-analyze verify passes, exposure $level"

# Purge: state and configuration gone, the user kept.
in_root dpkg --purge trailwatch > "$CACHE/purge.log" 2>&1 ||
  { cat "$CACHE/purge.log"; fail "dpkg --purge trailwatch"; }
for gone in /var/lib/trailwatch /etc/trailwatch /usr/bin/trailwatch \
            /lib/systemd/system/trailwatch.service; do
  ! in_root test -e "$gone" || fail "$gone is left after dpkg --purge"
done
in_root getent passwd trailwatch >/dev/null || fail "the trailwatch user was removed on purge"
phase "dpkg --purge"

cp -n "$root"/var/cache/apt/archives/*.deb "$CACHE/archives/" 2>/dev/null || true

# 4. deploy/container/Dockerfile's RUN, as `docker build` runs it (no container runtime here): in
#    a second fresh root, then what the image's USER 10001:10001 can do.
fresh_root() {
  rm -rf --one-file-system "$root"
  mkdir -p "$root"
  tar -C "$root" -xf "$tarball" || fail "cannot unpack $tarball"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  cp "$deb" "$root/tmp/"
  cp "$CACHE"/archives/*.deb "$root/var/cache/apt/archives/" 2>/dev/null || true
  # The day's lists: the RUN's apt-get update then only asks whether they changed.
  cp -a "$lists/." "$root/var/lib/apt/lists/"
}
fresh_root
docker_run=$(sed -n '/^RUN /,/[^\\]$/p' deploy/container/Dockerfile | sed -e 's/\\$//' -e 's/^RUN //' |
             tr '\n' ' ')
[ -n "$docker_run" ] || fail "no RUN instruction in deploy/container/Dockerfile"
docker_user=$(sed -n 's/^USER \([0-9]*\):\([0-9]*\)$/\1:\2/p' deploy/container/Dockerfile)
[ -n "$docker_user" ] || fail "deploy/container/Dockerfile has no numeric USER uid:gid"
in_root sh -c "set -e; $docker_run" > "$CACHE/docker-run.log" 2>&1 ||
  { cat "$CACHE/docker-run.log"; fail "the Dockerfile's RUN in a fresh root"; }
[ "$(in_root id -u trailwatch):$(in_root id -g trailwatch)" = "$docker_user" ] ||
  fail "the package did not keep the image's trailwatch user $docker_user"
[ "$(in_root stat -c %u:%g /var/lib/trailwatch)" = "$docker_user" ] ||
  fail "/var/lib/trailwatch is not owned by the image's user $docker_user"
in_root setpriv --reuid="${docker_user%:*}" --regid="${docker_user#*:}" --clear-groups \
  trailwatch validate --config /etc/trailwatch/trailwatch.yaml ||
  fail "trailwatch validate as the image's USER $docker_user"
in_root test -x /usr/bin/curl || fail "no curl for the Dockerfile's HEALTHCHECK"
phase "the Dockerfile's RUN: user $docker_user kept, validate passes as USER"
cp -n "$root"/var/cache/apt/archives/*.deb "$CACHE/archives/" 2>/dev/null || true

echo "package-test: passed in $((SECONDS - started)) s"
