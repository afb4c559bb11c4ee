package policycorpus

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"
)

// minimumCases is the size issue 13 asks of the corpus.
const minimumCases = 150

// TestPolicyCorpus judges every labelled policy and compares: a case
// agrees when its exposure (trust) or power (permission) class, its set
// of hygiene classes, and its required and forbidden rules all match the
// label. It prints the score per class and fails on a disagreement that
// is not a known miss, on a known miss that is now right, and on a score
// below the committed baseline.
func TestPolicyCorpus(t *testing.T) {
	labels := loadLabels(t)
	if len(labels) < minimumCases {
		t.Errorf("the corpus holds %d cases, fewer than %d", len(labels), minimumCases)
	}
	verdicts := judgeAll(t, labels)
	agree := 0
	var misses []string
	for _, l := range labels {
		diffs := disagreements(l, verdicts[l.ID])
		switch {
		case len(diffs) == 0 && l.KnownMiss != "":
			t.Errorf("case %s is listed as a known miss (%s) but now agrees with its label: remove known_miss", l.ID, l.KnownMiss)
		case len(diffs) == 0:
			agree++
		case l.KnownMiss != "":
			misses = append(misses, fmt.Sprintf("%s: %s (%s)", l.ID, strings.Join(diffs, "; "), l.KnownMiss))
		default:
			t.Errorf("case %s (%s, %s) disagrees with its label: %s", l.ID, l.Kind, l.Source, strings.Join(diffs, "; "))
		}
	}
	t.Logf("\n%s", scoreTable(labels, verdicts, agree))
	if len(misses) > 0 {
		t.Logf("known misses:\n  %s", strings.Join(misses, "\n  "))
	}
	base := readBaseline(t)
	if agree < base {
		t.Errorf("%d cases agree with their labels, below the baseline of %d (testdata/baseline.json)", agree, base)
	} else if agree > base {
		t.Logf("%d cases agree, above the baseline of %d: raise testdata/baseline.json", agree, base)
	}
}

// disagreements lists how v differs from label l; empty when they agree.
func disagreements(l label, v *verdict) []string {
	var out []string
	for _, p := range v.problems {
		out = append(out, "input problem: "+p)
	}
	switch l.Kind {
	case "trust":
		if got := normalisedExposure(l.Exposure, v.exposure); got != l.Exposure {
			out = append(out, fmt.Sprintf("exposure %s, labelled %s", got, l.Exposure))
		}
	case "permission":
		if v.power != l.Power {
			out = append(out, fmt.Sprintf("power %s, labelled %s", v.power, l.Power))
		}
	}
	want, got := sorted(l.Hygiene), sorted(v.hygiene)
	if !slices.Equal(want, got) {
		out = append(out, fmt.Sprintf("hygiene %v, labelled %v", got, want))
	}
	for _, r := range l.Require {
		if !v.fired(r) {
			out = append(out, r+" not reported")
		}
	}
	for _, r := range l.Forbid {
		if v.fired(r) {
			out = append(out, r+" reported")
		}
	}
	return out
}

// normalisedExposure: secretgate reports a role that any environment can
// assume as admitting pull requests (a pull-request job that names an
// environment gets that environment's subject), so for a case labelled
// any-environment a pull-request verdict is that class.
func normalisedExposure(labelled, got string) string {
	if labelled == "any-environment" && got == "pull-request" {
		return labelled
	}
	return got
}

func sorted(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return slices.Compact(c)
}

// tally is one row of the score table: cases labelled with the class,
// correct (labelled and reported), false positives (reported, not
// labelled), false negatives (labelled, not reported) and accuracy, the
// share of the dimension's cases on which label and verdict agree about
// this class.
type tally struct {
	dimension, class              string
	cases, correct, fp, fn, total int
}

func (t tally) accuracy() float64 {
	if t.total == 0 {
		return 0
	}
	return float64(t.total-t.fp-t.fn) / float64(t.total)
}

// score computes the table's rows.
func score(labels []label, verdicts map[string]*verdict) []tally {
	var rows []tally
	count := func(dimension, class string, among func(label) bool, labelled, reported func(label, *verdict) bool) {
		r := tally{dimension: dimension, class: class}
		for _, l := range labels {
			if !among(l) {
				continue
			}
			r.total++
			want, got := labelled(l, verdicts[l.ID]), reported(l, verdicts[l.ID])
			switch {
			case want && got:
				r.cases++
				r.correct++
			case want:
				r.cases++
				r.fn++
			case got:
				r.fp++
			}
		}
		rows = append(rows, r)
	}
	isTrust := func(l label) bool { return l.Kind == "trust" }
	isPermission := func(l label) bool { return l.Kind == "permission" }
	all := func(label) bool { return true }
	for _, e := range exposures {
		count("trust exposure", e, isTrust,
			func(l label, _ *verdict) bool { return l.Exposure == e },
			func(l label, v *verdict) bool { return normalisedExposure(l.Exposure, v.exposure) == e })
	}
	for _, h := range hygieneNames() {
		among := isTrust
		if h == "duplicate-key" {
			among = all
		}
		count("hygiene", h, among,
			func(l label, _ *verdict) bool { return slices.Contains(l.Hygiene, h) },
			func(_ label, v *verdict) bool { return slices.Contains(v.hygiene, h) })
	}
	for _, p := range powers {
		count("permission power", p, isPermission,
			func(l label, _ *verdict) bool { return l.Power == p },
			func(_ label, v *verdict) bool { return v.power == p })
	}
	return rows
}

// scoreTable renders the score as the table docs/corpus.md shows.
func scoreTable(labels []label, verdicts map[string]*verdict, agree int) string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "dimension\tclass\tcases\tcorrect\tFP\tFN\taccuracy")
	for _, r := range score(labels, verdicts) {
		if r.cases == 0 && r.fp == 0 {
			continue
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%d\t%d\t%.1f%%\n", r.dimension, r.class, r.cases, r.correct, r.fp, r.fn, 100*r.accuracy())
	}
	trust, permission := 0, 0
	for _, l := range labels {
		if l.Kind == "trust" {
			trust++
		} else {
			permission++
		}
	}
	fmt.Fprintf(w, "all\t%d trust + %d permission\t%d\t%d\t\t\t%.1f%%\n", trust, permission, len(labels), agree, 100*float64(agree)/float64(max(len(labels), 1)))
	w.Flush()
	return b.String()
}

// readBaseline reads the committed minimum number of agreeing cases.
func readBaseline(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "baseline.json"))
	if err != nil {
		t.Fatalf("read baseline: %v", err)
	}
	var doc struct {
		Agree int `json:"agree"`
	}
	if err := jsonUnmarshalStrict(b, &doc); err != nil {
		t.Fatalf("parse baseline: %v", err)
	}
	return doc.Agree
}
