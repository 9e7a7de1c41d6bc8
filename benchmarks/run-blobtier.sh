#!/usr/bin/env bash
# RocksStorage's blob tiers side by side (issues 11, 14): every blob in RocksDB chunks against
# every blob in a file of its own, process CPU per 100 MB and per blob written and read, for blob
# sizes from 4 KiB to 50 MiB: see dev.reprox.bench.BlobTierBenchmark. Offline; run from anywhere.
#   benchmarks/run-blobtier.sh [scratch dir, default /tmp]
set -euo pipefail
cd "$(dirname "$0")/.."
CP_FILE=$(mktemp)
trap 'rm -f "$CP_FILE"' EXIT
# The reactor, not install: the storage module is taken from this checkout's target/.
./mvnw -B -o -q -pl benchmarks -am package -DskipTests -DskipFuzz=true dependency:build-classpath \
  -Dmdep.outputFile="$CP_FILE"
exec java -Xmx512m -cp "$(cat "$CP_FILE"):benchmarks/target/reprox-benchmarks-0.1.0-SNAPSHOT.jar" \
  dev.reprox.bench.BlobTierBenchmark "$@"
