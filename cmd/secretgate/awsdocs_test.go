package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/secretgate/secretgate/internal/result"
)

// TestAWSExamplesPassOwnRules: the IAM policies and trust policy that
// docs/aws.md tells users to create pass secretgate's own rules with no
// finding at medium or above.
func TestAWSExamplesPassOwnRules(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "secretgate.yml")
	if err := os.WriteFile(cfg, []byte("github:\n  repositories: [acme/payments]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := secretgate(t, nil, "check", "--offline", "--path", "../../docs/examples/aws", "--config", cfg, "--skip", "leaks", "--fail-on", "medium", "--format", "json", "--now", now)
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	rep := jsonReport(t, r)
	if rep.Inputs.Files != 3 {
		t.Errorf("read %d files, want the 3 examples", rep.Inputs.Files)
	}
	for _, f := range rep.Findings {
		if f.Severity >= result.SeverityMedium {
			t.Errorf("%s %s on %s: %s", f.Severity, f.Rule, f.Resource, f.Message)
		}
	}
	if st := checkStatus(rep); st["iam"] != result.StatusOK || st["trust"] != result.StatusOK {
		t.Errorf("statuses = %v", st)
	}
}
