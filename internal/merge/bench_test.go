package merge

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/secretgate/secretgate/internal/report"
	"github.com/secretgate/secretgate/internal/result"
)

// syntheticAccountReport is a nightly report of one account with n live
// findings (naming and rotation findings of a 500-secret account run about
// this size) and one repository finding every account's shard repeats.
func syntheticAccountReport(account string, n int) result.Report {
	var fs []result.Finding
	for i := range n {
		name := fmt.Sprintf("prod/svc%05d/api", i)
		fs = append(fs, result.Finding{
			Rule: "rotation-max-age", Check: "rotation", Severity: result.SeverityHigh,
			Title:       "Secret older than its environment allows",
			Message:     fmt.Sprintf("%s was last rotated %d days ago (limit 90 days for prod).", name, 91+i%300),
			Resource:    "arn:aws:secretsmanager:eu-west-1:" + account + ":secret:" + name + "-AbCdEf",
			Remediation: "Rotate the secret and enable automatic rotation.",
			DocsURL:     "https://github.com/secretgate/secretgate/blob/main/docs/policies.md#rotation-max-age",
			Fingerprint: fmt.Sprintf("%032x", i), New: true,
		})
	}
	fs = append(fs, repoFinding("leaks-aws-key", "deploy/env.sh", result.SeverityCritical))
	r := accountReport(account, fs...)
	r.Tool = result.Tool{Name: "secretgate", Version: "bench"}
	return r
}

// BenchmarkMerge200 merges the JSON reports of 200 accounts (100 findings
// each) read from files, and renders the merged JSON report: what the
// nightly matrix's last job does. merged-bytes is the merged report's size.
func BenchmarkMerge200(b *testing.B) {
	dir := b.TempDir()
	var files []string
	for i := range 200 {
		var buf bytes.Buffer
		if err := (&report.JSON{}).Write(&buf, syntheticAccountReport(fmt.Sprintf("%012d", 100000000000+i), 100)); err != nil {
			b.Fatal(err)
		}
		f := filepath.Join(dir, fmt.Sprintf("shard-%03d.json", i))
		if err := os.WriteFile(f, buf.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
		files = append(files, f)
	}
	var size int
	b.ResetTimer()
	for b.Loop() {
		inputs := make([]Input, len(files))
		for i, f := range files {
			rep, err := ReadReport(f)
			inputs[i] = Input{File: f, Report: rep, Err: err}
		}
		rep := Merge(inputs, Options{Now: time.Unix(0, 0)})
		if len(rep.Findings) != 200*100+1 || rep.Summary.Incomplete {
			b.Fatalf("%d findings, incomplete %v", len(rep.Findings), rep.Summary.Incomplete)
		}
		cw := &countingWriter{}
		if err := (&report.JSON{}).Write(cw, rep); err != nil {
			b.Fatal(err)
		}
		size = cw.n
	}
	b.ReportMetric(float64(size), "merged-bytes")
}

type countingWriter struct{ n int }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }

var _ io.Writer = (*countingWriter)(nil)
