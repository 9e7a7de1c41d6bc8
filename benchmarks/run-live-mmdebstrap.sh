#!/usr/bin/env bash
# Opt-in live figure (issue 6): `mmdebstrap --variant=essential bookworm` wall time through a WARM
# reprox versus a WARM apt-cacher-ng, plus one direct run to deb.debian.org as the reference.
# Needs network to deb.debian.org (http) and root (mmdebstrap --mode=root).
#
#   benchmarks/run-live-mmdebstrap.sh            # direct + 2 cold + 2 x ROUNDS warm runs (~5 minutes)
#
# Environment: ROUNDS (warm rounds, default 3), SUITE (bookworm), MIRROR (http://deb.debian.org/debian),
# REPROX_JAR (default proxy-server/target/reprox.jar, built offline when missing), REPROX_XMX (256m),
# WORK (default benchmarks/target/live-mmdebstrap), DIRECT=0 skips the direct reference run,
# KEEP=1 keeps both caches' data dirs; logs and manifests always stay in $WORK/logs.
# REPROX_LAUNCH: launcher (default; reprox starts through ./reprox with its class archive, trained
# before /healthz, as users start it) or jar (`java -jar` with the image's jvm.options, for an A/B).
# PIN=1 runs each cache on CPU 1 and mmdebstrap (apt and its methods) on CPU 0 (taskset): the
# cache's CPU then never competes with the client's, as on a runner with cores to spare; the
# figures say what the contention of a 2-core machine costs each cache.
#
# Both caches are used the same way: as the HTTP proxy of apt, through `http_proxy` in
# mmdebstrap's environment (LAB-NOTES: an --aptopt is written into the rootfs, a rewritten mirror
# URL into its sources.list), so every run has the same sources.list and the same package set.
# reprox serves absolute-form requests for its configured repository (forward mode, live: no
# Proxy-Authorization; default root-ttl 60 s); apt-cacher-ng is a plain caching proxy (private
# config, no remapping). The sequence: the direct run first (so the network's own intercepting
# cache is as warm for both caches' cold runs), one cold run through each cache, then ROUNDS warm
# rounds alternating the order.
#
# Output: wall time (cold, warm median, min–max), upstream requests and bytes per cache (reprox:
# /metrics reprox_upstream_{requests,bytes}_total; apt-cacher-ng: its transfer log's "I" lines),
# mmdebstrap's phases from timestamped progress lines (apt-get update | .deb download | extract +
# install, the last independent of the cache), the ratios warm reprox / warm apt-cacher-ng, and
# a check that every run installed the same packages (dpkg status) from the same .debs (sha256,
# kept in the rootfs by --skip=essential/unlink --skip=cleanup/apt/cache). Exit status 1 if not.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-$ROOT/benchmarks/target/live-mmdebstrap}
ROUNDS=${ROUNDS:-3}
SUITE=${SUITE:-bookworm}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
REPROX_JAR=${REPROX_JAR:-$ROOT/proxy-server/target/reprox.jar}
REPROX_XMX=${REPROX_XMX:-256m}
DIRECT=${DIRECT:-1}
REPROX_LAUNCH=${REPROX_LAUNCH:-launcher}
PIN=${PIN:-0}
CACHE_CPU=()
CLIENT_CPU=()
if [[ $PIN == 1 ]]; then
  CACHE_CPU=(taskset -c 1)
  CLIENT_CPU=(taskset -c 0)
fi
PY=${PYTHON:-python3}
# A fixed epoch: the rootfs content then depends only on the packages (LAB-NOTES).
export SOURCE_DATE_EPOCH=1700000000

# mmdebstrap --mode=root mounts /proc, /sys and /dev inside the rootfs while it installs; if a run
# was cut short they may still be mounted, and a plain rm -rf would walk into the host's /dev.
remove_rootfs() {
  awk -v p="$WORK/rootfs" 'index($2, p) == 1 {print $2}' /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf --one-file-system "$WORK/rootfs"
}

