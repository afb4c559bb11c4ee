package actiontest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

// runScript runs scripts/action.sh with a subcommand and only the given
// environment (plus PATH and HOME unless given), as a composite step would
// with its env:. It returns the output, the exit code and the step
// outputs written to $GITHUB_OUTPUT.
func runScript(t *testing.T, sub string, env map[string]string) (string, int, map[string]string) {
	t.Helper()
	dir := t.TempDir()
	outFile := filepath.Join(dir, "github_output")
	if err := os.WriteFile(outFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	vars := []string{"GITHUB_OUTPUT=" + outFile, "RUNNER_TEMP=" + dir}
	if _, ok := env["PATH"]; !ok {
		vars = append(vars, "PATH="+os.Getenv("PATH"))
	}
	if _, ok := env["HOME"]; !ok {
		vars = append(vars, "HOME="+os.Getenv("HOME"))
	}
	for _, k := range []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOPROXY"} {
		if v := os.Getenv(k); v != "" {
			vars = append(vars, k+"="+v)
		}
	}
	for k, v := range env {
		vars = append(vars, k+"="+v)
	}
	cmd := execCommand("bash", filepath.Join(repoRoot(t), "scripts/action.sh"), sub)
	cmd.Env = vars
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	code := 0
	if err := cmd.Run(); err != nil {
		code = exitCode(t, err)
	}
	b, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), code, parseOutputs(t, string(b))
}

// parseOutputs reads a $GITHUB_OUTPUT file: name=value lines and
// name<<DELIMITER blocks.
func parseOutputs(t testing.TB, s string) map[string]string {
	t.Helper()
	outs := map[string]string{}
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if line == "" {
			continue
		}
		if name, delim, ok := strings.Cut(line, "<<"); ok && !strings.Contains(name, "=") {
			var val []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				val = append(val, lines[i])
			}
			outs[name] = strings.Join(val, "\n")
			continue
		}
		name, val, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("GITHUB_OUTPUT line %q is neither name=value nor name<<DELIMITER", line)
		}
		outs[name] = val
	}
	return outs
}

const sha40 = "0123456789abcdef0123456789abcdef01234567"

func TestActionPlan(t *testing.T) {
	root := repoRoot(t)
	future := t.TempDir()
	if err := os.WriteFile(filepath.Join(future, "go.mod"), []byte("module x\n\ngo 9.99.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name                    string
		env                     map[string]string
		method, release, needGo string
		wantErr                 string
	}{
		{"release tag", map[string]string{"SG_ACTION_REF": "v1.2.3"}, "release", "v1.2.3", "false", ""},
		{"pre-release tag", map[string]string{"SG_ACTION_REF": "v1.2.3-rc.1"}, "release", "v1.2.3-rc.1", "false", ""},
		{"pinned commit builds", map[string]string{"SG_ACTION_REF": sha40}, "source", "", "false", ""},
		{"moving major tag builds", map[string]string{"SG_ACTION_REF": "v1"}, "source", "", "false", ""},
		{"branch builds", map[string]string{"SG_ACTION_REF": "main"}, "source", "", "false", ""},
		{"local action builds", map[string]string{"SG_ACTION_REF": ""}, "source", "", "false", ""},
		{"ref from the runner's action directory", map[string]string{"SG_ACTION_REF": "",
			"SG_ACTION_PATH": "/home/runner/work/_actions/secretgate/secretgate/v2.0.1"}, "release", "v2.0.1", "", ""},
		{"version source wins over a tag", map[string]string{"SG_ACTION_REF": "v1.2.3", "SG_VERSION": "source"}, "source", "", "false", ""},
		{"version names a release", map[string]string{"SG_ACTION_REF": sha40, "SG_VERSION": "v0.9.0"}, "release", "v0.9.0", "false", ""},
		{"go missing", map[string]string{"SG_ACTION_REF": sha40, "PATH": "/usr/bin:/bin"}, "source", "", "true", ""},
		{"go older than go.mod", map[string]string{"SG_ACTION_REF": sha40, "SG_ACTION_PATH": future}, "source", "", "true", ""},
		{"unknown version", map[string]string{"SG_VERSION": "latest"}, "", "", "", "version 'latest'"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"SG_ACTION_PATH": root}
			for k, v := range tc.env {
				env[k] = v
			}
			if _, err := os.Stat("/usr/bin/go"); err == nil && env["PATH"] == "/usr/bin:/bin" {
				t.Skip("go is installed in /usr/bin; cannot hide it")
			}
			out, code, outs := runScript(t, "plan", env)
			if tc.wantErr != "" {
				if code != 2 || !strings.Contains(out, tc.wantErr) {
					t.Fatalf("exit %d, want 2 with %q:\n%s", code, tc.wantErr, out)
				}
				return
			}
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, out)
			}
			if outs["method"] != tc.method || outs["release"] != tc.release {
				t.Errorf("method=%q release=%q, want %q %q", outs["method"], outs["release"], tc.method, tc.release)
			}
			if tc.needGo != "" && outs["need-go"] != tc.needGo {
				t.Errorf("need-go=%q, want %q", outs["need-go"], tc.needGo)
			}
		})
	}
}

