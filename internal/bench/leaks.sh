#!/usr/bin/env bash
# make bench, leak scanning: secretgate against the gitleaks CLI of the
# version in go.mod (go install'ed here), side by side in one run.
#
#  1. working tree: a plain copy of the Go module cache holding this
#     project's own dependencies (the module directories go list -m all
#     names, i.e. what go.sum pins). Identical finding set (rule, file,
#     line) required — the bench fails loudly otherwise —, throughput ratio
#     secretgate/gitleaks >= 1.0 and peak RSS <= 1.5x.
#  2. the cache: first and second scan of that tree, one file changed in
#     between; and --history twice on a long history.
#  3. --diff of the 10 newest commits vs the whole history of a repository
#     with LEAKS_COMMITS (20,000) commits made with git fast-import.
#  4. --staged on a 10-file change: median whole-process wall time against
#     gitleaks git --staged.
#
# LEAKS_MODULES=REGEX scans only the module directories matching REGEX (a
# quick run: LEAKS_MODULES=open-policy-agent); LEAKS_COMMITS=N for a
# shorter history; RUNS=N for the medians.
set -euo pipefail
cd "$(dirname "$0")/../.."
export GOFLAGS=-mod=readonly
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
RUNS=${RUNS:-11}
LEAKS_MODULES=${LEAKS_MODULES:-.}
LEAKS_COMMITS=${LEAKS_COMMITS:-20000}
sg=$PWD/bin/secretgate
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

