#!/usr/bin/env bash
# Blob-store write/read throughput next to plain FileChannel I/O of the same bytes (issue 2),
# measured in one run: see dev.reprox.bench.BlobStoreBenchmark. Offline; run from anywhere.
#   benchmarks/run-blobstore.sh [-Dbench.dir=/some/dir]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -o -q -pl storage -am install -DskipTests
exec ./mvnw -B -o -q -pl benchmarks compile exec:exec -Dbench.main=dev.reprox.bench.BlobStoreBenchmark "$@"