PIDS=()
cleanup() {
  local rc=$?
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  remove_rootfs
  if [[ ${KEEP:-0} != 1 ]]; then
    rm -rf "$WORK/reprox-data" "$WORK/acng/cache"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=benchmarks/lib.sh
. "$ROOT/benchmarks/lib.sh" # log, die, free_ports, wait_http
for tool in java mmdebstrap apt-cacher-ng curl "$PY" sha256sum; do
  command -v "$tool" >/dev/null || die "$tool not found (apt-get install -y mmdebstrap apt-cacher-ng curl)"
done
[[ $(id -u) == 0 ]] || die "needs root (mmdebstrap --mode=root)"

remove_rootfs
rm -rf "$WORK/reprox-data" "$WORK/acng" "$WORK/run" "$WORK/logs"
mkdir -p "$WORK"/{run,logs/manifests,acng/{conf,cache,log,run}}
read -r RX_PORT AC_PORT <<<"$(free_ports 2)"
MIRROR_HOST=$(sed -E 's#^[a-z]+://([^/]+).*#\1#' <<<"$MIRROR")
log "ports: reprox $RX_PORT, apt-cacher-ng $AC_PORT; mirror $MIRROR; work dir $WORK"

# ---------------------------------------------------------------- the caches
if [[ ! -f $REPROX_JAR ]]; then
  log "building $REPROX_JAR"
  (cd "$ROOT" && ./mvnw -B -o -q -DskipTests package -pl proxy-server -am)
fi
# A private copy: other builds may replace the jar while this runs (-p: the launcher's archive
# for it is checked against its time).
cp -p "$REPROX_JAR" "$WORK/run/reprox.jar"
cat >"$WORK/run/reprox.yaml" <<EOF
repositories:
  debian:
    format: apt
    upstream: $MIRROR
    keyring: builtin:debian
EOF
rx_args=(serve --config "$WORK/run/reprox.yaml" --data "$WORK/reprox-data" --listen "127.0.0.1:$RX_PORT")
case $REPROX_LAUNCH in
  launcher)
    # The launcher writes the archive for this copy ($WORK/run/reprox.jsa) in a training run of
    # its own before it starts the server, so before /healthz and before any timed run.
    log "reprox through ./reprox: training its class archive (untimed)"
    # shellcheck disable=SC2086 # REPROX_JAVA_OPTS is a list of flags
    REPROX_JAR="$WORK/run/reprox.jar" JAVA_OPTS="-Xmx$REPROX_XMX -Xlog:gc:file=$WORK/logs/reprox-gc.log ${REPROX_JAVA_OPTS:-}" \
      "${CACHE_CPU[@]}" "$ROOT/reprox" "${rx_args[@]}" >"$WORK/logs/reprox.log" 2>&1 &
    ;;
  jar)
    # shellcheck disable=SC2086 # REPROX_JAVA_OPTS is a list of flags
    "${CACHE_CPU[@]}" java @"$ROOT/proxy-server/src/main/jib/app/jvm.options" -Xmx"$REPROX_XMX" -Xlog:gc:file="$WORK/logs/reprox-gc.log" \
      ${REPROX_JAVA_OPTS:-} -jar "$WORK/run/reprox.jar" "${rx_args[@]}" >"$WORK/logs/reprox.log" 2>&1 &
    ;;
  *) die "REPROX_LAUNCH must be launcher or jar, not $REPROX_LAUNCH" ;;
esac
RX_PID=$!
PIDS+=($RX_PID)

# A plain caching proxy: no remapping, it caches under the URL's host.
cat >"$WORK/acng/conf/acng.conf" <<EOF
CacheDir: $WORK/acng/cache
LogDir: $WORK/acng/log
ReportPage: acng-report.html
ExThreshold: 4
EOF
"${CACHE_CPU[@]}" apt-cacher-ng -c "$WORK/acng/conf" ForeGround=1 Port="$AC_PORT" BindAddress=127.0.0.1 \
  CacheDir="$WORK/acng/cache" LogDir="$WORK/acng/log" SocketPath="$WORK/acng/run/socket" \
  PidFile="$WORK/acng/run/pid" >"$WORK/logs/acng.out" 2>&1 &
