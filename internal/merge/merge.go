// Package merge puts the JSON reports of several secretgate runs — the
// shards of an organisation's nightly matrix, one or more accounts each —
// together into one report (secretgate merge): findings de-duplicated by
// account and fingerprint, a verdict per account and per check, and the
// trend against the previous night's merged report. It fails closed: an
// input that cannot be read, a shard whose report is missing and an
// account that was not judged are each named and make the merged run
// incomplete; nothing else is lost because of them.
package merge

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/secretgate/secretgate/internal/matrix"
	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/safetext"
)

// Input is one report to merge, or the reason it could not be read.
type Input struct {
	File   string
	Report result.Report
	Err    error
}

// Options tune Merge. The zero value merges with the inputs' own
// threshold and no expectations.
type Options struct {
	// Threshold is --fail-on; nil takes the strictest of the inputs'
	// fail_on (high when none says).
	Threshold *result.Threshold
	// Matrix, when given, says which accounts each shard was to check:
	// an account no readable report covers is not judged.
	Matrix *matrix.Matrix
	// ExpectShards is the number of shard reports expected (0: not said);
	// fewer inputs make the run incomplete.
	ExpectShards int
	// Previous is the previous night's merged report, for the trend and
	// the findings carried forward (PreviousFile, PreviousReport).
	Previous *Previous
	// NotJudged are accounts no input covers that the caller knows could
	// not be checked (their role refused, not active in the organisation),
	// with the reason.
	NotJudged []result.Account
	// Excluded are accounts of the organisation its configuration leaves
	// out (exclude, ous, include, not active), with the reason: a row
	// each, status excluded, which does not make the run incomplete. The
	// matrix's excluded accounts are added to them.
	Excluded []result.Account
	// Now dates the merged report (Merge.Date and the trend's point).
	Now time.Time
	// Tool names the program that merged.
	Tool result.Tool
}

// MaxHistory is the number of nights the trend keeps.
const MaxHistory = 30

// MaxFixedListed caps Trend.FixedFindings.
const MaxFixedListed = 100

// Merge merges inputs (in the order of their file names) into one report,
// summarised under the threshold.
func Merge(inputs []Input, o Options) result.Report {
	inputs = slices.Clone(inputs)
	slices.SortStableFunc(inputs, func(a, b Input) int { return cmp.Compare(a.File, b.File) })
	th := threshold(inputs, o.Threshold)
	// The findings and their index are sized for every input's findings
	// at once: grown by appending, 200 accounts' 200,000 findings left
	// as much garbage as they kept.
	total := 0
	for _, in := range inputs {
		total += len(in.Report.Findings)
	}

	m := &merger{
		rep: result.Report{
			Schema:   result.Schema,
			Tool:     o.Tool,
			Findings: make([]result.Finding, 0, total),
			Merge:    &result.Merge{Date: o.Now.UTC().Format(time.RFC3339)},
		},
		byKey:     make(map[string]int, total),
		byAccount: map[string]int{},
		checks:    map[string]*checkAcc{},
		problems:  map[string]bool{},
		shards:    map[int]bool{},
	}
	var good []Input
	for _, in := range inputs {
		if in.Err != nil {
			m.rep.Merge.Problems = append(m.rep.Merge.Problems, result.MergeProblem{
				File: in.File, Message: "could not be read: " + in.Err.Error(),
			})
			m.unreadable = append(m.unreadable, in.File)
			m.unnumbered++
			continue
		}
		m.rep.Merge.Reports++
		m.add(in.File, in.Report)
		good = append(good, in)
	}
	m.disagreements(good)
	reps := make([]result.Report, len(good))
	for i, in := range good {
		reps[i] = in.Report
	}
	m.rep.Context = mergeContext(reps, m.rep.Accounts)
	for _, a := range o.NotJudged {
		if _, ok := m.byAccount[a.ID]; ok {
			continue
		}
		a.Status = result.AccountNotJudged
		m.byAccount[a.ID] = len(m.rep.Accounts)
		m.rep.Accounts = append(m.rep.Accounts, a)
	}
	m.expect(o)
	m.excluded(o)
	m.rep.Checks = m.mergedChecks(th)
	slices.SortFunc(m.rep.Accounts, func(a, b result.Account) int { return cmp.Compare(a.ID, b.ID) })
	m.accountSummaries(th)
	if o.Previous != nil {
		m.previous(o)
	}
	result.SortFindings(m.rep.Findings)
	m.rep.Summarize(th)
	return m.rep
}

