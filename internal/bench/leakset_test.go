package bench

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLeakSets(t *testing.T) {
	gl := `[{"RuleID":"github-pat","File":"/tmp/t/a/b.go","StartLine":3,"Commit":"abc"},
	        {"RuleID":"github-pat","File":"/tmp/t/a/b.go","StartLine":3,"Commit":"abc"},
	        {"RuleID":"jwt","File":"/tmp/t/c.txt","StartLine":9,"Commit":"def"}]`
	sg := `{"leaks":[{"rule_id":"github-pat","file":"a/b.go","line":3,"commit":"abc","redacted":"ghp_…"},
	                  {"rule_id":"generic-api-key","file":"c.txt","line":9,"commit":"def"}]}`
	want, err := GitleaksLeaks(strings.NewReader(gl), "/tmp/t", true)
	if err != nil {
		t.Fatal(err)
	}
	got, err := SecretgateLeaks(strings.NewReader(sg), true)
	if err != nil {
		t.Fatal(err)
	}
	if n := DistinctLeaks(want); n != 2 {
		t.Errorf("distinct gitleaks findings = %d, want 2 (the duplicate counts once)", n)
	}
	diff := DiffLeaks(want, got)
	wantDiff := []string{"+ generic-api-key c.txt:9 @def", "- jwt c.txt:9 @def"}
	if d := cmp.Diff(wantDiff, diff); d != "" {
		t.Errorf("DiffLeaks (-want +got):\n%s", d)
	}
	// Without commits, the same finding in two commits is one.
	a, _ := GitleaksLeaks(strings.NewReader(`[{"RuleID":"r","File":"f","StartLine":1,"Commit":"x"},{"RuleID":"r","File":"f","StartLine":1,"Commit":"y"}]`), "", false)
	if n := DistinctLeaks(a); n != 1 {
		t.Errorf("without commits: %d distinct, want 1", n)
	}
	if _, err := GitleaksLeaks(strings.NewReader("{not json"), "", false); err == nil {
		t.Error("malformed gitleaks report: want an error")
	}
}