AC_PID=$!
PIDS+=($AC_PID)

wait_http "http://127.0.0.1:$RX_PORT/healthz" reprox $RX_PID
wait_http "http://127.0.0.1:$AC_PORT/acng-report.html" apt-cacher-ng $AC_PID
declare -A PROXY=([reprox]="http://127.0.0.1:$RX_PORT/" [acng]="http://127.0.0.1:$AC_PORT/" [direct]="")

# ---------------------------------------------------------------- upstream accounting
# reprox: upstream attempts from /metrics (reprox_upstream_requests_total, every outcome) and
# upstream body bytes (reprox_upstream_bytes_total when the jar has it). apt-cacher-ng: its
# transfer log, one line per file, "<epoch>|I|<bytes>|<client>|<path>" for bytes taken in from
# upstream and "|O|" for bytes sent to clients.
reprox_upstream() { # prints "requests bytes"
  curl -s "http://127.0.0.1:$RX_PORT/metrics" | awk '
    /^reprox_upstream_requests_total[{ ]/ {r += $NF}
    /^reprox_upstream_bytes_total[{ ]/ {b += $NF; seen = 1}
    END {printf "%d %s\n", r, seen ? sprintf("%d", b) : "-"}'
}
acng_upstream() { # prints "requests bytes" taken in from upstream so far
  awk -F'|' '$2 == "I" {n++; b += $3} END {printf "%d %d\n", n, b}' "$WORK"/acng/log/apt-cacher.log 2>/dev/null || echo "0 0"
}
upstream() { case $1 in reprox) reprox_upstream ;; acng) acng_upstream ;; *) echo "- -" ;; esac; }
# The CPU seconds a cache's process has used so far (user + system, all threads, from /proc): what
# it took from the 2 cores the client shares with it, in every phase, idle ones included.
TICKS=$(getconf CLK_TCK)
cpu_of() { # pid
  awk -v hz="$TICKS" '{sub(/.*\) /, ""); printf "%.2f", ($12 + $13) / hz}' "/proc/$1/stat"
}
cache_cpu() { case $1 in reprox) cpu_of "$RX_PID" ;; acng) cpu_of "$AC_PID" ;; *) echo "-" ;; esac; }
# reprox's own view of the requests (reprox_requests_seconds): "requests hits seconds", the
# seconds summed over requests (pipelined requests overlap). Independent of the client's CPU.
reprox_served() {
  curl -s "http://127.0.0.1:$RX_PORT/metrics" | awk '
    /^reprox_requests_seconds_count\{/ && /repository="debian"/ {c += $NF; if (/outcome="hit"/) h += $NF}
    /^reprox_requests_seconds_sum\{/ && /repository="debian"/ {s += $NF}
    END {printf "%d %d %.3f\n", c, h, s}'
}

# phases <timestamped log> <end>: "update download rest" seconds, from mmdebstrap's progress lines.
phases() {
  awk -v end="$2" '
    /I: running apt-get update/ {u = $1}
    /I: downloading packages with apt/ {d = $1}
    /I: extracting archives/ {x = $1}
    END {if (u && d && x) printf "%.2f %.2f %.2f", d - u, x - d, end - x; else printf "- - -"}' "$1"
}

# ---------------------------------------------------------------- one run
# run <server> <phase> <n>: a fresh rootfs; records wall seconds, upstream deltas and a manifest
# (dpkg status: package, version, architecture; sha256 of every downloaded .deb, kept in the
# rootfs's apt cache by the two --skip options).
: >"$WORK/logs/runs.tsv"
run() {
  local server=$1 phase=$2 n=$3 before after served0 served1 cpu0 cpu1 t0 t1 rc=0 id="$1-$2-$3"
  remove_rootfs
  before=$(upstream "$server")
  [[ $server == reprox ]] && served0=$(reprox_served) || served0="- - -"
  cpu0=$(cache_cpu "$server")
  t0=$(date +%s.%N)
  # Every line of mmdebstrap's progress gets a timestamp: the phases (apt-get update, download,
  # extract + install) show where the time goes; only the first two depend on the cache.
  "${CLIENT_CPU[@]}" env ${PROXY[$server]:+http_proxy=${PROXY[$server]}} mmdebstrap --mode=root --variant=essential \
    --skip=essential/unlink --skip=cleanup/apt/cache "$SUITE" "$WORK/rootfs" "$MIRROR" 2>&1 \
    | while IFS= read -r line; do printf '%s %s\n' "$(date +%s.%N)" "$line"; done \
    >"$WORK/logs/mmdebstrap-$id.log" || rc=${PIPESTATUS[0]}
  t1=$(date +%s.%N)
  after=$(upstream "$server")
  [[ $server == reprox ]] && served1=$(reprox_served) || served1="- - -"
  cpu1=$(cache_cpu "$server")
  [[ $rc == 0 ]] || die "mmdebstrap through $server ($phase $n) exited $rc (see $WORK/logs/mmdebstrap-$id.log)"
  dpkg-query --admindir="$WORK/rootfs/var/lib/dpkg" -W -f '${Package} ${Version} ${Architecture} ${db:Status-Abbrev}\n' \
    | sort >"$WORK/logs/manifests/$id.status"
  (cd "$WORK/rootfs/var/cache/apt/archives" && sha256sum -- *.deb) | sort -k2 >"$WORK/logs/manifests/$id.debs"
  local cpu=-
  [[ $cpu0 == - ]] || cpu=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN {printf "%.2f", b - a}')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$server" "$phase" "$n" "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')" \
    "$before" "$after" "$(phases "$WORK/logs/mmdebstrap-$id.log" "$t1")" "$served0" "$served1" "$cpu" >>"$WORK/logs/runs.tsv"
  log "$server $phase $n: $(tail -1 "$WORK/logs/runs.tsv" | cut -f4) s (update, download, rest: $(tail -1 "$WORK/logs/runs.tsv" | cut -f7)), $(wc -l <"$WORK/logs/manifests/$id.debs") .debs, cache CPU $cpu s"
  remove_rootfs
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
[[ $DIRECT == 1 ]] && run direct cold 1
run reprox cold 1
run acng cold 1
for ((round = 1; round <= ROUNDS; round++)); do
  if ((round % 2)); then order=(reprox acng); else order=(acng reprox); fi
  for s in "${order[@]}"; do run "$s" warm "$round"; done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- table
echo
echo "mmdebstrap --mode=root --variant=essential $SUITE, $MIRROR; started $STARTED; reprox through $REPROX_LAUNCH$([[ $PIN == 1 ]] && echo ", caches pinned to CPU 1, mmdebstrap to CPU 0")"
echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(uname -sr);" \
  "load average before $LOAD_BEFORE, after $LOAD_AFTER"
"$PY" - "$WORK/logs/runs.tsv" "$WORK/logs/manifests" "$ROUNDS" <<'EOF'
import filecmp, os, statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
man, rounds = sys.argv[2], sys.argv[3]
runs = {}
served = []
cpu = {}
for server, phase, n, secs, before, after, phases, s0, s1, c in rows:
    if c != "-":
        cpu.setdefault((server, phase), []).append(float(c))
    if server == "reprox" and phase == "warm" and "-" not in s0 + s1:
        served.append([float(y) - float(x) for x, y in zip(s0.split(), s1.split())])
    b, a = before.split(), after.split()
    # reprox has no byte counter before its first upstream request: "-" then a number means 0
    delta = [None if y == "-" else int(y) - (0 if x == "-" else int(x)) for x, y in zip(b, a)]
    ph = [None if v == "-" else float(v) for v in phases.split()]
    runs.setdefault((server, phase), []).append((float(secs), delta, f"{server}-{phase}-{n}", ph))
def fmt(v):
    return "-" if v is None else f"{v:,}"
def total(rs, i):
    vals = [r[1][i] for r in rs]
    return None if any(v is None for v in vals) else sum(vals)
def med_phase(rs, i):
    vals = [r[3][i] for r in rs if r[3][i] is not None]
    return f"{statistics.median(vals):.2f}" if vals else "-"
shown = {"direct": "direct", "reprox": "reprox", "acng": "apt-cacher-ng"}
print(f"\nwall time of the whole mmdebstrap run; warm: {rounds} rounds, order alternating")
print("| route         | cold s | warm median s | warm min–max s  | cold upstream req / bytes | warm upstream req / bytes (all runs) |")
print("|---------------|-------:|--------------:|----------------:|--------------------------:|-------------------------------------:|")
med = {}
for s in ("direct", "reprox", "acng"):
    cold, warm = runs.get((s, "cold"), []), runs.get((s, "warm"), [])
    if not cold:
        continue
    c = cold[0]
    if warm:
        t = [r[0] for r in warm]
        med[s] = statistics.median(t)
        w = f"{med[s]:13.2f} | {min(t):6.2f} – {max(t):6.2f}"
        wu = f"{fmt(total(warm, 0))} / {fmt(total(warm, 1))}"
    else:
        w, wu = f"{'':13} | {'':15}", ""
    cu = f"{fmt(c[1][0])} / {fmt(c[1][1])}" if s != "direct" else ""
    print(f"| {shown[s]:13} | {c[0]:6.2f} | {w} | {cu:>25} | {wu:>36} |")
print("\nphases (medians, s): apt-get update | download of the .debs | extract + install (no network)")
print("| route         | cold update | cold download | warm update | warm download | warm extract+install |")
print("|---------------|------------:|--------------:|------------:|--------------:|---------------------:|")
for s in ("direct", "reprox", "acng"):
    cold, warm = runs.get((s, "cold"), []), runs.get((s, "warm"), [])
    if not cold:
        continue
    wv = [med_phase(warm, i) if warm else "" for i in range(3)]
    print(f"| {shown[s]:13} | {med_phase(cold, 0):>11} | {med_phase(cold, 1):>13} | {wv[0]:>11} | {wv[1]:>13} | {wv[2]:>20} |")
if "reprox" in med and "acng" in med:
    warm = {s: runs[(s, "warm")] for s in ("reprox", "acng")}
    net = {s: statistics.median([r[3][0] + r[3][1] for r in warm[s] if None not in r[3]] or [float("nan")]) for s in warm}
    print(f"\nwarm reprox / warm apt-cacher-ng, median wall time:            {med['reprox'] / med['acng']:.2f}  (below 1 = reprox faster)")
    print(f"warm reprox / warm apt-cacher-ng, median update + download time: {net['reprox'] / net['acng']:.2f}")
if served:
    c, h, t = (statistics.median(v[i] for v in served) for i in range(3))
    print(f"reprox's own time, per warm run (median): {c:.0f} requests ({h:.0f} hits), "
          f"{t:.2f} s summed over requests (reprox_requests_seconds)")
if cpu:
    print("\nthe cache's process CPU over the whole run (user + system, s; what it took from the client's 2 cores)")
    for s in ("reprox", "acng"):
        c, w = cpu.get((s, "cold")), cpu.get((s, "warm"))
        if c:
            print(f"  {shown[s]:13} cold {c[0]:.2f}" + (f", warm median {statistics.median(w):.2f} ({min(w):.2f}–{max(w):.2f})" if w else ""))
# every run must have installed the same packages from the same .deb files
ids = [r[2] for rs in runs.values() for r in rs]
ref = ids[0]
bad = []
for i in ids[1:]:
    for ext in ("status", "debs"):
        if not filecmp.cmp(os.path.join(man, f"{ref}.{ext}"), os.path.join(man, f"{i}.{ext}"), shallow=False):
            bad.append(f"{i}.{ext}")
npkg = sum(1 for _ in open(os.path.join(man, f"{ref}.status")))
ndeb = sum(1 for _ in open(os.path.join(man, f"{ref}.debs")))
if bad:
    print(f"package sets DIFFER from {ref}: {', '.join(bad)} (see {man})")
    sys.exit(1)
print(f"package sets: identical in all {len(ids)} runs ({npkg} packages in dpkg status, {ndeb} .debs with the same sha256)")
EOF
log "logs in $WORK/logs"
