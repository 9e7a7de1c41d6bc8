#!/usr/bin/env bash
# Disk space given back by gc's sweep + reclaim (issue 12): see dev.reprox.bench.GcReclaimBenchmark.
# Offline; builds with the reactor (no install) and runs the class on the module's classpath.
#   benchmarks/run-gc-reclaim.sh [-Dbench.fillMiB=2048] [-Dbench.dir=/some/dir]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -o -q -pl benchmarks -am compile
./mvnw -B -o -q -pl benchmarks -am dependency:build-classpath -Dmdep.outputFile=target/classpath.txt \
  -Dmdep.includeScope=runtime >/dev/null 2>&1 || true
cp="benchmarks/target/classes:storage/target/classes:index-pinning/target/classes"
if [[ -s benchmarks/target/classpath.txt ]]; then cp="$cp:$(cat benchmarks/target/classpath.txt)"; fi
exec java -Xmx256m "$@" -cp "$cp" dev.reprox.bench.GcReclaimBenchmark
