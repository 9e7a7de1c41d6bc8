#!/usr/bin/env bash
# Export and import throughput (issue 12): a signed apt repository with SIZE_MB of incompressible
# packages is recorded at T through reprox, then `reprox export` and `reprox import` run under
# -Xmx$XMX (default 128m) with the server stopped; MB/s, peak RSS and the bundle size are printed.
# Instance B (the import) then serves every package at T offline and each sha256 is checked.
#
#   benchmarks/run-bundle.sh                 # 1 GiB: 64 packages of 16 MiB
#   SIZE_MB=256 benchmarks/run-bundle.sh     # quicker
#
# Environment: SIZE_MB (default 1024), PKG_MB (default 16), XMX (default 128m), REPROX_JAR
# (default proxy-server/target/reprox.jar, built offline when missing), WORK (default
# benchmarks/target/bundle), KEEP=1 keeps the work directory.
# Needs: java 17, nginx, curl, gpg, python3, sha256sum, /usr/bin/time.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-$ROOT/benchmarks/target/bundle}
SIZE_MB=${SIZE_MB:-1024}
PKG_MB=${PKG_MB:-16}
XMX=${XMX:-128m}
REPROX_JAR=${REPROX_JAR:-$ROOT/proxy-server/target/reprox.jar}
PY=${PYTHON:-python3}
T=20240301T000000Z

