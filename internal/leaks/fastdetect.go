package leaks

// This file holds copies of gitleaks' (v8.30.1, MIT licence) detectRule,
// its allowlist checks, location, entropy and generic-finding filter from
// detect/detect.go, detect/location.go and detect/utils.go, cut down to
// what fastEngine needs: a fragment of a file or patch (no commit details,
// no Windows paths, no symbolic links), the first pass without decoding,
// and rules without path conditions or required rules. Logging is left
// out. Keep them in step with gitleaks when upgrading it;
// TestFastRulesMatchGitleaks compares the results with gitleaks' own.

import (
	"math"
	"strings"

	glconfig "github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/report"
)

const gitleaksAllowSignature = "gitleaks:allow"

// detect returns the findings of the fast rules in one fragment, before
// gitleaks' filter (applied by the caller to all findings of the fragment).
func (e *fastEngine) detect(path, commit, raw string, startLine int) []report.Finding {
	if path != "" && path == e.cfg.Path {
		return nil
	}
	if commitOrPathAllowed(path, commit, e.cfg.Allowlists) {
		return nil
	}
	lower := strings.ToLower(raw)
	present := map[string]bool{}
	for _, m := range e.prefilter.MatchString(lower) {
		present[lower[m.Pos():int(m.Pos())+len(m.Match())]] = true
	}
	var ascii string // raw with ASCII letters lowered, made on first use
	var findings []report.Finding
	for _, m := range e.matchers {
		run := false
		for _, k := range m.rule.Keywords {
			if present[strings.ToLower(k)] {
				run = true
				break
			}
		}
		if !run {
			continue
		}
		if m.fold && ascii == "" {
			ascii = asciiLower(raw)
		}
		findings = append(findings, e.detectRule(m, path, commit, raw, ascii, startLine)...)
	}
	return findings
}

// detectRule is gitleaks' detectRule for a rule without path condition or
// required rules, on the first decoding pass (currentRaw == fragment.Raw,
// no encoded segments).
func (e *fastEngine) detectRule(m *fastMatcher, path, commit, raw, lower string, startLine int) []report.Finding {
	r := m.rule
	if commitOrPathAllowed(path, commit, r.Allowlists) {
		return nil
	}
	matches := m.findAll(raw, lower)
	if len(matches) == 0 {
		return nil
	}
	newlineIndices := newlines(raw)
	var findings []report.Finding
	for _, matchIndex := range matches {
		secret := strings.Trim(raw[matchIndex[0]:matchIndex[1]], "\n")
		matchIndex[1] = matchIndex[0] + len(secret)
		loc := location(newlineIndices, raw, matchIndex)
		if matchIndex[1] > loc.endLineIndex {
			loc.endLineIndex = matchIndex[1]
		}
		finding := report.Finding{
			Commit:      commit,
			RuleID:      r.RuleID,
			Description: r.Description,
			StartLine:   startLine + loc.startLine,
			EndLine:     startLine + loc.endLine,
			StartColumn: loc.startColumn,
			EndColumn:   loc.endColumn,
			Line:        raw[loc.startLineIndex:loc.endLineIndex],
			Match:       secret,
			Secret:      secret,
			File:        path,
			Tags:        r.Tags,
		}
		if strings.Contains(finding.Line, gitleaksAllowSignature) {
			continue
		}
		currentLine := finding.Line
		groups := r.Regex.FindStringSubmatch(finding.Secret)
		if len(groups) >= 2 {
			if r.SecretGroup > 0 {
				if len(groups) <= r.SecretGroup {
					continue
				}
				finding.Secret = groups[r.SecretGroup]
			} else {
				for _, s := range groups[1:] {
					if len(s) > 0 {
						finding.Secret = s
						break
					}
				}
			}
		}
		entropy := shannonEntropy(finding.Secret)
		finding.Entropy = float32(entropy)
		if r.Entropy != 0.0 && entropy <= r.Entropy {
			continue
		}
		if findingAllowed(finding, path, commit, currentLine, e.cfg.Allowlists) {
			continue
		}
		if findingAllowed(finding, path, commit, currentLine, r.Allowlists) {
			continue
		}
		findings = append(findings, finding)
	}
	return findings
}

// newlines is gitleaks' newLineRegexp.FindAllStringIndex(raw, -1).
func newlines(raw string) [][]int {
	var out [][]int
	for i := 0; i < len(raw); {
		j := strings.IndexByte(raw[i:], '\n')
		if j < 0 {
			break
		}
		out = append(out, []int{i + j, i + j + 1})
		i += j + 1
	}
	return out
}

