#!/usr/bin/env bash
# Builds the base image the CI and the container tests use instead of eclipse-temurin:17-jre (no
# container registry is reachable there): Debian bookworm minbase with openjdk-17-jre-headless from
# mmdebstrap, wrapped as a one-layer docker-archive (what `docker save` writes), which Jib reads as
# `tar://<path>`. Prints the tarball's path. Cached: a second run reuses it unless FORCE=1.
# Needs root (or working user namespaces), mmdebstrap and http://deb.debian.org.
set -euo pipefail
out="${1:-${XDG_CACHE_HOME:-$HOME/.cache}/reprox/base-bookworm-jre17.tar}"
if [[ -s "$out" && "${FORCE:-0}" != 1 ]]; then
  echo "$out"
  exit 0
fi
mkdir -p "$(dirname "$out")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

# Fixed SOURCE_DATE_EPOCH: mmdebstrap then clamps file times, so the layer depends on the packages.
SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1700000000}" mmdebstrap --quiet --variant=minbase \
  --include=openjdk-17-jre-headless,ca-certificates-java \
  --customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/*' \
  bookworm "$work/layer.tar" "$mirror" >&2

diff_id="sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"
# Compressed here, fast: Jib would otherwise gzip the 400 MB layer itself at its default level
# (~100 s on 2 busy cores; a gzip layer it takes as it is).
gzip -1 -n "$work/layer.tar"
cat > "$work/config.json" <<JSON
{"architecture":"amd64","os":"linux",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","LANG=C.UTF-8"]},
 "rootfs":{"type":"layers","diff_ids":["$diff_id"]},
 "history":[{"created_by":"mmdebstrap --variant=minbase --include=openjdk-17-jre-headless bookworm"}]}
JSON
config="$(sha256sum "$work/config.json" | cut -d' ' -f1).json"
mv "$work/config.json" "$work/$config"
printf '[{"Config":"%s","RepoTags":["reprox-base:bookworm-jre17"],"Layers":["layer.tar.gz"]}]\n' \
  "$config" > "$work/manifest.json"
tar -C "$work" -cf "$out.partial" manifest.json "$config" layer.tar.gz
mv "$out.partial" "$out"
echo "$out"
