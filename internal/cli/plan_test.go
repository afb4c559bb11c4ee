package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/secretgate/secretgate/internal/leaks"
	"github.com/secretgate/secretgate/internal/result"
)

// checkFlagsDefault are the flags of `secretgate check` with nothing
// given, as cobra sets them.
func checkFlagsDefault(path string) checkFlags {
	return checkFlags{path: path, leakCache: leakCacheFlags{noCache: true}}
}

// TestPlanCheck turns flags into a plan without cobra: what the run gets,
// and the usage errors.
func TestPlanCheck(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	noEnv := envOf(nil)
	ctx := context.Background()

	t.Run("defaults", func(t *testing.T) {
		p, err := planCheck(ctx, checkFlagsDefault(dir), noEnv)
		if err != nil {
			t.Fatal(err)
		}
		if p.run.Root != dir || p.run.Config == nil || p.run.ConfigFile != "" || p.anchor != "" {
			t.Errorf("root %q, config file %q, anchor %q", p.run.Root, p.run.ConfigFile, p.anchor)
		}
		if diff := cmp.Diff(result.Families, p.run.Families); diff != "" {
			t.Errorf("families (-want +got):\n%s", diff)
		}
		if p.run.Context.Mode != "local" || p.run.Offline || p.run.Staged || p.run.LeakScope != (leaks.Scope{}) {
			t.Errorf("mode %q, offline %v, staged %v, scope %+v", p.run.Context.Mode, p.run.Offline, p.run.Staged, p.run.LeakScope)
		}
		if len(p.outs) != 1 || p.outs[0] != (output{format: "text"}) {
			t.Errorf("outputs %+v, want text to stdout", p.outs)
		}
	})

	t.Run("selection", func(t *testing.T) {
		f := checkFlagsDefault(dir)
		f.offline, f.only, f.staged, f.failOn = true, []string{"leaks"}, true, "low"
		p, err := planCheck(ctx, f, noEnv)
		if err != nil {
			t.Fatal(err)
		}
		if !p.run.Offline || !p.run.Staged || p.run.LeakScope.Kind != leaks.Staged {
			t.Errorf("offline %v, staged %v, scope %+v", p.run.Offline, p.run.Staged, p.run.LeakScope)
		}
		if diff := cmp.Diff([]string{"leaks"}, p.run.Families); diff != "" {
			t.Errorf("families (-want +got):\n%s", diff)
		}
		if p.run.Requested["leaks"] != "--staged" || p.run.NotSelected["naming"] != "not in --only" {
			t.Errorf("requested %v, not selected %v", p.run.Requested, p.run.NotSelected)
		}
		if p.run.Threshold.Min != result.SeverityLow {
			t.Errorf("threshold %+v, want low", p.run.Threshold)
		}
	})

	for _, tc := range []struct {
		name string
		set  func(*checkFlags)
		want string
	}{
		{"missing --path", func(f *checkFlags) { f.path = filepath.Join(dir, "nope") }, "does not exist"},
		{"--path a file", func(f *checkFlags) { f.path = filepath.Join(dir, "file") }, "not a directory"},
		{"unknown mode", func(f *checkFlags) { f.mode = "ci" }, `--mode "ci"`},
		{"offline with a role", func(f *checkFlags) { f.offline, f.roleARN = true, "arn:aws:iam::1:role/x" }, "--role-arn needs live AWS"},
		{"diff without a range", func(f *checkFlags) { f.diff = "main" }, "want BASE..HEAD"},
		{"two scopes", func(f *checkFlags) { f.staged, f.history = true, true }, "mutually exclusive"},
		{"missing --config", func(f *checkFlags) { f.config = filepath.Join(dir, "none.yml") }, "--config"},
		{"bad --fail-on", func(f *checkFlags) { f.failOn = "severe" }, "--fail-on"},
		{"nothing selected", func(f *checkFlags) { f.only, f.skip = []string{"leaks"}, []string{"leaks"} }, "leave no check"},
		{"bad --now", func(f *checkFlags) { f.now = "yesterday" }, "want an RFC 3339 time such as 2026-12-04T09:30:00Z"},
		{"bad --show-severity", func(f *checkFlags) { f.showSeverity = "loud" }, `--show-severity: unknown severity "loud"`},
		{"two formats to stdout", func(f *checkFlags) { f.formats = []string{"json", "sarif"} }, "more than one --format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := checkFlagsDefault(dir)
			tc.set(&f)
			_, err := planCheck(ctx, f, noEnv)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one saying %q", err, tc.want)
			}
		})
	}
}

// TestPlanConfigInDotDotDirectory: a configuration in a directory whose
// name starts with two dots (..x) lies inside the root: the SARIF anchor
// and the credential references name it (a ".." prefix test said it lay
// outside).
func TestPlanConfigInDotDotDirectory(t *testing.T) {
	root := t.TempDir()
	cfgPath := filepath.Join(root, "..x", "sg.yml")
	if err := os.MkdirAll(filepath.Dir(cfgPath), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfgPath, []byte("credentials:\n  - secret: prod/app/api\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := checkFlagsDefault(root)
	f.config = cfgPath
	p, err := planCheck(context.Background(), f, envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if p.anchor != "..x/sg.yml" || p.run.ConfigFile != "..x/sg.yml" {
		t.Errorf("anchor %q, config file %q; want ..x/sg.yml", p.anchor, p.run.ConfigFile)
	}
	if got := p.run.Config.File(); got != "..x/sg.yml" {
		t.Errorf("config.File() = %q, want ..x/sg.yml", got)
	}
}

// TestConfigLoaderEveryCommand: every command that reads the
// configuration validates --path the same way.
func TestConfigLoaderEveryCommand(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	claims := filepath.Join(t.TempDir(), "claims.json")
	if err := os.WriteFile(claims, []byte(`{"sub":"repo:acme/app:ref:refs/heads/main","aud":"sts.amazonaws.com","repository":"acme/app"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"check", "--offline"},
		{"inventory", "--out", "-"},
		{"explain-trust", "--role", "x", "--claims", claims},
		{"policy", "list"},
		{"policy", "test"},
		{"policy", "list", "."},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var stdout, stderr strings.Builder
			err := Run(context.Background(), append(args, "--path", missing), &stdout, &stderr, envOf(nil))
			var ee *ExitError
			if !errors.As(err, &ee) || ee.Code != result.ExitUsage || !strings.Contains(err.Error(), "--path "+missing+": does not exist") {
				t.Errorf("err = %v, want exit 2: --path %s: does not exist", err, missing)
			}
		})
	}
}
