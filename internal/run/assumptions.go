package run

import (
	"strings"

	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/policy"
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
