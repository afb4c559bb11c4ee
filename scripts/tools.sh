#!/usr/bin/env bash
# Installs Go command-line tools at pinned versions into one folder (make
# tools: .tools/bin, which the Makefile puts first on PATH).
#
#   scripts/tools.sh DIR NAME=PACKAGE@VERSION ...
#
# A tool is built (go install PACKAGE@VERSION, through the Go module proxy)
# only when DIR/NAME is missing or was built from another package or
# version; the check reads the build information Go stamps into every
# binary (go version -m), so a second run with the same pins does nothing.
set -euo pipefail

dir="${1:?usage: tools.sh DIR NAME=PACKAGE@VERSION ...}"
shift
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)" # GOBIN must be absolute

# built_from BIN: "PACKAGE@VERSION" of the binary's main package and module.
built_from() {
  go version -m "$1" 2>/dev/null |
    awk '$1 == "path" { p = $2 } $1 == "mod" { v = $3 } END { if (p != "" && v != "") print p "@" v }'
}

for spec in "$@"; do
  name="${spec%%=*}"
  want="${spec#*=}"
  case "$want" in
  *@v*) ;;
  *)
    echo "tools.sh: $spec: want NAME=PACKAGE@VERSION" >&2
    exit 2
    ;;
  esac
  if [ -x "$dir/$name" ] && [ "$(built_from "$dir/$name")" = "$want" ]; then
    continue
  fi
  echo "installing $name ($want) into $dir"
  GOBIN="$dir" go install "$want"
done
