package actiontest

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fakeGhScript stands in for the GitHub CLI: GitHub's attestation API is
// out of reach in tests. Every call appends GH_TOKEN=<what it saw>, its
// arguments one a line and an --end-- line to the calls file next to it.
// `attestation verify --help` lists the flags the action needs (without
// --source-ref when FAKE_GH_OLD is set, like a gh from before that flag);
// every other call exits $FAKE_GH_EXIT (default 0).
const fakeGhScript = `#!/bin/sh
calls="$(dirname "$0")/calls"
{ printf 'GH_TOKEN=%s\n' "${GH_TOKEN:-}"; printf '%s\n' "$@"; echo --end--; } >>"$calls"
case "$*" in
"attestation verify --help")
  echo "  --signer-workflow string"
  [ -n "${FAKE_GH_OLD:-}" ] || echo "  --source-ref string"
  exit 0
  ;;
--version)
  echo "gh version 2.40.0 (2023-12-07)"
  exit 0
  ;;
esac
exit "${FAKE_GH_EXIT:-0}"
`

// fakeGh is a directory holding the gh stand-in and the record of its calls.
type fakeGh struct{ dir string }

func newFakeGh(t *testing.T) fakeGh {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "gh"), []byte(fakeGhScript), 0o755); err != nil {
		t.Fatal(err)
	}
	return fakeGh{dir: dir}
}

// path is PATH with the stand-in first, ahead of any real gh.
func (g fakeGh) path() string { return g.dir + string(os.PathListSeparator) + os.Getenv("PATH") }

// ghCall is one recorded invocation.
type ghCall struct {
	token string
	args  []string
}

func (g fakeGh) calls(t *testing.T) []ghCall {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(g.dir, "calls"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var calls []ghCall
	var cur *ghCall
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		switch {
		case cur == nil:
			tok, ok := strings.CutPrefix(line, "GH_TOKEN=")
			if !ok {
				t.Fatalf("gh calls file: %q does not start a call", line)
			}
			cur = &ghCall{token: tok}
		case line == "--end--":
			calls = append(calls, *cur)
			cur = nil
		default:
			cur.args = append(cur.args, line)
		}
	}
	return calls
}

// verifyCalls are the argument lists of the `gh attestation verify` calls
// that verify a file (not the --help probe).
func (g fakeGh) verifyCalls(t *testing.T) [][]string {
	t.Helper()
	var out [][]string
	for _, c := range g.calls(t) {
		if len(c.args) > 2 && c.args[0] == "attestation" && c.args[1] == "verify" && !slices.Contains(c.args, "--help") {
			out = append(out, c.args)
		}
	}
	return out
}