// previous compares the merged report with the previous night's (the
// trend) and carries into it the previous night's open findings that
// could not be re-checked — their account not judged or checked in part,
// or, for repository findings, their check in error — so that they are
// neither forgotten tonight nor called new tomorrow. Each such case makes
// the run incomplete. So are the findings of an account the night does
// not know when, without the matrix, a report was missing or unreadable:
// it may have held that account. Findings not re-checked by choice (an
// account the configuration excludes, a check skipped) or of an account
// the night does not know otherwise (with the matrix: one it no longer
// lists) are counted not re-checked but not carried. A previous report that cannot
// be read is named, with no trend: the run is incomplete.
func (m *merger) previous(o Options) {
	// The accounts are sorted by now: byAccount's indexes are stale.
	accounts := make(map[string]*result.Account, len(m.rep.Accounts))
	for i := range m.rep.Accounts {
		accounts[m.rep.Accounts[i].ID] = &m.rep.Accounts[i]
	}
	lostReports := o.Matrix == nil && (m.shardsMissing || len(m.unreadable) > 0)
	carry := func(account, check string) bool {
		if account == "" {
			acc, ok := m.checks[check]
			return ok && acc.statuses[result.StatusError]
		}
		a, ok := accounts[account]
		if !ok {
			// Without the matrix the night cannot say whose accounts a
			// lost or unreadable report held: an account it does not
			// know may be one of them.
			return lostReports
		}
		switch a.Status {
		case result.AccountNotJudged:
			return true
		case result.AccountIncomplete:
			for _, c := range a.Checks {
				if c.ID == check {
					return c.Status == result.StatusError
				}
			}
		}
		return false
	}
	t, carried, err := trend(&m.rep, m.byKey, o.Previous, carry)
	if err != nil {
		m.rep.Merge.Problems = append(m.rep.Merge.Problems, result.MergeProblem{File: o.Previous.Name,
			Message: "previous report could not be read, no trend: " + err.Error()})
		return
	}
	m.rep.Trend = t
	m.rep.Findings = append(m.rep.Findings, carried...)
}

// threshold is the explicit one, else the strictest fail_on of the
// inputs (the lowest severity; never only when every input says never),
// else high. The strictest, not a default, when the inputs differ: a
// shard whose own threshold would fail it must not pass merged.
func threshold(inputs []Input, explicit *result.Threshold) result.Threshold {
	if explicit != nil {
		return *explicit
	}
	var strictest *result.Threshold
	for _, in := range inputs {
		if in.Err != nil || in.Report.FailOn == "" {
			continue
		}
		t, err := result.ParseThreshold(in.Report.FailOn)
		if err != nil {
			continue
		}
		if strictest == nil || stricter(t, *strictest) {
			strictest = &t
		}
	}
	if strictest == nil {
		return result.Threshold{Min: result.SeverityHigh}
	}
	return *strictest
}

// stricter tells whether a fails on more severities than b.
func stricter(a, b result.Threshold) bool {
	if a.Never || b.Never {
		return !a.Never && b.Never
	}
	return a.Min < b.Min
}

