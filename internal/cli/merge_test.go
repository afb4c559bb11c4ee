package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/merge"
	"github.com/secretgate/secretgate/internal/report"
	"github.com/secretgate/secretgate/internal/result"
)

// writeAccountReport writes the JSON report a nightly check of one
// account writes, through the JSON reporter itself.
func writeAccountReport(t *testing.T, path, account string, findings ...result.Finding) {
	t.Helper()
	r := result.Report{
		Schema:  result.Schema,
		Tool:    result.Tool{Name: "secretgate", Version: "test"},
		Context: result.Context{Mode: "nightly", Account: account, Regions: []string{"eu-west-1"}},
		Checks: []result.Check{
			{ID: "naming", Status: result.StatusOK, Resources: 2, Unit: "secrets", DurationMS: 30},
			{ID: "rotation", Status: result.StatusOK, Resources: 2, Unit: "secrets", DurationMS: 20},
		},
		Findings: findings,
	}
	r.Summarize(result.Threshold{Min: result.SeverityHigh})
	var b bytes.Buffer
	if err := (&report.JSON{}).Write(&b, r); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func namingFinding(resource string, sev result.Severity) result.Finding {
	return result.Finding{Rule: "naming-pattern", Check: "naming", Severity: sev, Title: "Secret name does not follow the convention",
		Message: "Secret " + resource + " does not match {env}/{service}/{type}.", Resource: resource, Fingerprint: "fp-" + resource}
}

func runMergeCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	err := Run(context.Background(), append([]string{"merge"}, args...), &out, &errb, envOf(env))
	var ee *ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.Code
	default:
		t.Fatalf("merge: %v", err)
	}
	return code, out.String(), errb.String()
}

