package actiontest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type checkReport struct {
	Checks []struct {
		ID        string `json:"id"`
		Status    string `json:"status"`
		Reason    string `json:"reason"`
		Resources int    `json:"resources"`
	} `json:"checks"`
	Findings []struct {
		Rule     string `json:"rule"`
		Severity string `json:"severity"`
		File     string `json:"file"`
		Message  string `json:"message"`
	} `json:"findings"`
	Summary struct {
		Failed     bool `json:"failed"`
		Incomplete bool `json:"incomplete"`
	} `json:"summary"`
}

// checkOffline runs `secretgate check --offline --format json` on dir.
func checkOffline(t *testing.T, dir string) (checkReport, int, string) {
	t.Helper()
	out, code := run(t, dir, []string{"GITHUB_ACTIONS=", "GITHUB_REPOSITORY="}, secretgateBinary(t),
		"check", "--offline", "--path", dir, "--format", "json", "--fail-on", "medium")
	var rep checkReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("secretgate printed no JSON report (exit %d): %v\n%s", code, err, out)
	}
	return rep, code, out
}

// TestOIDCExampleFollowsItsOwnRules: the trust and role policies the docs
// tell users to create must pass secretgate's own rules, read as files
// (exit 0, no finding at or above medium, the trust and IAM checks saw
// the role and the policies).
func TestOIDCExampleFollowsItsOwnRules(t *testing.T) {
	dir := filepath.Join(repoRoot(t), "docs/examples/oidc")
	rep, code, out := checkOffline(t, dir)
	if code != 0 {
		t.Errorf("exit code %d, want 0:\n%s", code, out)
	}
	for _, f := range rep.Findings {
		if f.Severity == "critical" || f.Severity == "high" || f.Severity == "medium" {
			t.Errorf("finding %s (%s) in %s: %s", f.Rule, f.Severity, f.File, f.Message)
		}
	}
	resources := map[string]int{}
	for _, c := range rep.Checks {
		resources[c.ID] = c.Resources
		if c.Status == "error" || c.Status == "failed" {
			t.Errorf("check %s: %s %s", c.ID, c.Status, c.Reason)
		}
	}
	if resources["trust"] < 1 || resources["iam"] < 1 {
		t.Errorf("the example's role and policies were not read: trust saw %d, iam %d resources", resources["trust"], resources["iam"])
	}
}

// TestOIDCExampleLoosenedFails proves the check above can fail: the same
// files with the subject widened to every repository of the organisation,
// or the audience dropped, must be reported.
func TestOIDCExampleLoosenedFails(t *testing.T) {
	src := filepath.Join(repoRoot(t), "docs/examples/oidc")
	cases := []struct {
		name, old, new string
	}{
		{"subject for the whole organisation", `"StringEquals": {
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
          "token.actions.githubusercontent.com:sub": "repo:acme/payments:pull_request"
        }`, `"StringEquals": {
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com"
        },
        "StringLike": {
          "token.actions.githubusercontent.com:sub": "repo:acme/*"
        }`},
		{"another organisation's repository", `"repo:acme/payments:pull_request"`, `"repo:evil/payments:pull_request"`},
		{"no audience", `"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",`, ``},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, name := range []string{".secretgate.yml", "secretgate-pr-trust.json", "secretgate-pr-policy.json"} {
				b, err := os.ReadFile(filepath.Join(src, name))
				if err != nil {
					t.Fatal(err)
				}
				s := string(b)
				if name == "secretgate-pr-trust.json" {
					if !strings.Contains(s, tc.old) {
						t.Fatalf("the trust policy no longer contains the text this case edits:\n%s", tc.old)
					}
					s = strings.Replace(s, tc.old, tc.new, 1)
				}
				if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			rep, code, out := checkOffline(t, dir)
			if code != 1 {
				t.Errorf("exit code %d, want 1 (findings):\n%s", code, out)
			}
			bad := 0
			for _, f := range rep.Findings {
				if f.Severity == "critical" || f.Severity == "high" || f.Severity == "medium" {
					bad++
				}
			}
			if bad == 0 {
				t.Errorf("no finding at or above medium:\n%s", out)
			}
		})
	}
}
