#!/usr/bin/env bash
# Pre-warm at scale (issue 11): `reprox prewarm --data` of 500 packages from a local upstream,
# side by side with fetching the same 500 URLs through apt-cacher-ng at the same concurrency;
# then the like-for-like rows, a running reprox (as apt-cacher-ng is a running daemon) warmed on
# other packages first: `reprox prewarm --server` (a client JVM) and the admin API driven by curl;
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
# WORK (default benchmarks/target/prewarm; WORK/jar keeps the jar copy and its class archive while
# REPROX_JAR has the same bytes), KEEP=1 keeps the stores afterwards, SERVER_ROWS=0
# skips steps 4 and 5, CLIENT (launcher: ./reprox, a C1-only client JVM mapping the class
# archive; jar: plain java -jar) for the --server row, LAUNCH (the same for step 2, default
# launcher: its JVM flags and the class archive, trained untimed when missing) and LAUNCHER (the
# launcher script, default ./reprox; another checkout's for a before/after), CLIENT_JOBS (prewarm
# --server's --jobs, default JOBS: per batch request, two in flight), WARM_ROUNDS (default 0:
# steps 4b and 5b, the steady state).
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
# 4. A running reprox (`./reprox serve`, its class archive trained untimed), warmed by pre-warming
#    suite warm (PACKAGES other packages, same size distribution), then `reprox prewarm --server`
#    of the PACKAGES of step 2 (suite bench: its root and listing are fetched then, as in the
#    other rows): wall of the client from exec to exit, client CPU, server CPU during it.
# 5. The same server: the admin route (POST /-/api/admin/prewarm/...) for suite api (PACKAGES
#    more) driven by JOBS curls: the server alone, no client JVM.
# 4b, 5b. With WARM_ROUNDS=N, the same server then pre-warms N more suites of PACKAGES packages
#    (half by prewarm --server, half by the admin route), then both rows again on packages of the
#    same sizes (suites bench2, api2): a daemon that has run a while, as apt-cacher-ng is. Every
#    server row prints the server's CPU a package (with and without its compiler threads) and its
#    compilations during the row (C1, C2, made not entrant: -XX:+PrintCompilation on serve).
# 6. ENTRIES entries cycling over the same packages (all already present) into the store of 2,
#    under -Xmx128m: wall time and peak RSS (/usr/bin/time -f %M).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-$ROOT/benchmarks/target/prewarm}
PACKAGES=${PACKAGES:-500}
JOBS=${JOBS:-4}
CLIENT_JOBS=${CLIENT_JOBS:-$JOBS}
ENTRIES=${ENTRIES:-50000}
REPROX_JAR=${REPROX_JAR:-$ROOT/proxy-server/target/reprox.jar}
REPROX_XMX=${REPROX_XMX:-256m}
UPSTREAM_RATE=${UPSTREAM_RATE-1000}
SERVER_ROWS=${SERVER_ROWS:-1}
WARM_ROUNDS=${WARM_ROUNDS:-0}
CLIENT=${CLIENT:-launcher}
LAUNCH=${LAUNCH:-launcher}
LAUNCHER=${LAUNCHER:-$ROOT/reprox}
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
    rm -rf "$WORK/reprox-data" "$WORK/reprox-server" "$WORK/acng/cache" "$WORK/run/api-out"
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
rm -rf "$WORK/reprox-data" "$WORK/reprox-server" "$WORK/acng" "$WORK/run" "$WORK/logs"
mkdir -p "$WORK"/{run,logs,acng/{conf,cache,log,run}}
read -r UP_PORT AC_PORT RX_PORT <<<"$(free_ports 3)"
log "ports: upstream $UP_PORT, apt-cacher-ng $AC_PORT, reprox serve $RX_PORT; work dir $WORK"
SUITES=(bench)
if [[ $SERVER_ROWS == 1 ]]; then
  SUITES+=(warm api)
  for ((k = 1; k <= WARM_ROUNDS; k++)); do SUITES+=("w$k"); done
  if ((WARM_ROUNDS > 0)); then SUITES+=(bench2 api2); fi
fi

