#!/usr/bin/env bash
# Entry point of the secretgate GitHub Action (action.yml).
#
#   action.sh plan     decide how to obtain the binary: a verified release
#                      asset or a build of the action's own source; says
#                      whether Go must be set up first
#   action.sh install  download and verify (checksum, then build
#                      provenance), or build, the binary
#   action.sh check    run `secretgate check` with the action's inputs
#   action.sh comment  run `secretgate comment`: post the pull-request
#                      comment from an earlier run's JSON report (the
#                      workflow_run follow-up for pull requests from forks)
#
# action.yml hands every input over in SG_* environment variables, never by
# ${{ }} expansion inside the script, so no input value is ever parsed as
# shell. Outputs go to $GITHUB_OUTPUT.
set -euo pipefail

die() {
  printf '::error title=secretgate action::%s\n' "$*" >&2
  exit 2
}

output() { printf '%s=%s\n' "$1" "$2" >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"; }

# A release tag is exactly vMAJOR.MINOR.PATCH (with an optional -prerelease).
# Moving tags such as v1 and branch names are built from source: only a
# release has published binaries and checksums.
is_release() { [[ "$1" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]]; }

# The action's own ref and repository. ${{ github.action_ref }} is passed in
# through a step's env: (in composite actions the runner leaves
# $GITHUB_ACTION_REF empty, actions/runner#2473); when that is empty too, the
# runner's action directory _actions/OWNER/REPO/REF names it.
action_ref() {
  if [ -n "${SG_ACTION_REF:-}" ]; then
    printf '%s' "$SG_ACTION_REF"
  elif [[ "${SG_ACTION_PATH:-}" == */_actions/*/*/* ]]; then
    local p="${SG_ACTION_PATH%/}"
    printf '%s' "${p##*/}"
  fi
}

action_repository() {
  if [ -n "${SG_ACTION_REPOSITORY:-}" ]; then
    printf '%s' "$SG_ACTION_REPOSITORY"
  elif [[ "${SG_ACTION_PATH:-}" == */_actions/*/*/* ]]; then
    local p="${SG_ACTION_PATH%/}"
    p="${p%/*}"
    local repo="${p##*/}"
    p="${p%/*}"
    printf '%s/%s' "${p##*/}" "$repo"
  else
    printf 'secretgate/secretgate'
  fi
}

# go_needed prints true when `go` is missing or older than the go directive
# of the action's go.mod.
go_needed() {
  if ! command -v go >/dev/null 2>&1; then
    echo true
    return
  fi
  local want have
  want=$(awk '$1 == "go" { print $2; exit }' "$SG_ACTION_PATH/go.mod")
  have=$(go env GOVERSION 2>/dev/null || true)
  have="${have#go}"
  have="${have%%[-+ ]*}"
  if [ -z "$have" ] || [ "$(printf '%s\n%s\n' "$want" "$have" | sort -V | head -n1)" != "$want" ]; then
    echo true
  else
    echo false
  fi
}

cmd_plan() {
  : "${SG_ACTION_PATH:?}"
  local version="${SG_VERSION:-}" ref method release=""
  ref=$(action_ref)
  case "$version" in
    "")
      if is_release "$ref"; then
        method=release release="$ref"
      else
        method=source
      fi
      ;;
    source) method=source ;;
    *)
      is_release "$version" || die "version '$version': want vMAJOR.MINOR.PATCH, \"source\" or empty"
      method=release release="$version"
      ;;
  esac
  local need_go=false cache_key="" cache_save=false
  if [ "$method" = source ]; then
    need_go=$(go_needed)
    # A build of a commit is the same on every run: it is cached under
    # the commit (a branch or moving tag names changing code: never).
    # Runs a pull request triggers only read the cache, so what they
    # build never reaches another run.
    if [[ "$ref" =~ ^[0-9a-f]{40}$ ]]; then
      cache_key="secretgate-build-v1-$(platform)-$ref"
      case "${GITHUB_EVENT_NAME:-}" in
        pull_request | pull_request_target) ;;
        *) cache_save=true ;;
      esac
    fi
  fi
  echo "secretgate: ${method}${release:+ $release} (action ref: ${ref:-unknown})"
  output method "$method"
  output release "$release"
  output need-go "$need_go"
  output cache-key "$cache_key"
  output cache-save "$cache_save"
  output cache-dir "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/secretgate-build"
}

