package merge

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/secretgate/secretgate/internal/matrix"
	"github.com/secretgate/secretgate/internal/report"
	"github.com/secretgate/secretgate/internal/result"
)

var night = time.Date(2026, 12, 5, 2, 0, 0, 0, time.UTC)

// accountReport is what `secretgate check` writes for one account: live
// findings without a file, repository findings with one.
func accountReport(account string, findings ...result.Finding) result.Report {
	r := result.Report{
		Schema:  result.Schema,
		Context: result.Context{Mode: "nightly", Repository: "acme/infra", Account: account, Regions: []string{"eu-west-1"}},
		FailOn:  "high",
		Checks: []result.Check{
			{ID: "naming", Status: result.StatusOK, Resources: 3, DurationMS: 40},
			{ID: "leaks", Status: result.StatusOK, Resources: 10, DurationMS: 60},
		},
		Findings: findings,
	}
	r.Summarize(result.Threshold{Min: result.SeverityHigh})
	return r
}

func live(rule, resource string, sev result.Severity) result.Finding {
	return result.Finding{Rule: rule, Check: "naming", Severity: sev, Resource: resource, Fingerprint: "fp-" + rule + "-" + resource}
}

func repoFinding(rule, file string, sev result.Severity) result.Finding {
	return result.Finding{Rule: rule, Check: "leaks", Severity: sev, Resource: file, File: file, Line: 3, Fingerprint: "fp-" + rule + "-" + file}
}

func TestMergeDeduplicatesByAccountAndFingerprint(t *testing.T) {
	leak := repoFinding("leaks-aws-key", "app/config.py", result.SeverityCritical)
	a := accountReport("111111111111", live("naming-pattern", "badname", result.SeverityMedium), leak)
	b := accountReport("222222222222", live("naming-pattern", "badname", result.SeverityMedium), leak)
	rep := Merge([]Input{{File: "b.json", Report: b}, {File: "a.json", Report: a}}, Options{Now: night})

	if got := len(rep.Findings); got != 3 {
		t.Fatalf("%d findings, want 3: one repository leak read by both shards, one naming finding per account", got)
	}
	byAccount := map[string]int{}
	for _, f := range rep.Findings {
		byAccount[f.Account]++
	}
	if byAccount["111111111111"] != 1 || byAccount["222222222222"] != 1 || byAccount[""] != 1 {
		t.Errorf("findings by account = %v", byAccount)
	}
	if len(rep.Accounts) != 2 || rep.Accounts[0].ID != "111111111111" || rep.Accounts[0].Report != "a.json" {
		t.Fatalf("accounts = %+v", rep.Accounts)
	}
	if s := rep.Accounts[0].Summary; s.Medium != 1 || s.Critical != 0 || s.Failed {
		t.Errorf("account summary = %+v, want its own medium finding only", s)
	}
	if rep.Accounts[0].DurationMS != 100 {
		t.Errorf("account cost = %d ms, want 100 (its checks)", rep.Accounts[0].DurationMS)
	}
	if rep.Summary.Critical != 1 || rep.Summary.Medium != 2 || !rep.Summary.Failed || rep.Summary.Incomplete {
		t.Errorf("summary = %+v", rep.Summary)
	}
	if rep.ExitCode() != result.ExitFindings {
		t.Errorf("exit %d, want 1", rep.ExitCode())
	}
	if rep.Merge.Reports != 2 || rep.Merge.Date != "2026-12-05T02:00:00Z" {
		t.Errorf("merge = %+v", rep.Merge)
	}
	if rep.Context.Repository != "acme/infra" || rep.Context.Account != "" {
		t.Errorf("context = %+v: want the common repository, no single account", rep.Context)
	}
}