signing_key "$WORK/gnupg" "$WORK/run/bench-keyring.gpg"
# Per suite, the pool and the Packages listing: made by python (seeded sizes, one distribution
# for every suite; files kept between runs when their size matches). Writes
# run/list-<suite>.tsv: path, size, sha256.
for suite in "${SUITES[@]}"; do
mkdir -p "$WORK/www/debian/dists/$suite/main/binary-amd64"
"$PY" - "$WORK/www/debian" "$PACKAGES" "$WORK/run/list-$suite.tsv" "$suite" <<'EOF'
import hashlib, math, os, random, sys
www, n, listing, suite = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
# Steady-state rows (WARM_ROUNDS): bench2 and api2 have the sizes of bench and api (the same
# bytes a row), other names and contents; warm round k's suite wk, sizes of its own.
seeds = {"bench": (11, "bench-pw"), "warm": (12, "bench-wm"), "api": (13, "bench-api"),
         "bench2": (11, "bench-ss"), "api2": (13, "bench-as")}
seed, prefix = seeds.get(suite) or (100 + int(suite[1:]), f"bench-w{suite[1:]}-")
rnd = random.Random(seed)
rows = []
stanzas = []
for i in range(n):
    size = int(math.exp(rnd.uniform(math.log(20 * 1024), math.log(2 * 1024 * 1024))))
    name = f"{prefix}{i:04d}"
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
open(os.path.join(www, f"dists/{suite}/main/binary-amd64/Packages"), "w").write("\n".join(stanzas))
open(listing, "w").writelines(rows)
EOF
packages="$WORK/www/debian/dists/$suite/main/binary-amd64/Packages"
gzip -9nkf "$packages"
write_release "$WORK/www/debian/dists/$suite" "$suite" main/binary-amd64/Packages main/binary-amd64/Packages.gz
done
cp "$WORK/run/list-bench.tsv" "$WORK/run/list.tsv"
inrelease="$WORK/www/debian/dists/bench/InRelease"
TOTAL_BYTES=$(awk -F'\t' '{s += $2} END {print s}' "$WORK/run/list.tsv")
log "upstream: $PACKAGES packages, $((TOTAL_BYTES / 1048576)) MiB"

start_nginx "$WORK/run" "$UP_PORT" "$WORK/www" "limit_rate 100m;" # throttled like a good mirror

# ---------------------------------------------------------------- 2. reprox prewarm
if [[ ! -f $REPROX_JAR ]]; then
  log "building $REPROX_JAR"
  (cd "$ROOT" && ./mvnw -B -o -q -DskipTests package -pl proxy-server -am)
fi
# A private copy (other builds may replace the jar), outside run/ (emptied every run) and kept
# while its bytes are the jar's: a new copy is a newer file, and the launcher would retrain its
# class archive beside it (about 10 s of CPU) and unpack RocksDB's library again.
JAR=$WORK/jar/reprox.jar
mkdir -p "$WORK/jar"
if cmp -s "$REPROX_JAR" "$JAR"; then
  log "$JAR: the same bytes as $REPROX_JAR, kept with its class archive"
else
  cp "$REPROX_JAR" "$JAR.tmp" && mv -f "$JAR.tmp" "$JAR"
fi
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
# lockfiles: run/prewarm.lock.json (PACKAGES entries), run/large.lock.json (ENTRIES, cycling),
# run/warm.lock.json (suite warm, step 4's warm-up)
lockfile() { # list, suite, entries, file
  "$PY" - "$1" "$T" "$(sha256sum "$WORK/www/debian/dists/$2/InRelease" | cut -d' ' -f1)" "$3" "$4" "$2" <<'EOF'
import json, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
t, gen, n, out, suite = sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6]
at = f"{t[0:4]}-{t[4:6]}-{t[6:8]}T{t[9:11]}:{t[11:13]}:{t[13:15]}Z"
pkgs = [{"path": rows[i % len(rows)][0], "sha256": rows[i % len(rows)][2], "size": int(rows[i % len(rows)][1])}
        for i in range(n)]
lock = {"lockfileVersion": 1, "repositories": [{"name": "bench", "format": "apt", "at": at,
        "roots": [{"path": f"dists/{suite}/InRelease", "generation": "sha256:" + gen}], "packages": pkgs}]}
with open(out, "w") as f:
    json.dump(lock, f, indent=2)
