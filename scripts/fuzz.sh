#!/usr/bin/env bash
# Runs every fuzz target of the module, or those of the packages given, for
# a bounded time each. Seeds (testdata and f.Add) already run with go test;
# this searches for new inputs.
#
# Go minimises every new interesting input for up to a minute by default
# (-fuzzminimizetime 60s); with a target that takes milliseconds an input,
# the fuzzer then spends most of its time minimising and its counters seem
# to stand still. The bound below keeps it fuzzing. A failure leaves the
# input in testdata/fuzz/FuzzXxx/ of the package: keep it there as a seed
# once fixed.
#
# Usage: scripts/fuzz.sh [package...]     (default ./...)
#   FUZZTIME=30s       how long each target runs
#   FUZZMINIMIZE=10s   how long each input may be minimised
#   FUZZPARALLEL=2     fuzzing workers
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-30s}
minimize=${FUZZMINIMIZE:-10s}
parallel=${FUZZPARALLEL:-2}

pkgs=("$@")
if ((${#pkgs[@]} == 0)); then pkgs=(./...); fi

status=0
while read -r pkg; do
	for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
		echo "fuzz: $pkg $target for $fuzztime" >&2
		if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" \
			-fuzzminimizetime "$minimize" -parallel "$parallel" "$pkg"; then
			status=1
		fi
	done
done < <(go list "${pkgs[@]}")
exit $status
