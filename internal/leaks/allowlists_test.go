package leaks

import (
	"context"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/zricethezav/gitleaks/v8/detect"

	"github.com/secretgate/secretgate/internal/leaks/leakstest"
)

// allowlistConfig extends the default rules with global allowlists of
// every shape (OR and AND; paths, commits, regexes, stop words) and with
// rules without keywords (one on content, one on the path alone, one
// requiring a rule with keywords), so that Detect's own path checks and its
// shortcuts for fragments without keywords meet every case.
const allowlistConfig = `
[extend]
useDefault = true

[[allowlists]]
description = "OR: paths, regexes and stop words"
paths = ['''(?:^|/)generated/''', '''\.snap$''']
regexes = ['''^AKIA[A-Z2-7]{12}ALLW$''', '''^zz0123''']
stopwords = ["notasecret", "zzstop"]

[[allowlists]]
description = "OR: a regex on the whole line"
regexTarget = "line"
regexes = ['''#\s*fixture''']

[[allowlists]]
description = "OR: commits only"
commits = ["1111111111111111111111111111111111111111"]

[[allowlists]]
description = "AND: a path and a regex"
condition = "AND"
paths = ['''(?:^|/)docs/''']
regexes = ['''^zz''']

[[allowlists]]
description = "AND: a commit and a path"
condition = "AND"
commits = ["2222222222222222222222222222222222222222"]
paths = ['''(?:^|/)vendor2/''']

[[rules]]
id = "no-keyword-token"
description = "a token rule without keywords"
regex = '''\b(zz[a-z0-9]{10})\b'''

[[rules]]
id = "no-keyword-path"
description = "a file type, by name"
path = '''\.keystore$'''

[[rules]]
id = "composite-primary"
description = "a rule without keywords requiring one with keywords"
regex = '''\bprimary_[a-z]{6}\b'''
[[rules.required]]
id = "composite-aux"
withinLines = 2

[[rules]]
id = "composite-aux"
description = "the auxiliary rule"
regex = '''\bauxkey_[a-z]{6}\b'''
keywords = ["auxkey_"]
`

// TestDetectMatchesGitleaksWithAllowlists: Detect, which checks the
// global allowlists' paths and commits itself and skips gitleaks'
// detector on fragments without keywords, finds exactly what gitleaks'
// detector of the same configuration finds, across paths and commits the
// allowlists name or not and texts with and without keywords.
//
// With OR allowlists only (gitleaks' default) the detector Detect hands
// the rest of the rules keeps only the allowlists' finding checks
// (findingAllowlistsOnly); with an AND allowlist, all of them.
func TestDetectMatchesGitleaksWithAllowlists(t *testing.T) {
	orOnly, _, _ := strings.Cut(allowlistConfig, "[[allowlists]]\ndescription = \"AND")
	orOnly += rulesOf(allowlistConfig)
	for _, tc := range []struct {
		name, config string
		reduced      bool
	}{
		{"OR and AND allowlists", allowlistConfig, false},
		{"OR allowlists only", orOnly, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			detectMatchesGitleaks(t, tc.config, tc.reduced)
		})
	}
}

// rulesOf is the part of a configuration from its first rule on.
func rulesOf(config string) string {
	_, rules, _ := strings.Cut(config, "[[rules]]")
	return "[[rules]]" + rules
}

func detectMatchesGitleaks(t *testing.T, config string, reduced bool) {
	dir := t.TempDir()
	writeFile(t, dir, ConfigFile, config)
	g, err := LoadGitleaks(dir)
	if err != nil {
		t.Fatal(err)
	}
	plain, fast := g.plainDetector()
	if fast == nil {
		t.Fatal("no fast engine: the test would compare gitleaks with itself")
	}
	var entries int
	for _, a := range plain.Config.Allowlists {
		entries += len(a.Paths) + len(a.Commits)
	}
	if reduced != (entries == 0) {
		t.Errorf("the rest's detector has %d path and commit allowlist entries; want them dropped: %v", entries, reduced)
	}
	paths := []string{"app.env", "src/generated/keys.go", "a.snap", "docs/setup.md", "vendor2/x.go",
		"node_modules/x/y.js", "go.sum", "certs/app.keystore", "docs/app.keystore", ""}
	commits := []string{"", "1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222",
		"3333333333333333333333333333333333333333"}
	key := leakstest.AWSKey(t)
	pieces := []string{
		// A key, and one the OR allowlist's regex allows.
		"aws_access_key_id = " + key + "\n", "aws_access_key_id = " + key[:16] + "ALLW\n",
		"password = \"notasecret-Zq8xR2mN7vL4\"\n", "api_key = \"Zq8xR2mN7vL4pK9sQw3rTy\"\n",
		// A token without keywords, one the OR allowlist's regex allows
		// and one its stop word does.
		"zzab12cd34ef\n", "id zz0123456789 end\n", "zzstop123456\n", "primary_abcdef\n", "auxkey_ghijkl\n",
		"plain text without anything\n", "x := 1\n", "\n", "value: 'a1b2c3d4e5f6g7h8'\n",
		"zzfx12cd34ef # fixture\n", // allowed by its line
	}
	ctx := context.Background()
	r := rand.New(rand.NewSource(3))
	found := map[string]int{}
	for range 600 {
		var b strings.Builder
		for range 1 + r.Intn(4) {
			b.WriteString(pieces[r.Intn(len(pieces))])
		}
		text := b.String()
		for _, path := range paths {
			for _, sha := range commits {
				frag := detect.Fragment{Raw: text, FilePath: path, StartLine: 3, CommitSHA: sha}
				var want, got []string
				for _, f := range g.detector().DetectContext(ctx, frag) {
					want = append(want, fmt.Sprintf("%s:%d:%d:%s", f.RuleID, f.StartLine, f.StartColumn, f.Secret))
				}
				var commit *Commit
				if sha != "" {
					commit = &Commit{SHA: sha}
				}
				for _, m := range g.Detect(ctx, Fragment{Path: path, Text: text, StartLine: 3, Commit: commit}) {
					got = append(got, fmt.Sprintf("%s:%d:%d:%s", m.RuleID, m.Line, m.Column, m.text().secret))
					found[m.RuleID]++
				}
				slices.Sort(want)
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Fatalf("path %q commit %q: findings %v, gitleaks %v, in %q", path, sha, got, want, text)
				}
			}
		}
	}
	// Every kind of rule must have been found somewhere, or the test
	// compares empty sets.
	for _, id := range []string{"aws-access-token", "generic-api-key", "no-keyword-token", "no-keyword-path", "composite-primary"} {
		if found[id] == 0 {
			t.Errorf("rule %s found nothing: the test does not exercise it", id)
		}
	}
}