// commitOrPathAllowed is gitleaks' checkCommitOrPathAllowed.
func commitOrPathAllowed(path, commit string, allowlists []*glconfig.Allowlist) bool {
	if path == "" && commit == "" {
		return false
	}
	for _, a := range allowlists {
		commitAllowed, _ := a.CommitAllowed(commit)
		pathAllowed := a.PathAllowed(path)
		var allowed bool
		if a.MatchCondition == glconfig.AllowlistMatchAnd {
			var checks []bool
			if len(a.Commits) > 0 {
				checks = append(checks, commitAllowed)
			}
			if len(a.Paths) > 0 {
				checks = append(checks, pathAllowed)
			}
			if len(a.Regexes) > 0 || len(a.StopWords) > 0 {
				continue // checked per finding
			}
			allowed = allTrue(checks)
		} else {
			allowed = commitAllowed || pathAllowed
		}
		if allowed {
			return true
		}
	}
	return false
}

// findingAllowed is gitleaks' checkFindingAllowed.
func findingAllowed(f report.Finding, path, commit, currentLine string, allowlists []*glconfig.Allowlist) bool {
	for _, a := range allowlists {
		target := f.Secret
		switch a.RegexTarget {
		case "match":
			target = f.Match
		case "line":
			target = currentLine
		}
		regexAllowed := a.RegexAllowed(target)
		containsStopword, _ := a.ContainsStopWord(f.Secret)
		var allowed bool
		if a.MatchCondition == glconfig.AllowlistMatchAnd {
			var checks []bool
			if len(a.Commits) > 0 {
				ok, _ := a.CommitAllowed(commit)
				checks = append(checks, ok)
			}
			if len(a.Paths) > 0 {
				checks = append(checks, a.PathAllowed(path))
			}
			if len(a.Regexes) > 0 {
				checks = append(checks, regexAllowed)
			}
			if len(a.StopWords) > 0 {
				checks = append(checks, containsStopword)
			}
			allowed = allTrue(checks)
		} else {
			allowed = regexAllowed || containsStopword
		}
		if allowed {
			return true
		}
	}
	return false
}

func allTrue(bools []bool) bool {
	for _, b := range bools {
		if !b {
			return false
		}
	}
	return true
}

// shannonEntropy is gitleaks'.
func shannonEntropy(data string) (entropy float64) {
	if data == "" {
		return 0
	}
	charCounts := make(map[rune]int)
	for _, char := range data {
		charCounts[char]++
	}
	invLength := 1.0 / float64(len(data))
	for _, count := range charCounts {
		freq := float64(count) * invLength
		entropy -= freq * math.Log2(freq)
	}
	return entropy
}

// genericFilter is gitleaks' filter (without redaction): a finding of a
// "generic" rule is dropped when a finding of another, non-generic rule on
// the same line (and commit) holds its secret.
func genericFilter(findings []report.Finding) []report.Finding {
	var out []report.Finding
	for _, f := range findings {
		include := true
		if strings.Contains(strings.ToLower(f.RuleID), "generic") {
			for _, fPrime := range findings {
				if f.StartLine == fPrime.StartLine &&
					f.Commit == fPrime.Commit &&
					f.RuleID != fPrime.RuleID &&
					strings.Contains(fPrime.Secret, f.Secret) &&
					!strings.Contains(strings.ToLower(fPrime.RuleID), "generic") {
					include = false
					break
				}
			}
		}
		if include {
			out = append(out, f)
		}
	}
	return out
}

// gitleaksLocation is gitleaks' Location.
type gitleaksLocation struct {
	startLine      int
	endLine        int
	startColumn    int
	endColumn      int
	startLineIndex int
	endLineIndex   int
}

// location is gitleaks' location.
func location(newlineIndices [][]int, raw string, matchIndex []int) gitleaksLocation {
	var (
		prevNewLine int
		location    gitleaksLocation
		lineSet     bool
		_lineNum    int
	)
	start := matchIndex[0]
	end := matchIndex[1]
	location.startLineIndex = 0
	if len(newlineIndices) == 0 {
		newlineIndices = [][]int{
			{len(raw), len(raw) + 1},
		}
	}
	for lineNum, pair := range newlineIndices {
		_lineNum = lineNum
		newLineByteIndex := pair[0]
		if prevNewLine <= start && start < newLineByteIndex {
			lineSet = true
			location.startLine = lineNum
			location.endLine = lineNum
			location.startColumn = (start - prevNewLine) + 1
			location.startLineIndex = prevNewLine
			location.endLineIndex = newLineByteIndex
		}
		if prevNewLine < end && end <= newLineByteIndex {
			location.endLine = lineNum
			location.endColumn = (end - prevNewLine)
			location.endLineIndex = newLineByteIndex
		}
		prevNewLine = pair[0]
	}
	if !lineSet {
		location.startColumn = (start - prevNewLine) + 1
		location.endColumn = (end - prevNewLine)
		location.startLine = _lineNum + 1
		location.endLine = _lineNum + 1
		i := 0
		for end+i < len(raw) {
			if raw[end+i] == '\n' {
				break
			}
			if raw[end+i] == '\r' {
				break
			}
			i++
		}
		location.endLineIndex = end + i
	}
	return location
}
