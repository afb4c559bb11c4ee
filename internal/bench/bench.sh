#!/usr/bin/env bash
# make bench: secretgate's evaluation against OPA's own CLI (opa eval, the
# same OPA version as go.mod) on the same policies and the same input,
# side by side in one run, plus the Go benchmarks. Prints ratios.
set -euo pipefail
cd "$(dirname "$0")/../.."
export GOFLAGS=-mod=readonly
RUNS=${RUNS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# opa at go.mod's version, from make tools (.tools/bin).
opa_version=$(go list -m -f '{{.Version}}' github.com/open-policy-agent/opa)
make -s tools build
opa="$PWD/.tools/bin/opa"

echo "generating 10,000 secrets and 1,000 roles (trust policy + 2 inline policies each)…"
go run ./internal/bench/geninput -secrets 10000 -roles 1000 -snapshot "$work/repo/inventory.json"
# The very input document secretgate evaluates in the timed runs (the same
# flags), for opa eval.
sg_args=(check --offline --skip leaks --path "$work/repo" --format json --output "$work/report.json" --now 2026-11-26T12:00:00Z)
bin/secretgate "${sg_args[@]}" --write-input "$work/input.json" || [ $? -eq 1 ]
mkdir -p "$work/policies"
(cd policies && find . -name '*.rego' ! -name '*_test.rego' -exec cp --parents {} "$work/policies/" \;)

# run CMD… once; append its wall and CPU (user+system) milliseconds to the
# arrays named by $1 and $2. $3 is the highest exit code that counts as a
# run (opa eval: 0; secretgate: 1, findings); anything else stops the bench.
timed() {
  local -n wall=$1 cpu=$2
  local ok=$3
  shift 3
  local s e t0 t1 code=0
  t0=$(awk '{print $14+$15+$16+$17}' /proc/$$/stat) # this shell's children's CPU ticks so far
  s=$(date +%s%N)
  "$@" >/dev/null 2>"$work/stderr" || code=$?
  e=$(date +%s%N)
  if [ "$code" -gt "$ok" ]; then
    echo "make bench: $1 exited $code:" >&2
    cat "$work/stderr" >&2
    exit 1
  fi
  t1=$(awk '{print $14+$15+$16+$17}' /proc/$$/stat)
  wall+=($(( (e - s) / 1000000 )))
  cpu+=($(( (t1 - t0) * 1000 / $(getconf CLK_TCK) )))
}
# gobench ARGS… runs go test ARGS (benchmarks only) and prints the
# benchmark lines; a failing benchmark prints its output and fails make
# bench at the end (failed=1), instead of vanishing from the table.
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
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }

# The two commands take turns, RUNS rounds, so that both see the same load
# on a shared machine.
opa_wall=(); opa_cpu=(); sg_wall=(); sg_cpu=()
for _ in $(seq "$RUNS"); do
  timed opa_wall opa_cpu 0 "$opa" eval --format json -d "$work/policies" -i "$work/input.json" 'data.secretgate.main.findings'
  timed sg_wall sg_cpu 1 bin/secretgate "${sg_args[@]}"
done
opa_ms=$(median "${opa_wall[@]}"); sg_ms=$(median "${sg_wall[@]}")
findings=$(grep -o '"fingerprint"' "$work/report.json" | wc -l)

echo
echo "== policy evaluation, 10,000 secrets + 1,000 roles (median of $RUNS, whole process, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)) =="
printf '%-44s %8s ms wall %8s ms CPU\n' "opa eval $opa_version (same policies, same input)" "$opa_ms" "$(median "${opa_cpu[@]}")"
printf '%-44s %8s ms wall %8s ms CPU   (%s findings)\n' "secretgate check --offline --skip leaks" "$sg_ms" "$(median "${sg_cpu[@]}")" "$findings"
awk -v a="$sg_ms" -v b="$opa_ms" 'BEGIN { printf "ratio secretgate / opa eval: %.2f (goal ≤ 0.50); secretgate under 1 s: %s\n", a/b, (a < 1000 ? "yes" : "NO") }'
echo "(wall times: all runs, in order)  opa: ${opa_wall[*]}   secretgate: ${sg_wall[*]}"
echo
echo "== the same findings from both (opa eval's set against secretgate's report) =="
"$opa" eval --format json -d "$work/policies" -i "$work/input.json" 'data.secretgate.main.findings' >"$work/opa.json"
go run ./internal/bench/samefindings "$work/opa.json" "$work/report.json"
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

# Leak scanning against the gitleaks CLI (internal/bench/leaks.sh);
# LEAKS_BENCH=0 leaves it out.
if [ "${LEAKS_BENCH:-1}" != 0 ]; then
  echo
  bash internal/bench/leaks.sh
fi
if [ "$failed" != 0 ]; then
  echo "make bench: a benchmark failed (above)" >&2
  exit 1
fi