// releaseServer serves a release like GitHub's download URLs:
// /OWNER/REPO/releases/download/TAG/FILE. It records the paths asked for.
type releaseServer struct {
	*httptest.Server
	mu    sync.Mutex
	files map[string][]byte
	paths []string
}

func newReleaseServer(t *testing.T) *releaseServer {
	rs := &releaseServer{files: map[string][]byte{}}
	rs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rs.mu.Lock()
		defer rs.mu.Unlock()
		rs.paths = append(rs.paths, r.URL.Path)
		b, ok := rs.files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(b) // a client that hung up fails its own download
	}))
	t.Cleanup(rs.Close)
	return rs
}

func tarGz(t *testing.T, name, content string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(content))}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write([]byte(content)); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// TestActionInstallRelease downloads a release asset from a local stand-in
// for the release download URLs and runs it only when its SHA-256 is the
// one the release's checksums file lists.
func TestActionInstallRelease(t *testing.T) {
	const prefix = "/secretgate/secretgate/releases/download/v9.9.9/"
	fake := "#!/bin/sh\necho 'secretgate v9.9.9 (the release asset)'\n"
	good := tarGz(t, "secretgate", fake)
	evil := tarGz(t, "secretgate", "#!/bin/sh\necho pwned\n")
	cases := []struct {
		name, os, arch string
		asset          []byte // served as the asset
		sums           string // checksums file; %s is the good asset's hash
		wantAsset      string
		wantErr        string
	}{
		{"verified linux amd64", "Linux", "X64", good, "%s  secretgate_9.9.9_linux_amd64.tar.gz\n", "secretgate_9.9.9_linux_amd64.tar.gz", ""},
		{"verified macOS arm64", "macOS", "ARM64", good, "%s  secretgate_9.9.9_darwin_arm64.tar.gz\n", "secretgate_9.9.9_darwin_arm64.tar.gz", ""},
		{"tampered asset", "Linux", "X64", evil, "%s  secretgate_9.9.9_linux_amd64.tar.gz\n", "secretgate_9.9.9_linux_amd64.tar.gz", "checksum mismatch"},
		{"asset missing from checksums", "Linux", "X64", good, "%s  secretgate_9.9.9_linux_arm64.tar.gz\n", "secretgate_9.9.9_linux_amd64.tar.gz", "lists no checksum"},
		{"asset listed twice", "Linux", "X64", good, "%[1]s  secretgate_9.9.9_linux_amd64.tar.gz\n%[1]s  secretgate_9.9.9_linux_amd64.tar.gz\n", "secretgate_9.9.9_linux_amd64.tar.gz", "more than once"},
		{"no checksums file", "Linux", "X64", good, "", "secretgate_9.9.9_linux_amd64.tar.gz", "download of secretgate_9.9.9_checksums.txt failed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rs := newReleaseServer(t)
			rs.files[prefix+tc.wantAsset] = tc.asset
			if tc.sums != "" {
				rs.files[prefix+"secretgate_9.9.9_checksums.txt"] = []byte(fmt.Sprintf(tc.sums, sum(good)))
			}
			gh := newFakeGh(t)
			out, code, outs := runScript(t, "install", map[string]string{
				"SG_METHOD": "release", "SG_RELEASE": "v9.9.9",
				"SG_ACTION_PATH": repoRoot(t), "SG_ACTION_REPOSITORY": "secretgate/secretgate",
				"GITHUB_SERVER_URL": rs.URL, "RUNNER_OS": tc.os, "RUNNER_ARCH": tc.arch,
				"PATH": gh.path(),
			})
			if !slices.Contains(rs.paths, prefix+tc.wantAsset) {
				t.Errorf("asset %s was not requested; requests: %v", tc.wantAsset, rs.paths)
			}
			if tc.wantErr != "" {
				if code != 2 || !strings.Contains(out, tc.wantErr) {
					t.Fatalf("exit %d, want 2 with %q:\n%s", code, tc.wantErr, out)
				}
				if strings.Contains(out, "pwned") || outs["binary"] != "" {
					t.Fatalf("an unverified binary was run or named (binary=%q):\n%s", outs["binary"], out)
				}
				if v := gh.verifyCalls(t); len(v) != 0 {
					t.Errorf("gh attestation verify ran on an asset that failed its checksum: %q", v)
				}
				return
			}
			if v := gh.verifyCalls(t); len(v) != 1 || filepath.Base(v[0][2]) != tc.wantAsset {
				t.Errorf("gh attestation verify calls = %q, want one on %s", v, tc.wantAsset)
			}
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, out)
			}
			if !strings.Contains(out, "verified against secretgate_9.9.9_checksums.txt") || !strings.Contains(out, "(the release asset)") {
				t.Errorf("output does not show the verified asset running:\n%s", out)
			}
			if filepath.Base(outs["binary"]) != "secretgate" {
				t.Errorf("binary output = %q", outs["binary"])
			}
		})
	}
}