# platform prints the release asset's OS and architecture for this runner.
platform() {
  local os arch
  case "${RUNNER_OS:-$(uname -s)}" in
    Linux) os=linux ;;
    macOS | Darwin) os=darwin ;;
    Windows | MINGW* | MSYS* | CYGWIN*) os=windows ;;
    *) die "unsupported runner OS ${RUNNER_OS:-$(uname -s)}" ;;
  esac
  case "${RUNNER_ARCH:-$(uname -m)}" in
    X64 | x86_64 | amd64) arch=amd64 ;;
    ARM64 | arm64 | aarch64) arch=arm64 ;;
    *) die "unsupported runner architecture ${RUNNER_ARCH:-$(uname -m)}" ;;
  esac
  printf '%s_%s' "$os" "$arch"
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | awk '{print $1}'
  else
    shasum -a 256 "$1" | awk '{print $1}'
  fi
}

# The workflow that builds and attests releases (.github/workflows/
# release.yml); only its attestations are accepted.
release_workflow=.github/workflows/release.yml

# provenance_wanted prints true or false from the verify-provenance input
# (empty is true) and, when true, fails closed before anything is
# downloaded if the gh CLI that verifies attestations is missing or too old.
provenance_wanted() {
  case "${SG_VERIFY_PROVENANCE:-true}" in
    true) ;;
    false)
      echo false
      return
      ;;
    *) die "verify-provenance '$SG_VERIFY_PROVENANCE': want true or false" ;;
  esac
  command -v gh >/dev/null 2>&1 || die "the GitHub CLI (gh) is not on PATH, so the release's build provenance cannot be verified; refusing to run an unverified binary. Install gh on the runner (https://cli.github.com; GitHub-hosted runners have it), or build from source (version: source, or pin the action by commit SHA), or opt out with verify-provenance: false, which trusts the release's own checksums file alone"
  # --source-ref is the newest flag used below; an older gh would fail the
  # verification with a usage error that reads like a forged asset.
  local help version
  help=$(gh attestation verify --help 2>&1 || true)
  if [[ "$help" != *--source-ref* ]]; then
    version=$(gh --version 2>/dev/null || true)
    die "${version%%$'\n'*}: too old for 'gh attestation verify --source-ref'; update gh (https://cli.github.com), or opt out with verify-provenance: false"
  fi
  echo true
}

# verify_provenance runs `gh attestation verify` on the downloaded asset:
# it passes only when a Sigstore-signed SLSA provenance attestation for the
# asset's exact SHA-256 was made by REPO's release workflow, run for the
# release's tag on a GitHub-hosted runner. The token reaches gh alone.
verify_provenance() {
  local file="$1" repo="$2" release="$3" token="$4" code=0
  local args=(attestation verify "$file" --repo "$repo"
    --signer-workflow "$repo/$release_workflow"
    --source-ref "refs/tags/$release"
    --predicate-type https://slsa.dev/provenance/v1
    --deny-self-hosted-runners)
  printf 'secretgate: gh'
  printf ' %q' "${args[@]}"
  printf '\n'
  GH_TOKEN="${token:-${GH_TOKEN:-}}" gh "${args[@]}" || code=$?
  [ "$code" -eq 0 ] || die "provenance verification of ${file##*/} failed (gh exit $code): no attestation shows it was built by $repo/$release_workflow for refs/tags/$release; refusing to run it"
  echo "secretgate: provenance verified: ${file##*/} was built by $repo/$release_workflow at refs/tags/$release"
}