// disagreements names, as problems that make the run incomplete, every
// report whose commit (context.sha) or secretgate version (tool.version)
// differs from the majority's: a stale artifact of another night, or a
// shard of another commit, must not pass for tonight's verdict. With no
// majority (a tie) every report is named.
func (m *merger) disagreements(good []Input) {
	if len(good) < 2 {
		return
	}
	for _, d := range []struct {
		what string
		get  func(result.Report) string
	}{
		{"commit (context.sha)", func(r result.Report) string { return r.Context.SHA }},
		{"secretgate version (tool.version)", func(r result.Report) string { return r.Tool.Version }},
	} {
		count := map[string]int{}
		var order []string
		for _, in := range good {
			v := d.get(in.Report)
			if count[v] == 0 {
				order = append(order, v)
			}
			count[v]++
		}
		if len(count) < 2 {
			continue
		}
		major := order[0]
		for _, v := range order[1:] {
			if count[v] > count[major] {
				major = v
			}
		}
		tie := false
		for _, v := range order {
			if v != major && count[v] == count[major] {
				tie = true
			}
		}
		for _, in := range good {
			v := d.get(in.Report)
			var msg string
			switch {
			case tie:
				msg = fmt.Sprintf("%s is %s, and no value has a majority of the %d reports: a report of another run must not pass for this one's",
					d.what, quoteOrNone(v), len(good))
			case v == major:
				continue
			default:
				msg = fmt.Sprintf("%s is %s, the majority's (%d of %d reports) %s: a report of another run must not pass for this one's",
					d.what, quoteOrNone(v), count[major], len(good), quoteOrNone(major))
			}
			m.rep.Merge.Problems = append(m.rep.Merge.Problems, result.MergeProblem{File: in.File, Message: msg})
		}
	}
}

// quoteOrNone quotes a report's value for a problem message (clipped:
// the reports are artifacts).
func quoteOrNone(v string) string {
	if v == "" {
		return "none"
	}
	return strconv.Quote(safetext.Clip(v, 80))
}

// coverage is an account a report speaks of: in its accounts, or by a
// finding (finding).
type coverage struct {
	file, account string
	finding       bool
}

type merger struct {
	// covers lists the accounts each report speaks of, for the matrix
	// check (expect).
	covers     []coverage
	rep        result.Report
	byKey      map[string]int // FindingKey -> index in rep.Findings
	byAccount  map[string]int // account id -> index in rep.Accounts
	checks     map[string]*checkAcc
	checkOrder []string
	problems   map[string]bool // InputProblem already listed
	unreadable []string
	// shardsMissing: fewer distinct shards than --expect-shards.
	shardsMissing bool
	// shards are the shard numbers the readable reports record
	// (accounts[].shard); unnumbered counts the reports that record none
	// (and the unreadable ones): --expect-shards counts each shard once.
	shards     map[int]bool
	unnumbered int
}

// checkAcc accumulates one check family over the inputs.
type checkAcc struct {
	c        result.Check
	statuses map[result.Status]bool
	errors   int
}