gl_version=$(go list -m -f '{{.Version}}' github.com/zricethezav/gitleaks/v8)
# Installed beside make tools' pinned tools (a no-op when already there).
bash scripts/tools.sh .tools/bin "gitleaks=github.com/zricethezav/gitleaks/v8@$gl_version"
gl="$PWD/.tools/bin/gitleaks"
[ -x /usr/bin/time ] || { echo "leaks bench: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
[ -x "$sg" ] || make -s build

# run LABEL CMD...: whole-process wall seconds, peak RSS (KiB), user and
# system CPU seconds into $work/LABEL.time; exit codes up to 3 are results.
run() {
  local label=$1; shift
  /usr/bin/time -f '%e %M %U %S' -o "$work/$label.time" "$@" >"$work/$label.out" 2>"$work/$label.err" || {
    local code=$?
    if [ "$code" -gt 3 ]; then
      echo "leaks bench: $label failed (exit $code):" >&2; tail -5 "$work/$label.err" >&2; exit 1
    fi
  }
}
secs() { cut -d' ' -f1 "$work/$1.time"; }
cpu() { awk '{ printf "%.2f", $3 + $4 }' "$work/$1.time"; }
rss_mib() { awk '{ printf "%.0f", $2 / 1024 }' "$work/$1.time"; }
# median wall time in milliseconds of RUNS runs of a command
median_ms() {
  local times=()
  for _ in $(seq "$RUNS"); do
    local s e
    s=$(date +%s%N)
    "$@" >/dev/null 2>&1 || [ $? -le 3 ]
    e=$(date +%s%N)
    times+=($(( (e - s) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"
}

# ---- 1. working tree: the module cache of this project's dependencies ----
tree=$work/modcache
mkdir -p "$tree"
main_dir=$(go list -m -f '{{.Dir}}')
# go list -m all wants go.sum lines for every module of the graph: a copy
# of go.mod/go.sum takes them, so the checkout stays as it is.
cp go.mod "$work/go.mod"; cp go.sum "$work/go.sum"
go list -modfile="$work/go.mod" -m -f '{{if .Dir}}{{.Path}}@{{.Version}} {{.Dir}}{{end}}' all | while read -r mod dir; do
  [ "$dir" = "$main_dir" ] && continue
  [[ $mod =~ $LEAKS_MODULES ]] || continue
  mkdir -p "$tree/$(dirname "$mod")"
  cp -r "$dir" "$tree/$mod"
done
chmod -R u+w "$tree"
files=$(find "$tree" -type f | wc -l)
[ "$files" -gt 0 ] || { echo "leaks bench: LEAKS_MODULES=$LEAKS_MODULES matches no module directory" >&2; exit 1; }
mib=$(du -sm "$tree" | cut -f1)
modules=$(find "$tree" -maxdepth 4 -name '*@*' -type d | wc -l)
# No size limit, as gitleaks dir has none by default.
printf 'max_file_size: 100GiB\nleaks_max_file_size: 100GiB\n' > "$work/secretgate.yml"

echo "== leaks: working tree, Go module cache of this project's dependencies =="
echo "$modules modules, $files files, $mib MiB (a plain directory, not a git repository)"
(cd "$work" && run gitleaks-dir "$gl" dir --no-banner --exit-code 0 --log-level error \
  --report-format json --report-path "$work/gitleaks.json" "$tree")
# secretgate's first scan fills an empty cache (hashing and writing it
# included); the second scan below reads it.
cache=$work/cache
run secretgate-tree "$sg" check --offline --only leaks --cache-dir "$cache" --path "$tree" \
  --config "$work/secretgate.yml" --fail-on never --format json --output /dev/null --write-input "$work/input.json"

python3 - "$work/gitleaks.json" "$work/input.json" "$tree/" > "$work/compare.txt" <<'EOF' || { cat "$work/compare.txt"; echo "leaks bench: FAILED — the finding sets differ" >&2; exit 1; }
import json, sys
gl_report, sg_input, prefix = sys.argv[1:]
gl = {(f["RuleID"], f["File"].removeprefix(prefix), f["StartLine"]) for f in json.load(open(gl_report))}
sg = {(f["rule_id"], f["file"], f["line"]) for f in json.load(open(sg_input))["leaks"]}
print(f"{len(gl)} distinct findings (rule, file, line) from gitleaks, {len(sg)} from secretgate")
for name, d in (("only gitleaks", gl - sg), ("only secretgate", sg - gl)):
    for x in sorted(d)[:20]:
        print(f"  {name}: {x}")
sys.exit(0 if gl == sg else 1)
EOF
cat "$work/compare.txt"
gl_s=$(secs gitleaks-dir); sg_s=$(secs secretgate-tree)
printf '%-44s %7.2f s wall %8.2f s CPU %5s MiB peak RSS\n' "gitleaks dir $gl_version" "$gl_s" "$(cpu gitleaks-dir)" "$(rss_mib gitleaks-dir)"
printf '%-44s %7.2f s wall %8.2f s CPU %5s MiB peak RSS\n' "secretgate check --only leaks" "$sg_s" "$(cpu secretgate-tree)" "$(rss_mib secretgate-tree)"
awk -v g="$gl_s" -v s="$sg_s" -v gc="$(cpu gitleaks-dir)" -v sc="$(cpu secretgate-tree)" -v mib="$mib" -v gr="$(cut -d' ' -f2 "$work/gitleaks-dir.time")" -v sr="$(cut -d' ' -f2 "$work/secretgate-tree.time")" 'BEGIN {
  printf "identical findings: yes; throughput %.2f vs %.2f MiB/s: ratio secretgate/gitleaks %.2f by wall time, %.2f by CPU time (required >= 1.0: %s; TruffleHog: 3.8)\n", mib/s, mib/g, g/s, gc/sc, (g/s >= 1.0 && gc/sc >= 1.0 ? "yes" : "NO")
  printf "peak RSS ratio %.2f (required <= 1.5: %s)\n", sr/gr, (sr/gr <= 1.5 ? "yes" : "NO") }'

echo
echo "== leaks: cache of clean results, the same tree =="
one=$(find "$tree" -name '*.go' -type f | sort | sed -n 1p)
echo "// changed for the second scan" >> "$one"
run tree-warm "$sg" check --offline --only leaks --cache-dir "$cache" --path "$tree" --config "$work/secretgate.yml" --fail-on never --format json --output /dev/null
cold_s=$(secs secretgate-tree); warm_s=$(secs tree-warm)
printf '%-44s %7.2f s wall %8.2f s CPU\n' "first scan (empty cache, above)" "$cold_s" "$(cpu secretgate-tree)" "second scan, one file changed" "$warm_s" "$(cpu tree-warm)"
awk -v c="$cold_s" -v w="$warm_s" 'BEGIN { printf "speed-up %.1fx (required >= 10: %s); cache %s\n", c/w, (c/w >= 10 ? "yes" : "NO"), "'"$(du -sh "$cache" | cut -f1)"'" }'

# ---- a long history, made with git fast-import ----
hist=$work/history
git init -q -b main "$hist"
python3 - "$LEAKS_COMMITS" <<'EOF' | git -C "$hist" fast-import --quiet
import sys
n = int(sys.argv[1])
out = sys.stdout
words = "token handler config secret key value request response client server cache index".split()
for i in range(1, n + 1):
    path = f"src/pkg{i % 50:02d}/file{i % 400:03d}.go"
    body = "".join(f"// {words[(i + j) % len(words)]} {i}-{j}: the {words[(i * j) % len(words)]} is read from the environment\nvar v{i}_{j} = \"{words[j % len(words)]}-{i * 7919 % 100003}\"\n" for j in range(24))
    data = f"package pkg\n\n{body}".encode()
    msg = f"commit {i}\n".encode()
    out.write(f"commit refs/heads/main\nmark :{i}\nauthor Dev {i % 17} <dev{i % 17}@example.com> {1700000000 + i * 60} +0000\ncommitter Dev <dev@example.com> {1700000000 + i * 60} +0000\ndata {len(msg)}\n")
    out.flush(); sys.stdout.buffer.write(msg); out.flush()
    if i > 1:
        out.write(f"from :{i - 1}\n")
    out.write(f"M 100644 inline {path}\ndata {len(data)}\n")
    out.flush(); sys.stdout.buffer.write(data + b"\n"); out.flush()
EOF
git -C "$hist" reset -q --hard
commits=$(git -C "$hist" rev-list --count HEAD)

echo
echo "== leaks: --diff cost grows with the diff, not the repository ($commits commits) =="
run diff10 "$sg" check --offline --only leaks --no-cache --path "$hist" --diff HEAD~10..HEAD --format json --output /dev/null
run history-all "$sg" check --offline --only leaks --no-cache --path "$hist" --history --format json --output /dev/null
run gl-history "$gl" git --no-banner --exit-code 0 --log-level error "$hist"
printf '%-44s %7.2f s wall %8.2f s CPU\n' "secretgate --diff HEAD~10..HEAD" "$(secs diff10)" "$(cpu diff10)" "secretgate --history (all $commits commits)" "$(secs history-all)" "$(cpu history-all)" "gitleaks git (all $commits commits)" "$(secs gl-history)" "$(cpu gl-history)"
awk -v d="$(secs diff10)" -v h="$(secs history-all)" -v n="$commits" 'BEGIN { printf "10 commits cost %.1f%% of the whole history (%.4f%% of its commits)\n", 100*d/h, 1000/n }'

echo
echo "== leaks: cache, --history twice (one new commit in between) =="
run hist-cold "$sg" check --offline --only leaks --cache-dir "$cache" --path "$hist" --history --format json --output /dev/null
printf 'package pkg\n\nvar added = 1\n' > "$hist/src/new.go"
git -C "$hist" add -A && git -C "$hist" -c user.name=Dev -c user.email=dev@example.com commit -qm "one more"
run hist-warm "$sg" check --offline --only leaks --cache-dir "$cache" --path "$hist" --history --format json --output /dev/null
printf '%-44s %7.2f s wall %8.2f s CPU\n' "first --history (empty cache)" "$(secs hist-cold)" "$(cpu hist-cold)" "second --history, one new commit" "$(secs hist-warm)" "$(cpu hist-warm)"
awk -v c="$(secs hist-cold)" -v w="$(secs hist-warm)" 'BEGIN { printf "speed-up %.1fx (required >= 10: %s)\n", c/w, (c/w >= 10 ? "yes" : "NO") }'

echo
echo "== leaks: pre-commit, --staged on a 10-file change (median of $RUNS, whole process) =="
staged=$work/staged
git init -q -b main "$staged"
cp -r internal/leaks "$staged/leaks"
git -C "$staged" add -A && git -C "$staged" -c user.name=Dev -c user.email=dev@example.com commit -qm base
i=0
for f in $(git ls-files 'internal/*.go' | grep -v _test | head -10); do
  i=$((i + 1)); cp "$f" "$staged/change$i.go"
done
git -C "$staged" add -A
lines=$(git -C "$staged" diff --cached --numstat | awk '{ s += $1 } END { print s }')
gl_ms=$(median_ms "$gl" git --staged --no-banner --exit-code 0 --log-level error "$staged")
sg_ms=$(median_ms "$sg" check --offline --staged --path "$staged")
echo "10 staged files, $lines added lines"
printf '%-44s %7s ms\n' "gitleaks git --staged" "$gl_ms" "secretgate check --offline --staged" "$sg_ms"
awk -v s="$sg_ms" -v g="$gl_ms" 'BEGIN { printf "ratio %.2f (required <= 2: %s); under 100 ms: %s\n", s/g, (s/g <= 2 ? "yes" : "NO"), (s < 100 ? "yes" : "NO") }'