EOF
}
lockfile "$WORK/run/list.tsv" bench "$PACKAGES" "$WORK/run/prewarm.lock.json"
lockfile "$WORK/run/list.tsv" bench "$ENTRIES" "$WORK/run/large.lock.json"
if [[ $SERVER_ROWS == 1 ]]; then
  lockfile "$WORK/run/list-warm.tsv" warm "$PACKAGES" "$WORK/run/warm.lock.json"
  for ((k = 1; k <= WARM_ROUNDS; k++)); do # the first half of a warm round by prewarm --server
    lockfile "$WORK/run/list-w$k.tsv" "w$k" $((PACKAGES / 2)) "$WORK/run/w$k.lock.json"
  done
  if ((WARM_ROUNDS > 0)); then
    lockfile "$WORK/run/list-bench2.tsv" bench2 "$PACKAGES" "$WORK/run/bench2.lock.json"
  fi
fi

# How a CI step runs it: through the launcher (LAUNCH=launcher, its JVM flags and the class
# archive of serve's training, made here untimed when missing, as a cached build would have it),
# or plain java -jar (LAUNCH=jar).
if [[ $LAUNCH == launcher ]]; then
  PREWARM_CMD=(env REPROX_JAR="$JAR" JAVA_OPTS="-Xmx$REPROX_XMX ${REPROX_JAVA_OPTS:-}" "$LAUNCHER")
  if [[ ! -s ${JAR%.jar}.jsa || $JAR -nt ${JAR%.jar}.jsa ]]; then
    log "training the launcher's class archive (untimed: serve --offline, a few requests)"
    REPROX_JAR="$JAR" "$LAUNCHER" serve --offline --data "$WORK/run/train-data" \
      --listen 127.0.0.1:0 >"$WORK/logs/train.out" 2>&1 &
    TRAIN_PID=$!
    for _ in $(seq 1200); do
      grep -q 'listening on' "$WORK/logs/train.out" 2>/dev/null && break
      kill -0 "$TRAIN_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill "$TRAIN_PID" 2>/dev/null || true
    wait "$TRAIN_PID" 2>/dev/null || true
    rm -rf "$WORK/run/train-data"
  fi
else
  # shellcheck disable=SC2206 # REPROX_JAVA_OPTS is a list of flags
  PREWARM_CMD=(java -Xmx"$REPROX_XMX" ${REPROX_JAVA_OPTS:-} -jar "$JAR")
fi
log "reprox prewarm --data ($LAUNCH): $PACKAGES packages, --jobs $JOBS"
t0=$(date +%s%N)
RX_START=$t0
/usr/bin/time -f '%e %M %U %S' -o "$WORK/logs/prewarm-time.txt" "${PREWARM_CMD[@]}" \
  prewarm --data "$WORK/reprox-data" --config "$WORK/run/reprox.yaml" --jobs "$JOBS" "$WORK/run/prewarm.lock.json" \
  >"$WORK/logs/prewarm.out" 2>&1 || die "reprox prewarm (see $WORK/logs/prewarm.out)"
t1=$(date +%s%N)
RX_END=$t1
RX_MS=$(((t1 - t0) / 1000000))
grep -Eq "^stored +$PACKAGES\$" "$WORK/logs/prewarm.out" || die "reprox prewarm did not store $PACKAGES (see $WORK/logs/prewarm.out)"
RX_RSS=$(cut -d' ' -f2 "$WORK/logs/prewarm-time.txt")
RX_CPU=$(awk '{print $3 + $4}' "$WORK/logs/prewarm-time.txt")
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
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # utime + stime of a process, in clock ticks
HZ=$(getconf CLK_TCK)
a0=$(cpu_ticks "$AC_PID")
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
AC_CPU=$(($(cpu_ticks "$AC_PID") - a0))
cat "$WORK"/logs/acng-answers-*.txt >"$WORK/logs/acng-answers.txt"
AC_MS=$(((t1 - t0) / 1000000))
ok=$(awk '$1 == 200 {n++; s += $2} END {print n + 0, s + 0}' "$WORK/logs/acng-answers.txt")
[[ $ok == "$PACKAGES $TOTAL_BYTES" ]] || die "apt-cacher-ng answered (200s, bytes) $ok, want $PACKAGES $TOTAL_BYTES"