// add merges one readable report.
func (m *merger) add(file string, in result.Report) {
	for _, f := range in.Findings {
		f = Normalize(f, in.Context.Account)
		k := result.FindingKey(f)
		if i, ok := m.byKey[k]; ok {
			// The same finding from two shards (a repository file both
			// read): keep one, judged over carried from an earlier night
			// (a merged report merged again), unwaived over waived.
			if prev := m.rep.Findings[i]; (prev.Carried() && !f.Carried()) || (prev.Carried() == f.Carried() && prev.Waived && !f.Waived) {
				m.rep.Findings[i] = f
			}
			m.rep.Findings[i].New = m.rep.Findings[i].New || f.New
			continue
		}
		m.byKey[k] = len(m.rep.Findings)
		m.rep.Findings = append(m.rep.Findings, f)
	}
	accounts := accountsOf(file, in)
	numbered := false
	for _, a := range accounts {
		m.covers = append(m.covers, coverage{file: file, account: a.ID})
		if a.Shard > 0 {
			m.shards[a.Shard], numbered = true, true
		}
	}
	if !numbered {
		m.unnumbered++
	}
	for _, f := range in.Findings {
		if acct := cmp.Or(f.Account, in.Context.Account); acct != "" {
			m.covers = append(m.covers, coverage{file: file, account: acct, finding: true})
		}
	}
	for _, a := range accounts {
		if i, ok := m.byAccount[a.ID]; ok {
			// An account in two reports (a re-run job uploaded twice):
			// a judged verdict replaces one that is not.
			if rank(a.Status) < rank(m.rep.Accounts[i].Status) {
				m.rep.Accounts[i] = a
			}
			continue
		}
		m.byAccount[a.ID] = len(m.rep.Accounts)
		m.rep.Accounts = append(m.rep.Accounts, a)
	}
	label := in.Context.Account
	for _, c := range in.Checks {
		acc, ok := m.checks[c.ID]
		if !ok {
			acc = &checkAcc{c: result.Check{ID: c.ID, Unit: c.Unit, Reason: c.Reason}, statuses: map[result.Status]bool{}}
			m.checks[c.ID] = acc
			m.checkOrder = append(m.checkOrder, c.ID)
		}
		acc.statuses[c.Status] = true
		acc.c.Resources += c.Resources
		acc.c.DurationMS += c.DurationMS
		if c.Status == result.StatusError {
			acc.errors++
			if acc.c.Error == "" {
				acc.c.Error = c.Error
				if label != "" {
					acc.c.Error = "account " + label + ": " + c.Error
				}
			}
		}
		if acc.c.Reason == "" {
			acc.c.Reason = c.Reason
		}
	}
	m.rep.Inputs.Files = max(m.rep.Inputs.Files, in.Inputs.Files)
	m.rep.Inputs.Skipped = m.union(m.rep.Inputs.Skipped, in.Inputs.Skipped, "s")
	m.rep.Inputs.Errors = m.union(m.rep.Inputs.Errors, in.Inputs.Errors, "e")
	m.rep.Inputs.NotJudged = m.union(m.rep.Inputs.NotJudged, in.Inputs.NotJudged, "n")
}

// Normalize gives a live finding (no file) of a single-account report the
// report's account, so that findings of two accounts about resources of
// the same name stay apart.
func Normalize(f result.Finding, account string) result.Finding {
	if f.Account == "" && f.File == "" {
		f.Account = account
	}
	return f
}

// rank orders account statuses from best to worst.
func rank(s result.AccountStatus) int {
	switch s {
	case result.AccountJudged:
		return 0
	case result.AccountIncomplete:
		return 1
	}
	return 2
}

// accountsOf is the accounts a report covers: its own list (a merged or
// organisation report), else the one account it checked; a run of
// repository files only covers none.
func accountsOf(file string, in result.Report) []result.Account {
	if len(in.Accounts) > 0 {
		out := slices.Clone(in.Accounts)
		for i := range out {
			if out[i].Report == "" {
				out[i].Report = file
			}
		}
		return out
	}
	if in.Context.Account == "" {
		return nil
	}
	a := result.Account{ID: in.Context.Account, Status: result.AccountJudged, Report: file,
		Regions: in.Context.Regions, Checks: in.Checks}
	for _, c := range in.Checks {
		a.DurationMS += c.DurationMS
		if c.Status == result.StatusError && a.Status == result.AccountJudged {
			a.Status = result.AccountIncomplete
			a.Reason = c.ID + ": " + c.Error
		}
	}
	return []result.Account{a}
}

// union appends the problems of add not yet listed.
func (m *merger) union(dst, add []result.InputProblem, kind string) []result.InputProblem {
	for _, p := range add {
		k := fmt.Sprintf("%s\x00%s\x00%d\x00%s", kind, p.File, p.Line, p.Message)
		if m.problems[k] {
			continue
		}
		m.problems[k] = true
		dst = append(dst, p)
	}
	return dst
}

// excluded gives every account the configuration leaves out a row, unless
// a report covers it (then the report's verdict stands; with the matrix,
// such a report is a problem: outsideShards).
func (m *merger) excluded(o Options) {
	rows := slices.Clone(o.Excluded)
	if o.Matrix != nil {
		for _, e := range o.Matrix.Excluded {
			rows = append(rows, result.Account{ID: e.ID, Name: e.Name, Reason: e.Reason})
		}
	}
	for _, a := range rows {
		if _, ok := m.byAccount[a.ID]; ok {
			continue
		}
		a.Status = result.AccountExcluded
		a.Checks, a.Regions, a.Shard, a.DurationMS = nil, nil, 0, 0
		m.byAccount[a.ID] = len(m.rep.Accounts)
		m.rep.Accounts = append(m.rep.Accounts, a)
	}
}

