#!/usr/bin/env bash
# Disk space given back by gc's sweep + reclaim (issue 12): see dev.reprox.bench.GcReclaimBenchmark.
# Offline; builds with the reactor (no install) and runs the class on the module's classpath.
#   benchmarks/run-gc-reclaim.sh [-Dbench.fillMiB=2048] [-Dbench.dir=/some/dir]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -o -q -pl benchmarks -am compile
# The benchmark needs only the storage module and its dependencies (RocksDB, slf4j).
./mvnw -B -o -q -pl storage dependency:build-classpath -Dmdep.outputFile=target/classpath.txt \
  -Dmdep.includeScope=runtime >/dev/null
exec java -Xmx256m "$@" -cp "benchmarks/target/classes:storage/target/classes:$(cat storage/target/classpath.txt)" \
  dev.reprox.bench.GcReclaimBenchmark