# ---------------------------------------------------------------- 4. a running reprox, --server
# Per thread kind (name without its trailing number: "C2 CompilerThre", "reprox-storage"...), CPU ticks.
threads_cpu() {
  for t in /proc/"$1"/task/*; do
    printf '%s\t%s\n' "$(sed 's/[-#]*[0-9]*$//' "$t/comm")" "$(awk '{print $14 + $15}' "$t/stat")"
  done 2>/dev/null | awk -F'\t' '{s[$1] += $2} END {for (k in s) print k "\t" s[k]}' | sort
}
threads_delta() { # before, after files: the kinds that used CPU between them, most first
  "$PY" - "$1" "$2" "$HZ" <<'EOF'
import sys
read = lambda f: {k: int(v) for k, v in (l.rstrip("\n").split("\t") for l in open(f) if "\t" in l)}
a, b, hz = read(sys.argv[1]), read(sys.argv[2]), int(sys.argv[3])
d = sorted(((b[k] - a.get(k, 0), k) for k in b), reverse=True)
print(", ".join(f"{k.strip() or '?'} {v / hz:.2f} s" for v, k in d if v > 0))
EOF
}
# Per row: the server's compilations, from its -XX:+PrintCompilation lines in serve.out between two
# marks (line counts): C1 (tiers 1-3), C2 (tier 4), and C2 code "made not entrant" (deoptimized
# or invalidated: a loop of these would be a recompilation storm; C1 code made not entrant is the
# normal step up to C2, and "made zombie" the sweeper's clean-up, neither counted).
jit_mark() { wc -l <"$WORK/logs/serve.out"; }
jit_counts() { # from line, to line: "c1 c2 c2-not-entrant"
  "$PY" - "$WORK/logs/serve.out" "$1" "$2" <<'EOF'
import re, sys
lines = open(sys.argv[1], errors="replace").read().splitlines()[int(sys.argv[2]):int(sys.argv[3])]
c1 = c2 = ne = 0
for l in lines:
    m = re.match(r"^\s*\d+\s+\d+\s[ %sbn!]{5}\s*([0-4])\s+\S+", l)
    if not m or "made zombie" in l:
        continue
    if "made not entrant" in l:
        ne += m.group(1) == "4"
    elif m.group(1) == "4":
        c2 += 1
    elif m.group(1) != "0":
        c1 += 1
print(c1, c2, ne)
EOF
}
compiler_ticks() { # before, after files of threads_cpu: the compiler threads' ticks between them
  awk -F'\t' 'NR == FNR {a[$1] = $2; next} /Compiler/ {s += $2 - a[$1]} END {print s + 0}' "$1" "$2"
}
row_begin() { # name
  threads_cpu "$SV_PID" >"$WORK/logs/threads-$1-0.tsv"
  ROW_J0=$(jit_mark)
  ROW_C0=$(cpu_ticks "$SV_PID")
  ROW_T0=$(date +%s%N)
}
row_end() { # name, label, packages the server had pre-warmed before the row: a line of run/rows.tsv
  local t1 c1
  t1=$(date +%s%N)
  c1=$(cpu_ticks "$SV_PID")
  threads_cpu "$SV_PID" >"$WORK/logs/threads-$1-1.tsv"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$2" "$3" $(((t1 - ROW_T0) / 1000000)) $((c1 - ROW_C0)) \
    "$(compiler_ticks "$WORK/logs/threads-$1-0.tsv" "$WORK/logs/threads-$1-1.tsv")" \
    "$(jit_counts "$ROW_J0" "$(jit_mark)")" \
    "$(threads_delta "$WORK/logs/threads-$1-0.tsv" "$WORK/logs/threads-$1-1.tsv")" >>"$WORK/run/rows.tsv"
}
server_prewarm() { # lockfile, packages it names, output name, [time file]
  local timed=()
  [[ -n ${4:-} ]] && timed=(/usr/bin/time -f '%e %U %S' -o "$4")
  REPROX_ADMIN_TOKEN=$TOKEN "${timed[@]}" "${CLIENT_CMD[@]}" prewarm --server "$SERVER_URL" --jobs "$CLIENT_JOBS" "$1" \
    >"$WORK/logs/$3.out" 2>&1 || die "reprox prewarm --server (see $WORK/logs/$3.out)"
  grep -Eq "^stored +$2\$" "$WORK/logs/$3.out" || die "reprox prewarm --server did not store $2 (see $WORK/logs/$3.out)"
}
api_prewarm() { # suite, first row of run/list-SUITE.tsv (1-based): JOBS curls over the rows from it
  local suite=$1 from=$2 gen i pid n
  gen=$(sha256sum "$WORK/www/debian/dists/$suite/InRelease" | cut -d' ' -f1)
  rm -rf "$WORK/run/api-out" && mkdir -p "$WORK/run/api-out"
  for ((i = 0; i < JOBS; i++)); do
    { printf 'request = "POST"\nheader = "Authorization: Bearer %s"\n' "$TOKEN"
      awk -v n="$JOBS" -v i="$i" -v base="$SERVER_URL/-/api/admin/prewarm/bench" -v t="$T" -v g="$gen" -v s="$suite" \
        -v from="$from" -v o="$WORK/run/api-out" 'NR >= from && NR % n == i {printf "url = \"%s?root=dists/%s/InRelease&at=%s&generation=sha256:%s&path=%s&sha256=%s&size=%s\"\noutput = \"%s/%d.json\"\n", base, s, t, g, $1, $3, $2, o, NR}' \
        "$WORK/run/list-$suite.tsv"
    } >"$WORK/run/api-$i.curl"
  done
  CURLS=()
  for ((i = 0; i < JOBS; i++)); do
    curl -s -K "$WORK/run/api-$i.curl" -w '%{http_code}\n' >"$WORK/logs/api-answers-$i.txt" &
    CURLS+=($!)
  done
  for pid in "${CURLS[@]}"; do wait "$pid" || true; done
  n=$(awk -v from="$from" 'NR >= from' "$WORK/run/list-$suite.tsv" | wc -l)
  stored=$(grep -l '"outcome" *: *"stored"' "$WORK"/run/api-out/*.json 2>/dev/null | wc -l)
  [[ $stored == "$n" ]] || die "admin API stored $stored of $n (see $WORK/run/api-out)"
}
: >"$WORK/run/rows.tsv"
SV_CLIENT="0 0 0"
if [[ $SERVER_ROWS == 1 ]]; then
  TOKEN=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
  SERVER_URL="http://127.0.0.1:$RX_PORT"
  # The launcher (LAUNCHER, default ./reprox) on the private jar copy; CLIENT=jar: clients by plain
  # java -jar.
  SERVE_CMD=(env REPROX_JAR="$JAR" "$LAUNCHER")
  CLIENT_CMD=("${SERVE_CMD[@]}")
  if [[ $CLIENT == jar ]]; then
    CLIENT_CMD=(java -jar "$JAR")
  fi
  # The launcher's first serve of a jar trains its class archive (offline, scratch data): untimed.
  # -XX:+PrintCompilation: a line a compilation on the server's stdout, counted per row.
  log "reprox serve on $SERVER_URL (-Xmx$REPROX_XMX; the class archive is trained first when missing)"
  REPROX_ADMIN_TOKEN=$TOKEN JAVA_OPTS="-Xmx$REPROX_XMX -XX:+PrintCompilation ${REPROX_JAVA_OPTS:-}" "${SERVE_CMD[@]}" serve \
    --data "$WORK/reprox-server" --config "$WORK/run/reprox.yaml" --listen "127.0.0.1:$RX_PORT" \
    >"$WORK/logs/serve.out" 2>&1 &
  SV_PID=$! # env and the launcher exec java: this is the server's JVM
  PIDS+=($SV_PID)
  for _ in $(seq 1200); do # the training run comes first: up to 120 s
    if curl -s -o /dev/null "$SERVER_URL/healthz"; then break; fi
    kill -0 "$SV_PID" 2>/dev/null || die "reprox serve exited (see $WORK/logs/serve.out)"
    sleep 0.1
  done
  curl -sf -o /dev/null "$SERVER_URL/healthz" || die "reprox serve did not answer (see $WORK/logs/serve.out)"
  log "warming the server: prewarm --server of suite warm ($PACKAGES other packages)"
  REPROX_ADMIN_TOKEN=$TOKEN "${CLIENT_CMD[@]}" prewarm --server "$SERVER_URL" --jobs "$JOBS" "$WORK/run/warm.lock.json" \
    >"$WORK/logs/warm.out" 2>&1 || die "warm-up prewarm (see $WORK/logs/warm.out)"
  log "reprox prewarm --server ($CLIENT): $PACKAGES packages of suite bench, --jobs $CLIENT_JOBS"
  row_begin sv
  server_prewarm "$WORK/run/prewarm.lock.json" "$PACKAGES" server-prewarm "$WORK/logs/client-time.txt"
  row_end sv "reprox prewarm --server ($CLIENT)" "$PACKAGES"
  SV_CLIENT=$(cat "$WORK/logs/client-time.txt")

  # -------------------------------------------------------------- 5. the admin route by curl
  log "admin API by curl: $PACKAGES packages of suite api, $JOBS curls in parallel"
  row_begin api
  api_prewarm api 1
  row_end api "admin API, curl -P $JOBS" $((2 * PACKAGES))

  # -------------------------------------------------------------- 4b, 5b. steady state
  # WARM_ROUNDS suites more, each half by prewarm --server and half by the admin route, then both
  # rows again on packages of the same sizes (suites bench2, api2): a daemon that has run a while.
  if ((WARM_ROUNDS > 0)); then
    for ((k = 1; k <= WARM_ROUNDS; k++)); do
      log "warm round $k of $WARM_ROUNDS: suite w$k ($PACKAGES packages: half --server, half admin API)"
      row_begin "w$k"
      server_prewarm "$WORK/run/w$k.lock.json" $((PACKAGES / 2)) "w$k"
      api_prewarm "w$k" $((PACKAGES / 2 + 1))
      row_end "w$k" "warm round $k" $(((2 + k) * PACKAGES))
    done
    log "steady state: prewarm --server of suite bench2, then the admin API for suite api2"
    row_begin sv2
    server_prewarm "$WORK/run/bench2.lock.json" "$PACKAGES" server-prewarm2 "$WORK/logs/client-time2.txt"
    row_end sv2 "reprox prewarm --server ($CLIENT)" $(((3 + WARM_ROUNDS) * PACKAGES))
    row_begin api2
    api_prewarm api2 1
    row_end api2 "admin API, curl -P $JOBS" $(((4 + WARM_ROUNDS) * PACKAGES))
  fi
  kill "$SV_PID" 2>/dev/null || true
  wait "$SV_PID" 2>/dev/null || true
fi

# ---------------------------------------------------------------- 6. 50,000 entries
log "reprox prewarm --data -Xmx128m: $ENTRIES entries (all present)"
t0=$(date +%s%N)
code=0
/usr/bin/time -f '%e %M' -o "$WORK/logs/large-time.txt" java -Xmx128m -XX:+ExitOnOutOfMemoryError \
  -Xlog:gc:file="$WORK/logs/large-gc.log" -jar "$JAR" prewarm --data "$WORK/reprox-data" \
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
# Where reprox's time went, from its log: exec to ready (JVM, store, fetch chain; "listening on"
# from a build that still started a server), the root (InRelease fetched and verified,
# Packages.gz fetched and indexed), the packages (to the last one stored), then to exit.
"$PY" - "$WORK/logs/prewarm.out" "$RX_START" "$RX_END" <<'PYEND'
import datetime, re, sys
ts = lambda l: datetime.datetime.fromisoformat(l.split(" ", 1)[0].replace("Z", "+00:00")).timestamp()
lines = open(sys.argv[1]).read().splitlines()
ready = next(ts(l) for l in lines if "listening on" in l or "prewarm: store open" in l)
indexed = next(ts(l) for l in lines if "ListingIndexer - indexed" in l)
last = [ts(l) for l in lines if re.search(r"Fill - fill .*\.deb: stored", l)][-1]
start, end = int(sys.argv[2]) / 1e9, int(sys.argv[3]) / 1e9
print(f"reprox phases: start-up to ready {ready - start:.1f} s, root and listing {indexed - ready:.1f} s,"
      f" packages {last - indexed:.1f} s, to exit {end - last:.1f} s")
PYEND
API_BYTES=0
if [[ $SERVER_ROWS == 1 ]]; then
  API_BYTES=$(awk -F'\t' '{s += $2} END {print s}' "$WORK/run/list-api.tsv")
fi
"$PY" - "$PACKAGES" "$TOTAL_BYTES" "$JOBS" "$RX_MS" "$AC_MS" "$RX_RSS" "$RX_UP" "$ENTRIES" "$LARGE_MS" \
  "$LARGE_RSS" "$code" "${LARGE_HEAP:-?}" "$(cut -d' ' -f1-3 /proc/loadavg)" "$SERVER_ROWS" "$WORK/run/rows.tsv" \
  "$SV_CLIENT" "$API_BYTES" "$HZ" "$CLIENT" "$RX_CPU" "$AC_CPU" "$WORK/logs/serve.out" <<'EOF'
import collections, re, sys
(n, total, jobs, rx, ac, rss, up, entries, lms, lrss, code, heap, load, rows, rows_file, client, api_bytes, hz,
 kind, rxcpu, accpu, serve_out) = sys.argv[1:]
n, total, rx, ac, hz, api_bytes = int(n), int(total), int(rx) / 1000, int(ac) / 1000, int(hz), int(api_bytes)
# run/rows.tsv: label, packages pre-warmed before, ms, server CPU ticks, compiler threads' ticks,
# "c1 c2 not-entrant", CPU by thread
timed = [l.rstrip("\n").split("\t") for l in open(rows_file)] if rows == "1" else []
print(f"\npre-warm {n} packages ({total / 1e6:.0f} MB, 20 KB - 2 MB) from a local upstream, concurrency {jobs};"
      f" load average before the summary: {load}")
print("| client                                             | warmed by | seconds | packages/s |  MB/s | vs apt-cacher-ng |")
print("|----------------------------------------------------|----------:|--------:|-----------:|------:|-----------------:|")
def row(name, secs, warmed="", size=total):
    print(f"| {name:<50} | {warmed:>9} | {secs:7.1f} | {n / secs:10.1f} | {size / 1e6 / secs:5.1f} | {ac / secs:16.2f} |")
row("reprox prewarm --data (JVM start incl.)", rx, "-")
results = [("reprox prewarm --data (a CI step: JVM start, store, root, listing)", ac / rx)]
for label, warmed, ms, *_ in timed:
    if label.startswith("warm round"):
        continue
    secs = int(ms) / 1000
    row(label, secs, warmed, api_bytes if label.startswith("admin") else total)
    results.append((f"{label}, running reprox warmed by {warmed} packages", ac / secs))
row(f"apt-cacher-ng, curl -P {jobs}", ac, "-")
if rows == "1":
    wall, user, sys_ = client.split()
    print(f"\nprewarm --server (warmed by {timed[0][1]}): client JVM {float(wall):.1f} s wall,"
          f" {float(user) + float(sys_):.1f} s CPU (user {user}, sys {sys_})")
    print("server CPU a package during each row (all threads; without the compiler threads), and the"
          " server's compilations during it (C1, C2, C2 code made not entrant):")
    for label, warmed, ms, cpu, comp, jit, threads in timed:
        c1, c2, ne = jit.split()
        print(f"  {label} (warmed by {warmed}): {int(cpu) / hz / n * 1000:.1f} ms"
              f" ({(int(cpu) - int(comp)) / hz / n * 1000:.1f} ms); C1 {c1}, C2 {c2}, C2 not entrant {ne}")
    for label, warmed, ms, cpu, comp, jit, threads in timed:
        print(f"  by thread, {label} (warmed by {warmed}): {threads}")
    again = collections.Counter(m.group(1) for m in (re.match(r"^\s*\d+\s+\d+\s[ %sbn!]{5}\s*4\s+(\S+).*made not entrant", l)
                                                     for l in open(serve_out, errors="replace")) if m)
    worst = [f"{m} {c}" for m, c in again.most_common(5) if c >= 3]
    print("  methods whose C2 code was made not entrant 3 times or more in the server's whole run: "
          + (", ".join(worst) or "none"))
    print("apt-cacher-ng is a native daemon already running; the --server rows are the like-for-like ones"
          " (a reprox already running, its JIT warmed on other packages of the same sizes: 'warmed by' counts"
          " what it pre-warmed before the row); the --data row also pays a JVM start-up and opening a store.")
print(f"CPU: reprox prewarm --data JVM {float(rxcpu):.1f} s; apt-cacher-ng daemon {int(accpu) / hz:.1f} s"
      f" ({int(accpu) / hz / n * 1000:.1f} ms a package); a loaded machine stretches every wall time above")
print()
for name, ratio in results:
    print(f"ratio reprox/apt-cacher-ng packages/s, {name}: {ratio:.2f} (target >= 1: {'PASS' if ratio >= 1 else 'MISS'})")
met = [name for name, ratio in results if ratio >= 1]
print("target met by: " + ("; ".join(met) if met else "no row"))
print(f"reprox prewarm --data: peak RSS {int(rss) / 1024:.0f} MiB, {up} .deb GETs upstream")
print(f"\n{entries} entries (all present), -Xmx128m: exit {code}, {int(lms) / 1000:.1f} s,"
      f" peak RSS {int(lrss) / 1024:.0f} MiB, largest heap before a GC {heap} MiB")
EOF
