package merge

import (
	"cmp"
	"slices"

	"github.com/secretgate/secretgate/internal/result"
)

// trend compares cur (merged, not yet summarised) with the previous
// night's report by finding identity (result.FindingKey), unwaived
// findings only, and marks cur's findings new when prev did not have them
// open. A finding of prev missing from cur is fixed only when its account
// and check were judged this time; else it is not re-checked, never fixed.
// A finding waived since is neither.
func trend(cur result.Report, prev result.Report) *result.Trend {
	t := &result.Trend{}
	if prev.Merge != nil {
		t.Previous = prev.Merge.Date
	}
	prevOpen := map[string]result.Finding{}
	for _, f := range prev.Findings {
		f = Normalize(f, prev.Context.Account)
		if !f.Waived {
			prevOpen[result.FindingKey(f)] = f
		}
	}
	curAll := map[string]bool{}
	open := 0
	for i := range cur.Findings {
		f := &cur.Findings[i]
		k := result.FindingKey(*f)
		curAll[k] = true
		if f.Waived {
			continue
		}
		open++
		if _, ok := prevOpen[k]; ok {
			t.StillOpen++
			f.New = false
		} else {
			t.New++
			f.New = true
		}
	}
	rechecked := recheckedChecks(cur)
	var fixed []result.TrendFinding
	for k, f := range prevOpen {
		if curAll[k] {
			continue
		}
		if !rechecked(f.Account, f.Check) {
			t.NotRechecked++
			continue
		}
		t.Fixed++
		fixed = append(fixed, result.TrendFinding{Rule: f.Rule, Check: f.Check, Severity: f.Severity,
			Resource: f.Resource, Account: f.Account, Fingerprint: f.Fingerprint})
	}
	slices.SortFunc(fixed, func(a, b result.TrendFinding) int {
		return cmp.Or(cmp.Compare(b.Severity, a.Severity), cmp.Compare(a.Account, b.Account),
			cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Resource, b.Resource), cmp.Compare(a.Fingerprint, b.Fingerprint))
	})
	t.FixedFindings = fixed[:min(len(fixed), MaxFixedListed)]

	if prev.Trend != nil {
		t.History = slices.Clone(prev.Trend.History)
	} else if t.Previous != "" {
		t.History = []result.TrendPoint{{Date: t.Previous, Open: len(prevOpen)}}
	}
	t.History = append(t.History, result.TrendPoint{Date: cur.Merge.Date, Open: open, New: t.New, Fixed: t.Fixed})
	if n := len(t.History); n > MaxHistory {
		t.History = t.History[n-MaxHistory:]
	}
	return t
}

// recheckedChecks reports whether a finding of an account's check (""
// for repository findings) was judged in cur: the check ran to the end
// (ok or failed) in that account's report, or, for repository findings,
// in the merged checks.
func recheckedChecks(cur result.Report) func(account, check string) bool {
	judged := func(cs []result.Check, check string) bool {
		for _, c := range cs {
			if c.ID == check {
				return c.Status == result.StatusOK || c.Status == result.StatusFailed
			}
		}
		return false
	}
	accounts := map[string]result.Account{}
	for _, a := range cur.Accounts {
		accounts[a.ID] = a
	}
	return func(account, check string) bool {
		if account == "" {
			return judged(cur.Checks, check)
		}
		a, ok := accounts[account]
		if !ok || a.Status == result.AccountNotJudged {
			return false
		}
		return judged(a.Checks, check)
	}
}
