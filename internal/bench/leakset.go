package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
)

// LeakKey is what the leak scan of secretgate and the gitleaks CLI must
// agree on for the same input: rule, file, line and, in a history scan,
// the commit.
type LeakKey struct {
	Rule   string
	File   string
	Line   int
	Commit string
}

func (k LeakKey) String() string {
	s := fmt.Sprintf("%s %s:%d", k.Rule, k.File, k.Line)
	if k.Commit != "" {
		s += " @" + k.Commit[:min(len(k.Commit), 12)]
	}
	return s
}

// GitleaksLeaks reads a gitleaks JSON report (--report-format json). File
// names are made relative to root when they are under it (gitleaks dir
// prints the path it was given joined with the file's); commits are kept
// only when withCommit.
func GitleaksLeaks(r io.Reader, root string, withCommit bool) ([]LeakKey, error) {
	var report []struct {
		RuleID    string
		File      string
		StartLine int
		Commit    string
	}
	if err := json.NewDecoder(r).Decode(&report); err != nil {
		return nil, fmt.Errorf("gitleaks report: %w", err)
	}
	out := make([]LeakKey, 0, len(report))
	for _, f := range report {
		k := LeakKey{Rule: f.RuleID, File: relativeTo(root, f.File), Line: f.StartLine}
		if withCommit {
			k.Commit = f.Commit
		}
		out = append(out, k)
	}
	return out, nil
}

func relativeTo(root, file string) string {
	if root == "" {
		return filepath.ToSlash(file)
	}
	if rel, err := filepath.Rel(root, file); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(file)
}

// SecretgateLeaks reads the leaks of the input document secretgate
// check --write-input writes.
func SecretgateLeaks(r io.Reader, withCommit bool) ([]LeakKey, error) {
	var doc struct {
		Leaks []struct {
			RuleID string `json:"rule_id"`
			File   string `json:"file"`
			Line   int    `json:"line"`
			Commit string `json:"commit"`
		} `json:"leaks"`
	}
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return nil, fmt.Errorf("secretgate input document: %w", err)
	}
	out := make([]LeakKey, 0, len(doc.Leaks))
	for _, l := range doc.Leaks {
		k := LeakKey{Rule: l.RuleID, File: l.File, Line: l.Line}
		if withCommit {
			k.Commit = l.Commit
		}
		out = append(out, k)
	}
	return out, nil
}

// DiffLeaks compares two scans as sets (a finding twice on one line is one
// finding): the keys only want has ("- ") and only got has ("+ "), sorted.
func DiffLeaks(want, got []LeakKey) []string {
	in := func(keys []LeakKey) map[LeakKey]bool {
		m := make(map[LeakKey]bool, len(keys))
		for _, k := range keys {
			m[k] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var diff []string
	for k := range w {
		if !g[k] {
			diff = append(diff, "- "+k.String())
		}
	}
	for k := range g {
		if !w[k] {
			diff = append(diff, "+ "+k.String())
		}
	}
	slices.Sort(diff)
	return diff
}

// DistinctLeaks counts the distinct keys of a scan.
func DistinctLeaks(keys []LeakKey) int {
	m := make(map[LeakKey]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return len(m)
}
