#!/usr/bin/env bash
# One replica on the shared store vs single-node reprox (issue 15), all on loopback:
#   1. warm hits: wrk on the same three files (53 KB, 1 MB, 50 MB) from a single-node reprox
#      (RocksDB) and from one replica on PostgreSQL + S3Proxy whose local cache holds them;
#      medians of ROUNDS rounds, ratio shared/single (target >= 0.9);
#   2. cold fill: both restarted, the replica with an empty local cache, then COLD_FILES files of
#      COLD_MB MB each fetched once, one after the other: MB/s from S3 vs from RocksDB.
#
#   benchmarks/run-shared.sh              # wrk -d10s, 3 rounds (~6 minutes)
#   QUICK=1 benchmarks/run-shared.sh      # wrk -d3s
#
# Environment: ROUNDS (3), DURATION (wrk -d, 10s; 3s with QUICK=1), REPROX_JAR (default
# proxy-server/target/reprox.jar), S3PROXY_JAR (default proxy-server/target/s3proxy/s3proxy.jar,
# copied there by `./mvnw -o -pl proxy-server -am verify`; or org.gaul:s3proxy jar-with-dependencies),
# REPROX_XMX (256m), REPROX_JAVA_OPTS (more JVM options for both reprox, e.g. a JFR recording:
# "-XX:StartFlightRecording=filename=/tmp/%p.jfr,settings=profile"), COLD_FILES (8), COLD_MB (16),
# WORK (benchmarks/target/shared), KEEP=1.
# Needs: java 17, wrk, nginx, curl, gpg, python3, PostgreSQL 15 binaries in /usr/lib/postgresql/15/bin
# (run as root: the cluster runs as the postgres user). No network. Every process it starts is
# stopped on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-$ROOT/benchmarks/target/shared}
QUICK=${QUICK:-0}
ROUNDS=${ROUNDS:-3}
if [[ $QUICK == 1 ]]; then DURATION=${DURATION:-3s}; else DURATION=${DURATION:-10s}; fi
REPROX_JAR=${REPROX_JAR:-$ROOT/proxy-server/target/reprox.jar}
S3PROXY_JAR=${S3PROXY_JAR:-$ROOT/proxy-server/target/s3proxy/s3proxy.jar}
REPROX_XMX=${REPROX_XMX:-256m}
REPROX_JAVA_OPTS=${REPROX_JAVA_OPTS:-}
COLD_FILES=${COLD_FILES:-8}
COLD_MB=${COLD_MB:-16}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PY=${PYTHON:-python3}

