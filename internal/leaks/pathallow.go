package leaks

import (
	"sync"

	glconfig "github.com/zricethezav/gitleaks/v8/config"
)

// gitleaks checks its global allowlists' paths and commits at the start of
// every fragment it scans (detect.checkCommitOrPathAllowed), and the fast
// rules check them again: one combined regular expression of some thirty
// path patterns, run twice per fragment. A history or range scan hands it
// one fragment per hunk, many per file — on pallets/flask's history these
// checks were 42% of the detector's CPU time, for a verdict that depends
// on the path and the commit alone.
//
// So the global allowlists are split. An allowlist whose match condition
// is OR allows a whole fragment when its commit or its path is listed
// (checked once per fragment), and a single finding when the finding's
// secret, match or line matches one of its regular expressions or holds a
// stop word (checked per finding, without looking at paths or commits):
// the two halves are independent, so
//
//   - pathAllowlists checks the first half, once per path (remembered for
//     the fragments of commits, of which there are many per path) and
//     once per fragment for the commit (a map look-up);
//   - the detectors Detect runs keep only the second half (findingOnly),
//     so they never run the path expression.
//
// An allowlist whose condition is AND needs all of its parts at once and
// is left, whole, to the detectors.

// pathAllowlists is the fragment-level half of the global OR allowlists.
type pathAllowlists struct {
	lists []*glconfig.Allowlist
	// byPath remembers the verdict of the lists' paths per path (string
	// to bool), for the fragments of commits.
	byPath sync.Map
}

// allowed reports whether gitleaks would skip a fragment of path in
// commit (sha "" outside commit scopes) because of a global OR allowlist.
func (p *pathAllowlists) allowed(path, sha string) bool {
	if len(p.lists) == 0 || path == "" && sha == "" {
		return false
	}
	if sha != "" {
		for _, a := range p.lists {
			if ok, _ := a.CommitAllowed(sha); ok {
				return true
			}
		}
		if v, ok := p.byPath.Load(path); ok {
			return v.(bool)
		}
	}
	verdict := false
	for _, a := range p.lists {
		if a.PathAllowed(path) {
			verdict = true
			break
		}
	}
	if sha != "" {
		p.byPath.Store(path, verdict)
	}
	return verdict
}

// splitAllowlists returns cfg with the global OR allowlists cut down to
// what is judged per finding (regular expressions and stop words; lists
// with nothing left are dropped), and the fragment-level half: the OR
// lists as they are, to be asked only about paths and commits.
func splitAllowlists(cfg glconfig.Config) (glconfig.Config, *pathAllowlists) {
	pa := &pathAllowlists{}
	var kept []*glconfig.Allowlist
	for _, a := range cfg.Allowlists {
		if a.MatchCondition == glconfig.AllowlistMatchAnd {
			kept = append(kept, a)
			continue
		}
		if len(a.Paths) == 0 && len(a.Commits) == 0 {
			kept = append(kept, a)
			continue
		}
		pa.lists = append(pa.lists, a)
		if len(a.Regexes) == 0 && len(a.StopWords) == 0 {
			continue
		}
		findingOnly := &glconfig.Allowlist{
			Description:    a.Description,
			MatchCondition: a.MatchCondition,
			RegexTarget:    a.RegexTarget,
			Regexes:        a.Regexes,
			StopWords:      a.StopWords,
		}
		if err := findingOnly.Validate(); err != nil {
			// Cannot happen (it has regexes or stop words); keep the
			// list whole rather than lose its findings' half.
			kept = append(kept, a)
			continue
		}
		kept = append(kept, findingOnly)
	}
	out := cfg
	out.Allowlists = kept
	return out, pa
}
