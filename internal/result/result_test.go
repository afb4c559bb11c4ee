package result

import (
	"encoding/json"
	"testing"
)

func TestThreshold(t *testing.T) {
	tests := []struct {
		level string
		sev   Severity
		fails bool
	}{
		{"high", SeverityCritical, true},
		{"high", SeverityHigh, true},
		{"high", SeverityMedium, false},
		{"info", SeverityInfo, true},
		{"never", SeverityCritical, false},
		{"CRITICAL", SeverityHigh, false},
	}
	for _, tc := range tests {
		th, err := ParseThreshold(tc.level)
		if err != nil {
			t.Fatal(err)
		}
		if got := th.Fails(tc.sev); got != tc.fails {
			t.Errorf("%s fails %s = %v, want %v", tc.level, tc.sev, got, tc.fails)
		}
	}
	if _, err := ParseThreshold("severe"); err == nil {
		t.Error("unknown level accepted")
	}
}

func TestExitCode(t *testing.T) {
	high := Threshold{Min: SeverityHigh}
	tests := []struct {
		name     string
		findings []Finding
		checks   []Check
		errors   []InputProblem
		want     int
	}{
		{"empty", nil, []Check{{ID: "naming", Status: StatusOK}}, nil, ExitOK},
		{"below threshold", []Finding{{Severity: SeverityMedium}}, nil, nil, ExitOK},
		{"at threshold", []Finding{{Severity: SeverityHigh}}, nil, nil, ExitFindings},
		{"waived", []Finding{{Severity: SeverityCritical, Waived: true}}, nil, nil, ExitOK},
		{"check error", nil, []Check{{ID: "iam", Status: StatusError}}, nil, ExitIncomplete},
		{"input error", nil, nil, []InputProblem{{File: "a.json"}}, ExitIncomplete},
		{"failed beats incomplete", []Finding{{Severity: SeverityCritical}}, []Check{{Status: StatusError}}, nil, ExitFindings},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Report{Findings: tc.findings, Checks: tc.checks, Inputs: Inputs{Errors: tc.errors}}
			r.Summarize(high)
			if got := r.ExitCode(); got != tc.want {
				t.Errorf("exit %d, want %d (%+v)", got, tc.want, r.Summary)
			}
		})
	}
}

func TestSeverityJSON(t *testing.T) {
	b, err := json.Marshal(Finding{Severity: SeverityCritical})
	if err != nil {
		t.Fatal(err)
	}
	var back Finding
	if err := json.Unmarshal(b, &back); err != nil || back.Severity != SeverityCritical {
		t.Fatalf("round trip: %s %v %v", b, back.Severity, err)
	}
}

// TestSortFindingsTotal: findings equal in every sorted field but the
// message (two copies of one secret with different dates) come out in one
// order whatever order they went in.
func TestSortFindingsTotal(t *testing.T) {
	a := Finding{Rule: "rotation-overdue", Resource: "dup", File: "inv.json", Line: 1, Fingerprint: "f", Message: "rotated 2019"}
	b := a
	b.Message = "rotated 2020"
	for _, in := range [][]Finding{{a, b}, {b, a}} {
		SortFindings(in)
		if in[0].Message != a.Message {
			t.Errorf("order %q, %q: depends on the input order", in[0].Message, in[1].Message)
		}
	}
}

func TestSortFindingsWorstFirst(t *testing.T) {
	fs := []Finding{{Rule: "b", Severity: SeverityLow}, {Rule: "w", Severity: SeverityCritical, Waived: true}, {Rule: "a", Severity: SeverityHigh}}
	SortFindings(fs)
	if fs[0].Rule != "a" || fs[1].Rule != "b" || fs[2].Rule != "w" {
		t.Errorf("order %v %v %v", fs[0].Rule, fs[1].Rule, fs[2].Rule)
	}
}

func TestNewOnly(t *testing.T) {
	fresh := Finding{Severity: SeverityHigh, New: true, Fingerprint: "a"}
	old := Finding{Severity: SeverityCritical, New: false, Fingerprint: "b"}
	tests := []struct {
		name       string
		t          Threshold
		findings   []Finding
		wantFailed bool
	}{
		{"existing critical does not fail with new-only", Threshold{Min: SeverityHigh, NewOnly: true}, []Finding{old}, false},
		{"new high fails with new-only", Threshold{Min: SeverityHigh, NewOnly: true}, []Finding{old, fresh}, true},
		{"existing critical fails without new-only", Threshold{Min: SeverityHigh}, []Finding{old}, true},
		{"waived new finding never fails", Threshold{Min: SeverityHigh, NewOnly: true}, []Finding{{Severity: SeverityCritical, New: true, Waived: true}}, false},
		{"never", Threshold{Never: true, NewOnly: true}, []Finding{fresh}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Report{Findings: tc.findings}
			r.Summarize(tc.t)
			if r.Summary.Failed != tc.wantFailed {
				t.Errorf("Failed = %v, want %v", r.Summary.Failed, tc.wantFailed)
			}
			if r.NewOnly != tc.t.NewOnly {
				t.Errorf("report NewOnly = %v", r.NewOnly)
			}
			// Counts include existing findings either way.
			if got := r.Summary.Critical + r.Summary.High; got != countUnwaived(tc.findings) {
				t.Errorf("counted %d, want %d", got, countUnwaived(tc.findings))
			}
		})
	}
}

func countUnwaived(fs []Finding) int {
	n := 0
	for _, f := range fs {
		if !f.Waived {
			n++
		}
	}
	return n
}
