#!/usr/bin/env bash
# Builds the release assets the GitHub Action downloads (scripts/action.sh
# install_release): for each target, secretgate_X.Y.Z_OS_ARCH.tar.gz holding
# the binary (secretgate, or secretgate.exe on windows), and
# secretgate_X.Y.Z_checksums.txt with their SHA-256 in sha256sum's format.
#
#   scripts/release.sh vX.Y.Z OUTDIR [OS/ARCH ...]
#
# Default targets: linux, darwin and windows on amd64 and arm64. Builds are
# reproducible (-trimpath, no VCS stamp, no cgo, fixed archive metadata), so
# anyone can rebuild a release from its tag with the same Go version and
# compare checksums. Needs GNU tar and sha256sum (as on the Ubuntu runner).
set -euo pipefail

version="${1:?usage: release.sh vX.Y.Z OUTDIR [OS/ARCH ...]}"
out="${2:?usage: release.sh vX.Y.Z OUTDIR [OS/ARCH ...]}"
shift 2
[[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]] || {
  echo "release.sh: version '$version': want vMAJOR.MINOR.PATCH" >&2
  exit 2
}
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  targets=(linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64)
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

sums="secretgate_${version#v}_checksums.txt"
: >"$out/$sums"
for target in "${targets[@]}"; do
  os="${target%/*}" arch="${target#*/}" exe=""
  [ "$os" = windows ] && exe=.exe
  asset="secretgate_${version#v}_${os}_${arch}.tar.gz"
  mkdir -p "$work/$os-$arch"
  (
    cd "$root"
    CGO_ENABLED=0 GOOS="$os" GOARCH="$arch" GOFLAGS=-mod=readonly \
      go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X github.com/secretgate/secretgate/internal/cli.Version=$version" \
      -o "$work/$os-$arch/secretgate$exe" ./cmd/secretgate
  )
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 \
    -C "$work/$os-$arch" -cf - "secretgate$exe" | gzip -n >"$out/$asset"
  (cd "$out" && sha256sum "$asset") >>"$out/$sums"
  echo "release.sh: $asset"
done
echo "release.sh: $sums"
