#!/usr/bin/env bash
# Ingestion side by side with Prometheus Alertmanager on this machine: builds
# Alertmanager from its Go module (cached), builds vigil, then runs
# `vigil bench alerts --against-alertmanager`: the same batches of new alerts
# posted to Alertmanager's POST /api/v2/alerts (in memory, null receiver) and
# to vigil serve's Alertmanager webhook (every 2xx stored), alternating rounds.
#
# Usage: scripts/bench-vs-alertmanager.sh [vigil bench alerts flags...]
#   e.g. scripts/bench-vs-alertmanager.sh --duration 10s --rounds 3
#        scripts/bench-vs-alertmanager.sh --duration 10s --rounds 1 \
#          --versus-store "postgres://USER:PASS@HOST/DB?search_path=FRESH"
#   (a Postgres store is measured once, in a schema of its own: every run
#   posts the same alerts)
# ALERTMANAGER_VERSION (default v0.35.0) picks the release to build.
set -euo pipefail

cd "$(dirname "$0")/.."
version=${ALERTMANAGER_VERSION:-v0.35.0}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/vigil-bench
am=$cache/alertmanager-$version

if [ ! -x "$am" ]; then
  dir=$(go mod download -json "github.com/prometheus/alertmanager@$version" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] || { echo "go mod download found no source for alertmanager $version" >&2; exit 1; }
  src=$(mktemp -d)
  trap 'rm -rf "$src"' EXIT INT TERM
  cp -r "$dir/." "$src"
  chmod -R u+w "$src"
  # The web UI is not part of the comparison; its build needs Node.
  mkdir -p "$src/ui/app/dist"
  echo '<!doctype html><title>Alertmanager</title>' >"$src/ui/app/dist/index.html"
  mkdir -p "$cache"
  (cd "$src" && go build -o "$am" ./cmd/alertmanager)
fi

bin=$(mktemp -d)/vigil
go build -o "$bin" ./cmd/vigil
"$bin" bench alerts --against-alertmanager "$am" "$@"
rm -rf "$(dirname "$bin")"