func TestMergeCommand(t *testing.T) {
	dir := t.TempDir()
	reports := filepath.Join(dir, "reports")
	writeAccountReport(t, filepath.Join(reports, "shard-1", "report.json"), "111111111111", namingFinding("badname", result.SeverityMedium))
	writeAccountReport(t, filepath.Join(reports, "shard-2", "report.json"), "222222222222", namingFinding("badname", result.SeverityMedium))
	out := func(name string) string { return filepath.Join(dir, name) }

	code, _, stderr := runMergeCLI(t, nil, reports, "--now", "2026-12-05",
		"-f", "json", "-o", out("merged.json"), "-f", "markdown", "-o", out("merged.md"),
		"-f", "sarif", "-o", out("merged.sarif"), "-f", "text", "-o", out("merged.txt"))
	if code != 0 {
		t.Fatalf("exit %d, want 0 (medium findings, fail-on high): %s", code, stderr)
	}
	merged, err := merge.ReadReport(out("merged.json"))
	if err != nil {
		t.Fatalf("the merged report does not read back as a report: %v", err)
	}
	if len(merged.Findings) != 2 || len(merged.Accounts) != 2 || merged.Merge.Reports != 2 {
		t.Errorf("merged: %d findings, %d accounts, %+v", len(merged.Findings), len(merged.Accounts), merged.Merge)
	}
	md, _ := os.ReadFile(out("merged.md"))
	for _, want := range []string{"#### Organisation — 2 accounts: 2 judged", "| `111111111111` | 0 | 0 | 1 | 0 | 0 | ✅ judged |"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	var sarif struct {
		Runs []struct {
			Results []json.RawMessage `json:"results"`
		} `json:"runs"`
	}
	b, _ := os.ReadFile(out("merged.sarif"))
	if err := json.Unmarshal(b, &sarif); err != nil || len(sarif.Runs) != 1 || len(sarif.Runs[0].Results) != 2 {
		t.Errorf("sarif: %v, %+v", err, sarif)
	}
	if !strings.Contains(stderr, "PASSED") {
		t.Errorf("stderr lacks the verdict: %q", stderr)
	}

	// Night two: one account's report is malformed, a third is of another
	// schema; the first account renamed its secret.
	writeAccountReport(t, filepath.Join(reports, "shard-1", "report.json"), "111111111111")
	if err := os.WriteFile(filepath.Join(reports, "shard-2", "report.json"), []byte(`{"schema": "secretgate/report/v1", "findings": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(reports, "other.json"), []byte(`{"schema": "secretgate/report/v9"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	summaryFile := out("summary.md")
	code, stdout, _ := runMergeCLI(t, map[string]string{"GITHUB_STEP_SUMMARY": summaryFile}, reports, "--github",
		"--previous", out("merged.json"), "--now", "2026-12-06", "-f", "json")
	if code != result.ExitIncomplete {
		t.Fatalf("exit %d, want 3 (unreadable reports)", code)
	}
	var night2 result.Report
	if err := json.Unmarshal([]byte(stdout), &night2); err != nil {
		t.Fatal(err)
	}
	problems := map[string]string{}
	for _, p := range night2.Merge.Problems {
		problems[filepath.Base(filepath.Dir(p.File))+"/"+filepath.Base(p.File)] = p.Message
	}
	if !strings.Contains(problems["shard-2/report.json"], "not a JSON report: unexpected end of JSON input") || !strings.Contains(problems["reports/other.json"], `schema "secretgate/report/v9"`) {
		t.Errorf("problems = %v, want both files named with why", problems)
	}
	if tr := night2.Trend; tr == nil || tr.Fixed != 1 || tr.NotRechecked != 1 || tr.New != 0 {
		t.Errorf("trend = %+v, want 1 fixed (account 1), 1 not re-checked (account 2's report unreadable)", night2.Trend)
	}
	sum, err := os.ReadFile(summaryFile)
	if err != nil || !strings.Contains(string(sum), "Reports missing or unreadable") || !strings.Contains(string(sum), "```mermaid\nxychart-beta") {
		t.Errorf("job summary (%v):\n%s", err, sum)
	}
}

func TestMergeCommandMatrix(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	err := Run(context.Background(), []string{"matrix", "--accounts", "111111111111,222222222222,333333333333", "--max-jobs", "3"}, &out, &bytes.Buffer{}, envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	mfile := filepath.Join(dir, "matrix.json")
	if err := os.WriteFile(mfile, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	writeAccountReport(t, filepath.Join(dir, "r1.json"), "111111111111")
	writeAccountReport(t, filepath.Join(dir, "r3.json"), "333333333333")
	code, stdout, _ := runMergeCLI(t, nil, filepath.Join(dir, "r1.json"), filepath.Join(dir, "r3.json"), "--matrix", mfile, "-f", "markdown")
	if code != result.ExitIncomplete {
		t.Fatalf("exit %d, want 3 (shard 2 missing)", code)
	}
	for _, want := range []string{"2 judged, 1 not judged", "| `222222222222` | 0 | 0 | 0 | 0 | 0 | ⛔ **not judged**: no report of shard 2", "| shard 2 | no report of shard 2"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("markdown lacks %q:\n%s", want, stdout)
		}
	}
}

func TestMergeCommandUsage(t *testing.T) {
	dir := t.TempDir()
	r := filepath.Join(dir, "r.json")
	writeAccountReport(t, r, "111111111111")
	bad := filepath.Join(dir, "bad-matrix.json")
	if err := os.WriteFile(bad, []byte(`{"include":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, args := range map[string][]string{
		"no reports":       {},
		"bad fail-on":      {r, "--fail-on", "severe"},
		"bad matrix":       {r, "--matrix", bad},
		"missing matrix":   {r, "--matrix", filepath.Join(dir, "nope.json")},
		"negative shards":  {r, "--expect-shards", "-1"},
		"two to stdout":    {r, "-f", "json", "-f", "sarif"},
		"bad now":          {r, "--now", "yesterday"},
		"shards vs matrix": {r, "--expect-shards", "2", "--matrix", bad},
	} {
		t.Run(name, func(t *testing.T) {
			if code, _, _ := runMergeCLI(t, nil, args...); code != result.ExitUsage {
				t.Errorf("exit %d, want 2", code)
			}
		})
	}
	// A report file that does not exist is a missing shard, not a usage
	// error: the others still count.
	code, stdout, _ := runMergeCLI(t, nil, r, filepath.Join(dir, "shard-9.json"), "-f", "text")
	if code != result.ExitIncomplete || !strings.Contains(stdout, "shard-9.json") {
		t.Errorf("exit %d, want 3 naming the missing file:\n%s", code, stdout)
	}
}

// TestMatrixUnreadablePrevious: a previous report that cannot be read
// (cut short, say) leaves the matrix unbalanced with a warning; the night
// still fans out, instead of failing now and every night after.
func TestMatrixUnreadablePrevious(t *testing.T) {
	prev := filepath.Join(t.TempDir(), "merged.json")
	if err := os.WriteFile(prev, []byte(`{"schema": "secretgate/report/v1", "findings": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	err := Run(context.Background(), []string{"matrix", "--accounts", "111111111111,222222222222", "--max-jobs", "2", "--previous", prev}, &out, &errOut, envOf(nil))
	if err != nil {
		t.Fatalf("matrix: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(errOut.String(), "warning: --previous") || !strings.Contains(errOut.String(), "not balanced") {
		t.Errorf("stderr %q does not warn about the previous report", errOut.String())
	}
	if !strings.Contains(out.String(), "111111111111") || !strings.Contains(out.String(), "222222222222") {
		t.Errorf("matrix %s lacks the accounts", out.String())
	}
}
