#!/usr/bin/env bash
# Checks the Makefile's RACE_PKGS (make lint): every package whose non-test
# Go code starts goroutines (go func, go f(...), sync.WaitGroup, errgroup
# or .Go) must be in the list, so that make test-race runs its tests under
# the race detector; every listed package must exist.
#
#   scripts/race-pkgs.sh ./pkg ...    (the list, as the Makefile gives it)
#
# Prints what is missing or stale and exits 1; silent and 0 when the list
# is complete.
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A listed=()
for p in "$@"; do
  listed["./${p#./}"]=1
done

status=0
for p in "${!listed[@]}"; do
  if ! compgen -G "$p/*.go" >/dev/null; then
    echo "race-pkgs: $p is in RACE_PKGS but holds no Go files: remove it from the Makefile"
    status=1
  fi
done

pattern='go func|go [A-Za-z_.]+[(]|sync[.]WaitGroup|errgroup|[.]Go[(]'
while IFS= read -r dir; do
  if [ -z "${listed[./$dir]:-}" ]; then
    echo "race-pkgs: ./$dir starts goroutines but is not in RACE_PKGS: add it to the Makefile"
    status=1
  fi
done < <(git ls-files -- '*.go' ':!:*_test.go' ':!:**/testdata/**' | xargs grep -lE "$pattern" | xargs -n1 dirname | sort -u)

exit "$status"