// pathWithoutGh is a PATH of links to the tools the install step uses and
// nothing else, so gh is missing even on a runner that has one.
func pathWithoutGh(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, tool := range []string{"curl", "awk", "wc", "sha256sum", "shasum", "tar", "gzip", "chmod", "mkdir", "head", "sed", "grep", "uname"} {
		p, err := exec.LookPath(tool)
		if err != nil {
			continue
		}
		if err := os.Symlink(p, filepath.Join(dir, tool)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestActionInstallProvenance: after the checksum, a release binary runs
// only when `gh attestation verify` vouches for it, with the identity of
// the action's own repository's release workflow at the release's tag. A
// failed verification or a missing gh refuses it (fail closed); only
// verify-provenance: false runs it on the checksum alone, with a warning.
func TestActionInstallProvenance(t *testing.T) {
	const token = "test-token-for-gh-only"
	fake := "#!/bin/sh\necho \"secretgate v9.9.9 (the release asset) sees token: [${GH_TOKEN:-}${SG_GITHUB_TOKEN:-}]\"\n"
	asset := tarGz(t, "secretgate", fake)
	cases := []struct {
		name     string
		repo     string
		env      map[string]string
		noGh     bool   // run with a PATH that has no gh
		wantErr  string // exit 2 with this; the binary must not run
		wantWarn bool   // the opt-out warning
		verified bool   // gh attestation verify was called and passed
	}{
		{name: "verified against this repository's release workflow and tag", repo: "secretgate/secretgate", verified: true},
		{name: "a mirror's release is verified against the mirror's own workflow", repo: "acme/secretgate-mirror", verified: true},
		{name: "failed verification refuses the binary", repo: "secretgate/secretgate",
			env: map[string]string{"FAKE_GH_EXIT": "1"}, wantErr: "provenance verification of secretgate_9.9.9_linux_amd64.tar.gz failed (gh exit 1)"},
		{name: "missing gh fails closed", repo: "secretgate/secretgate", noGh: true,
			wantErr: "the GitHub CLI (gh) is not on PATH"},
		{name: "gh without --source-ref fails closed", repo: "secretgate/secretgate",
			env: map[string]string{"FAKE_GH_OLD": "1"}, wantErr: "gh version 2.40.0 (2023-12-07): too old"},
		{name: "opt-out runs without gh, with a warning", repo: "secretgate/secretgate", noGh: true,
			env: map[string]string{"SG_VERIFY_PROVENANCE": "false"}, wantWarn: true},
		{name: "opt-out never asks gh", repo: "secretgate/secretgate",
			env: map[string]string{"SG_VERIFY_PROVENANCE": "false"}, wantWarn: true},
		{name: "unknown verify-provenance value", repo: "secretgate/secretgate",
			env: map[string]string{"SG_VERIFY_PROVENANCE": "no"}, wantErr: "verify-provenance 'no': want true or false"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			prefix := "/" + tc.repo + "/releases/download/v9.9.9/"
			rs := newReleaseServer(t)
			rs.files[prefix+"secretgate_9.9.9_linux_amd64.tar.gz"] = asset
			rs.files[prefix+"secretgate_9.9.9_checksums.txt"] = []byte(sum(asset) + "  secretgate_9.9.9_linux_amd64.tar.gz\n")
			gh := newFakeGh(t)
			env := map[string]string{
				"SG_METHOD": "release", "SG_RELEASE": "v9.9.9",
				"SG_ACTION_PATH": repoRoot(t), "SG_ACTION_REPOSITORY": tc.repo,
				"GITHUB_SERVER_URL": rs.URL, "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64",
				"SG_GITHUB_TOKEN": token, "PATH": gh.path(),
			}
			if tc.noGh {
				env["PATH"] = pathWithoutGh(t)
			}
			for k, v := range tc.env {
				env[k] = v
			}
			out, code, outs := runScript(t, "install", env)
			if strings.Contains(out, token) {
				t.Errorf("the token was printed:\n%s", out)
			}
			warned := strings.Contains(out, "::warning title=secretgate action::verify-provenance is false")
			if warned != tc.wantWarn {
				t.Errorf("opt-out warning printed = %v, want %v:\n%s", warned, tc.wantWarn, out)
			}
			verify := gh.verifyCalls(t)
			if tc.wantErr != "" {
				if code != 2 || !strings.Contains(out, tc.wantErr) {
					t.Fatalf("exit %d, want 2 with %q:\n%s", code, tc.wantErr, out)
				}
				if strings.Contains(out, "(the release asset)") || outs["binary"] != "" {
					t.Fatalf("a binary without verified provenance was run or named (binary=%q):\n%s", outs["binary"], out)
				}
				if tc.noGh && !strings.Contains(out, "verify-provenance: false") {
					t.Errorf("the missing-gh error does not name the opt-out:\n%s", out)
				}
				if tc.env["FAKE_GH_EXIT"] == "" && len(verify) != 0 {
					t.Errorf("gh attestation verify ran although the step had already refused: %q", verify)
				}
				if tc.noGh && len(rs.paths) != 0 {
					t.Errorf("downloaded %v before failing on the missing gh", rs.paths)
				}
				return
			}
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, out)
			}
			if !strings.Contains(out, "(the release asset) sees token: []") {
				t.Errorf("the binary did not run, or saw the token:\n%s", out)
			}
			if !tc.verified {
				if calls := gh.calls(t); len(calls) != 0 {
					t.Errorf("gh was called with verify-provenance false: %+v", calls)
				}
				return
			}
			want := []string{"attestation", "verify", filepath.Join(filepath.Dir(outs["binary"]), "secretgate_9.9.9_linux_amd64.tar.gz"),
				"--repo", tc.repo,
				"--signer-workflow", tc.repo + "/.github/workflows/release.yml",
				"--source-ref", "refs/tags/v9.9.9",
				"--predicate-type", "https://slsa.dev/provenance/v1",
				"--deny-self-hosted-runners"}
			if len(verify) != 1 || !slices.Equal(verify[0], want) {
				t.Errorf("gh attestation verify calls:\n got %q\nwant [%q]", verify, want)
			}
			for _, c := range gh.calls(t) {
				if slices.Equal(c.args, verify[0]) && c.token != token {
					t.Errorf("gh ran with GH_TOKEN %q, want the github-token input", c.token)
				}
			}
			if !strings.Contains(out, "provenance verified: secretgate_9.9.9_linux_amd64.tar.gz was built by "+tc.repo+"/.github/workflows/release.yml at refs/tags/v9.9.9") {
				t.Errorf("output does not report the verified provenance:\n%s", out)
			}
		})
	}
}