// TestActionInstallSource builds the action's own source, stamped with the
// action's ref, the way a SHA-pinned action obtains secretgate.
func TestActionInstallSource(t *testing.T) {
	out, code, outs := runScript(t, "install", map[string]string{
		"SG_METHOD": "source", "SG_ACTION_PATH": repoRoot(t), "SG_ACTION_REF": sha40,
	})
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if !strings.Contains(out, "building from source at "+sha40) || !strings.Contains(out, sha40) {
		t.Errorf("output does not show the build at the action's ref:\n%s", out)
	}
	ver, code := run(t, ".", nil, outs["binary"], "version")
	if code != 0 || !strings.Contains(ver, sha40) {
		t.Errorf("%s version (exit %d) does not name the ref %s:\n%s", outs["binary"], code, sha40, ver)
	}
}

// TestActionCheckArguments runs the check step with a recording stand-in
// for the binary: the inputs become the documented flags, lists are split
// on commas and newlines, the scope follows the mode, and no input value is
// ever executed by the shell.
func TestActionCheckArguments(t *testing.T) {
	dir := t.TempDir()
	argsFile := filepath.Join(dir, "args")
	fake := filepath.Join(dir, "secretgate")
	script := "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$ARGS_FILE\"\nexit \"${FAKE_EXIT:-0}\"\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	pwned := filepath.Join(dir, "PWNED")
	reports := []string{"--format", "json", "--output", "@/secretgate/report.json",
		"--format", "sarif", "--output", "@/secretgate/secretgate.sarif", "--format", "markdown", "--output", "@/secretgate/report.md",
		"--format", "text"}
	cases := []struct {
		name     string
		env      map[string]string
		want     []string // before the report flags; @ is RUNNER_TEMP
		wantCode int
		wantErr  string
	}{
		{"pull request: the PR's commits, offline without a role",
			map[string]string{"GITHUB_EVENT_NAME": "pull_request"},
			[]string{"check", "--diff", "auto", "--offline"}, 0, ""},
		{"merge queue is a pull request",
			map[string]string{"GITHUB_EVENT_NAME": "merge_group"},
			[]string{"check", "--diff", "auto", "--offline"}, 0, ""},
		{"nightly: history, the role and every region",
			map[string]string{"GITHUB_EVENT_NAME": "schedule", "SG_ROLE": "arn:aws:iam::123456789012:role/secretgate-readonly",
				"SG_REGIONS": "eu-west-1, us-east-1\n  us-west-2\n\n"},
			[]string{"check", "--history", "--role-arn", "arn:aws:iam::123456789012:role/secretgate-readonly",
				"--region", "eu-west-1", "--region", "us-east-1", "--region", "us-west-2"}, 0, ""},
		{"regions alone use ambient credentials",
			map[string]string{"GITHUB_EVENT_NAME": "push", "SG_REGIONS": "eu-west-1"},
			[]string{"check", "--region", "eu-west-1"}, 0, ""},
		{"explicit mode and scope, lists, comment, fail-on, config",
			map[string]string{"GITHUB_EVENT_NAME": "pull_request", "SG_MODE": "pre-commit", "SG_SCOPE": "history",
				"SG_ONLY": "leaks,\n trust", "SG_SKIP": "", "SG_COMMENT": "always", "SG_FAIL_ON": "medium", "SG_CONFIG": "ci/secretgate.yml"},
			[]string{"check", "--mode", "pre-commit", "--history", "--offline", "--config", "ci/secretgate.yml",
				"--fail-on", "medium", "--comment", "always", "--only", "leaks,trust"}, 0, ""},
		{"pre-commit mode scans the staged lines",
			map[string]string{"SG_MODE": "pre-commit"},
			[]string{"check", "--mode", "pre-commit", "--staged", "--offline"}, 0, ""},
		{"input values are data, never shell",
			map[string]string{"SG_CONFIG": "$(touch " + pwned + ")", "SG_FAIL_ON": "high; touch " + pwned, "SG_SKIP": "`touch " + pwned + "`"},
			[]string{"check", "--offline", "--config", "$(touch " + pwned + ")", "--fail-on", "high; touch " + pwned,
				"--skip", "`touch " + pwned + "`"}, 0, ""},
		{"the exit code is the step's",
			map[string]string{"FAKE_EXIT": "3"},
			[]string{"check", "--offline"}, 3, ""},
		{"unknown scope", map[string]string{"SG_SCOPE": "everything"}, nil, 2, "scope 'everything'"},
		{"unknown mode", map[string]string{"SG_MODE": "weekly"}, nil, 2, "mode 'weekly'"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(argsFile)
			env := map[string]string{"SG_BINARY": fake, "ARGS_FILE": argsFile, "SG_ACTION_PATH": repoRoot(t)}
			for k, v := range tc.env {
				env[k] = v
			}
			out, code, outs := runScript(t, "check", env)
			if _, err := os.Stat(pwned); err == nil {
				t.Fatalf("an input was executed by the shell")
			}
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d:\n%s", code, tc.wantCode, out)
			}
			if tc.wantErr != "" {
				if !strings.Contains(out, tc.wantErr) {
					t.Errorf("output lacks %q:\n%s", tc.wantErr, out)
				}
				return
			}
			if outs["exit-code"] != fmt.Sprint(tc.wantCode) {
				t.Errorf("exit-code output = %q, want %d", outs["exit-code"], tc.wantCode)
			}
			b, err := os.ReadFile(argsFile)
			if err != nil {
				t.Fatalf("the binary was not run:\n%s", out)
			}
			got := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
			runnerTemp := strings.TrimSuffix(filepath.Dir(got[len(got)-3]), "/secretgate")
			var want []string
			want = append(want, tc.want...)
			for _, r := range reports {
				want = append(want, strings.Replace(r, "@", runnerTemp, 1))
			}
			if !slices.Equal(got, want) {
				t.Errorf("arguments:\n got %q\nwant %q", got, want)
			}
		})
	}
}

