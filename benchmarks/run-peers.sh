#!/usr/bin/env bash
# Side-by-side performance harness (issue 6): reprox vs apt-cacher-ng vs nginx (static ceiling),
# all on loopback, all serving the same three .deb-sized files from a local upstream.
#
#   benchmarks/run-peers.sh                 # full run: wrk -d10s, 3 rounds (~7 minutes)
#   QUICK=1 benchmarks/run-peers.sh         # wrk -d3s (~3 minutes)
#
# Environment: ROUNDS (default 3), DURATION (wrk -d, default 10s, 3s with QUICK=1),
# REPROX_JAR (default proxy-server/target/reprox.jar, built offline when missing),
# REPROX_XMX (default 256m), WORK (default benchmarks/target/peers), FANOUT (default 64),
# COLD_ENTRIES (stanzas in the cold suite's Packages, default 63440 as bookworm main amd64),
# COLD_ONLY=1 (stop after the cold path), COLD_DELAY (seconds between reprox's first /healthz
# answer and the cold path, default 0: a fresh server's start-up work, its JIT queue and warm-up,
# then no longer overlaps the cold path), COLD_CPU=1 (reprox's CPU over its cold path by thread
# group, from /proc: how much of it was the JIT compilers' or the warm-up's),
# FANOUT_ONLY=1 (skip the wrk rounds and the memory phase),
# MEMORY_ONLY=1 (reprox warmed, then the memory phase alone: no cold suite, no cold path, no wrk
# rounds, no fan-out; its peak RSS is the memory phase's, not the cold listing's indexing),
# REPROX_JAVA_OPTS (extra JVM flags for reprox; -XX:NativeMemoryTracking=summary also writes
# logs/reprox-nmt.txt after the memory phase), REPROX_LAUNCH (launcher, the default: reprox starts
# through ./reprox with its class archive, trained untimed first; jar: `java -jar`, for an A/B),
# REPROX_JVM_OPTIONS (with REPROX_LAUNCH=jar: the argument file of the JVM
# flags reprox runs with, default the one ./reprox and the image use; /dev/null: none),
# RSS_PROBE=1 (issue 14): reprox's VmRSS every 0.5 s over the whole run with the phase it is in
# (logs/rss-timeline.tsv), and at the end of each phase logs/probe-<n>-<phase>.txt: VmHWM,
# smaps_rollup, the largest mappings (pmap -x) and, with -XX:NativeMemoryTracking=summary in
# REPROX_JAVA_OPTS, jcmd VM.native_memory summary; the phase where VmHWM grew is printed at the end.
# KEEP=1 keeps the work directory (logs, caches) after the run. WARMUP (default 10s; 3s before
# 2026-12-06 21:20): the unmeasured wrk pass per server and file before the rounds; WARMUP_PASSES
# (default 2) of them, servers alternated. CEILING_ACCESS_LOG (default 1): nginx, the ceiling, logs each request (0: it does not).
# SMALL_ONLY=1: only the 53 KB warm keep-alive rows, reprox and nginx alternated (no apt-cacher-ng,
# no cold path, fan-out or memory phase), with each server's CPU per request from /proc; with
# REPROX_BASELINE_JAR=<jar> a second reprox ("base", e.g. a build of main) runs beside it, for a
# before/after in one run under the same load; REPROX_BASELINE_JVM_OPTIONS=<file> and
# REPROX_BASELINE_MMAP_THRESHOLD=<bytes> give "base" other JVM flags or glibc's MALLOC_MMAP_THRESHOLD_
# (reprox takes MALLOC_MMAP_THRESHOLD_ from the environment): an A/B of flags, the same jar twice;
# REPROX_BASELINE_TRANSPORT=<epoll|io_uring|nio|auto> gives "base" another server.transport (reprox
# takes REPROX_SERVER_TRANSPORT from the environment): an A/B of transports. SMALL_FILES (default "small"): the files of those
# rows, e.g. "small medium large" for 53 KB, 1 MB and 50 MB.
# Needs: java 17, wrk, nginx, apt-cacher-ng, curl, python3 (all Debian packages; no network).
#
# wrk runs with --timeout 30s (60s for 64 connections): its default of 2 s cuts 50 MB responses
# that take longer under load and drops them from the count (it halved reprox's figure at -c64).
#
# Phases: 1. data + local upstream (a real tiny apt repository: Release, Packages listing the
# .debs; and suite "cold" with a Debian-sized Packages.xz; nginx with limit_rate 100m), 2. start
# reprox, apt-cacher-ng, nginx, 2b. the cold path (InRelease to the first .deb's last byte, empty
# caches), then warm them (sha256 of every warm-up answer checked), 3. wrk rounds alternating servers, medians, one table with
# ratios and targets, 4. cold fan-out, 5. memory under 64 concurrent 50 MB downloads.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-$ROOT/benchmarks/target/peers}
QUICK=${QUICK:-0}
ROUNDS=${ROUNDS:-3}
if [[ $QUICK == 1 ]]; then DURATION=${DURATION:-3s}; else DURATION=${DURATION:-10s}; fi
REPROX_JAR=${REPROX_JAR:-$ROOT/proxy-server/target/reprox.jar}
REPROX_XMX=${REPROX_XMX:-256m}
FANOUT=${FANOUT:-64}
PY=${PYTHON:-python3}
SMALL_ONLY=${SMALL_ONLY:-0}
SMALL_FILES=${SMALL_FILES:-small}
BASELINE_JAR=${REPROX_BASELINE_JAR:-}

