#!/bin/sh
# Compares internal/route with Alertmanager's own dispatch and inhibit
# packages on random trees, rules and alerts. It runs in a throwaway copy of
# the module so Alertmanager's heavier dependencies never enter Vigil's go.mod.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$root" && tar --exclude=.git -cf - .) | (cd "$tmp" && tar xf -)
cp "$here"/*_test.go "$tmp/internal/route/"
cd "$tmp"
am=$(go list -m -f '{{.Version}}' github.com/prometheus/alertmanager)
GOFLAGS=-mod=mod go get "github.com/prometheus/alertmanager/dispatch@$am" "github.com/prometheus/alertmanager/inhibit@$am"
GOFLAGS=-mod=mod go test ./internal/route/ -run DifferentialAgainstAlertmanager -v