// TestReleaseAssetsInstall: what scripts/release.sh builds is what the
// action's release path downloads, verifies and runs — same names, same
// checksum format — for this machine's platform.
func TestReleaseAssetsInstall(t *testing.T) {
	dist := t.TempDir()
	target := runtime.GOOS + "/" + runtime.GOARCH
	out, code := run(t, repoRoot(t), nil, "bash", "scripts/release.sh", "v9.9.9", dist, target)
	if code != 0 {
		t.Fatalf("release.sh (exit %d):\n%s", code, out)
	}
	rs := newReleaseServer(t)
	entries, err := os.ReadDir(dist)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dist, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		rs.files["/secretgate/secretgate/releases/download/v9.9.9/"+e.Name()] = b
	}
	if len(rs.files) != 2 {
		t.Fatalf("release.sh wrote %d files for one target, want an archive and the checksums: %v", len(rs.files), entries)
	}
	runnerOS := map[string]string{"linux": "Linux", "darwin": "macOS", "windows": "Windows"}[runtime.GOOS]
	runnerArch := map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH]
	gh := newFakeGh(t)
	out, code, outs := runScript(t, "install", map[string]string{
		"SG_METHOD": "release", "SG_RELEASE": "v9.9.9",
		"SG_ACTION_PATH": repoRoot(t), "SG_ACTION_REPOSITORY": "secretgate/secretgate",
		"GITHUB_SERVER_URL": rs.URL, "RUNNER_OS": runnerOS, "RUNNER_ARCH": runnerArch,
		"PATH": gh.path(),
	})
	if code != 0 {
		t.Fatalf("install of the release.sh assets (exit %d):\n%s", code, out)
	}
	asset := fmt.Sprintf("secretgate_9.9.9_%s_%s.tar.gz", runtime.GOOS, runtime.GOARCH)
	if v := gh.verifyCalls(t); len(v) != 1 || filepath.Base(v[0][2]) != asset {
		t.Errorf("gh attestation verify calls = %q, want one on %s", v, asset)
	}
	if !strings.Contains(out, "verified against secretgate_9.9.9_checksums.txt") || !strings.Contains(out, "v9.9.9") {
		t.Errorf("the installed release did not verify and report version v9.9.9:\n%s", out)
	}
	if outs["binary"] == "" {
		t.Errorf("no binary output")
	}
}