// expect checks the inputs against the matrix or the expected count.
func (m *merger) expect(o Options) {
	if o.Matrix != nil {
		m.outsideShards(o.Matrix)
		m.rep.Merge.ExpectedShards = len(o.Matrix.Include)
		for _, s := range o.Matrix.Include {
			seen := 0
			for _, id := range s.AccountList() {
				if i, ok := m.byAccount[id]; ok {
					seen++
					m.rep.Accounts[i].Shard = s.Shard
					continue
				}
				reason := fmt.Sprintf("no report of shard %d covers this account (the job failed or its artifact is missing)", s.Shard)
				if len(m.unreadable) > 0 {
					reason += fmt.Sprintf("; %d report(s) could not be read", len(m.unreadable))
				}
				m.byAccount[id] = len(m.rep.Accounts)
				m.rep.Accounts = append(m.rep.Accounts, result.Account{ID: id, Shard: s.Shard, Status: result.AccountNotJudged, Reason: reason})
			}
			if seen == 0 {
				m.rep.Merge.MissingShards = append(m.rep.Merge.MissingShards, s.Shard)
				m.rep.Merge.Problems = append(m.rep.Merge.Problems, result.MergeProblem{
					Shard: s.Shard, Message: fmt.Sprintf("no report of shard %d (accounts %s)", s.Shard, s.Accounts),
				})
			}
		}
		return
	}
	if o.ExpectShards > 0 {
		m.rep.Merge.ExpectedShards = o.ExpectShards
		// Two uploads of one shard (a re-run) are one shard: reports
		// count by the shard they record, a report that records none
		// as one. The matrix numbers its shards 1 to N: a report of a
		// shard beyond N is of another matrix (a stale artifact) and
		// stands in for none of tonight's.
		given := m.unnumbered
		for _, sh := range slices.Sorted(maps.Keys(m.shards)) {
			if sh <= o.ExpectShards {
				given++
				continue
			}
			m.rep.Merge.Problems = append(m.rep.Merge.Problems, result.MergeProblem{Shard: sh,
				Message: fmt.Sprintf("a report records shard %d, beyond the %d expected: it is of another matrix", sh, o.ExpectShards)})
		}
		if given < o.ExpectShards {
			m.shardsMissing = true
			m.rep.Merge.Problems = append(m.rep.Merge.Problems, result.MergeProblem{
				Message: fmt.Sprintf("%d shard report(s) expected, %d distinct given: %d missing", o.ExpectShards, given, o.ExpectShards-given),
			})
		}
	}
}

// outsideShards reports, as problems that make the run incomplete, every
// report that speaks of an account the matrix assigned to no shard, or of
// the accounts of more than one shard: a shard's job checks its own
// accounts only, so such a report is stale or crafted, and it could
// otherwise mark another shard's accounts judged and clean.
func (m *merger) outsideShards(mx *matrix.Matrix) {
	shardOf := map[string]int{}
	for _, s := range mx.Include {
		for _, id := range s.AccountList() {
			shardOf[id] = s.Shard
		}
	}
	shards := map[string]map[int]bool{}
	outside := map[string][]string{}
	var files []string
	for _, c := range m.covers {
		if shards[c.file] == nil {
			shards[c.file] = map[int]bool{}
			files = append(files, c.file)
		}
		sh, ok := shardOf[c.account]
		if !ok {
			if !slices.Contains(outside[c.file], c.account) {
				outside[c.file] = append(outside[c.file], c.account)
			}
			continue
		}
		shards[c.file][sh] = true
	}
	for _, f := range files {
		if ids := outside[f]; len(ids) > 0 {
			slices.Sort(ids)
			m.rep.Merge.Problems = append(m.rep.Merge.Problems, result.MergeProblem{File: f,
				Message: fmt.Sprintf("speaks of account(s) %s, which the matrix assigned to no shard", strings.Join(ids, ", "))})
		}
		if n := len(shards[f]); n > 1 {
			list := slices.Sorted(maps.Keys(shards[f]))
			m.rep.Merge.Problems = append(m.rep.Merge.Problems, result.MergeProblem{File: f,
				Message: fmt.Sprintf("speaks of the accounts of %d shards (%s); a shard's job checks its own accounts only", n, joinInts(list))})
		}
	}
}

