#!/usr/bin/env bash
# Pre-warm at scale (issue 11): `reprox prewarm --data` of 500 packages from a local upstream,
# side by side with fetching the same 500 URLs through apt-cacher-ng at the same concurrency;
# then the peak RSS of a 50,000-entry lockfile pre-warmed under -Xmx128m.
#
#   benchmarks/run-prewarm.sh
#
# Environment: PACKAGES (default 500), JOBS (prewarm --jobs and parallel curls, default 4),
# ENTRIES (the large lockfile, default 50000), REPROX_JAR (default proxy-server/target/reprox.jar,
# built offline when missing), REPROX_XMX (the 500-package run, default 256m; the large run is
# always -Xmx128m), UPSTREAM_RATE (reprox's politeness towards the local upstream: rate and burst,
# default 1000, concurrency 16; empty: reprox's defaults, 8 at a time, 50/s, burst 100),
# REPROX_JAVA_OPTS (extra JVM flags for the 500-package run, e.g. a JFR recording),
# WORK (default benchmarks/target/prewarm), KEEP=1 keeps the stores afterwards.
# Needs: java 17, nginx, apt-cacher-ng, curl, gpg, python3, /usr/bin/time (no network).
#
# 1. A signed apt repository (suite bench, throwaway ed25519 key) of PACKAGES files of random
#    bytes (incompressible, as a .deb), sizes log-uniform from 20 KB to 2 MB (seeded: the same
#    every run), served by nginx throttled like a good mirror (limit_rate 100m per connection).
# 2. reprox: a lockfile naming every package (path, sha256, size, the generation of InRelease at
#    T), `reprox prewarm --data` into an empty store: wall time from exec to exit, JVM start-up
#    included (what a CI step pays). It fetches InRelease and Packages.gz itself, once.
# 3. apt-cacher-ng, empty cache: InRelease, Packages.gz, then the PACKAGES URLs with JOBS curls
#    in parallel (each a keep-alive connection over its share of the URLs), each answer's status
#    and the total bytes checked against the listing. Timed the same way.
# 4. ENTRIES entries cycling over the same packages (all already present) into the store of 2,
#    under -Xmx128m: wall time and peak RSS (/usr/bin/time -f %M).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-$ROOT/benchmarks/target/prewarm}
PACKAGES=${PACKAGES:-500}
JOBS=${JOBS:-4}
ENTRIES=${ENTRIES:-50000}
REPROX_JAR=${REPROX_JAR:-$ROOT/proxy-server/target/reprox.jar}
REPROX_XMX=${REPROX_XMX:-256m}
UPSTREAM_RATE=${UPSTREAM_RATE-1000}
PY=${PYTHON:-python3}

