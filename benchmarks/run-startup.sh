#!/usr/bin/env bash
# Start-up to /healthz (issue 14): starts `reprox serve` RUNS times (fresh data dir each time, the
# built-in repositories, loopback) and prints the time from exec to the first 200 of /healthz:
# each run, minimum and median.
#
#   benchmarks/run-startup.sh                  # the launcher script ./reprox (AppCDS archive included)
#   LAUNCH=jar benchmarks/run-startup.sh       # plain java -jar, no archive: the comparison
#
# Environment: RUNS (default 7), LAUNCH (reprox | jar), REPROX_JAR (default
# proxy-server/target/reprox.jar), REPROX_XMX (256m), WORK (benchmarks/target/startup),
# JAVA_OPTS (extra JVM flags, e.g. -Xlog:class+load:file=...). Needs java 17, curl, python3.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-$ROOT/benchmarks/target/startup}
RUNS=${RUNS:-7}
LAUNCH=${LAUNCH:-reprox}
REPROX_JAR=${REPROX_JAR:-$ROOT/proxy-server/target/reprox.jar}
REPROX_XMX=${REPROX_XMX:-256m}
PY=${PYTHON:-python3}

PID=""
cleanup() {
  local rc=$?
  if [[ -n $PID ]]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=benchmarks/lib.sh
. "$ROOT/benchmarks/lib.sh"
mkdir -p "$WORK/logs"
[[ -f $REPROX_JAR ]] || die "no $REPROX_JAR (./mvnw -B -o -q -DskipTests package -pl proxy-server -am)"

# The launcher's first serve after a build writes the class-data archive (a training run) and is
# not a start-up a user sees twice: made here, not timed.
if [[ $LAUNCH == reprox ]]; then
  read -r port <<<"$(free_ports 1)"
  rm -rf "$WORK/data"
  JAVA_OPTS="-Xmx$REPROX_XMX ${JAVA_OPTS:-}" "$ROOT/reprox" serve --data "$WORK/data" \
    --listen "127.0.0.1:$port" >"$WORK/logs/archive-run.log" 2>&1 &
  PID=$!
  wait_http "http://127.0.0.1:$port/healthz" reprox "$PID"
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
fi

times=()
cpu=()
for ((i = 1; i <= RUNS; i++)); do
  read -r port <<<"$(free_ports 1)"
  rm -rf "$WORK/data"
  t0=$(date +%s%N)
  if [[ $LAUNCH == reprox ]]; then
    JAVA_OPTS="-Xmx$REPROX_XMX ${JAVA_OPTS:-}" "$ROOT/reprox" serve --data "$WORK/data" \
      --listen "127.0.0.1:$port" >"$WORK/logs/run-$i.log" 2>&1 &
  else
    # shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
    java -Xmx"$REPROX_XMX" ${JAVA_OPTS:-} -jar "$REPROX_JAR" serve --data "$WORK/data" \
      --listen "127.0.0.1:$port" >"$WORK/logs/run-$i.log" 2>&1 &
  fi
  PID=$!
  # Poll every 10 ms: the figure is the first 200, so the poll interval bounds its error.
  until [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz") == 200 ]]; do
    kill -0 "$PID" 2>/dev/null || die "reprox exited (see $WORK/logs/run-$i.log)"
    (( $(date +%s%N) - t0 < 60000000000 )) || die "no /healthz within 60 s"
    sleep 0.01
  done
  t1=$(date +%s%N)
  times+=("$(( (t1 - t0) / 1000000 ))")
  # CPU time the JVM used until then (utime + stime, all threads): on a loaded machine the wall time
  # mostly measures the other processes, this does not. (./reprox execs java: same pid.)
  cpu+=("$(awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$PID/stat")")
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
done
"$PY" - "$LAUNCH" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" "${times[*]}" "${cpu[*]}" <<'EOF'
import statistics, sys
launch, cpus, load, wall, cpu = sys.argv[1:]
ms = [int(x) for x in wall.split()]
cpu = [int(x) for x in cpu.split()]
print(f"start-up to /healthz ({launch}), {len(ms)} runs, {cpus} CPUs, load {load}: "
      f"min {min(ms)} ms, median {statistics.median(ms):.0f} ms, max {max(ms)} ms  (runs: {' '.join(map(str, ms))})")
print(f"  CPU time of the JVM until then: min {min(cpu)} ms, median {statistics.median(cpu):.0f} ms"
      f"  (runs: {' '.join(map(str, cpu))})")
print(f"  {'PASS' if min(ms) <= 1500 else 'MISS'}  start-up to /healthz <= 1.5 s (min {min(ms)} ms)")
EOF