PIDS=()
cleanup() {
  local rc=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  GNUPGHOME="$WORK/gnupg" gpgconf --kill gpg-agent 2>/dev/null || true # gpg started it for the signing
  if [[ ${KEEP:-0} != 1 ]]; then rm -rf "$WORK/a-data" "$WORK/b-data" "$WORK/www" "$WORK/t.bundle"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# shellcheck source=benchmarks/lib.sh
source "$ROOT/benchmarks/lib.sh" # log, die, free_ports, wait_http, signing_key, write_release, start_nginx
for tool in java nginx curl gpg "$PY" sha256sum /usr/bin/time; do
  command -v "$tool" >/dev/null || die "needs $tool"
done

rm -rf "$WORK/a-data" "$WORK/b-data" "$WORK/run" "$WORK/logs" "$WORK/t.bundle"
mkdir -p "$WORK"/{run,logs} "$WORK/www/debian/dists/bench/main/binary-amd64"
read -r UP_PORT RX_PORT <<<"$(free_ports 2)"
COUNT=$((SIZE_MB / PKG_MB))
log "$COUNT packages of $PKG_MB MiB; upstream $UP_PORT, reprox $RX_PORT; work dir $WORK"

# ---------------------------------------------------------------- 1. a signed repository
packages="$WORK/www/debian/dists/bench/main/binary-amd64/Packages"
: >"$packages"
declare -A SHA
for i in $(seq -w 1 "$COUNT"); do
  rel="pool/main/b/bench-$i/bench-${i}_1.0_amd64.deb"
  f="$WORK/www/debian/$rel"
  mkdir -p "$(dirname "$f")"
  if [[ ! -f $f || $(stat -c %s "$f") != $((PKG_MB * 1024 * 1024)) ]]; then
    head -c $((PKG_MB * 1024 * 1024)) /dev/urandom >"$f" # incompressible, like a .deb's xz members
  fi
  SHA[$i]=$(sha256sum "$f" | cut -d' ' -f1)
  cat >>"$packages" <<EOF
Package: bench-$i
Version: 1.0
Architecture: amd64
Maintainer: reprox benchmarks <bench@reprox.invalid>
Filename: $rel
Size: $(stat -c %s "$f")
SHA256: ${SHA[$i]}
Description: benchmark payload $i

EOF
done
gzip -9nkf "$packages"
signing_key "$WORK/gnupg" "$WORK/run/bench-keyring.gpg"
RELEASE_DATE="Thu, 29 Feb 2024 00:00:00 UTC" write_release "$WORK/www/debian/dists/bench" bench \
  main/binary-amd64/Packages main/binary-amd64/Packages.gz # dated before T

start_nginx "$WORK/run" "$UP_PORT" "$WORK/www"

# ---------------------------------------------------------------- 2. record T through instance A
if [[ ! -f $REPROX_JAR ]]; then
  log "building $REPROX_JAR"
  (cd "$ROOT" && ./mvnw -B -o -q -DskipTests -DskipFuzz=true package -pl proxy-server -am)
fi
cp "$REPROX_JAR" "$WORK/run/reprox.jar" # other builds may replace the jar while this runs
cat >"$WORK/run/reprox.yaml" <<EOF
repositories:
  bench:
    format: apt
    upstream: http://127.0.0.1:$UP_PORT/debian
    keyring: $WORK/run/bench-keyring.gpg
EOF
serve() { # data dir, extra flags…
  local data=$1
  shift
  java -Xmx256m -jar "$WORK/run/reprox.jar" serve --config "$WORK/run/reprox.yaml" --data "$data" \
    --listen "127.0.0.1:$RX_PORT" "$@" >>"$WORK/logs/reprox.log" 2>&1 &
  RX_PID=$!
  PIDS+=($RX_PID)
  wait_http "http://127.0.0.1:$RX_PORT/healthz" reprox $RX_PID
}
stop_reprox() {
  kill "$RX_PID"
  wait "$RX_PID" 2>/dev/null || true
}
fetch_all() { # checks every package's sha256 at T
  local base="http://127.0.0.1:$RX_PORT/bench/@$T"
  curl -fsS -o /dev/null "$base/dists/bench/InRelease" || die "InRelease at T"
  curl -fsS -o /dev/null "$base/dists/bench/main/binary-amd64/Packages.gz" || die "Packages.gz at T"
  for i in "${!SHA[@]}"; do
    got=$(curl -fsS "$base/pool/main/b/bench-$i/bench-${i}_1.0_amd64.deb" | sha256sum | cut -d' ' -f1)
    [[ $got == "${SHA[$i]}" ]] || die "bench-$i at T: sha256 $got"
  done
}
serve "$WORK/a-data"
fetch_all
stop_reprox
log "recorded $COUNT packages at $T through instance A"

# ---------------------------------------------------------------- 3. export, import under -Xmx$XMX
timed() { # label, command…: prints seconds and peak RSS (KiB)
  local label=$1
  shift
  /usr/bin/time -f "%e %M" -o "$WORK/logs/$label.time" "$@" >"$WORK/logs/$label.out" 2>&1 \
    || { cat "$WORK/logs/$label.out" >&2; die "$label"; }
  read -r SECONDS_TAKEN RSS_KB <"$WORK/logs/$label.time"
}
payload_mb=$(( $(du -sb "$WORK/www/debian/pool" | cut -f1) / 1024 / 1024 ))
timed export java -Xmx"$XMX" -jar "$WORK/run/reprox.jar" export --config "$WORK/run/reprox.yaml" \
  --data "$WORK/a-data" --repo bench --at "$T" -o "$WORK/t.bundle"
export_s=$SECONDS_TAKEN export_rss=$RSS_KB
bundle_mb=$(( $(stat -c %s "$WORK/t.bundle") / 1024 / 1024 ))
timed import java -Xmx"$XMX" -jar "$WORK/run/reprox.jar" import --config "$WORK/run/reprox.yaml" \
  --data "$WORK/b-data" "$WORK/t.bundle"
import_s=$SECONDS_TAKEN import_rss=$RSS_KB
timed reimport java -Xmx"$XMX" -jar "$WORK/run/reprox.jar" import --config "$WORK/run/reprox.yaml" \
  --data "$WORK/b-data" "$WORK/t.bundle"
reimport_s=$SECONDS_TAKEN
grep -q "nothing changed" "$WORK/logs/reimport.out" || die "second import changed something"

# ---------------------------------------------------------------- 4. B serves T offline
serve "$WORK/b-data" --offline
fetch_all
stop_reprox
log "instance B served all $COUNT packages at $T offline, sha256 checked"

"$PY" - "$bundle_mb" "$payload_mb" "$export_s" "$export_rss" "$import_s" "$import_rss" "$reimport_s" "$XMX" <<'EOF'
import sys
bundle, payload, es, er, is_, ir, rs, xmx = sys.argv[1:]
bundle, payload, es, is_, rs = int(bundle), int(payload), float(es), float(is_), float(rs)
print(f"bundle {bundle} MiB for {payload} MiB of packages, -Xmx{xmx}")
print(f"export   {es:6.1f} s  {bundle / es:6.0f} MiB/s  peak RSS {int(er) // 1024} MiB")
print(f"import   {is_:6.1f} s  {bundle / is_:6.0f} MiB/s  peak RSS {int(ir) // 1024} MiB")
print(f"re-import (nothing changes, hashes only) {rs:6.1f} s  {bundle / rs:6.0f} MiB/s")
EOF
