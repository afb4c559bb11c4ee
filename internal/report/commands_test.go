package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/result"
)

// Reports printed in a CI log start no workflow command from repository
// text: no line of the text, JSON or SARIF report starts with "::" after
// white space or carries "##[", and the JSON report decodes to the same
// values.
func TestReportsStartNoWorkflowCommand(t *testing.T) {
	const sid = "Admin\n::error::INJECTED ##[add-mask]x\r\n  ::stop-commands::tok"
	const file = "iam/x##[stop-commands]t.json"
	r := failingReport()
	r.Findings = append(r.Findings, result.Finding{
		Rule: "iam-wildcard-action", Check: result.CheckIAM, Severity: result.SeverityCritical,
		Title: "Policy allows every action", Message: "Policy statement (Sid " + sid + ") allows every action",
		Remediation: "fix\n::warning::x", Resource: "x##[add-mask]y", File: file, Line: 1, Fingerprint: "inject",
	})
	r.Summarize(result.Threshold{})
	for _, format := range []string{FormatText, FormatJSON, FormatSARIF} {
		t.Run(format, func(t *testing.T) {
			rep, err := New(format, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := rep.Write(&out, r); err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(strings.ReplaceAll(out.String(), "\r", "\n"), "\n") {
				if strings.HasPrefix(strings.TrimLeft(line, " \t"), "::") || strings.Contains(line, "##[") {
					t.Errorf("line would be a workflow command: %q", line)
				}
			}
			if !strings.Contains(out.String(), "INJECTED") {
				t.Error("the Sid is not shown at all")
			}
			if format != FormatJSON {
				return
			}
			var got result.Report
			if err := json.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatalf("not JSON any more: %v", err)
			}
			found := false
			for _, f := range got.Findings {
				if f.Fingerprint == "inject" {
					found = true
					if f.File != file || !strings.Contains(f.Message, sid) || f.Resource != "x##[add-mask]y" {
						t.Errorf("values changed: %+v", f)
					}
				}
			}
			if !found {
				t.Error("the finding is missing")
			}
		})
	}
}
