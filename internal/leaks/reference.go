package leaks

import "crypto/subtle"

// NameReference is a place where a file names a secret rather than holding
// one: a `secret:` entry of the configuration's credentials list names a
// Secrets Manager secret, and a generic rule may take that name for a key.
// A match at File:Line whose captured text equals Name is kept (the
// finding set stays the engine's) and marked with Finding.NameReference;
// the rules decide what that means.
type NameReference struct {
	// File is slash-separated and relative to the scan root.
	File string
	Line int
	// Name is the secret's name as written.
	Name string
	// Describe is what the mark says, e.g. "credential name".
	Describe string
}

// genericRules are the gitleaks rules that match any high-entropy
// assignment, and so may take a secret's name for a key.
var genericRules = map[string]bool{"generic-api-key": true}

// referenceIndex finds a match's name reference by place and text.
type referenceIndex map[refPlace][]NameReference

type refPlace struct {
	file string
	line int
}

func newReferenceIndex(refs []NameReference) referenceIndex {
	if len(refs) == 0 {
		return nil
	}
	idx := referenceIndex{}
	for _, r := range refs {
		if r.File == "" || r.Line <= 0 || r.Name == "" {
			continue
		}
		p := refPlace{r.File, r.Line}
		idx[p] = append(idx[p], r)
	}
	return idx
}

// describe returns what the match is a reference to ("" when it is not
// one): its place must be a reference's and its captured text the name.
// The comparison is in constant time for texts of equal length, like every
// comparison of a match's raw text.
func (idx referenceIndex) describe(f found) string {
	// Only the generic rule can mistake a name for a key. A specific rule
	// (an AWS access key, a GitHub token, ...) matching a "name" means a
	// real key was written where the name belongs: never excused.
	if !genericRules[f.RuleID] {
		return ""
	}
	refs := idx[refPlace{f.path, f.Line}]
	if len(refs) == 0 {
		return ""
	}
	secret := []byte(f.text().secret)
	defer clear(secret)
	if len(secret) == 0 {
		return ""
	}
	for _, r := range refs {
		if len(r.Name) == len(secret) && subtle.ConstantTimeCompare([]byte(r.Name), secret) == 1 {
			return r.Describe
		}
	}
	return ""
}
