package main

import (
	"testing"

	"github.com/secretgate/secretgate/internal/result"
)

// TestSelfCheck runs secretgate on its own repository with its own
// .secretgate.yml, as the project's CI does: no finding may be left that
// is not waived, whatever its severity. A fixture that plants a fake key
// or a canary marks its line with gitleaks:allow (or is waived in
// .secretgate.yml with a reason and an expiry); a real leak fails here.
func TestSelfCheck(t *testing.T) {
	r := secretgate(t, nil, "check", "--offline", "--path", "../..", "--fail-on", "low", "--format", "json", "--now", now)
	rep := jsonReport(t, r)
	for _, f := range rep.Findings {
		if !f.Waived {
			t.Errorf("unwaived finding %s (%s) at %s:%d: %s", f.Rule, f.Severity, f.File, f.Line, f.Message)
		}
	}
	for _, c := range rep.Checks {
		if c.Status == result.StatusError {
			t.Errorf("check %s could not run", c.ID)
		}
	}
	if r.code != 0 {
		t.Errorf("exit %d, want 0\nstderr:\n%s", r.code, r.stderr)
	}
}