PIDS=()
PGDIR=""
cleanup() {
  local rc=$?
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [[ -n $PGDIR && -f $PGDIR/data/postmaster.pid ]]; then
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  [[ -n $PGDIR ]] && rm -rf "$PGDIR"
  GNUPGHOME="$WORK/gnupg" gpgconf --kill gpg-agent 2>/dev/null || true
  if [[ ${KEEP:-0} != 1 ]]; then
    rm -rf "$WORK/single-data" "$WORK"/replica-data* "$WORK/s3"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=benchmarks/lib.sh
. "$ROOT/benchmarks/lib.sh" # log, die, free_ports, wait_http, signing_key, write_release, start_nginx
for tool in java wrk nginx curl gpg "$PY" sha256sum runuser "$PGBIN/initdb" "$PGBIN/pg_ctl"; do
  command -v "$tool" >/dev/null || die "$tool not found"
done
[[ -f $REPROX_JAR ]] || die "$REPROX_JAR missing: ./mvnw -B -o -q -DskipTests package -pl proxy-server -am"
[[ -f $S3PROXY_JAR ]] || die "$S3PROXY_JAR missing (see the header of this script)"

# ---------------------------------------------------------------- 1. data and upstream
rm -rf "$WORK/single-data" "$WORK"/replica-data* "$WORK/s3" "$WORK/run" "$WORK/logs"
mkdir -p "$WORK"/{run,logs,s3} "$WORK/www/debian/dists/bench/main/binary-amd64"
read -r UP_PORT PG_PORT S3_PORT SI_PORT SH_PORT <<<"$(free_ports 5)"
log "ports: upstream $UP_PORT, postgres $PG_PORT, s3proxy $S3_PORT, single $SI_PORT, replica $SH_PORT; work dir $WORK"
log "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

declare -A SIZES=([small]=$((53 * 1024)) [medium]=$((1024 * 1024)) [large]=$((50 * 1024 * 1024)))
NAMES=(small medium large)
for ((i = 1; i <= COLD_FILES; i++)); do
  SIZES[cold$i]=$((COLD_MB * 1024 * 1024))
  NAMES+=("cold$i")
done
declare -A POOL SHA
for n in "${NAMES[@]}"; do
  rel="pool/main/b/bench-$n/bench-${n}_1.0_amd64.deb"
  f="$WORK/www/debian/$rel"
  mkdir -p "$(dirname "$f")"
  if [[ ! -f $f || $(stat -c %s "$f") != "${SIZES[$n]}" ]]; then
    head -c "${SIZES[$n]}" /dev/urandom >"$f"
  fi
  POOL[$n]=$rel
  SHA[$n]=$(sha256sum "$f" | cut -d' ' -f1)
done
packages="$WORK/www/debian/dists/bench/main/binary-amd64/Packages"
: >"$packages"
for n in "${NAMES[@]}"; do
  cat >>"$packages" <<EOF
Package: bench-$n
Version: 1.0
Architecture: amd64
Filename: ${POOL[$n]}
Size: ${SIZES[$n]}
SHA256: ${SHA[$n]}
Description: benchmark payload $n

EOF
done
gzip -9nkf "$packages"
signing_key "$WORK/gnupg" "$WORK/run/bench-keyring.gpg"
write_release "$WORK/www/debian/dists/bench" bench main/binary-amd64/Packages main/binary-amd64/Packages.gz

start_nginx "$WORK/run" "$UP_PORT" "$WORK/www"

# ---------------------------------------------------------------- 2. PostgreSQL, S3Proxy
# A throwaway cluster in /tmp (the postgres user must reach it), trust auth on loopback. fsync
# off as in the tests: warm hits write nothing, and the cold fill only its catalogue reads.
PGDIR=$(mktemp -d /tmp/reprox-bench-pg.XXXXXX)
chmod 755 "$PGDIR"
mkdir -p "$PGDIR/data" "$PGDIR/sock"
chown -R postgres:postgres "$PGDIR/data" "$PGDIR/sock"
runuser -u postgres -- "$PGBIN/initdb" -D "$PGDIR/data" -U postgres -A trust --no-sync >"$WORK/logs/initdb.log" 2>&1 \
  || die "initdb (see $WORK/logs/initdb.log)"
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -w -l "$PGDIR/sock/postgres.log" \
  -o "-p $PG_PORT -k $PGDIR/sock -c listen_addresses=127.0.0.1 -c fsync=off" start >"$WORK/logs/pg_ctl.log" 2>&1 \
  || die "pg_ctl start (see $WORK/logs/pg_ctl.log)"

cat >"$WORK/run/s3proxy.conf" <<EOF
s3proxy.endpoint=http://127.0.0.1:$S3_PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=bench-access
s3proxy.credential=bench-secret
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$WORK/s3
jclouds.identity=bench-access
jclouds.credential=bench-secret
EOF
java -Xmx512m -jar "$S3PROXY_JAR" --properties "$WORK/run/s3proxy.conf" >"$WORK/logs/s3proxy.log" 2>&1 &
S3_PID=$!
PIDS+=($S3_PID)
wait_http "http://127.0.0.1:$S3_PORT/" s3proxy $S3_PID

# ---------------------------------------------------------------- 3. the two reprox
cp "$REPROX_JAR" "$WORK/run/reprox.jar" # other builds may replace the jar while this runs
repos="repositories:
  bench:
    format: apt
    upstream: http://127.0.0.1:$UP_PORT/debian
    keyring: $WORK/run/bench-keyring.gpg
    root-ttl: 3600s"
echo "$repos" >"$WORK/run/single.yaml"
cat >"$WORK/run/shared.yaml" <<EOF
$repos
storage:
  type: shared
  postgres: {url: "jdbc:postgresql://127.0.0.1:$PG_PORT/postgres", user: postgres}
  s3: {endpoint: "http://127.0.0.1:$S3_PORT", bucket: reprox-bench, access-key: bench-access, secret-key: bench-secret}
  local-cache: {max-size: 2GiB}
EOF

start_reprox() { # name, config, data dir, port; sets LAST_PID
  # shellcheck disable=SC2086 # REPROX_JAVA_OPTS is a list of options
  java -Xmx"$REPROX_XMX" $REPROX_JAVA_OPTS -jar "$WORK/run/reprox.jar" serve --config "$2" --data "$3" --listen "127.0.0.1:$4" \
    >>"$WORK/logs/$1.log" 2>&1 &
  LAST_PID=$!
  PIDS+=($LAST_PID)
  wait_http "http://127.0.0.1:$4/healthz" "$1" $LAST_PID
}
stop_reprox() { # pid
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

start_reprox single "$WORK/run/single.yaml" "$WORK/single-data" "$SI_PORT"
SI_PID=$LAST_PID
start_reprox replica "$WORK/run/shared.yaml" "$WORK/replica-data" "$SH_PORT"
SH_PID=$LAST_PID
declare -A BASE=([single]="http://127.0.0.1:$SI_PORT/bench" [shared]="http://127.0.0.1:$SH_PORT/bench")
SERVERS=(single shared)

empty=$(sha256sum </dev/null | cut -d' ' -f1)
fetch_all() { # server: GET every file once, sha256 checked (a pool path may 404 for a moment after the listing)
  local s=$1 n got
  for idx in dists/bench/InRelease dists/bench/main/binary-amd64/Packages.gz; do
    curl -sf -o /dev/null "${BASE[$s]}/$idx" || die "$s: $idx"
  done
  for n in "${NAMES[@]}"; do
    got=""
    for _ in $(seq 50); do
      got=$(curl -sf "${BASE[$s]}/${POOL[$n]}" | sha256sum | cut -d' ' -f1) || true
      [[ $got != "$empty" ]] && break
      sleep 0.2
    done
    [[ $got == "${SHA[$n]}" ]] || die "$s returned wrong bytes for ${POOL[$n]} ($got; see $WORK/logs)"
  done
}
for s in "${SERVERS[@]}"; do fetch_all "$s"; done
log "filled: both served the right sha256 for all ${#NAMES[@]} files (the replica's are in S3 and its local cache)"
for n in small medium large; do
  for s in "${SERVERS[@]}"; do
    wrk -t2 -c16 -d3s --timeout 30s "${BASE[$s]}/${POOL[$n]}" >/dev/null 2>&1 || die "wrk warm-up $s $n"
  done
done

# ---------------------------------------------------------------- 4. warm hits
: >"$WORK/logs/wrk-results.tsv"
for ((round = 1; round <= ROUNDS; round++)); do
  order=("${SERVERS[@]:round%2}" "${SERVERS[@]:0:round%2}")
  for n in small medium large; do
    for s in "${order[@]}"; do
      out="$WORK/logs/wrk-$s-$n-$round.txt"
      wrk -t2 -c16 -d"$DURATION" --latency --timeout 30s "${BASE[$s]}/${POOL[$n]}" >"$out" 2>&1 || die "wrk $s $n"
      "$PY" - "$s" "$n" "$round" "$out" >>"$WORK/logs/wrk-results.tsv" <<'PYEOF'
import re, sys
s, n, r, path = sys.argv[1:5]
text = open(path).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
m = re.search(r"Transfer/sec:\s+([\d.]+)(\w+)", text)
mb = float(m.group(1)) * {"B": 1 / 2**20, "KB": 1 / 1024, "MB": 1, "GB": 1024}[m.group(2)]
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"{s}\t{n}\t{r}\t{rps}\t{mb}\t{errors.group(1) if errors else 0}")
PYEOF
    done
  done
done
log "load after the warm rounds: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- 5. cold fill
# Both restarted (fresh JVMs); the replica with an empty local cache (a new data directory), so
# every file comes from S3; the single node reads its RocksDB store (the OS page cache may still
# hold some of it: this is not a cold disk).
stop_reprox "$SI_PID"
stop_reprox "$SH_PID"
start_reprox single "$WORK/run/single.yaml" "$WORK/single-data" "$SI_PORT"
SI_PID=$LAST_PID
start_reprox replica "$WORK/run/shared.yaml" "$WORK/replica-data-cold" "$SH_PORT"
SH_PID=$LAST_PID
: >"$WORK/logs/cold.tsv"
for s in "${SERVERS[@]}"; do
  curl -sf -o /dev/null "${BASE[$s]}/dists/bench/InRelease" || die "$s: InRelease after restart"
  for ((i = 1; i <= COLD_FILES; i++)); do
    n=cold$i
    read -r secs bytes code <<<"$(curl -s -o "$WORK/run/cold.out" -w '%{time_total} %{size_download} %{http_code}' \
      "${BASE[$s]}/${POOL[$n]}")"
    [[ $code == 200 && $(sha256sum <"$WORK/run/cold.out" | cut -d' ' -f1) == "${SHA[$n]}" ]] \
      || die "cold: $s $n answered $code or wrong bytes"
    printf '%s\t%s\t%s\t%s\n' "$s" "$n" "$secs" "$bytes" >>"$WORK/logs/cold.tsv"
  done
done
rm -f "$WORK/run/cold.out"
ups=$(grep -c 'bench-cold' "$WORK/logs/upstream-access.log" || true)
[[ $ups == $((2 * COLD_FILES)) ]] || die "cold: expected $((2 * COLD_FILES)) upstream GETs of the cold files (one per server, at fill), saw $ups"

# ---------------------------------------------------------------- 6. report
echo
echo "one replica on the shared store (PostgreSQL 15 + S3Proxy, local cache) vs single-node reprox (RocksDB)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; wrk -t2 -c16 -d$DURATION, median of $ROUNDS rounds"
"$PY" - "$WORK/logs/wrk-results.tsv" "$WORK/logs/cold.tsv" <<'PYEOF'
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().splitlines()]
med = {}
for s, n, _, rps, mb, err in rows:
    med.setdefault((s, n), []).append((float(rps), float(mb), int(err)))