func joinInts(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ", ")
}

// mergedChecks is one check per family: error when any input's was
// (naming the first account), else failed or ok by the merged findings
// under th, else no-input, else skipped.
func (m *merger) mergedChecks(th result.Threshold) []result.Check {
	failing := map[string]bool{}
	for _, f := range m.rep.Findings {
		// A carried finding (of a merged input) was not judged: it
		// fails no check.
		if !f.Carried() && th.FailsFinding(f) {
			failing[f.Check] = true
		}
	}
	var out []result.Check
	for _, id := range m.checkOrder {
		acc := m.checks[id]
		c := acc.c
		switch {
		case acc.statuses[result.StatusError]:
			c.Status = result.StatusError
			if acc.errors > 1 {
				c.Error += fmt.Sprintf(" (and %d more)", acc.errors-1)
			}
		case acc.statuses[result.StatusOK] || acc.statuses[result.StatusFailed]:
			c.Status = result.StatusOK
			if failing[id] {
				c.Status = result.StatusFailed
			}
		case acc.statuses[result.StatusNoInput]:
			c.Status = result.StatusNoInput
		default:
			c.Status = result.StatusSkipped
		}
		if c.Status != result.StatusSkipped && c.Status != result.StatusNoInput && !acc.statuses[result.StatusSkipped] {
			c.Reason = ""
		}
		out = append(out, c)
	}
	return out
}

// accountSummaries counts each account's findings under th.
func (m *merger) accountSummaries(th result.Threshold) {
	idx := map[string]*result.Account{}
	for i := range m.rep.Accounts {
		a := &m.rep.Accounts[i]
		a.Summary = result.Summary{Incomplete: a.Status != result.AccountJudged && a.Status != result.AccountExcluded}
		idx[a.ID] = a
	}
	for _, f := range m.rep.Findings {
		a, ok := idx[f.Account]
		if !ok || f.Carried() {
			// A carried finding (of a merged input) is listed, never
			// counted.
			continue
		}
		s := &a.Summary
		if f.Waived {
			s.Waived++
			continue
		}
		switch f.Severity {
		case result.SeverityCritical:
			s.Critical++
		case result.SeverityHigh:
			s.High++
		case result.SeverityMedium:
			s.Medium++
		case result.SeverityLow:
			s.Low++
		default:
			s.Info++
		}
		if th.FailsFinding(f) {
			s.Failed = true
		}
	}
}

// mergeContext keeps what the inputs agree on; the regions are their
// union; the account is named when there is one only.
func mergeContext(reps []result.Report, accounts []result.Account) result.Context {
	var c result.Context
	same := func(get func(result.Context) string) string {
		v := ""
		for i, r := range reps {
			x := get(r.Context)
			if i == 0 {
				v = x
			} else if x != v {
				return ""
			}
		}
		return v
	}
	c.Mode = cmp.Or(same(func(c result.Context) string { return c.Mode }), "nightly")
	c.Repository = same(func(c result.Context) string { return c.Repository })
	c.SHA = same(func(c result.Context) string { return c.SHA })
	for _, r := range reps {
		c.Regions = append(c.Regions, r.Context.Regions...)
		for _, a := range r.Accounts {
			c.Regions = append(c.Regions, a.Regions...)
		}
	}
	slices.Sort(c.Regions)
	c.Regions = slices.Compact(c.Regions)
	if len(accounts) == 1 {
		c.Account = accounts[0].ID
		c.RoleARN = same(func(c result.Context) string { return c.RoleARN })
	}
	return c
}