# install_release downloads secretgate_VERSION_OS_ARCH.tar.gz and the
# release's checksums file, refuses an asset whose SHA-256 is not the one
# listed, then (unless verify-provenance is false) one without a build
# provenance attestation from this repository's release workflow: the
# checksums file lives in the release it vouches for, so it only catches a
# corrupted download; the attestation is signed by the workflow and
# survives a tampered release. The release URL is
# ${GITHUB_SERVER_URL}/OWNER/REPO/releases, so GitHub Enterprise Server
# works when the action is mirrored there.
install_release() {
  local release="$1" dir="$2" token="$3" plat repo base asset sums want got provenance exe=""
  provenance=$(provenance_wanted)
  plat=$(platform)
  repo=$(action_repository)
  base="${GITHUB_SERVER_URL:-https://github.com}/$repo/releases/download/$release"
  asset="secretgate_${release#v}_${plat}.tar.gz"
  sums="secretgate_${release#v}_checksums.txt"
  # HTTPS only, redirects included, unless the server itself is plain HTTP
  # (a test server, an internal mirror).
  local proto="=https"
  [[ "$base" == http://* ]] && proto="=http"
  echo "secretgate: downloading $base/$asset"
  curl -fsSL --retry 3 --proto "$proto" --proto-redir "$proto" -o "$dir/$asset" "$base/$asset" || die "download of $asset failed"
  curl -fsSL --retry 3 --proto "$proto" --proto-redir "$proto" -o "$dir/$sums" "$base/$sums" || die "download of $sums failed"
  want=$(awk -v f="$asset" '$2 == f || $2 == "*"f { print $1 }' "$dir/$sums")
  [ -n "$want" ] || die "$sums lists no checksum for $asset"
  [ "$(printf '%s\n' "$want" | wc -l)" -eq 1 ] || die "$sums lists $asset more than once"
  got=$(sha256 "$dir/$asset")
  [ "$got" = "$want" ] || die "checksum mismatch for $asset: got sha256 $got, $sums says $want; refusing to run it"
  echo "secretgate: sha256 $got verified against $sums"
  if [ "$provenance" = true ]; then
    verify_provenance "$dir/$asset" "$repo" "$release" "$token"
  else
    printf '::warning title=secretgate action::%s\n' "verify-provenance is false: $asset's build provenance was NOT verified; it is checked only against $sums, which whoever can change the release can change too" >&2
  fi
  [ "${plat%%_*}" = windows ] && exe=.exe
  tar -xzf "$dir/$asset" -C "$dir" "secretgate$exe" || die "$asset holds no secretgate$exe"
  chmod +x "$dir/secretgate$exe"
  BINARY="$dir/secretgate$exe"
}

# install_source builds the action's own checked-out source: the code behind
# the commit the workflow pinned is the code that runs. Modules are verified
# against go.sum (and the checksum database) by the go command.
install_source() {
  local dir="$1" ref exe=""
  ref=$(action_ref)
  case "$(platform)" in windows_*) exe=.exe ;; esac
  if [ -n "${SG_CACHE_DIR:-}" ] && [ -n "$ref" ]; then
    # The cache step restored (or will save) the build of this commit.
    dir="$SG_CACHE_DIR"
    mkdir -p "$dir"
    if [ -x "$dir/secretgate$exe" ] && [ "$("$dir/secretgate$exe" version 2>/dev/null)" = "secretgate $ref" ]; then
      echo "secretgate: using the build of $ref cached by an earlier run"
      BINARY="$dir/secretgate$exe"
      return
    fi
  fi
  echo "secretgate: building from source at ${ref:-unknown ref} with $(go version)"
  (
    cd "$SG_ACTION_PATH"
    GOFLAGS=-mod=readonly go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X github.com/secretgate/secretgate/internal/cli.Version=${ref:-source}" \
      -o "$dir/secretgate$exe" ./cmd/secretgate
  ) || die "go build of the action's source failed"
  BINARY="$dir/secretgate$exe"
}

cmd_install() {
  : "${SG_ACTION_PATH:?}" "${SG_METHOD:?}"
  local dir token="${SG_GITHUB_TOKEN:-}"
  # The token is for gh only: neither go build nor the binary sees it.
  unset SG_GITHUB_TOKEN
  dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/secretgate-bin-$$"
  mkdir -p "$dir"
  BINARY=""
  case "$SG_METHOD" in
    release) install_release "${SG_RELEASE:?}" "$dir" "$token" ;;
    source) install_source "$dir" ;;
    *) die "unknown install method '$SG_METHOD'" ;;
  esac
  "$BINARY" version
  output binary "$BINARY"
}

# split prints the items of a newline- or comma-separated list, trimmed, one
# per line, without empty ones.
split() {
  printf '%s\n' "$1" | tr ',' '\n' | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' | sed '/^$/d'
}

# infer_mode maps the event to a mode like secretgate itself does, to choose
# the default leak scope.
infer_mode() {
  if [ -n "${SG_MODE:-}" ]; then
    printf '%s' "$SG_MODE"
    return
  fi
  case "${GITHUB_EVENT_NAME:-}" in
    pull_request | pull_request_target | merge_group) printf pr ;;
    schedule | workflow_dispatch) printf nightly ;;
    *) printf local ;;
  esac
}

