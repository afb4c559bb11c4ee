package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/matrix"
	"github.com/secretgate/secretgate/internal/report"
	"github.com/secretgate/secretgate/internal/result"
)

// shardReport is what `check --accounts … --shard n` writes for accounts
// of perAccount live findings each (rotation findings of secrets, the
// size of the emulated organisation's: docs/organizations.md#scale).
func shardReport(shard int, accounts []string, perAccount int) result.Report {
	r := result.Report{
		Schema: result.Schema, Tool: result.Tool{Name: "secretgate", Version: "scale"},
		Context: result.Context{Mode: "nightly", Repository: "acme/infra", SHA: "0123456789abcdef0123456789abcdef01234567", Regions: []string{"eu-west-1", "us-east-1"}},
		FailOn:  "high",
		Checks:  []result.Check{{ID: "rotation", Status: result.StatusFailed, Resources: perAccount * len(accounts), DurationMS: 900}},
		Merge:   &result.Merge{Date: now, Reports: len(accounts)},
	}
	for _, acct := range accounts {
		r.Accounts = append(r.Accounts, result.Account{ID: acct, Status: result.AccountJudged, Shard: shard, Regions: r.Context.Regions,
			Checks: []result.Check{{ID: "rotation", Status: result.StatusFailed, Resources: perAccount, DurationMS: 900}}, DurationMS: 900})
		for i := range perAccount {
			name := fmt.Sprintf("prod/svc%04d/db-password", i)
			arn := fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-AbCdEf", r.Context.Regions[i%2], acct, name)
			r.Findings = append(r.Findings, result.Finding{
				Rule: "rotation-disabled", Check: "rotation", Severity: result.SeverityHigh,
				Title:       "Secret without automatic rotation",
				Message:     "Secret " + arn + " has no rotation configured; prod secrets must rotate at least every 90 days.",
				Resource:    arn,
				Remediation: "Enable rotation with a rotation Lambda, or set a rotation schedule in Secrets Manager.",
				DocsURL:     "https://github.com/secretgate/secretgate/blob/main/docs/policies.md#rotation-disabled",
				Fingerprint: fmt.Sprintf("%064x", i), New: true, Account: acct,
			})
		}
	}
	r.Summarize(result.Threshold{Min: result.SeverityHigh})
	return r
}

// TestMergeNight2Scale measures the nightly merge of docs/organizations.md
// at the emulated organisation's size without the emulator: 16 shard
// reports of 200 accounts × 1,000 findings, merged on night 1, then on
// night 2 with --previous (night 1's merged report, about 170 MB) and one
// shard lost, and setup's matrix --previous on the same report. It
// asserts the lost shard's findings are carried, not
// counted, and that night 2 costs at most a quarter more memory than
// night 1 — the previous report is streamed, not held whole (it cost 400
// MB more, 1,056 against 656 MB). SECRETGATE_MERGE_COMPARE=PATH measures
// another secretgate binary on the same inputs (the figures of an earlier
// commit). About a minute, so it runs only with SECRETGATE_ORG_SCALE=full:
//
//	SECRETGATE_ORG_SCALE=full go test -count=1 -run TestMergeNight2Scale -v ./cmd/secretgate/
func TestMergeNight2Scale(t *testing.T) {
	if os.Getenv("SECRETGATE_ORG_SCALE") != "full" {
		t.Skip("about a minute: set SECRETGATE_ORG_SCALE=full (docs/organizations.md#scale)")
	}
	const accounts, perAccount, shards = 200, 1000, 16
	var ids []string
	for i := range accounts {
		ids = append(ids, fmt.Sprintf("%012d", 100000000000+i))
	}
	mx, err := matrix.Build(ids, shards, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	mfile := filepath.Join(out, "matrix.json")
	mb, _ := json.Marshal(mx)
	if err := os.WriteFile(mfile, mb, 0o644); err != nil {
		t.Fatal(err)
	}
	night1, night2 := filepath.Join(out, "night1"), filepath.Join(out, "night2")
	for _, d := range []string{night1, night2} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	lost := 0
	for _, s := range mx.Include {
		var b bytes.Buffer
		if err := (&report.JSON{}).Write(&b, shardReport(s.Shard, s.AccountList(), perAccount)); err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("shard-%02d.json", s.Shard)
		if err := os.WriteFile(filepath.Join(night1, name), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if s.Shard == shards {
			lost = len(s.AccountList()) * perAccount
			continue
		}
		if err := os.WriteFile(filepath.Join(night2, name), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	bins := []string{binary}
	if other := os.Getenv("SECRETGATE_MERGE_COMPARE"); other != "" {
		bins = append(bins, other)
	}
	for _, bin := range bins {
		prev, merged := filepath.Join(out, "prev.json"), filepath.Join(out, "merged.json")
		saved := binary
		binary = bin
		n1 := measure(t, nil, "merge", night1, "--matrix", mfile, "--now", "2026-11-25T02:00:00Z", "--format", "json", "--output", prev,
			"--format", "markdown", "--output", filepath.Join(out, "n1.md"), "--fail-on", "critical")
		n2 := measure(t, nil, "merge", night2, "--matrix", mfile, "--previous", prev, "--now", now, "--format", "json", "--output", merged,
			"--format", "markdown", "--output", filepath.Join(out, "n2.md"), "--fail-on", "critical")
		// Setup's matrix reads the same previous report for the costs.
		mxr := measure(t, nil, "matrix", "--accounts", strings.Join(ids, ","), "--max-jobs", fmt.Sprint(shards), "--previous", prev)
		binary = saved
		t.Logf("%s: matrix --previous: %.0f MB peak RSS, %s (exit %d)", bin, float64(mxr.maxRSS)/1e6, mxr.wall.Round(1e8), mxr.code)
		if mxr.code != 0 || strings.Contains(mxr.stderr, "warning") {
			t.Errorf("matrix: exit %d\n%s", mxr.code, mxr.stderr)
		}
		info, err := os.Stat(prev)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: night 1 (16 reports): %.0f MB peak RSS, %s; night 2 (15 reports, --previous of %.1f MB): %.0f MB peak RSS, %s",
			bin, float64(n1.maxRSS)/1e6, n1.wall.Round(1e8), float64(info.Size())/1e6, float64(n2.maxRSS)/1e6, n2.wall.Round(1e8))
		// Under --fail-on critical the high findings fail nothing: night
		// 2's exit is the lost shard's (incomplete), not a carried one's.
		if n1.code != 0 || n2.code != 3 {
			t.Fatalf("exit %d and %d, want 0 and 3 (a shard lost)\n%s%s", n1.code, n2.code, n1.stderr, n2.stderr)
		}
		if bin != binary {
			continue
		}
		b, err := os.ReadFile(merged)
		if err != nil {
			t.Fatal(err)
		}
		var rep result.Report
		if err := json.Unmarshal(b, &rep); err != nil {
			t.Fatal(err)
		}
		carried := 0
		for _, f := range rep.Findings {
			if f.Carried() {
				carried++
			}
		}
		if carried != lost || rep.Trend.NotRechecked != lost || rep.Summary.High != accounts*perAccount-lost {
			t.Errorf("night 2: %d carried, %d not re-checked, %d high counted; want %d carried and not counted", carried, rep.Trend.NotRechecked, rep.Summary.High, lost)
		}
		if n2.maxRSS > n1.maxRSS*5/4 {
			t.Errorf("night 2's merge peaked at %.0f MB, night 1's at %.0f MB: the previous report costs more than a quarter", float64(n2.maxRSS)/1e6, float64(n1.maxRSS)/1e6)
		}
	}
}