print("\n| file   | single req/s | shared req/s | single MB/s | shared MB/s | shared/single | non-2xx |")
print("|--------|-------------:|-------------:|------------:|------------:|--------------:|--------:|")
worst = None
for n in ("small", "medium", "large"):
    si = statistics.median(r for r, _, _ in med[("single", n)])
    sh = statistics.median(r for r, _, _ in med[("shared", n)])
    si_mb = statistics.median(m for _, m, _ in med[("single", n)])
    sh_mb = statistics.median(m for _, m, _ in med[("shared", n)])
    errs = sum(e for s, f in med for *_, e in med[(s, f)] if f == n)
    ratio = sh / si
    worst = ratio if worst is None else min(worst, ratio)
    print(f"| {n:6} | {si:12.0f} | {sh:12.0f} | {si_mb:11.1f} | {sh_mb:11.1f} | {ratio:13.2f} | {errs:7d} |")
cold = [l.split("\t") for l in open(sys.argv[2]).read().splitlines()]
rate = {}
for s in ("single", "shared"):
    secs = sum(float(c[2]) for c in cold if c[0] == s)
    size = sum(int(c[3]) for c in cold if c[0] == s)
    rate[s] = size / secs / 2**20
    print(f"\ncold fill, {s}: {len([c for c in cold if c[0] == s])} files, {size / 2**20:.0f} MiB in {secs:.2f} s"
          f" = {rate[s]:.1f} MiB/s (fresh JVM; {'empty local cache, from S3' if s == 'shared' else 'from RocksDB'})")
print(f"\ncold fill shared/single: {rate['shared'] / rate['single']:.2f}")
print(f"\ntarget:\n  {'PASS' if worst >= 0.9 else 'MISS'}  warm hits shared/single >= 0.9 (worst file {worst:.2f})")
PYEOF
