package merge

import (
	"cmp"
	"slices"

	"github.com/secretgate/secretgate/internal/result"
)

// trend compares cur (merged, not yet summarised; byKey indexes its
// findings by result.FindingKey) with the previous night's report by
// finding identity, unwaived findings only, and marks cur's findings new
// when prev did not have them open. A finding of prev missing from cur is
// fixed only when its account and check were judged this time; else it is
// not re-checked, never fixed, and — when carry allows it for its account
// and check — returned to be carried into cur, marked with the date it was last
// judged (a finding already carried keeps its own). A finding waived
// since is neither. prev is read once, a finding at a time; when it cannot
// be read, err says why and nothing of it was applied to cur.
func trend(cur *result.Report, byKey map[string]int, prev *Previous, carry func(account, check string) bool) (*result.Trend, []result.Finding, error) {
	rechecked := recheckedChecks(*cur)
	// inPrev marks cur's findings open in prev; gone holds the keys of
	// prev's open findings cur does not have (fixed or not re-checked),
	// so that a key repeated in prev counts once.
	inPrev := make([]bool, len(cur.Findings))
	gone := map[string]bool{}
	var fixed []result.TrendFinding
	var carried []result.Finding
	nFixed, notRechecked := 0, 0
	h, err := prev.scan(func(f result.Finding) error {
		if f.Waived {
			return nil
		}
		k := result.FindingKey(f)
		if i, ok := byKey[k]; ok {
			inPrev[i] = true
			if cur.Findings[i].Carried() {
				// Carried into cur already (a merged report merged
				// again): not re-checked tonight either.
				notRechecked++
			}
			return nil
		}
		if gone[k] {
			return nil
		}
		gone[k] = true
		if rechecked(f.Account, f.Check) {
			nFixed++
			fixed = append(fixed, result.TrendFinding{Rule: f.Rule, Check: f.Check, Severity: f.Severity,
				Resource: f.Resource, Account: f.Account, Fingerprint: f.Fingerprint})
			return nil
		}
		notRechecked++
		if carry(f.Account, f.Check) {
			f.New = false
			carried = append(carried, f)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}

	t := &result.Trend{Previous: h.date, Fixed: nFixed, NotRechecked: notRechecked}
	since := cmp.Or(h.date, UnknownDate)
	for i := range carried {
		if carried[i].CarriedSince == "" {
			carried[i].CarriedSince = since
		}
	}
	open, prevOpen := 0, len(gone)
	for i := range cur.Findings {
		f := &cur.Findings[i]
		if inPrev[i] {
			prevOpen++
		}
		if f.Waived || f.Carried() {
			continue
		}
		open++
		if inPrev[i] {
			t.StillOpen++
			f.New = false
		} else {
			t.New++
			f.New = true
		}
	}
	slices.SortFunc(fixed, func(a, b result.TrendFinding) int {
		return cmp.Or(cmp.Compare(b.Severity, a.Severity), cmp.Compare(a.Account, b.Account),
			cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Resource, b.Resource), cmp.Compare(a.Fingerprint, b.Fingerprint))
	})
	t.FixedFindings = fixed[:min(len(fixed), MaxFixedListed)]

	if h.trend {
		t.History = slices.Clone(h.history)
	} else if t.Previous != "" {
		t.History = []result.TrendPoint{{Date: t.Previous, Open: prevOpen}}
	}
	t.History = append(t.History, result.TrendPoint{Date: cur.Merge.Date, Open: open, New: t.New, Fixed: t.Fixed})
	if n := len(t.History); n > MaxHistory {
		t.History = t.History[n-MaxHistory:]
	}
	return t, carried, nil
}

// UnknownDate is the carried_since of a finding carried from a previous
// report that has no date (a single account's report, not a merged one).
const UnknownDate = "unknown"

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
