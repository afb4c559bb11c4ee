#!/usr/bin/env bash
# make bench: secretgate side by side with its peers on the same inputs,
# in one run — the gitleaks CLI for leak scanning, opa eval for policy
# evaluation, git itself for reading history — as one table of medians,
# ranges, ratios and goals (internal/bench/benchtable), then the Go
# benchmarks and the AWS API call counts.
#
#   BENCH_SIZE=small   the same rows on small inputs, once (CI runs this so
#                      the bench cannot rot; its figures mean nothing)
#   RUNS=N             rounds of each comparison (default 5; 1 when small)
#   BENCH_TREE=DIR     the leak-scan rows scan DIR instead of a copy of the
#                      OPA module from the Go module cache
#   BENCH_HISTORY=DIR  the history rows read a clone of the git repository
#                      DIR instead of a generated 5,000-commit history
#   BENCH_PARTS=LIST   only these groups of rows, comma-separated: tree,
#                      history, staged, empty, policy, binary (then no Go
#                      benchmarks either)
#
# The peers are the versions go.mod requires, built by make tools into
# .tools/bin. Run it on an idle machine: the ratios are of whole-process
# wall time (and CPU time where the goal says so), both commands taking
# turns so that both see the same load.
set -euo pipefail
cd "$(dirname "$0")/../.."
export GOFLAGS=-mod=readonly
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
size=${BENCH_SIZE:-full}
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

make -s tools build
# The same build with its symbols, for what each dependency costs.
go build -trimpath -o "$work/secretgate-symbols" ./cmd/secretgate

args=(-size "$size" -work "$work" -sg bin/secretgate -sg-symbols "$work/secretgate-symbols"
  -gitleaks .tools/bin/gitleaks -opa .tools/bin/opa)
[ -n "${RUNS:-}" ] && args+=(-runs "$RUNS")
[ -n "${BENCH_TREE:-}" ] && args+=(-tree "$BENCH_TREE")
[ -n "${BENCH_HISTORY:-}" ] && args+=(-history-repo "$BENCH_HISTORY")
[ -n "${BENCH_PARTS:-}" ] && args+=(-parts "$BENCH_PARTS")
echo "== secretgate and its peers, side by side ($size inputs) =="
go run ./internal/bench/benchtable "${args[@]}"
[ "$size" = full ] && [ -z "${BENCH_PARTS:-}" ] || exit 0

# gobench ARGS… runs go test ARGS (benchmarks only) and prints the
# benchmark lines; a failing benchmark prints its output and fails make
# bench at the end (failed=1), instead of vanishing from the output.
failed=0
gobench() {
  local out
  if out=$(go test -run '^$' "$@" 2>&1); then
    grep -E '^Benchmark' <<<"$out" || true
  else
    echo "FAILED: go test -run '^\$' $*"
    grep -vE '^(goos|goarch|pkg|cpu):' <<<"$out" | head -40
    failed=1
  fi
}

echo
echo "== the finding set is unchanged (golden digest of the 10,000-secret account) =="
go test -count=1 -run 'TestGeneratedAccountGolden' ./internal/bench/ | tail -1
echo
echo "== Go benchmarks =="
gobench -bench . -benchmem -count 1 ./internal/bench/ ./internal/policy/ ./internal/source/...
echo
echo "== live inventory: AWS API calls per run against the kumo emulator (N secrets, 200 roles) =="
echo "   Secrets Manager goal: ceil(N/100)+2. IAM per-role fallback (no GetAccountAuthorizationDetails):"
echo "   1 + ceil(R/1000) + R*(3 + inline policies per role) + 2*(distinct managed policies) + 1 + OIDC providers"
gobench -bench BenchmarkInventoryAPICalls -benchtime 1x ./internal/awsinv/ >"$work/api.txt"
awk '/^Benchmark/ { printf "%-48s secretsmanager %5s (budget %s)   iam %5s (formula %s)\n", $1, $(NF-1), $(NF-3), $(NF-7), $(NF-5); next } { print }' "$work/api.txt"
echo
echo "== resolve: 500 credentials (AWSCURRENT + AWSPREVIOUS each) against the kumo emulator =="
echo "   one at a time vs bounded concurrency; latency = added per request (a real endpoint's round trip)"
gobench -bench 'BenchmarkResolve500' -benchtime 3x -count 1 ./internal/resolve/
if [ "$failed" != 0 ]; then
  echo "make bench: a benchmark failed (above)" >&2
  exit 1
fi