PIDS=()
cleanup() {
  local rc=$?
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  # gpg started an agent for the signing key: it is this run's process too
  GNUPGHOME="$WORK/gnupg" gpgconf --kill gpg-agent 2>/dev/null || true
  if [[ ${KEEP:-0} != 1 ]]; then
    rm -rf "$WORK/reprox-data" "$WORK/reprox-data-base" "$WORK/acng/cache" "$WORK/fanout" "$WORK/logs/ceiling-access.log"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=benchmarks/lib.sh
. "$ROOT/benchmarks/lib.sh" # log, die, free_ports, wait_http, signing_key, write_release, start_nginx, start_acng
for tool in java wrk nginx apt-cacher-ng curl gpg "$PY" sha256sum xz; do
  command -v "$tool" >/dev/null || die "$tool not found (apt-get install -y wrk nginx apt-cacher-ng curl)"
done

# ---------------------------------------------------------------- 1. data and upstream
rm -rf "$WORK/reprox-data" "$WORK/reprox-data-base" "$WORK/acng" "$WORK/run" "$WORK/logs" "$WORK/fanout"
mkdir -p "$WORK"/{run,logs,acng/{conf,cache,log,run},fanout} "$WORK/www/debian/dists/bench/main/binary-amd64"
read -r UP_PORT NG_PORT RX_PORT AC_PORT RB_PORT <<<"$(free_ports 5)"
log "ports: upstream $UP_PORT, nginx $NG_PORT, reprox $RX_PORT, apt-cacher-ng $AC_PORT; work dir $WORK"

# name:size — small/medium/large are loaded warm; cold-* are fetched once each, uncached
declare -A SIZES=([small]=$((53 * 1024)) [medium]=$((1024 * 1024)) [large]=$((50 * 1024 * 1024))
  [cold-alone]=$((50 * 1024 * 1024)) [cold-fan]=$((50 * 1024 * 1024))
  [cold-acng-alone]=$((50 * 1024 * 1024)) [cold-acng-fan]=$((50 * 1024 * 1024)))
NAMES=(small medium large cold-alone cold-fan cold-acng-alone cold-acng-fan)
declare -A POOL SHA
for n in "${NAMES[@]}"; do
  rel="pool/main/b/bench-$n/bench-${n}_1.0_amd64.deb"
  f="$WORK/www/debian/$rel"
  mkdir -p "$(dirname "$f")"
  if [[ ! -f $f || $(stat -c %s "$f") != "${SIZES[$n]}" ]]; then
    head -c "${SIZES[$n]}" /dev/urandom >"$f" # incompressible, like a .deb's xz members
  fi
  POOL[$n]=$rel
  SHA[$n]=$(sha256sum "$f" | cut -d' ' -f1)
done

# A real, signed apt repository over those files: reprox serves a pool path only when a Packages
# file of a verified generation lists it, like apt would check it. The throwaway signing key is
# made once (gpg, ed25519) and kept in $WORK/gnupg; reprox gets its public key as the keyring.
packages="$WORK/www/debian/dists/bench/main/binary-amd64/Packages"
: >"$packages"
for n in "${NAMES[@]}"; do
  f="$WORK/www/debian/${POOL[$n]}"
  cat >>"$packages" <<EOF
Package: bench-$n
Version: 1.0
Architecture: amd64
Maintainer: reprox benchmarks <bench@reprox.invalid>
Installed-Size: $(( ${SIZES[$n]} / 1024 ))
Filename: ${POOL[$n]}
Size: ${SIZES[$n]}
MD5sum: $(md5sum "$f" | cut -d' ' -f1)
SHA256: ${SHA[$n]}
Section: misc
Priority: optional
Description: benchmark payload $n

EOF
done
gzip -9nkf "$packages"
signing_key "$WORK/gnupg" "$WORK/run/bench-keyring.gpg"
write_release "$WORK/www/debian/dists/bench" bench main/binary-amd64/Packages main/binary-amd64/Packages.gz
release="$WORK/www/debian/dists/bench/Release"
gpg --batch --yes --quiet --armor --detach-sign -o "$release.gpg" "$release" 2>>"$WORK/logs/gpg.log"

# The cold path (issue 14): suite "cold", a Debian-sized Packages.xz (63,440 stanzas shaped like
# bookworm main amd64's, ~9 MB xz; benchmarks/debian_packages.py) listing one real 200 KB .deb,
# plus Packages.gz; InRelease signed by the same throwaway key. Made once and kept in $WORK/www
# (xz -6 of 43 MB takes minutes on a loaded machine), again when the .deb changed.
COLD_ENTRIES=${COLD_ENTRIES:-63440}
if [[ $SMALL_ONLY != 1 && ${MEMORY_ONLY:-0} != 1 ]]; then # neither asks for suite cold
COLD_DEB="pool/main/b/bench-cold-first/bench-cold-first_1.0_amd64.deb"
cold_dist="$WORK/www/debian/dists/cold"
mkdir -p "$cold_dist/main/binary-amd64" "$(dirname "$WORK/www/debian/$COLD_DEB")"
if [[ ! -f $WORK/www/debian/$COLD_DEB ]]; then head -c $((200 * 1024)) /dev/urandom >"$WORK/www/debian/$COLD_DEB"; fi
COLD_SHA=$(sha256sum "$WORK/www/debian/$COLD_DEB" | cut -d' ' -f1)
cat >"$WORK/run/cold-stanza" <<EOF
Package: bench-cold-first
Version: 1.0
Installed-Size: 200
Maintainer: reprox benchmarks <bench@reprox.invalid>
Architecture: amd64
Description: the first .deb of a cold apt run
Section: misc
Priority: optional
Filename: $COLD_DEB
Size: $((200 * 1024))
MD5sum: $(md5sum "$WORK/www/debian/$COLD_DEB" | cut -d' ' -f1)
SHA256: $COLD_SHA
EOF
if ! cmp -s "$WORK/run/cold-stanza" "$cold_dist/stanza" || [[ ! -s $cold_dist/main/binary-amd64/Packages.xz ]]; then
  log "writing the Debian-sized Packages of suite cold ($COLD_ENTRIES entries; xz takes a while, once)"
  "$PY" "$ROOT/benchmarks/debian_packages.py" "$cold_dist/main/binary-amd64/Packages" "$COLD_ENTRIES" 14 "$WORK/run/cold-stanza"
  xz -6 -T2 -kf "$cold_dist/main/binary-amd64/Packages"
  gzip -9nkf "$cold_dist/main/binary-amd64/Packages"
  rm -f "$cold_dist/main/binary-amd64/Packages" # like a mirror: only the compressed forms
  cp "$WORK/run/cold-stanza" "$cold_dist/stanza"
fi
write_release "$cold_dist" cold main/binary-amd64/Packages.xz main/binary-amd64/Packages.gz
fi # SMALL_ONLY, MEMORY_ONLY

# the upstream of reprox and apt-cacher-ng, throttled like a good mirror; and the ceiling: the
# same files served statically by the same nginx
# CEILING_ACCESS_LOG (default 1): the ceiling writes an access line per request, buffered, as
# reprox does by default (log.access, lines written in batches): like for like. 0: no log, as
# before 2026-12-06 21:00 (the ceiling's figures until then).
if [[ ${CEILING_ACCESS_LOG:-1} == 1 ]]; then
  CEILING_LOG="access_log $WORK/logs/ceiling-access.log combined buffer=64k flush=1s;"
else
  CEILING_LOG="access_log off;"
fi
start_nginx "$WORK/run" "$UP_PORT" "$WORK/www" "limit_rate 100m;" \
  "server { listen 127.0.0.1:$NG_PORT; root $WORK/www; $CEILING_LOG }"

# ---------------------------------------------------------------- 2. peers
if [[ ! -f $REPROX_JAR ]]; then
  log "building $REPROX_JAR"
  (cd "$ROOT" && ./mvnw -B -o -q -DskipTests package -pl proxy-server -am)
fi
# A private copy: other builds may replace the jar while this runs (-p keeps its time, so an
# archive made for this copy stays valid for REPROX_LAUNCH=jar with -XX:SharedArchiveFile).
cp -p "$REPROX_JAR" "$WORK/run/reprox.jar"
cat >"$WORK/run/reprox.yaml" <<EOF
repositories:
  bench:
    format: apt
    upstream: http://127.0.0.1:$UP_PORT/debian
    keyring: $WORK/run/bench-keyring.gpg
    root-ttl: 3600s
EOF
# The JVM flags and the malloc arena limit ./reprox and the container image run with (issue 14).
# MALLOC_MMAP_THRESHOLD_ (glibc's; unset: its own, dynamic) passes through to reprox, not to "base".
MALLOC_ENV=("MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}")
[[ -z ${MALLOC_MMAP_THRESHOLD_:-} ]] || MALLOC_ENV+=("MALLOC_MMAP_THRESHOLD_=$MALLOC_MMAP_THRESHOLD_")
# REPROX_LAUNCH=launcher (default): as users start it, through ./reprox (its jvm.options, the
# RocksDB library unpacked beside the jar, the class archive). The launcher writes the archive for
# this copy of the jar ($WORK/run/reprox.jsa) in a training run of its own before it starts the
# server: before /healthz, so never in a timed figure. REPROX_LAUNCH=jar: plain `java -jar` with
# REPROX_JVM_OPTIONS, as before (an A/B of the launcher).
REPROX_LAUNCH=${REPROX_LAUNCH:-launcher}
rx_args=(serve --config "$WORK/run/reprox.yaml" --data "$WORK/reprox-data" --listen "127.0.0.1:$RX_PORT")
if [[ $REPROX_LAUNCH == launcher ]]; then
  [[ -z ${REPROX_JVM_OPTIONS:-} ]] || die "REPROX_JVM_OPTIONS needs REPROX_LAUNCH=jar (./reprox reads its own jvm.options)"
  rm -f "$WORK/run/reprox.jsa"
  log "reprox through ./reprox: training its class archive (untimed)"
  # shellcheck disable=SC2086 # REPROX_JAVA_OPTS is a list of flags
  env -u MALLOC_MMAP_THRESHOLD_ "${MALLOC_ENV[@]}" REPROX_JAR="$WORK/run/reprox.jar" \
    JAVA_OPTS="-Xmx$REPROX_XMX -Xlog:gc:file=$WORK/logs/reprox-gc.log ${REPROX_JAVA_OPTS:-}" \
    "$ROOT/reprox" "${rx_args[@]}" >"$WORK/logs/reprox.log" 2>&1 &
else
  # shellcheck disable=SC2086 # REPROX_JAVA_OPTS is a list of flags
  env -u MALLOC_MMAP_THRESHOLD_ "${MALLOC_ENV[@]}" java @"${REPROX_JVM_OPTIONS:-$ROOT/proxy-server/src/main/jib/app/jvm.options}" \
    -Xmx"$REPROX_XMX" -Xlog:gc:file="$WORK/logs/reprox-gc.log" ${REPROX_JAVA_OPTS:-} -jar "$WORK/run/reprox.jar" \
    "${rx_args[@]}" >"$WORK/logs/reprox.log" 2>&1 &
fi
RX_PID=$! # the launcher execs java: the same process
PIDS+=($RX_PID)
RSS_PROBE=${RSS_PROBE:-0}
PROBE_N=0
# RSS_PROBE=1: the phase now running, for the timeline sampler; a snapshot when one ends.
probe() { # phase that just ended
  [[ $RSS_PROBE == 1 ]] || return 0
  PROBE_N=$((PROBE_N + 1))
  local out="$WORK/logs/probe-$PROBE_N-$1.txt"
  {
    echo "# $1 ended $(date -u +%H:%M:%S)"
    grep -E '^(VmHWM|VmRSS|RssAnon|RssFile|Threads)' "/proc/$RX_PID/status"
    echo "# smaps_rollup"; cat "/proc/$RX_PID/smaps_rollup"
    if [[ ${REPROX_JAVA_OPTS:-} == *NativeMemoryTracking* ]]; then
      echo "# VM.native_memory summary"; jcmd "$RX_PID" VM.native_memory summary 2>&1
      # what this phase added: the baseline is taken when a phase starts (below)
      echo "# VM.native_memory summary.diff (since the phase started)"
      jcmd "$RX_PID" VM.native_memory summary.diff 2>&1
    fi
    echo "# pmap -x, largest 25 by RSS"; pmap -x "$RX_PID" | sort -k3 -n -r | head -25
  } >"$out" 2>&1 || true
  printf '%s	%s\n' "$PROBE_N-$1" "$(awk '/^VmHWM/ {print $2}' "/proc/$RX_PID/status")" >>"$WORK/logs/probe-hwm.tsv"
  if [[ ${REPROX_JAVA_OPTS:-} == *NativeMemoryTracking* ]]; then
    jcmd "$RX_PID" VM.native_memory baseline >/dev/null 2>&1 || true
  fi
  echo "$2" >"$WORK/logs/phase" # the next phase's name
}
if [[ $RSS_PROBE == 1 ]]; then
  : >"$WORK/logs/probe-hwm.tsv"
  echo start >"$WORK/logs/phase"
  (while kill -0 "$RX_PID" 2>/dev/null; do
     printf '%s\t%s\t%s\n' "$(date +%s)" "$(cat "$WORK/logs/phase")" \
       "$(awk '/^VmRSS/ {r = $2} /^VmHWM/ {h = $2} END {print r "\t" h}' "/proc/$RX_PID/status" 2>/dev/null)"
     sleep 0.5
   done) >"$WORK/logs/rss-timeline.tsv" 2>/dev/null &
  PIDS+=($!)
fi
if [[ -n $BASELINE_JAR ]]; then
  cp "$BASELINE_JAR" "$WORK/run/reprox-base.jar"
  BASE_ENV=("MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}")
  [[ -z ${REPROX_BASELINE_MMAP_THRESHOLD:-} ]] || BASE_ENV+=("MALLOC_MMAP_THRESHOLD_=$REPROX_BASELINE_MMAP_THRESHOLD")
  # an empty value is "not set" (auto); without the knob "base" runs what reprox runs
  BASE_ENV+=("REPROX_SERVER_TRANSPORT=${REPROX_BASELINE_TRANSPORT:-${REPROX_SERVER_TRANSPORT:-}}")
  # shellcheck disable=SC2086 # the same flags as reprox unless told: a before/after of the jar alone
  env -u MALLOC_MMAP_THRESHOLD_ "${BASE_ENV[@]}" java @"${REPROX_BASELINE_JVM_OPTIONS:-${REPROX_JVM_OPTIONS:-$ROOT/proxy-server/src/main/jib/app/jvm.options}}" \
    -Xmx"$REPROX_XMX" ${REPROX_JAVA_OPTS:-} -jar "$WORK/run/reprox-base.jar" serve \
    --config "$WORK/run/reprox.yaml" --data "$WORK/reprox-data-base" --listen "127.0.0.1:$RB_PORT" \
    >"$WORK/logs/reprox-base.log" 2>&1 &
  RB_PID=$!
  PIDS+=($RB_PID)
fi

[[ $SMALL_ONLY == 1 ]] || start_acng "$AC_PORT" "$UP_PORT"

wait_http "http://127.0.0.1:$RX_PORT/healthz" reprox $RX_PID
probe startup cold-path
[[ -z $BASELINE_JAR ]] || wait_http "http://127.0.0.1:$RB_PORT/healthz" reprox-base $RB_PID

declare -A BASE=([reprox]="http://127.0.0.1:$RX_PORT/bench" [acng]="http://127.0.0.1:$AC_PORT/127.0.0.1:$UP_PORT/debian"
  [nginx]="http://127.0.0.1:$NG_PORT/debian" [base]="http://127.0.0.1:$RB_PORT/bench")
SERVERS=(reprox acng nginx)
if [[ $SMALL_ONLY == 1 ]]; then
  SERVERS=(reprox nginx)
  [[ -z $BASELINE_JAR ]] || SERVERS=(base reprox nginx)
fi

# ---------------------------------------------------------------- 2b. cold path (issue 14)
# First thing after start-up, as a CI runner with an empty cache sees it: InRelease, the 9 MB
# Packages.xz, the first .deb on one keep-alive connection (benchmarks/coldpath.py), timed from the
# first request to the .deb's last byte. reprox's JVM is fresh (its first OpenPGP verification and
# first xz decode included).
if [[ $SMALL_ONLY != 1 && ${MEMORY_ONLY:-0} != 1 ]]; then
COLD_ROWS=()
declare -A COLD_MS
sleep "${COLD_DELAY:-0}"
thread_cpu() { # "<thread name> <utime+stime ticks>" per thread of reprox's JVM
  for f in /proc/$RX_PID/task/*/stat; do
    cat "$f" 2>/dev/null || true
  done | sed -n 's/^[0-9]* (\(.*\)) [A-Za-z] \(.*\)$/\1|\2/p' | awk -F'|' '{split($2, f, " "); print $1 "|" f[11] + f[12]}'
}
for s in reprox acng; do
  [[ $s != reprox || ${COLD_CPU:-0} != 1 ]] || thread_cpu >"$WORK/logs/cold-cpu-before.txt"
  line=$("$PY" "$ROOT/benchmarks/coldpath.py" "${BASE[$s]}" cold "$COLD_DEB" "$COLD_SHA")
  if [[ $s == reprox && ${COLD_CPU:-0} == 1 ]]; then
    thread_cpu >"$WORK/logs/cold-cpu-after.txt"
    # thread names lose their numbers (C2 CompilerThread0, reprox-storage-3): one row per group
    "$PY" - "$WORK/logs/cold-cpu-before.txt" "$WORK/logs/cold-cpu-after.txt" "$(getconf CLK_TCK)" <<'PYEOF'
import collections, re, sys
def read(path):
    c = collections.Counter()
    for line in open(path):
        name, ticks = line.rstrip("\n").rsplit("|", 1)
        c[re.sub(r"[-#]?\d+$", "", name)] += int(ticks)
    return c
before, after, hz = read(sys.argv[1]), read(sys.argv[2]), int(sys.argv[3])
d = {g: (after[g] - before[g]) * 1000 // hz for g in after if after[g] > before[g]}
jit = sum(v for g, v in d.items() if "Compiler" in g)
top = ", ".join(f"{g} {v}" for g, v in sorted(d.items(), key=lambda kv: -kv[1])[:6])
print(f"reprox CPU over its cold path: {sum(d.values())} ms, JIT compilers {jit} ms ({top})")
PYEOF
  fi
  read -r total t_in t_pk t_deb misses reconnects ok <<<"$line"
  [[ $ok == ok ]] || die "cold path: $s: $line"
  COLD_MS[$s]=$total
  COLD_ROWS+=("$(printf '| %-13s | %8s | %12s | %14s | %7s | %9s | %10s |' \
    "$([[ $s == acng ]] && echo apt-cacher-ng || echo reprox)" "$total" "$t_in" "$t_pk" "$t_deb" "$misses" "$reconnects")")
done
echo
echo "cold path: InRelease, Packages.xz ($(stat -c %s "$cold_dist/main/binary-amd64/Packages.xz") bytes, $COLD_ENTRIES entries), first .deb (200 KB); empty caches"
echo "| server        | total ms | InRelease ms | Packages.xz ms | .deb ms | .deb 404s | reconnects |"
echo "|---------------|---------:|-------------:|---------------:|--------:|----------:|-----------:|"
printf '%s\n' "${COLD_ROWS[@]}"
"$PY" - "${COLD_MS[reprox]}" "${COLD_MS[acng]}" <<'PYEOF'
import sys
r = int(sys.argv[1]) / int(sys.argv[2])
print(f"\ntargets:\n  {'PASS' if r <= 0.9 else 'MISS'}  cold path reprox/apt-cacher-ng time <= 0.9 ({r:.2f})")
PYEOF
probe cold-path warm-up
# COLD_ONLY=1: stop after the cold path (before/after comparisons of the cold path alone).
if [[ ${COLD_ONLY:-0} == 1 ]]; then exit 0; fi
fi # SMALL_ONLY, MEMORY_ONLY
# MEMORY_ONLY=1: only reprox is warmed (and its JIT), the others are not measured.
if [[ ${MEMORY_ONLY:-0} == 1 ]]; then SERVERS=(reprox); fi

# Warm: the indexes first (as apt would), then one GET of each file, sha256 checked. reprox may
# answer 404 for a pool path for a moment after the Packages fetch (it indexes the listing after
# the response), so a pool GET is retried for up to 10 s.
for s in "${SERVERS[@]}"; do
  for idx in dists/bench/InRelease dists/bench/main/binary-amd64/Packages.gz; do
    curl -s -o /dev/null "${BASE[$s]}/$idx" || true
  done
  for n in small medium large; do
    got=""
    for _ in $(seq 50); do
      got=$(curl -sf "${BASE[$s]}/${POOL[$n]}" | sha256sum | cut -d' ' -f1) || true
      [[ $got != "$(sha256sum </dev/null | cut -d' ' -f1)" ]] && break
      sleep 0.2
    done
    [[ $got == "${SHA[$n]}" ]] || die "warm-up: $s returned wrong bytes for ${POOL[$n]} ($got; see $WORK/logs)"
  done
  # a second GET proves the warm copy serves
  got=$(curl -sf "${BASE[$s]}/${POOL[medium]}" | sha256sum | cut -d' ' -f1) || true
  [[ $got == "${SHA[medium]}" ]] || die "warm hit: $s returned wrong bytes for ${POOL[medium]}"
done
log "warm: ${SERVERS[*]} returned the right sha256 for all three files"
# One unmeasured wrk pass per server and file: the JVM's JIT needs a few seconds under load
# before it serves at full speed (53 KB went from ~2 k to ~10 k req/s here); the others get the
# same pass so their caches are as warm.
WARM_FILES=(small medium large)
# shellcheck disable=SC2206 # a list of names
[[ $SMALL_ONLY != 1 ]] || WARM_FILES=($SMALL_FILES)
# WARMUP_PASSES (default 2) such passes, servers alternated as in the rounds: each measured run
# opens 16 new connections after the server sat idle through the others' runs, and a JIT that
# compiled its hot code during one long keep-alive pass had never seen that: the new connections
# hit its type and branch guards (class_check in fireChannelRead, unstable_if...), it went back to
# the interpreter and recompiled inside the measured seconds (C2 was 8 % of reprox's CPU in a
# measured run after one 10 s pass). A second pass after an idle gap lets that happen unmeasured.
# 10 s a pass: with the machine shared, C2 took 20 s and more to compile the hot path's large
# methods (BodyResponse.send alone 2.4 s): after one 3 s pass they were compiled inside the
# measured rounds (the SMALL_ONLY table's JIT column shows what is left).
for n in "${WARM_FILES[@]}"; do
  for ((pass = 1; pass <= ${WARMUP_PASSES:-2}; pass++)); do
    for s in "${SERVERS[@]}"; do
      wrk -t2 -c16 -d"${WARMUP:-10s}" --timeout 30s "${BASE[$s]}/${POOL[$n]}" >/dev/null 2>&1 || die "wrk warm-up $s $n"
    done
  done
done
probe warm-up wrk-rounds

# ---------------------------------------------------------------- 3s. SMALL_ONLY=1
# The 53 KB rows alone: servers alternated (order rotated each round), and per run the CPU that
# each server process and wrk itself used (utime+stime from /proc, all threads and nginx's
# workers), divided by the requests wrk counted. The three share 2 cores: wrk's own share is shown
# because it bounds what a server can reach.
cpu_ticks() { # pid: utime+stime of it and its children processes (nginx workers), in clock ticks
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
# pid: utime+stime of a JVM's JIT compiler threads (C1, C2), in clock ticks; 0 for nginx. C2 still
# compiling in a measured run is warm-up cost counted as per-request cost (the "JIT" column). A
# compiler thread that exits during a run takes its ticks with it: the column is a lower bound.
jit_ticks() {
  local total=0 t
  for t in /proc/"$1"/task/*; do
    case $(cat "$t/comm" 2>/dev/null) in
      "C1 CompilerThre"* | "C2 CompilerThre"*)
        total=$((total + $(sed 's/^.*) //' "$t/stat" 2>/dev/null | awk '{print $12 + $13}' || echo 0))) ;;
    esac
  done
  echo "$total"
}
if [[ $SMALL_ONLY == 1 ]]; then
  declare -A SPID=([reprox]=$RX_PID [nginx]=$NGINX_PID [base]=${RB_PID:-0})
  : >"$WORK/logs/wrk-small.tsv"
  for ((round = 1; round <= ROUNDS; round++)); do
    order=("${SERVERS[@]:round%${#SERVERS[@]}}" "${SERVERS[@]:0:round%${#SERVERS[@]}}")
    for n in $SMALL_FILES; do
      for s in "${order[@]}"; do
        out="$WORK/logs/wrk-$s-$n-$round.txt"
        c0=$(cpu_ticks "${SPID[$s]}")
        j0=$(jit_ticks "${SPID[$s]}")
        idle0=$(awk '/^cpu / {print $5 + $6}' /proc/stat)
        all0=$(awk '/^cpu / {print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat)
        /usr/bin/time -f '%U %S' -o "$out.time" wrk -t2 -c16 -d"$DURATION" --latency --timeout 30s \
          "${BASE[$s]}/${POOL[$n]}" >"$out" 2>&1 || die "wrk $s $n (see $out)"
        c1=$(cpu_ticks "${SPID[$s]}")
        j1=$(jit_ticks "${SPID[$s]}")
        idle1=$(awk '/^cpu / {print $5 + $6}' /proc/stat)
        all1=$(awk '/^cpu / {print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat)
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$s" "$out" "$((c1 - c0))" \
          "$((all1 - all0 - idle1 + idle0))" "$((all1 - all0))" "$(tail -1 "$out.time")" "$n" "$((j1 - j0))" \
          >>"$WORK/logs/wrk-small.tsv"
      done
    done
    log "wrk round $round/$ROUNDS done (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  done
  "$PY" - "$WORK/logs/wrk-small.tsv" "$DURATION" "$ROUNDS" "$(getconf CLK_TCK)" <<'EOF'
import re, statistics, sys
tick = 1 / int(sys.argv[4])
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
data, problems = {}, []
for rnd, server, path, ticks, busy, total, wrk_cpu, name, jit in rows:
    text = open(path).read()
    n = int(re.search(r"(\d+) requests in", text).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    for pat in (r"Non-2xx or 3xx responses: \d+", r"Socket errors: .*"):
        m = re.search(pat, text)
        if m:
            problems.append(f"{server} {name} round {rnd}: {m.group(0)}")
    u, s = map(float, wrk_cpu.split())
    data.setdefault((server, name), []).append((rps, int(ticks) * tick * 1e6 / n, (u + s) * 1e6 / n,
                                        100 * int(busy) / int(total), max(0, int(jit)) * tick * 1e6 / n))
med = {k: [statistics.median(x[i] for x in v) for i in range(5)] for k, v in data.items()}
label = {"small": "53 KB", "medium": "1 MB", "large": "50 MB"}
print(f"\nwarm keep-alive, wrk -t2 -c16 -d{sys.argv[2]}, medians of {sys.argv[3]} rounds")
print("| file | server | req/s | server CPU us/req | of it JIT compiling | wrk CPU us/req | machine busy % | /nginx |")
print("|------|--------|------:|------------------:|--------------------:|---------------:|---------------:|-------:|")
for name in [n for n in ("small", "medium", "large") if ("nginx", n) in med]:
    for server in [s for s in ("base", "reprox", "nginx") if (s, name) in med]:
        rps, cpu, wcpu, busy, jit = med[(server, name)]
        print(f"| {label[name]} | {server} | {rps:.0f} | {cpu:.1f} | {jit:.1f} | {wcpu:.1f} | {busy:.0f} | {rps / med[('nginx', name)][0]:.2f} |")
print("per round (server CPU us/req, JIT us/req):")
for (server, name), v in sorted(data.items()):
    print(f"  {label[name]} {server}: " + ", ".join(f"{x[1]:.1f} ({x[4]:.1f})" for x in v))
for p in problems:
    print("  note: " + p)
EOF
  exit 0
fi

# ---------------------------------------------------------------- 3. wrk rounds
# FANOUT_ONLY=1: no wrk rounds and no memory phase (before/after comparisons of the fan-out).
if [[ ${FANOUT_ONLY:-0} != 1 && ${MEMORY_ONLY:-0} != 1 ]]; then
: >"$WORK/logs/wrk-results.tsv"
for ((round = 1; round <= ROUNDS; round++)); do
  # rotate the order each round so no server always runs first (or right after another)
  order=("${SERVERS[@]:round%3}" "${SERVERS[@]:0:round%3}")
  for n in small medium large; do
    for s in "${order[@]}"; do
      out="$WORK/logs/wrk-$s-$n-$round.txt"
      wrk -t2 -c16 -d"$DURATION" --latency --timeout 30s "${BASE[$s]}/${POOL[$n]}" >"$out" 2>&1 || die "wrk $s $n (see $out)"
      printf '%s\t%s\t%s\t%s\t%s\n' "$round" "$s" "$n" "${SIZES[$n]}" "$out" >>"$WORK/logs/wrk-results.tsv"
    done
  done
  log "wrk round $round/$ROUNDS done"
done

"$PY" - "$WORK/logs/wrk-results.tsv" "$DURATION" "$ROUNDS" <<'EOF'
import re, statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
UNIT = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}
def ms(v):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", v)
    return float(m.group(1)) * UNIT[m.group(2)]
data = {}
problems = []
for rnd, server, name, size, path in rows:
    text = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    p50 = ms(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1))
    p99 = ms(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))
    for pat in (r"Non-2xx or 3xx responses: \d+", r"Socket errors: .*"):
        m = re.search(pat, text)
        if m:
            problems.append(f"{server} {name} round {rnd}: {m.group(0)}")
    data.setdefault((server, name), []).append((rps, rps * int(size) / 1e6, p50, p99))
med = {k: [statistics.median(x[i] for x in v) for i in range(4)] for k, v in data.items()}
label = {"small": "53 KB", "medium": "1 MB", "large": "50 MB"}
print(f"\nwarm hits, wrk -t2 -c16 -d{sys.argv[2]} --latency, medians of {sys.argv[3]} rounds")
print(f"| file  | server        |    req/s |   MB/s | p50 ms | p99 ms | reprox/acng | reprox/nginx |")
print(f"|-------|---------------|---------:|-------:|-------:|-------:|------------:|-------------:|")
for name in ("small", "medium", "large"):
    for server, shown in (("reprox", "reprox"), ("acng", "apt-cacher-ng"), ("nginx", "nginx")):
        rps, mbs, p50, p99 = med[(server, name)]
        ratios = ""
        if server == "reprox":
            ratios = f"{rps / med[('acng', name)][0]:11.2f} | {rps / med[('nginx', name)][0]:12.2f}"
        else:
            ratios = f"{'':11} | {'':12}"
        print(f"| {label[name]:5} | {shown:13} | {rps:8.0f} | {mbs:6.0f} | {p50:6.2f} | {p99:6.1f} | {ratios} |")
def target(text, ok):
    print(f"  {'PASS' if ok else 'MISS'}  {text}")
r = lambda a, b, n: med[(a, n)][0] / med[(b, n)][0]
print("\ntargets:")
target(f"reprox/apt-cacher-ng >= 1.2 on 1 MB req/s      ({r('reprox', 'acng', 'medium'):.2f})", r('reprox', 'acng', 'medium') >= 1.2)
target(f"reprox/nginx >= 0.9 on 1 MB req/s              ({r('reprox', 'nginx', 'medium'):.2f})", r('reprox', 'nginx', 'medium') >= 0.9)
target(f"reprox/nginx >= 0.9 on 50 MB req/s             ({r('reprox', 'nginx', 'large'):.2f})", r('reprox', 'nginx', 'large') >= 0.9)
target(f"reprox/nginx >= 0.5 on 53 KB keep-alive req/s  ({r('reprox', 'nginx', 'small'):.2f})", r('reprox', 'nginx', 'small') >= 0.5)
for p in problems:
    print("  note: " + p)
EOF
probe wrk-rounds fan-out

fi # FANOUT_ONLY

# ---------------------------------------------------------------- 4. cold fan-out
# clients: url, count, outdir → one line per client: ttfb_s total_s http_code bytes seen_s. One
# process (benchmarks/fanout.py) opens every connection first, then sends all requests at once and
# times each from its own request to the kernel's receive time of its first byte: 64 curl processes
# spawned on 2 loaded cores spent up to 290 ms just connecting, and one process reading 64 bodies
# noticed heads up to 90 ms after reprox wrote them; both measured the client machine, not the server.
fan() {
  local url=$1 count=$2 dir=$3
  mkdir -p "$dir"
  "$PY" "$ROOT/benchmarks/fanout.py" "$url" "$count" "$dir" || true
}
upstream_gets() { grep -c -F "GET /debian/$1 " "$WORK/logs/upstream-access.log" || true; }

fanout_report() { # server label, alone dir, fan dir, pool path alone, pool path fan, size
  "$PY" - "$@" "$(upstream_gets "$4")" "$(upstream_gets "$5")" "$FANOUT" <<'EOF'
import statistics, sys
label, alone, fan, _, _, size, up_alone, up_fan, n = sys.argv[1:]
def load(d):
    rows = [l.split() for l in open(d + "/all.txt") if l.strip()]
    t0, t1 = map(float, open(d + "/wall.txt").read().split())
    return rows, t1 - t0
a, a_wall = load(alone)
f, f_wall = load(fan)
bad = [r for r in a + f if r[2] != "200" or int(r[3]) != int(size)]
ttfb = sorted(float(r[0]) * 1000 for r in f)
followers = ttfb[1:]  # the first answered is the leader; the rest follow it
print(f"| {label:13} | {a_wall:8.2f} | {f_wall:9.2f} | {int(n):7d} | {up_fan:>14} | "
      f"{statistics.median(followers):9.1f} | {max(followers):9.1f} | {len(bad):6d} |")
EOF
}

if [[ ${MEMORY_ONLY:-0} != 1 ]]; then
declare -A COLD_ALONE=([reprox]=cold-alone [acng]=cold-acng-alone)
declare -A COLD_FAN=([reprox]=cold-fan [acng]=cold-acng-fan)
FAN_ROWS=()
for s in reprox acng; do
  fan "${BASE[$s]}/${POOL[${COLD_ALONE[$s]}]}" 1 "$WORK/fanout/$s-alone"
  fan "${BASE[$s]}/${POOL[${COLD_FAN[$s]}]}" "$FANOUT" "$WORK/fanout/$s-fan"
  # the cold file, now warm, must carry the right bytes
  got=$(curl -sf "${BASE[$s]}/${POOL[${COLD_FAN[$s]}]}" | sha256sum | cut -d' ' -f1) || true
  [[ $got == "${SHA[${COLD_FAN[$s]}]}" ]] || die "fan-out: $s stored wrong bytes for ${POOL[${COLD_FAN[$s]}]}"
  FAN_ROWS+=("$(fanout_report "$([[ $s == acng ]] && echo apt-cacher-ng || echo reprox)" \
    "$WORK/fanout/$s-alone" "$WORK/fanout/$s-fan" "${POOL[${COLD_ALONE[$s]}]}" "${POOL[${COLD_FAN[$s]}]}" \
    "${SIZES[cold-fan]}")")
done
echo
echo "cold fan-out: one uncached 50 MB file, upstream limit_rate 100m; $FANOUT clients at once vs one alone"
echo "| server        | alone s  | fan-out s | clients | upstream GETs  | TTFB p50 ms | TTFB max ms | failed |"
echo "|---------------|---------:|----------:|--------:|---------------:|------------:|------------:|-------:|"
printf '%s\n' "${FAN_ROWS[@]}"
"$PY" - "$WORK/fanout/reprox-fan/all.txt" "$(upstream_gets "${POOL[cold-fan]}")" <<'EOF'
import sys
ttfb = sorted(float(l.split()[0]) * 1000 for l in open(sys.argv[1]) if l.strip())[1:]
gets = int(sys.argv[2])
print("\ntargets:")
print(f"  {'PASS' if gets == 1 else 'MISS'}  reprox fan-out upstream fetches = 1 ({gets})")
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
seen = sorted(float(r[4]) * 1000 for r in rows if len(r) > 4)[1:]
noticed = f"; fanout.py noticed it within {max(seen):.1f} ms" if seen else ""
print(f"  {'PASS' if max(ttfb) < 50 else 'MISS'}  reprox followers' TTFB < 50 ms (max {max(ttfb):.1f} ms{noticed})")
EOF
probe fan-out memory

if [[ ${FANOUT_ONLY:-0} == 1 ]]; then exit 0; fi
fi # MEMORY_ONLY

# ---------------------------------------------------------------- 5. memory
# reprox alone, two shapes of 64 concurrent 50 MB downloads of the warm file: fast readers
# (wrk -c64) and slow readers (curl --limit-rate 8M: backpressure must hold, not buffer).
JSTAT_OUT="$WORK/logs/reprox-jstat.txt"
jstat -gc "$RX_PID" 200 >"$JSTAT_OUT" 2>&1 &
JSTAT_PID=$!
PIDS+=($JSTAT_PID)
rss_sampler() {
  while kill -0 "$RX_PID" 2>/dev/null; do
    awk '/^VmRSS/ {print $2}' "/proc/$RX_PID/status" 2>/dev/null || true
    sleep 0.2
  done
}
rss_sampler >"$WORK/logs/reprox-rss.txt" &
RSS_PID=$!
PIDS+=($RSS_PID)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$RX_PID/stat"; }
cpu0=$(cpu_ticks)
wrk -t2 -c"$FANOUT" -d"$DURATION" --latency --timeout 60s "${BASE[reprox]}/${POOL[large]}" >"$WORK/logs/wrk-memory-fast.txt" 2>&1
cpu1=$(cpu_ticks)
fan_slow() {
  local i clients=()
  for ((i = 0; i < FANOUT; i++)); do
    curl -s --limit-rate 8M -o /dev/null -w '%{http_code} %{size_download}\n' "${BASE[reprox]}/${POOL[large]}" \
      >"$WORK/fanout/slow-$i.txt" &
    clients+=($!)
  done
  wait "${clients[@]}" || true
}
t0=$(date +%s)
fan_slow
slow_secs=$(( $(date +%s) - t0 ))
kill "$JSTAT_PID" "$RSS_PID" 2>/dev/null || true
slow_ok=$(cat "$WORK"/fanout/slow-*.txt | awk -v s="${SIZES[large]}" '$1 == 200 && $2 == s' | wc -l)
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$RX_PID/status")
probe memory end
# With REPROX_JAVA_OPTS=-XX:NativeMemoryTracking=summary: where the resident memory is, not a guess.
if [[ ${REPROX_JAVA_OPTS:-} == *NativeMemoryTracking* ]]; then
  jcmd "$RX_PID" VM.native_memory summary >"$WORK/logs/reprox-nmt.txt" 2>&1 || true
fi
rss_max=$(sort -n "$WORK/logs/reprox-rss.txt" | tail -1)
heap_max=$(awk 'NR > 1 && $1 ~ /^[0-9.]+$/ {u = $3 + $4 + $6 + $8; if (u > m) m = u} END {printf "%.0f", m / 1024}' "$JSTAT_OUT")
heap_cap=$(awk 'NR > 1 && $1 ~ /^[0-9.]+$/ {c = $1 + $2 + $5 + $7; if (c > m) m = c} END {printf "%.0f", m / 1024}' "$JSTAT_OUT")
fast_rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/logs/wrk-memory-fast.txt")
# reprox's CPU time per GB sent to the fast readers: on a loaded machine req/s mostly measures the
# other processes, this does not (an A/B of JVM flags compares it). wrk: "N requests in Ts, X.YGB read".
fast_cpu=$(awk -v a="$cpu0" -v b="$cpu1" -v hz="$(getconf CLK_TCK)" '/requests in/ {
    v = $(NF - 1); u = v; sub(/^[0-9.]+/, "", u); x = v + 0
    gb = u == "GB" ? x : u == "MB" ? x / 1024 : u == "KB" ? x / 1048576 : x / 1073741824
    if (gb > 0) printf "%.0f", (b - a) * 1000 / hz / gb; else print "-" }' "$WORK/logs/wrk-memory-fast.txt")
oom=$(grep -c OutOfMemoryError "$WORK/logs/reprox.log" || true)
echo
echo "memory: reprox -Xmx$REPROX_XMX, $FANOUT concurrent downloads of the warm 50 MB file"
echo "| load                                         | result                         |"
echo "|----------------------------------------------|--------------------------------|"
printf '| %-44s | %-30s |\n' "fast readers: wrk -t2 -c$FANOUT -d$DURATION" "$fast_rps req/s ($(awk -v r="$fast_rps" 'BEGIN {printf "%.0f", r * 52.4288}') MB/s)"
printf '| %-44s | %-30s |\n' "reprox CPU per GB to the fast readers" "$fast_cpu ms"
printf '| %-44s | %-30s |\n' "slow readers: $FANOUT x curl --limit-rate 8M" "$slow_ok/$FANOUT complete, ${slow_secs} s"
printf '| %-44s | %-30s |\n' "peak RSS (VmHWM, whole run)" "$((hwm / 1024)) MB"
printf '| %-44s | %-30s |\n' "max RSS sampled in the memory phase" "$((rss_max / 1024)) MB"
printf '| %-44s | %-30s |\n' "max heap used (jstat, 200 ms samples)" "$heap_max MB of $heap_cap MB committed"
printf '| %-44s | %-30s |\n' "OutOfMemoryError in reprox log" "$oom"
echo
echo "targets:"
[[ $((hwm / 1024)) -le 512 ]] && echo "  PASS  peak RSS <= 512 MB ($((hwm / 1024)) MB)" || echo "  MISS  peak RSS <= 512 MB ($((hwm / 1024)) MB)"
[[ $oom == 0 ]] && echo "  PASS  no OutOfMemoryError" || echo "  MISS  OutOfMemoryError in $WORK/logs/reprox.log"
[[ $slow_ok == "$FANOUT" ]] && echo "  PASS  all slow downloads complete" || echo "  MISS  $((FANOUT - slow_ok)) slow downloads incomplete"
if [[ $RSS_PROBE == 1 ]]; then
  echo
  echo "RSS_PROBE: VmHWM (MB) at the end of each phase; the peak was reached in the first phase that shows it"
  awk -F'\t' '{printf "  %-14s %4d MB\n", $1, $2 / 1024}' "$WORK/logs/probe-hwm.tsv"
  awk -F'\t' '$3 > m {m = $3; p = $2} END {printf "  max VmRSS sampled: %d MB in phase %s\n", m / 1024, p}' "$WORK/logs/rss-timeline.tsv"
fi
log "logs in $WORK/logs"
