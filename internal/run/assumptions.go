package run

import (
	"slices"
	"strconv"
	"strings"

	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/policy"
	"github.com/secretgate/secretgate/internal/result"
)

// assumptionIndex finds the assumptions of the fact a finding is about: a
// CloudFormation Fn::If branch judged ("condition IsMain is false"), a value
// unknown offline. Facts without assumptions are not indexed; in the usual
// run there are none, and nothing is looked up.
type assumptionIndex struct {
	byID   map[string][]string
	byName map[string][]string // file + "\x00" + name, when one fact has that name
}

func newAssumptionIndex(in *facts.Input) *assumptionIndex {
	x := &assumptionIndex{byID: map[string][]string{}, byName: map[string][]string{}}
	names := map[string]int{}
	add := func(id, name, file string, a []string) {
		k := file + "\x00" + name
		names[k]++
		if len(a) == 0 {
			return
		}
		x.byID[id] = a
		x.byName[k] = a
	}
	for _, r := range in.Roles {
		add(r.ID, r.Name, r.File, r.Assumptions)
	}
	for _, p := range in.Policies {
		add(p.ID, p.Name, p.File, p.Assumptions)
	}
	for _, s := range in.Secrets {
		add(s.ID, s.Name, s.File, s.Assumptions)
	}
	for k, n := range names {
		if n > 1 {
			delete(x.byName, k) // the name does not tell which fact
		}
	}
	return x
}

// of returns the assumptions of raw's fact: the fact whose ID is raw's key
// or its start (rules key statements as "<policy id>#<index>"), the longest
// such; else the only fact of raw's file with raw's resource as its name.
func (x *assumptionIndex) of(raw policy.Raw) []string {
	if len(x.byID) == 0 {
		return nil
	}
	k := raw.Key
	for end := len(k); end > 0; {
		if a, ok := x.byID[k[:end]]; ok {
			return a
		}
		end = strings.LastIndexAny(k[:end], "# ")
	}
	return x.byName[raw.File+"\x00"+raw.Resource]
}

// withAssumptions is a finding's message followed by what its fact
// assumes, so that a finding on one branch of an undecidable Fn::If says
// which branch.
func withAssumptions(msg string, a []string) string {
	if len(a) == 0 {
		return msg
	}
	return msg + " (assuming " + strings.Join(a, "; ") + ")"
}

// variantFindings merges the findings that variants of one resource (the
// branches of an undecidable Fn::If, as a CloudFormation reader produces
// them) give alike: one finding whose rule, resource, file, line and
// message are the same on several variants holds on each of them, so it
// depends only on the assumptions they share. The first one's
// fingerprint is kept (variants are read in a fixed order).
type variantFindings map[variantKey]variantSeen

type variantKey struct{ rule, resource, file, message string }

type variantSeen struct {
	index int      // in the report's findings
	base  string   // the message without assumptions
	had   []string // the assumptions in common so far
}

func keyOf(f result.Finding) variantKey {
	return variantKey{f.Rule, f.Resource, f.File + ":" + strconv.Itoa(f.Line), f.Message}
}

// merged folds f (with assumptions a) into an alike finding already in
// rep, keeping the assumptions both share, and reports whether it did.
func (v variantFindings) merged(rep *result.Report, f result.Finding, a []string) bool {
	seen, ok := v[keyOf(f)]
	if !ok || seen.index >= len(rep.Findings) {
		return false
	}
	var common []string
	for _, x := range seen.had {
		if slices.Contains(a, x) {
			common = append(common, x)
		}
	}
	seen.had = common
	v[keyOf(f)] = seen
	g := &rep.Findings[seen.index]
	g.Assumptions = common
	g.Message = withAssumptions(seen.base, common)
	return true
}

// add records f, just added at index with assumptions a.
func (v variantFindings) add(f result.Finding, a []string, index int) {
	base := strings.TrimSuffix(f.Message, " (assuming "+strings.Join(a, "; ")+")")
	k := keyOf(f)
	k.message = base
	v[k] = variantSeen{index: index, base: base, had: a}
}