PIDS=()
cleanup() {
  local rc=$?
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  GNUPGHOME="$WORK/gnupg" gpgconf --kill gpg-agent 2>/dev/null || true
  if [[ ${KEEP:-0} != 1 ]]; then
    rm -rf "$WORK/reprox-data" "$WORK/acng/cache"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=benchmarks/lib.sh
. "$ROOT/benchmarks/lib.sh" # log, die, free_ports, wait_http, signing_key, write_release, start_nginx, start_acng
for tool in java nginx apt-cacher-ng curl gpg "$PY" sha256sum /usr/bin/time; do
  command -v "$tool" >/dev/null || die "$tool not found (apt-get install -y nginx apt-cacher-ng curl time)"
done

# ---------------------------------------------------------------- 1. upstream
rm -rf "$WORK/reprox-data" "$WORK/acng" "$WORK/run" "$WORK/logs"
mkdir -p "$WORK"/{run,logs,acng/{conf,cache,log,run}} "$WORK/www/debian/dists/bench/main/binary-amd64"
read -r UP_PORT AC_PORT <<<"$(free_ports 2)"
log "ports: upstream $UP_PORT, apt-cacher-ng $AC_PORT; work dir $WORK"

# The pool and the Packages listing: made by python (seeded sizes; files kept between runs when
# their size matches). Writes run/list.tsv: path, size, sha256.
"$PY" - "$WORK/www/debian" "$PACKAGES" "$WORK/run/list.tsv" <<'EOF'
import hashlib, math, os, random, sys
www, n, listing = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rnd = random.Random(11)
rows = []
stanzas = []
for i in range(n):
    size = int(math.exp(rnd.uniform(math.log(20 * 1024), math.log(2 * 1024 * 1024))))
    name = f"bench-pw{i:04d}"
    rel = f"pool/main/b/{name}/{name}_1.0_amd64.deb"
    f = os.path.join(www, rel)
    os.makedirs(os.path.dirname(f), exist_ok=True)
    if not os.path.exists(f) or os.path.getsize(f) != size:
        with open(f, "wb") as out:
            out.write(os.urandom(size))
    data = open(f, "rb").read()
    sha, md5 = hashlib.sha256(data).hexdigest(), hashlib.md5(data).hexdigest()
    rows.append(f"{rel}\t{size}\t{sha}\n")
    stanzas.append(f"Package: {name}\nVersion: 1.0\nArchitecture: amd64\n"
                   f"Maintainer: reprox benchmarks <bench@reprox.invalid>\nInstalled-Size: {size // 1024}\n"
                   f"Filename: {rel}\nSize: {size}\nMD5sum: {md5}\nSHA256: {sha}\nSection: misc\n"
                   f"Priority: optional\nDescription: prewarm benchmark payload {i}\n")
open(os.path.join(www, "dists/bench/main/binary-amd64/Packages"), "w").write("\n".join(stanzas))
open(listing, "w").writelines(rows)
EOF
packages="$WORK/www/debian/dists/bench/main/binary-amd64/Packages"
gzip -9nkf "$packages"
signing_key "$WORK/gnupg" "$WORK/run/bench-keyring.gpg"
write_release "$WORK/www/debian/dists/bench" bench main/binary-amd64/Packages main/binary-amd64/Packages.gz
inrelease="$WORK/www/debian/dists/bench/InRelease"
TOTAL_BYTES=$(awk -F'\t' '{s += $2} END {print s}' "$WORK/run/list.tsv")
log "upstream: $PACKAGES packages, $((TOTAL_BYTES / 1048576)) MiB"

start_nginx "$WORK/run" "$UP_PORT" "$WORK/www" "limit_rate 100m;" # throttled like a good mirror

# ---------------------------------------------------------------- 2. reprox prewarm
if [[ ! -f $REPROX_JAR ]]; then
  log "building $REPROX_JAR"
  (cd "$ROOT" && ./mvnw -B -o -q -DskipTests package -pl proxy-server -am)
fi
cp "$REPROX_JAR" "$WORK/run/reprox.jar" # a private copy: other builds may replace the jar
cat >"$WORK/run/reprox.yaml" <<EOF
repositories:
  bench:
    format: apt
    upstream: http://127.0.0.1:$UP_PORT/debian
    keyring: $WORK/run/bench-keyring.gpg
EOF
if [[ -n $UPSTREAM_RATE ]]; then
  # Politeness for a mirror one owns; the defaults (8 at a time, 50/s, burst 100) cap a pre-warm
  # at 50 packages/s whatever the link, and apt-cacher-ng has no such limit.
  cat >>"$WORK/run/reprox.yaml" <<EOF
upstreams:
  "http://127.0.0.1:$UP_PORT":
    concurrency: 16
    rate: $UPSTREAM_RATE
    burst: $UPSTREAM_RATE
EOF
fi
sleep 1 # T must not be before the Release's Date (whole seconds)
T=$(date -u +%Y%m%dT%H%M%SZ)
GEN=$(sha256sum "$inrelease" | cut -d' ' -f1)
# lockfile: run/prewarm.lock.json (PACKAGES entries) and run/large.lock.json (ENTRIES, cycling)
"$PY" - "$WORK/run/list.tsv" "$T" "$GEN" "$ENTRIES" "$WORK/run" <<'EOF'
import json, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
t, gen, entries, out = sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
at = f"{t[0:4]}-{t[4:6]}-{t[6:8]}T{t[9:11]}:{t[11:13]}:{t[13:15]}Z"
def write(name, n):
    pkgs = [{"path": rows[i % len(rows)][0], "sha256": rows[i % len(rows)][2], "size": int(rows[i % len(rows)][1])}
            for i in range(n)]
    lock = {"lockfileVersion": 1, "repositories": [{"name": "bench", "format": "apt", "at": at,
            "roots": [{"path": "dists/bench/InRelease", "generation": "sha256:" + gen}], "packages": pkgs}]}
    with open(f"{out}/{name}", "w") as f:
        json.dump(lock, f, indent=2)
write("prewarm.lock.json", len(rows))
write("large.lock.json", entries)
EOF

log "reprox prewarm --data: $PACKAGES packages, --jobs $JOBS"
t0=$(date +%s%N)
RX_START=$t0
# shellcheck disable=SC2086 # REPROX_JAVA_OPTS is a list of flags
/usr/bin/time -f '%e %M' -o "$WORK/logs/prewarm-time.txt" java -Xmx"$REPROX_XMX" ${REPROX_JAVA_OPTS:-} -jar "$WORK/run/reprox.jar" \
  prewarm --data "$WORK/reprox-data" --config "$WORK/run/reprox.yaml" --jobs "$JOBS" "$WORK/run/prewarm.lock.json" \
  >"$WORK/logs/prewarm.out" 2>&1 || die "reprox prewarm (see $WORK/logs/prewarm.out)"
t1=$(date +%s%N)
RX_MS=$(((t1 - t0) / 1000000))
grep -Eq "^stored +$PACKAGES\$" "$WORK/logs/prewarm.out" || die "reprox prewarm did not store $PACKAGES (see $WORK/logs/prewarm.out)"
RX_RSS=$(cut -d' ' -f2 "$WORK/logs/prewarm-time.txt")
RX_UP=$(grep -c '\.deb ' "$WORK/logs/upstream-access.log" || true)

# ---------------------------------------------------------------- 3. apt-cacher-ng
start_acng "$AC_PORT" "$UP_PORT"
BASE="http://127.0.0.1:$AC_PORT/127.0.0.1:$UP_PORT/debian"
# JOBS curl processes, each given every JOBS-th URL in a config file (one keep-alive connection
# each, as reprox's client has); a process per URL would time process start-ups.
for ((i = 0; i < JOBS; i++)); do
  awk -v n="$JOBS" -v i="$i" -v base="$BASE" \
    'NR % n == i {printf "url = \"%s/%s\"\noutput = \"/dev/null\"\n", base, $1}' "$WORK/run/list.tsv" \
    >"$WORK/run/acng-$i.curl"
done
log "apt-cacher-ng: $PACKAGES URLs, $JOBS curls in parallel"
t0=$(date +%s%N)
for idx in dists/bench/InRelease dists/bench/main/binary-amd64/Packages.gz; do
  curl -sf -o /dev/null "$BASE/$idx" || die "apt-cacher-ng: $idx"
done
CURLS=()
for ((i = 0; i < JOBS; i++)); do
  curl -s -K "$WORK/run/acng-$i.curl" -w '%{http_code} %{size_download}\n' >"$WORK/logs/acng-answers-$i.txt" &
  CURLS+=($!)
done
for pid in "${CURLS[@]}"; do wait "$pid" || true; done
t1=$(date +%s%N)
cat "$WORK"/logs/acng-answers-*.txt >"$WORK/logs/acng-answers.txt"
AC_MS=$(((t1 - t0) / 1000000))
ok=$(awk '$1 == 200 {n++; s += $2} END {print n + 0, s + 0}' "$WORK/logs/acng-answers.txt")
[[ $ok == "$PACKAGES $TOTAL_BYTES" ]] || die "apt-cacher-ng answered (200s, bytes) $ok, want $PACKAGES $TOTAL_BYTES"

# ---------------------------------------------------------------- 4. 50,000 entries
log "reprox prewarm --data -Xmx128m: $ENTRIES entries (all present)"
t0=$(date +%s%N)
code=0
/usr/bin/time -f '%e %M' -o "$WORK/logs/large-time.txt" java -Xmx128m -XX:+ExitOnOutOfMemoryError \
  -Xlog:gc:file="$WORK/logs/large-gc.log" -jar "$WORK/run/reprox.jar" prewarm --data "$WORK/reprox-data" \
  --config "$WORK/run/reprox.yaml" --jobs "$JOBS" "$WORK/run/large.lock.json" >"$WORK/logs/large.out" 2>&1 || code=$?
t1=$(date +%s%N)
LARGE_MS=$(((t1 - t0) / 1000000))
LARGE_RSS=$(cut -d' ' -f2 "$WORK/logs/large-time.txt" 2>/dev/null || echo 0)
LARGE_HEAP=$(grep -oE '[0-9]+M->[0-9]+M\([0-9]+M\)' "$WORK/logs/large-gc.log" | sed -E 's/^([0-9]+)M.*/\1/' | sort -n | tail -1)

echo
if [[ -n $UPSTREAM_RATE ]]; then
  echo "reprox's politeness towards the upstream: $UPSTREAM_RATE/s, burst $UPSTREAM_RATE, 16 at a time"
else
  echo "reprox's politeness towards the upstream: the defaults (8 at a time, 50/s, burst 100)"
fi
# Where reprox's time went, from its log: exec to listening (JVM, store, server), the root
# (InRelease fetched and verified, Packages.gz fetched and indexed), the packages.
"$PY" - "$WORK/logs/prewarm.out" "$RX_START" <<'PYEND'
import datetime, re, sys
ts = lambda l: datetime.datetime.fromisoformat(l.split(" ", 1)[0].replace("Z", "+00:00")).timestamp()
lines = open(sys.argv[1]).read().splitlines()
listening = next(ts(l) for l in lines if "listening on" in l)
indexed = next(ts(l) for l in lines if "ListingIndexer - indexed" in l)
last = [ts(l) for l in lines if "admin: prewarm stored" in l][-1]
start = int(sys.argv[2]) / 1e9
print(f"reprox phases: start-up to listening {listening - start:.1f} s, root and listing {indexed - listening:.1f} s,"
      f" packages {last - indexed:.1f} s")
PYEND
"$PY" - "$PACKAGES" "$TOTAL_BYTES" "$JOBS" "$RX_MS" "$AC_MS" "$RX_RSS" "$RX_UP" "$ENTRIES" "$LARGE_MS" \
  "$LARGE_RSS" "$code" "${LARGE_HEAP:-?}" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'EOF'
import sys
n, total, jobs, rx, ac, rss, up, entries, lms, lrss, code, heap, load = sys.argv[1:]
n, total, rx, ac = int(n), int(total), int(rx) / 1000, int(ac) / 1000
print(f"\npre-warm {n} packages ({total / 1e6:.0f} MB, 20 KB - 2 MB) from a local upstream, concurrency {jobs};"
      f" load average before the summary: {load}")
print("| client                                | seconds | packages/s |  MB/s |")
print("|---------------------------------------|--------:|-----------:|------:|")
print(f"| reprox prewarm --data (JVM start incl.) | {rx:7.1f} | {n / rx:10.1f} | {total / 1e6 / rx:5.1f} |")
print(f"| apt-cacher-ng, curl -P {jobs:<2}             | {ac:7.1f} | {n / ac:10.1f} | {total / 1e6 / ac:5.1f} |")
print(f"\nratio reprox/apt-cacher-ng packages/s: {ac / rx:.2f} (target >= 1: {'PASS' if ac / rx >= 1 else 'MISS'})")
print(f"reprox prewarm: peak RSS {int(rss) / 1024:.0f} MiB, {up} .deb GETs upstream")
print(f"\n{entries} entries (all present), -Xmx128m: exit {code}, {int(lms) / 1000:.1f} s,"
      f" peak RSS {int(lrss) / 1024:.0f} MiB, largest heap before a GC {heap} MiB")
EOF
