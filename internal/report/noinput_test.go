package report

import (
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/result"
)

// nothingJudged is the report of a run over a directory with nothing in
// it: every selected check had nothing to judge.
func nothingJudged() result.Report {
	r := result.Report{Schema: result.Schema, Tool: result.Tool{Name: "secretgate", Version: "1.0.0"},
		Context: result.Context{Mode: "pr"}, Findings: []result.Finding{}}
	for _, id := range result.Families {
		c := result.Check{ID: id, Status: result.StatusNoInput}
		if id == result.CheckResolve {
			c = result.Check{ID: id, Status: result.StatusSkipped, Reason: "offline run"}
		}
		r.Checks = append(r.Checks, c)
	}
	r.Summarize(result.Threshold{Min: result.SeverityHigh})
	return r
}

// Green must be earned: a run that judged nothing never reads PASSED or
// passing, in any format, and says the checks had nothing to judge.
func TestNothingJudgedNeverReadsAsAPass(t *testing.T) {
	r := nothingJudged()
	if r.Judged() {
		t.Fatal("Judged() is true for a run with nothing to judge")
	}
	tests := []struct {
		format    string
		want      []string
		forbidden []string
	}{
		{FormatText, []string{"NOTHING JUDGED", "naming: no input — nothing to judge", "5 with nothing to judge"}, []string{"PASSED", ": ok"}},
		{FormatMarkdown, []string{"nothing to check", "⬜ no input"}, []string{"passing", "✅"}},
		{FormatSARIF, []string{"check naming had nothing to judge"}, nil},
		{FormatJSON, []string{`"status": "no-input"`}, []string{`"status": "ok"`}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			out := string(render(t, tt.format, Options{}, r))
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("%s output lacks %q:\n%s", tt.format, w, out)
				}
			}
			for _, f := range tt.forbidden {
				if strings.Contains(out, f) {
					t.Errorf("%s output holds %q:\n%s", tt.format, f, out)
				}
			}
		})
	}
	// The pull-request comment, even after a failing run: nothing to check,
	// not "passing now".
	// (The hidden state marker stays "passing": nothing fails.)
	body := NewComment(Options{}, StateFailing).Render(r)
	_, headline, _ := strings.Cut(body, "### ")
	headline, _, _ = strings.Cut(headline, "\n")
	if !strings.Contains(headline, "nothing to check") || strings.Contains(headline, "passing") {
		t.Errorf("comment headline after a failing run: %q", headline)
	}
}

// Infrastructure code secretgate could not read is named in every format,
// with what would make it judgeable, and the run reads as incomplete.
func TestNotJudgedIsNamedInEveryFormat(t *testing.T) {
	r := nothingJudged()
	r.Inputs.NotJudged = []result.InputProblem{{File: "infra/cdk.json", Message: "an AWS CDK app — run `cdk synth` before secretgate and keep cdk.out"}}
	r.Summarize(result.Threshold{Min: result.SeverityHigh})
	if !r.Summary.Incomplete || r.ExitCode() != result.ExitIncomplete {
		t.Fatalf("summary = %+v, exit %d; want incomplete, exit 3", r.Summary, r.ExitCode())
	}
	tests := []struct {
		format    string
		want      []string
		forbidden []string
	}{
		{FormatText, []string{"INCOMPLETE", "1 infrastructure project not judged", "not judged infra/cdk.json: an AWS CDK app — run `cdk synth`"}, []string{"PASSED", "NOTHING JUDGED"}},
		{FormatMarkdown, []string{"incomplete", "1 infrastructure project not judged", "**Not judged:**", "| `infra/cdk.json` |"}, []string{"passing", "nothing to check"}},
		{FormatSARIF, []string{"not judged: infra/cdk.json, an AWS CDK app"}, nil},
		{FormatJSON, []string{`"not_judged": [`, `"file": "infra/cdk.json"`, `"incomplete": true`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			out := string(render(t, tt.format, Options{}, r))
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("%s output lacks %q:\n%s", tt.format, w, out)
				}
			}
			for _, f := range tt.forbidden {
				if strings.Contains(out, f) {
					t.Errorf("%s output holds %q:\n%s", tt.format, f, out)
				}
			}
		})
	}
}
