package judge

import (
	"fmt"
	"sort"
	"strings"

	"github.com/secretgate/secretgate/internal/result"
)

// Rule is the id of the finding that reports a change of judge.
const Rule = "config-judge-changed"

// Effect is what a change's own judge would have done to the run, compared
// with the base's judge that was used.
type Effect struct {
	// Hidden are findings that fail the run under the base's judge and are
	// absent under the change's (excluded, ignored, a rule replaced or
	// turned off).
	Hidden []result.Finding
	// Waived are findings that fail the run under the base's judge and are
	// waived under the change's.
	Waived []result.Finding
	// Passed are findings the change's judge still reports, unwaived, but
	// that would no longer fail the run (fail_on, a lower severity).
	Passed []result.Finding
	// Added counts findings that would fail the run only under the
	// change's judge (a stricter judge).
	Added int
	// FailOnFrom and FailOnTo are the thresholds when they differ.
	FailOnFrom, FailOnTo string
	// Silenced lists check families that judged something under the base's
	// judge and nothing under the change's.
	Silenced []string
	// Verdict is what the run would have said under the change's judge
	// ("pass", "fail", "incomplete") when it differs; "" when the same.
	Verdict, BaseVerdict string
	// Broken is set when the change's own judge could not be used at all (a
	// configuration or policy error); the other fields are then empty.
	Broken string
	// RepositoryOnly is set when only what the repository holds was
	// compared (see Compare).
	RepositoryOnly bool
	// Unmeasured says why the effect was not measured (the run was
	// interrupted); the other fields are then empty.
	Unmeasured string
}

// Compare says what judging with head's judge would change in base, the
// report made with the base's judge. Findings are matched by fingerprint;
// the judge-change finding itself is left out.
//
// With repositoryOnly, head was judged without the live AWS checks that
// base had: only findings on repository files are compared, and neither
// the check statuses nor the verdict are, since the live facts would make
// them differ for reasons other than the judge.
func Compare(base, head result.Report, repositoryOnly bool) Effect {
	baseTh, headTh := thresholdOf(base), thresholdOf(head)
	e := Effect{RepositoryOnly: repositoryOnly}
	inHead := map[string]result.Finding{}
	for _, f := range head.Findings {
		if f.Rule != Rule {
			inHead[f.Fingerprint] = f
		}
	}
	inBase := map[string]bool{}
	for _, f := range base.Findings {
		if f.Rule == Rule || (repositoryOnly && f.File == "") {
			continue
		}
		inBase[f.Fingerprint] = true
		if !baseTh.FailsFinding(f) {
			continue
		}
		h, ok := inHead[f.Fingerprint]
		switch {
		case !ok:
			e.Hidden = append(e.Hidden, f)
		case h.Waived:
			e.Waived = append(e.Waived, f)
		case !headTh.FailsFinding(h):
			e.Passed = append(e.Passed, f)
		}
	}
	for fp, h := range inHead {
		if !inBase[fp] && headTh.FailsFinding(h) && (!repositoryOnly || h.File != "") {
			e.Added++
		}
	}
	if base.FailOn != head.FailOn {
		e.FailOnFrom, e.FailOnTo = base.FailOn, head.FailOn
	}
	if repositoryOnly {
		return e
	}
	headStatus := map[string]result.Status{}
	for _, c := range head.Checks {
		headStatus[c.ID] = c.Status
	}
	for _, c := range base.Checks {
		if c.Resources > 0 && (c.Status == result.StatusOK || c.Status == result.StatusFailed) {
			if s, ok := headStatus[c.ID]; ok && s != result.StatusOK && s != result.StatusFailed {
				e.Silenced = append(e.Silenced, c.ID)
			}
		}
	}
	if bv, hv := verdict(base), verdict(head); bv != hv {
		e.BaseVerdict, e.Verdict = bv, hv
	}
	return e
}

func thresholdOf(r result.Report) result.Threshold {
	t, err := result.ParseThreshold(r.FailOn)
	if err != nil {
		t = result.Threshold{} // an unset threshold fails on everything: the strict reading
	}
	t.NewOnly = r.NewOnly
	return t
}

func verdict(r result.Report) string {
	switch r.ExitCode() {
	case result.ExitFindings:
		return "fail"
	case result.ExitIncomplete:
		return "be incomplete"
	default:
		return "pass"
	}
}

// Describe is the sentence a report gives for the effect: what the change's
// own judge would have done ("would waive 2 findings (…), lower fail_on
// from high to never, and pass instead of fail").
func (e Effect) Describe() string {
	if e.Broken != "" {
		return "The change's own judge cannot be used: " + e.Broken + "."
	}
	if e.Unmeasured != "" {
		return "What the change's own judge would do was not measured: " + e.Unmeasured + "."
	}
	var parts []string
	if n := len(e.Hidden); n > 0 {
		parts = append(parts, fmt.Sprintf("hide %s (%s)", count(n, "failing finding"), list(e.Hidden)))
	}
	if n := len(e.Waived); n > 0 {
		parts = append(parts, fmt.Sprintf("waive %s (%s)", count(n, "failing finding"), list(e.Waived)))
	}
	if e.FailOnFrom != "" {
		parts = append(parts, fmt.Sprintf("change fail_on from %s to %s", e.FailOnFrom, e.FailOnTo))
	}
	if n := len(e.Passed); n > 0 {
		parts = append(parts, fmt.Sprintf("let %s pass (%s)", count(n, "failing finding"), list(e.Passed)))
	}
	if len(e.Silenced) > 0 {
		parts = append(parts, "leave the "+strings.Join(e.Silenced, ", ")+" check with nothing to judge")
	}
	if e.Added > 0 {
		parts = append(parts, fmt.Sprintf("add %s", count(e.Added, "failing finding")))
	}
	if e.Verdict != "" {
		parts = append(parts, fmt.Sprintf("%s instead of %s", e.Verdict, e.BaseVerdict))
	}
	live := ""
	if e.RepositoryOnly {
		live = " (compared on the repository's files; the live AWS checks were judged once, by the base)"
	}
	if len(parts) == 0 {
		return "With the change's own judge the failing findings would be the same" + live + "."
	}
	return "With the change's own judge the run would " + join(parts) + live + "."
}

// list names up to three findings as "rule on resource", then how many more.
func list(fs []result.Finding) string {
	names := make([]string, 0, len(fs))
	for _, f := range fs {
		names = append(names, f.Rule+" on "+f.Resource)
	}
	sort.Strings(names)
	const shown = 3
	if len(names) > shown {
		return strings.Join(names[:shown], ", ") + fmt.Sprintf(" and %d more", len(names)-shown)
	}
	return strings.Join(names, ", ")
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func join(parts []string) string {
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}