cmd_check() {
  : "${SG_BINARY:?the install step did not name a binary}"
  local mode scope reports args=(check)
  mode=$(infer_mode)
  case "${SG_MODE:-}" in
    "" | pr | nightly | pre-commit) ;;
    *) die "mode '$SG_MODE': want pr, nightly, pre-commit or empty" ;;
  esac
  [ -n "${SG_MODE:-}" ] && args+=(--mode "$SG_MODE")

  scope="${SG_SCOPE:-}"
  if [ -z "$scope" ]; then
    case "$mode" in
      pr) scope="diff" ;;
      nightly) scope="history" ;;
      pre-commit) scope="staged" ;;
      *) scope="tree" ;;
    esac
  fi
  case "$scope" in
    tree) ;;
    staged) args+=(--staged) ;;
    diff) args+=(--diff auto) ;;
    history) args+=(--history) ;;
    *) die "scope '$scope': want tree, staged, diff, history or empty" ;;
  esac

  # Live AWS checks need somewhere to look: a role to assume, or regions
  # with the credentials already in the environment. Neither: repository
  # files and leaks only.
  local regions
  regions=$(split "${SG_REGIONS:-}")
  if [ -z "${SG_ROLE:-}" ] && [ -z "$regions" ]; then
    args+=(--offline)
  else
    [ -n "${SG_ROLE:-}" ] && args+=(--role-arn "$SG_ROLE")
    local r
    while IFS= read -r r; do
      [ -n "$r" ] && args+=(--region "$r")
    done <<<"$regions"
  fi
  [ -n "${SG_CONFIG:-}" ] && args+=(--config "$SG_CONFIG")
  [ -n "${SG_FAIL_ON:-}" ] && args+=(--fail-on "$SG_FAIL_ON")
  [ -n "${SG_COMMENT:-}" ] && args+=(--comment "$SG_COMMENT")
  [ -n "${SG_ONLY:-}" ] && args+=(--only "$(split "$SG_ONLY" | paste -sd, -)")
  [ -n "${SG_SKIP:-}" ] && args+=(--skip "$(split "$SG_SKIP" | paste -sd, -)")

  reports="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/secretgate"
  mkdir -p "$reports"
  local sarif="${SG_SARIF_FILE:-$reports/secretgate.sarif}"
  mkdir -p "$(dirname "$sarif")"
  # The n-th --output belongs to the n-th --format; the text report, last
  # and without one, goes to the log.
  args+=(--format json --output "$reports/report.json"
    --format sarif --output "$sarif"
    --format markdown --output "$reports/report.md"
    --format text)

  printf 'secretgate'
  printf ' %q' "${args[@]}"
  printf '\n'
  local code=0
  "$SG_BINARY" "${args[@]}" || code=$?
  output exit-code "$code"
  # secretgate names the reports it wrote in its own step outputs; name
  # them here too when it did not (a usage error before any report).
  local key file
  for key in report-json:"$reports/report.json" report-sarif:"$sarif" report-markdown:"$reports/report.md"; do
    file="${key#*:}" key="${key%%:*}"
    if [ -s "$file" ] && ! grep -qE "^$key(=|<<)" "$GITHUB_OUTPUT"; then
      output "$key" "$file"
    fi
  done
  return "$code"
}

# cmd_comment publishes the comment from a report and a pull request number
# that came from another run's artifact: untrusted data. They are handed to
# secretgate as file names only; secretgate validates both (a plain positive
# integer, a size-capped secretgate report for that pull request, the pull
# request's head still at the event's workflow_run.head_sha) and renders the
# comment itself, escaping every text.
cmd_comment() {
  : "${SG_BINARY:?the install step did not name a binary}"
  [ -n "${SG_REPORT:-}" ] || die "report: empty"
  [ -n "${SG_PR_FILE:-}" ] || die "pull-request-file is required with report"
  local args=(comment --report "$SG_REPORT" --pr-file "$SG_PR_FILE")
  [ -n "${SG_COMMENT:-}" ] && args+=(--comment "$SG_COMMENT")
  printf 'secretgate'
  printf ' %q' "${args[@]}"
  printf '\n'
  "$SG_BINARY" "${args[@]}"
}

case "${1:-}" in
  plan) cmd_plan ;;
  install) cmd_install ;;
  check) cmd_check ;;
  comment) cmd_comment ;;
  *) die "usage: action.sh plan|install|check|comment" ;;
esac
