package run

import (
	"slices"
	"sort"
	"strings"

	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/result"
)

// assumptionKey is how a finding names the fact it is about: the file the
// fact came from and the resource as rules report it (a name, an id or an
// ARN).
type assumptionKey struct{ file, resource string }

// assumptionIndex maps the facts that depend on something their files do
// not fix (an Fn::If branch, a Terraform value unknown offline) to those
// assumptions.
type assumptionIndex map[assumptionKey][]string

// indexAssumptions collects the assumptions of in's roles, policies and
// secrets under every name a rule may report them by.
func indexAssumptions(in *facts.Input) assumptionIndex {
	idx := assumptionIndex{}
	add := func(file string, as []string, names ...string) {
		if len(as) == 0 {
			return
		}
		for _, n := range names {
			if n == "" {
				continue
			}
			k := assumptionKey{file, n}
			for _, a := range as {
				if !slices.Contains(idx[k], a) {
					idx[k] = append(idx[k], a)
				}
			}
		}
	}
	for _, r := range in.Roles {
		add(r.File, r.Assumptions, r.Name, r.ID, r.ARN)
	}
	for _, p := range in.Policies {
		add(p.File, p.Assumptions, p.Name, p.ID, p.ARN)
	}
	for _, s := range in.Secrets {
		add(s.File, s.Assumptions, s.Name, s.ID, s.ARN)
	}
	for k := range idx {
		sort.Strings(idx[k])
	}
	return idx
}

// apply gives f the assumptions of the fact it is about, in its own field
// and at the end of its message, so every format says what the verdict
// depends on. The fingerprint is unchanged: it never depends on messages.
func (idx assumptionIndex) apply(f *result.Finding) {
	if len(idx) == 0 || f.File == "" {
		return
	}
	as := idx[assumptionKey{f.File, f.Resource}]
	if len(as) == 0 {
		return
	}
	f.Assumptions = as
	msg := strings.TrimRight(f.Message, " ")
	if msg != "" && !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	f.Message = msg + " This assumes " + strings.Join(as, "; ") + "."
}