// TestActionBuildCachePlan: only a build of a commit is cached (a branch
// or a moving tag names code that changes), and runs a pull request
// triggers only read the cache.
func TestActionBuildCachePlan(t *testing.T) {
	root := repoRoot(t)
	cases := []struct {
		name, ref, event string
		key              bool
		save             string
	}{
		{"commit, push", sha40, "push", true, "true"},
		{"commit, schedule", sha40, "schedule", true, "true"},
		{"commit, pull request", sha40, "pull_request", true, "false"},
		{"commit, pull_request_target", sha40, "pull_request_target", true, "false"},
		{"branch", "main", "push", false, "false"},
		{"moving tag", "v1", "push", false, "false"},
		{"local action", "", "push", false, "false"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, code, outs := runScript(t, "plan", map[string]string{
				"SG_ACTION_PATH": root, "SG_ACTION_REF": tc.ref, "GITHUB_EVENT_NAME": tc.event,
				"RUNNER_OS": "Linux", "RUNNER_ARCH": "X64",
			})
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, out)
			}
			wantKey := ""
			if tc.key {
				wantKey = "secretgate-build-v1-linux_amd64-" + sha40
			}
			if outs["cache-key"] != wantKey || outs["cache-save"] != tc.save {
				t.Errorf("cache-key %q, cache-save %q; want %q, %q", outs["cache-key"], outs["cache-save"], wantKey, tc.save)
			}
			if !strings.HasSuffix(outs["cache-dir"], "/secretgate-build") {
				t.Errorf("cache-dir %q", outs["cache-dir"])
			}
		})
	}
}

// TestActionInstallFromBuildCache: a restored build of the action's commit
// is used without Go; one that is not that commit's build (another
// version, or not secretgate) is not run as the check but rebuilt — here
// without Go on PATH, so the rebuild is refused.
func TestActionInstallFromBuildCache(t *testing.T) {
	tests := []struct {
		name    string
		version string
		reused  bool
	}{
		{"the commit's build", "secretgate " + sha40, true},
		{"another commit's build", "secretgate 1111111111111111111111111111111111111111", false},
		{"not secretgate", "hello", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cache := t.TempDir()
			fake := "#!/bin/sh\necho '" + tc.version + "'\n"
			if err := os.WriteFile(filepath.Join(cache, "secretgate"), []byte(fake), 0o755); err != nil {
				t.Fatal(err)
			}
			out, code, outs := runScript(t, "install", map[string]string{
				"SG_METHOD": "source", "SG_ACTION_PATH": repoRoot(t), "SG_ACTION_REF": sha40,
				"SG_CACHE_DIR": cache, "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64",
				"PATH": emptyBin(t) + ":/bin",
			})
			if tc.reused {
				if code != 0 || !strings.Contains(out, "using the build of "+sha40+" cached by an earlier run") || outs["binary"] != filepath.Join(cache, "secretgate") {
					t.Errorf("exit %d, binary %q:\n%s", code, outs["binary"], out)
				}
				return
			}
			if code == 0 || strings.Contains(out, "cached by an earlier run") || !strings.Contains(out, "go") {
				t.Errorf("a build that is not the commit's was used (exit %d):\n%s", code, out)
			}
		})
	}
}

// emptyBin is a directory with the few tools action.sh needs besides go
// (none here: /bin has them), so that go is not on PATH.
func emptyBin(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/bin/go"); err == nil {
		t.Skip("go is installed in /bin; cannot hide it")
	}
	return t.TempDir()
}