func TestMergeBadInputIsNamedAndIncomplete(t *testing.T) {
	a := accountReport("111111111111", live("naming-pattern", "x", result.SeverityLow))
	rep := Merge([]Input{
		{File: "a.json", Report: a},
		{File: "broken.json", Err: errors.New("not a JSON report: unexpected EOF")},
	}, Options{Now: night})
	if len(rep.Merge.Problems) != 1 || rep.Merge.Problems[0].File != "broken.json" || !strings.Contains(rep.Merge.Problems[0].Message, "unexpected EOF") {
		t.Fatalf("problems = %+v, want broken.json named", rep.Merge.Problems)
	}
	if len(rep.Findings) != 1 || len(rep.Accounts) != 1 {
		t.Errorf("the readable report was lost: %d findings, %d accounts", len(rep.Findings), len(rep.Accounts))
	}
	if !rep.Summary.Incomplete || rep.ExitCode() != result.ExitIncomplete {
		t.Errorf("summary %+v exit %d, want incomplete (3)", rep.Summary, rep.ExitCode())
	}
}

func TestMergeMatrixNamesAccountsOfMissingShards(t *testing.T) {
	m, err := matrix.Build([]string{"111111111111", "222222222222", "333333333333"}, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := accountReport("111111111111")
	c := accountReport("333333333333")
	rep := Merge([]Input{{File: "1.json", Report: a}, {File: "3.json", Report: c}}, Options{Matrix: &m, Now: night})
	if rep.Merge.ExpectedShards != 3 || len(rep.Merge.MissingShards) != 1 || rep.Merge.MissingShards[0] != 2 {
		t.Fatalf("merge = %+v, want shard 2 missing of 3", rep.Merge)
	}
	var missing result.Account
	for _, acc := range rep.Accounts {
		if acc.ID == "222222222222" {
			missing = acc
		} else if acc.Status != result.AccountJudged || acc.Shard == 0 {
			t.Errorf("account %s = %+v, want judged with its shard", acc.ID, acc)
		}
	}
	if missing.Status != result.AccountNotJudged || missing.Shard != 2 || !strings.Contains(missing.Reason, "shard 2") {
		t.Errorf("missing account = %+v, want not judged, shard 2 named", missing)
	}
	if !rep.Summary.Incomplete || rep.ExitCode() != result.ExitIncomplete {
		t.Errorf("summary %+v, want incomplete", rep.Summary)
	}
}

func TestMergeExpectShardsCounts(t *testing.T) {
	// shard is a report of `check --accounts ... --shard n`.
	shard := func(n int, account string) result.Report {
		r := accountReport("")
		r.Accounts = []result.Account{{ID: account, Status: result.AccountJudged, Shard: n}}
		return r
	}
	plain := accountReport("111111111111")
	for _, tc := range []struct {
		name       string
		inputs     []Input
		expect     int
		incomplete bool
	}{
		{"one report, one expected", []Input{{File: "a.json", Report: plain}}, 1, false},
		{"one report, two expected", []Input{{File: "a.json", Report: plain}}, 2, true},
		{"two shards", []Input{{File: "1.json", Report: shard(1, "111111111111")}, {File: "2.json", Report: shard(2, "222222222222")}}, 2, false},
		// A re-run uploaded shard 1 twice: one shard, not two.
		{"the same shard twice", []Input{{File: "1.json", Report: shard(1, "111111111111")}, {File: "1-again.json", Report: shard(1, "111111111111")}}, 2, true},
		{"reports without a shard id count one each", []Input{{File: "a.json", Report: plain}, {File: "b.json", Report: accountReport("222222222222")}}, 2, false},
		// A stale report of a night with more shards does not stand in
		// for tonight's missing shard 2.
		{"a shard beyond the expected count", []Input{{File: "1.json", Report: shard(1, "111111111111")}, {File: "5.json", Report: shard(5, "555555555555")}}, 2, true},
		{"an unreadable report counts one", []Input{{File: "1.json", Report: shard(1, "111111111111")}, {File: "x.json", Err: errors.New("not JSON")}}, 2, true},
	} {
		rep := Merge(tc.inputs, Options{ExpectShards: tc.expect, Now: night})
		if rep.Summary.Incomplete != tc.incomplete {
			t.Errorf("%s: incomplete = %v, want %v (%+v)", tc.name, rep.Summary.Incomplete, tc.incomplete, rep.Merge.Problems)
		}
	}
	rep := Merge([]Input{{File: "1.json", Report: shard(1, "111111111111")}, {File: "1-again.json", Report: shard(1, "111111111111")}}, Options{ExpectShards: 2, Now: night})
	if len(rep.Merge.Problems) != 1 || !strings.Contains(rep.Merge.Problems[0].Message, "2 shard report(s) expected, 1 distinct given") {
		t.Errorf("problems = %+v, want the missing shard counted", rep.Merge.Problems)
	}
}

func TestMergeChecksAndAccountStatus(t *testing.T) {
	a := accountReport("111111111111", live("naming-pattern", "x", result.SeverityHigh))
	b := accountReport("222222222222")
	b.Checks[0] = result.Check{ID: "naming", Status: result.StatusError, Error: "AccessDenied: secretsmanager:ListSecrets"}
	b.Summarize(result.Threshold{Min: result.SeverityHigh})

	rep := Merge([]Input{{File: "a.json", Report: a}, {File: "b.json", Report: b}}, Options{Now: night})
	naming := rep.Checks[0]
	if naming.ID != "naming" || naming.Status != result.StatusError || !strings.Contains(naming.Error, "account 222222222222: AccessDenied") {
		t.Errorf("naming = %+v, want error naming the account", naming)
	}
	if rep.Accounts[1].Status != result.AccountIncomplete || !strings.Contains(rep.Accounts[1].Reason, "AccessDenied") {
		t.Errorf("account b = %+v, want incomplete with the reason", rep.Accounts[1])
	}
	if rep.ExitCode() != result.ExitFindings || !rep.Summary.Incomplete {
		t.Errorf("summary %+v: want failed (findings outrank) and incomplete", rep.Summary)
	}

	// A higher threshold turns the failing check into ok.
	crit := result.Threshold{Min: result.SeverityCritical}
	rep = Merge([]Input{{File: "a.json", Report: a}}, Options{Threshold: &crit, Now: night})
	if rep.Checks[0].Status != result.StatusOK || rep.Summary.Failed || rep.FailOn != "critical" {
		t.Errorf("under critical: naming %s, summary %+v, fail_on %s", rep.Checks[0].Status, rep.Summary, rep.FailOn)
	}
}

func TestMergeNotJudgedAccountFromOrgReport(t *testing.T) {
	org := accountReport("")
	org.Accounts = []result.Account{
		{ID: "111111111111", Status: result.AccountJudged},
		{ID: "444444444444", Status: result.AccountNotJudged, Reason: "sts:AssumeRole refused: AccessDenied"},
	}
	rep := Merge([]Input{{File: "org.json", Report: org}}, Options{Now: night})
	if len(rep.Accounts) != 2 || rep.Accounts[1].Status != result.AccountNotJudged || rep.Accounts[1].Report != "org.json" {
		t.Fatalf("accounts = %+v", rep.Accounts)
	}
	if !rep.Summary.Incomplete {
		t.Error("a not judged account must make the run incomplete")
	}
}

func TestMergeIsAssociative(t *testing.T) {
	leak := repoFinding("leaks-aws-key", "app/config.py", result.SeverityCritical)
	a := accountReport("111111111111", live("naming-pattern", "n", result.SeverityMedium), leak)
	b := accountReport("222222222222", live("naming-pattern", "n", result.SeverityMedium), leak)
	c := accountReport("333333333333", live("rotation-overdue", "n", result.SeverityHigh))
	flat := Merge([]Input{{File: "a", Report: a}, {File: "b", Report: b}, {File: "c", Report: c}}, Options{Now: night})
	ab := Merge([]Input{{File: "a", Report: a}, {File: "b", Report: b}}, Options{Now: night})
	nested := Merge([]Input{{File: "ab", Report: ab}, {File: "c", Report: c}}, Options{Now: night})
	keys := func(r result.Report) string {
		var ks []string
		for _, f := range r.Findings {
			ks = append(ks, result.FindingKey(f))
		}
		return strings.Join(ks, " ")
	}
	if keys(flat) != keys(nested) || flat.Summary != nested.Summary || len(nested.Accounts) != 3 {
		t.Errorf("merging a merged report differs:\n flat   %s %+v\n nested %s %+v", keys(flat), flat.Summary, keys(nested), nested.Summary)
	}
}

func TestTrend(t *testing.T) {
	fixedF := live("naming-pattern", "renamed", result.SeverityMedium)
	staying := live("rotation-overdue", "old", result.SeverityHigh)
	unrechecked := live("naming-pattern", "elsewhere", result.SeverityLow)
	prev := Merge([]Input{
		{File: "a", Report: accountReport("111111111111", fixedF, staying)},
		{File: "b", Report: accountReport("222222222222", unrechecked)},
	}, Options{Now: night.Add(-24 * time.Hour)})

	fresh := live("naming-pattern", "new-one", result.SeverityMedium)
	cur := Merge([]Input{
		{File: "a", Report: accountReport("111111111111", staying, fresh)},
		{File: "b-missing", Err: errors.New("no such file")},
	}, Options{Previous: PreviousReport(prev), Now: night})

	tr := cur.Trend
	if tr == nil {
		t.Fatal("no trend")
	}
	if tr.New != 1 || tr.StillOpen != 1 || tr.Fixed != 1 || tr.NotRechecked != 1 {
		t.Errorf("trend = new %d, still open %d, fixed %d, not re-checked %d; want 1 each", tr.New, tr.StillOpen, tr.Fixed, tr.NotRechecked)
	}
	if len(tr.FixedFindings) != 1 || tr.FixedFindings[0].Resource != "renamed" || tr.FixedFindings[0].Account != "111111111111" {
		t.Errorf("fixed = %+v", tr.FixedFindings)
	}
	if tr.Previous != "2026-12-04T02:00:00Z" || len(tr.History) != 2 || tr.History[1].Open != 2 || tr.History[0].Open != 3 {
		t.Errorf("history = %+v (previous %q)", tr.History, tr.Previous)
	}
	for _, f := range cur.Findings {
		if want := f.Resource == "new-one"; f.New != want {
			t.Errorf("%s new = %v, want %v", f.Resource, f.New, want)
		}
	}
	// The third night carries the history on.
	third := Merge([]Input{{File: "a", Report: accountReport("111111111111", staying)}}, Options{Previous: PreviousReport(cur), Now: night.Add(24 * time.Hour)})
	if len(third.Trend.History) != 3 || third.Trend.Fixed != 1 {
		t.Errorf("third night: history %d points, fixed %d", len(third.Trend.History), third.Trend.Fixed)
	}
}

// TestMergeMatrixRefusesReportsOutsideTheirShard: with the matrix, a report
// that speaks of the accounts of several shards, or of an account the
// matrix assigned to no shard, is a problem that makes the run incomplete —
// it could otherwise mark another shard's accounts judged and clean.
func TestMergeMatrixRefusesReportsOutsideTheirShard(t *testing.T) {
	m, err := matrix.Build([]string{"111111111111", "222222222222"}, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	two := func(ids ...string) result.Report {
		r := accountReport("")
		r.Context.Account = ""
		for _, id := range ids {
			r.Accounts = append(r.Accounts, result.Account{ID: id, Status: result.AccountJudged})
		}
		return r
	}
	tests := []struct {
		name    string
		inputs  []Input
		problem string
	}{
		{"one report per shard", []Input{{File: "1.json", Report: accountReport("111111111111")}, {File: "2.json", Report: accountReport("222222222222")}}, ""},
		{"a report claiming another shard's accounts", []Input{{File: "2.json", Report: two("111111111111", "222222222222")}}, "accounts of 2 shards"},
		{"an account outside the matrix", []Input{{File: "1.json", Report: accountReport("111111111111")}, {File: "2.json", Report: accountReport("222222222222")}, {File: "x.json", Report: accountReport("999999999999")}}, "999999999999, which the matrix assigned to no shard"},
		{"a finding of an account outside the matrix", []Input{{File: "1.json", Report: accountReport("111111111111", result.Finding{Rule: "naming-pattern", Check: "naming", Severity: result.SeverityLow, Resource: "x", Fingerprint: "fp", Account: "999999999999"})}, {File: "2.json", Report: accountReport("222222222222")}}, "999999999999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := Merge(tt.inputs, Options{Matrix: &m, Now: night})
			var msgs []string
			for _, p := range rep.Merge.Problems {
				msgs = append(msgs, p.File+": "+p.Message)
			}
			all := strings.Join(msgs, "\n")
			if tt.problem == "" {
				if len(msgs) > 0 || rep.Summary.Incomplete {
					t.Errorf("problems %q, incomplete %v; want none", all, rep.Summary.Incomplete)
				}
				return
			}
			if !strings.Contains(all, tt.problem) || !rep.Summary.Incomplete || rep.ExitCode() != result.ExitIncomplete {
				t.Errorf("problems %q, incomplete %v; want %q and incomplete", all, rep.Summary.Incomplete, tt.problem)
			}
		})
	}
}

// TestMergeNamesReportsOfAnotherRun: a report whose commit or secretgate
// version differs from the majority's is named (which and what differs)
// and the run is incomplete; with no majority every report is named.
func TestMergeNamesReportsOfAnotherRun(t *testing.T) {
	rep := func(account, sha, version string) result.Report {
		r := accountReport(account)
		r.Context.SHA, r.Tool = sha, result.Tool{Name: "secretgate", Version: version}
		return r
	}
	tests := []struct {
		name   string
		inputs []Input
		want   map[string]string // file -> words its problem has
	}{
		{"all alike", []Input{{File: "1", Report: rep("111111111111", "aaa", "v1")}, {File: "2", Report: rep("222222222222", "aaa", "v1")}}, nil},
		{"a stale shard of another commit", []Input{
			{File: "1", Report: rep("111111111111", "aaa", "v1")}, {File: "2", Report: rep("222222222222", "aaa", "v1")},
			{File: "3", Report: rep("333333333333", "old", "v1")}},
			map[string]string{"3": `commit (context.sha) is "old", the majority's (2 of 3 reports) "aaa"`}},
		{"another version", []Input{
			{File: "1", Report: rep("111111111111", "aaa", "v1")}, {File: "2", Report: rep("222222222222", "aaa", "v0")},
			{File: "3", Report: rep("333333333333", "aaa", "v1")}},
			map[string]string{"2": `secretgate version (tool.version) is "v0", the majority's (2 of 3 reports) "v1"`}},
		{"no commit at all in one", []Input{
			{File: "1", Report: rep("111111111111", "aaa", "v1")}, {File: "2", Report: rep("222222222222", "", "v1")},
			{File: "3", Report: rep("333333333333", "aaa", "v1")}},
			map[string]string{"2": "commit (context.sha) is none"}},
		{"no majority", []Input{{File: "1", Report: rep("111111111111", "aaa", "v1")}, {File: "2", Report: rep("222222222222", "bbb", "v1")}},
			map[string]string{"1": `"aaa", and no value has a majority`, "2": `"bbb", and no value has a majority`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Merge(tt.inputs, Options{Now: night})
			byFile := map[string]string{}
			for _, p := range got.Merge.Problems {
				byFile[p.File] += p.Message
			}
			if len(byFile) != len(tt.want) {
				t.Errorf("problems %v, want files %v", byFile, tt.want)
			}
			for f, words := range tt.want {
				if !strings.Contains(byFile[f], words) {
					t.Errorf("problem of %s = %q, want %q", f, byFile[f], words)
				}
			}
			if incomplete := len(tt.want) > 0; got.Summary.Incomplete != incomplete || (incomplete && got.ExitCode() != result.ExitIncomplete) {
				t.Errorf("incomplete %v exit %d, want incomplete %v", got.Summary.Incomplete, got.ExitCode(), incomplete)
			}
		})
	}
}

// TestMergeExcludedAccountsHaveRows: the accounts the configuration leaves
// out — handed by check --organization (Options.Excluded) or by the matrix
// file — get a row, status excluded with the reason, and do not make the
// run incomplete; their previous findings are not carried.
func TestMergeExcludedAccountsHaveRows(t *testing.T) {
	m, err := matrix.Build([]string{"111111111111"}, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	m.Excluded = []matrix.Excluded{{ID: "333333333333", Name: "sandbox", Reason: "excluded by aws.organization.exclude"}}
	prev := Merge([]Input{{File: "3.json", Report: accountReport("333333333333", live("naming-pattern", "old", result.SeverityHigh))}}, Options{Now: night.Add(-24 * time.Hour)})
	rep := Merge([]Input{{File: "1.json", Report: accountReport("111111111111")}}, Options{
		Matrix: &m, Now: night, Previous: PreviousReport(prev),
		Excluded: []result.Account{{ID: "444444444444", Reason: "its state in the organisation is SUSPENDED, not ACTIVE: only active accounts are checked"}},
	})
	byID := map[string]result.Account{}
	for _, a := range rep.Accounts {
		byID[a.ID] = a
	}
	if a := byID["333333333333"]; a.Status != result.AccountExcluded || a.Name != "sandbox" || a.Reason != "excluded by aws.organization.exclude" || a.Summary.Incomplete {
		t.Errorf("excluded account = %+v", a)
	}
	if a := byID["444444444444"]; a.Status != result.AccountExcluded || !strings.Contains(a.Reason, "SUSPENDED") {
		t.Errorf("suspended account = %+v", a)
	}
	if len(rep.Accounts) != 3 || rep.Summary.Incomplete || rep.ExitCode() != result.ExitOK || len(rep.Merge.Problems) != 0 {
		t.Errorf("%d accounts, summary %+v, problems %+v: excluded accounts must not make the run incomplete", len(rep.Accounts), rep.Summary, rep.Merge.Problems)
	}
	if len(rep.Findings) != 0 || rep.Trend.NotRechecked != 1 {
		t.Errorf("findings %+v, not re-checked %d: an excluded account's findings are counted, not carried", rep.Findings, rep.Trend.NotRechecked)
	}
	var md bytes.Buffer
	r, _ := report.New(report.FormatMarkdown, report.Options{})
	if err := r.Write(&md, rep); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"3 accounts: 1 judged, 2 excluded", "| `333333333333` sandbox | 0 | 0 | 0 | 0 | 0 | ➖ excluded: excluded by aws.organization.exclude |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md.String())
		}
	}
	// An excluded account a report covers anyway: the report's verdict,
	// and (with the matrix) a problem.
	rep = Merge([]Input{{File: "1.json", Report: accountReport("111111111111")}, {File: "3.json", Report: accountReport("333333333333")}}, Options{Matrix: &m, Now: night})
	for _, a := range rep.Accounts {
		if a.ID == "333333333333" && a.Status != result.AccountJudged {
			t.Errorf("covered excluded account = %+v", a)
		}
	}
	if !rep.Summary.Incomplete {
		t.Error("a report of an account the matrix excludes must make the run incomplete")
	}
}
