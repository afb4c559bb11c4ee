#!/usr/bin/env bash
# actionlint over the example workflows where users put them: together in
# a repository's .github/workflows, so that a caller's
# `uses: ./.github/workflows/…` finds the reusable workflow it calls and
# its inputs are checked against it (make lint).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/.github/workflows"
cp "$root"/docs/examples/workflows/*.yml "$tmp/.github/workflows/"
cd "$tmp"
actionlint .github/workflows/*.yml
