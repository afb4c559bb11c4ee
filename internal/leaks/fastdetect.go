package leaks

// This file holds copies of gitleaks' (v8.30.1, MIT licence)
// DetectContext's decoding loop, detectRule, its allowlist checks,
// location, entropy and generic-finding filter from detect/detect.go,
// detect/location.go and detect/utils.go, cut down to what fastEngine
// needs: a fragment of a file or patch (no commit details, no Windows
// paths, no symbolic links) and rules without required rules or
// skip-report. Logging is left out. Keep them in step with gitleaks when
// upgrading it; TestFastRulesMatchGitleaks compares the results with
// gitleaks' own.

import (
	"context"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/secretgate/secretgate/internal/leaks/glcodec"
	glconfig "github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/report"
)

const gitleaksAllowSignature = "gitleaks:allow"

// detect returns the findings of the fast rules in one fragment, before
// gitleaks' filter (applied by the caller to all findings of the
// fragment), and whether the rules left to gitleaks' detector may find
// anything in it (one of their keywords occurs, or one has none).
func (e *fastEngine) detect(path, commit, raw string, startLine int) ([]report.Finding, bool) {
	if path != "" && path == e.cfg.Path {
		return nil, false
	}
	if e.globalAllowed(path, commit) {
		return nil, false
	}
	var findings []report.Finding
	for i := range e.pathOnly {
		findings = append(findings, e.detectPath(&e.pathOnly[i], path, commit)...)
	}
	st := e.scan(raw)
	rest := e.restAlways || anyPresent(st.present, e.restKeywords)
	occ := e.occurrences(&st)
	if occ == nil {
		return findings, rest
	}
	for i, m := range e.matchers {
		if !st.active[i] {
			continue
		}
		findings = append(findings, e.detectRule(m, path, commit, raw, occ[i], startLine)...)
	}
	return findings, rest
}

// scan finds the keywords (as gitleaks' prefilter finds them: in the text
// lowered by strings.ToLower) and the literal occurrences (in the text
// with only its ASCII letters lowered, so that positions stay) of a text:
// one pass of the automaton for ASCII text, where both are the same.
func (e *fastEngine) scan(raw string) scanState {
	st := scanState{present: make([]bool, len(e.patterns))}
	lower := strings.ToLower(raw)
	if isASCII(raw) {
		e.walk(&st, lower, true, true)
	} else {
		e.walk(&st, lower, true, false)
		e.walk(&st, asciiLower(raw), false, true)
	}
	for i, m := range e.matchers {
		if anyPresent(st.present, m.keywords) {
			if st.active == nil {
				st.active = make([]bool, len(e.matchers))
			}
			st.active[i] = true
		}
	}
	return st
}

// occurrences returns, for each active matcher, the sorted start
// positions of its literals; nil when no matcher is active.
func (e *fastEngine) occurrences(st *scanState) [][]int {
	if st.active == nil {
		return nil
	}
	occ := make([][]int, len(e.matchers))
	for _, h := range st.hits {
		for _, o := range e.patterns[h.pattern].owners {
			if st.active[o] {
				occ[o] = append(occ[o], h.pos)
			}
		}
	}
	for i := range occ {
		// The automaton reports occurrences by their end: those of
		// literals of different lengths may be out of order.
		if !slices.IsSorted(occ[i]) {
			slices.Sort(occ[i])
		}
		occ[i] = slices.Compact(occ[i])
	}
	return occ
}

// detectPath is gitleaks' detectRule for a rule that matches a path alone,
// on the first decoding pass.
func (e *fastEngine) detectPath(r *glconfig.Rule, path, commit string) []report.Finding {
	if commitOrPathAllowed(path, commit, r.Allowlists) || !r.Path.MatchString(path) {
		return nil
	}
	return []report.Finding{{
		Commit:      commit,
		RuleID:      r.RuleID,
		Description: r.Description,
		File:        path,
		Match:       "file detected: " + path,
		Tags:        r.Tags,
	}}
}

// detectRule is gitleaks' detectRule for a rule without required rules,
// on the first decoding pass (currentRaw == fragment.Raw, no encoded
// segments). occ are the positions of the rule's literals.
func (e *fastEngine) detectRule(m *fastMatcher, path, commit, raw string, occ []int, startLine int) []report.Finding {
	return e.detectRuleAt(&m.rule, m, path, commit, raw, raw, nil, occ, startLine)
}

// detectRuleAt is gitleaks' detectRule for a rule without required rules
// or skip-report, on any decoding pass: currentRaw is the fragment's text
// as decoded so far, segments what the decoder found in it (none on the
// first pass). m finds the rule's matches from occ, the positions of its
// literals in currentRaw; nil for a rule its expression matches.
func (e *fastEngine) detectRuleAt(r *glconfig.Rule, m *fastMatcher, path, commit, raw, currentRaw string, segments []*glcodec.EncodedSegment, occ []int, startLine int) []report.Finding {
	if commitOrPathAllowed(path, commit, r.Allowlists) {
		return nil
	}
	if r.Path != nil {
		if r.Regex == nil && len(segments) == 0 {
			if !r.Path.MatchString(path) {
				return nil
			}
			return []report.Finding{{Commit: commit, RuleID: r.RuleID, Description: r.Description, File: path,
				Match: "file detected: " + path, Tags: r.Tags}}
		} else if !r.Path.MatchString(path) {
			return nil
		}
	}
	if r.Regex == nil {
		return nil
	}
	var matches [][]int
	if m != nil {
		matches = m.matches(currentRaw, occ)
	} else {
		matches = r.Regex.FindAllStringIndex(currentRaw, -1)
	}
	if len(matches) == 0 {
		return nil
	}
	newlineIndices := newlines(raw)
	var findings []report.Finding
	for _, matchIndex := range matches {
		secret := strings.Trim(currentRaw[matchIndex[0]:matchIndex[1]], "\n")
		var metaTags []string
		currentLine := ""
		if len(segments) > 0 {
			segs := glcodec.SegmentsWithDecodedOverlap(segments, matchIndex[0], matchIndex[1])
			if len(segs) == 0 {
				continue // found on an earlier pass
			}
			matchIndex = glcodec.AdjustMatchIndex(segs, matchIndex)
			metaTags = append(metaTags, glcodec.Tags(segs)...)
			currentLine = glcodec.CurrentLine(segs, currentRaw)
		} else {
			matchIndex[1] = matchIndex[0] + len(secret)
		}
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
			Tags:        append(slices.Clip(r.Tags), metaTags...),
		}
		if strings.Contains(finding.Line, gitleaksAllowSignature) {
			continue
		}
		if currentLine == "" {
			currentLine = finding.Line
		}
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

// detectDecoded returns the findings of gitleaks' decoding passes (depth 1
// to maxDepth) over a fragment, before gitleaks' filter: the text is
// decoded as gitleaks decodes it, and every rule whose keyword occurs in
// the decoded text runs on it (the fast rules through their literals),
// keeping the matches that overlap what this pass decoded. first is the
// first pass's decoding (firstDecoding). Only for an engine with decodes
// set.
func (e *fastEngine) detectDecoded(ctx context.Context, path, commit, raw string, startLine, maxDepth int, first decoding) []report.Finding {
	if (path != "" && path == e.cfg.Path) || e.globalAllowed(path, commit) {
		return nil
	}
	var findings []report.Finding
	currentRaw, segments := first.text, first.segments
	for depth := 1; depth <= maxDepth; depth++ {
		if ctx.Err() != nil {
			break
		}
		if depth > 1 {
			currentRaw, segments = first.decoder.Decode(currentRaw, segments)
		}
		if len(segments) == 0 {
			break
		}
		st := e.scan(currentRaw)
		for i := range e.others {
			o := &e.others[i]
			if len(o.rule.Keywords) == 0 || anyPresent(st.present, o.keywords) {
				findings = append(findings, e.detectRuleAt(&o.rule, nil, path, commit, raw, currentRaw, segments, nil, startLine)...)
			}
		}
		for i := range e.pathOnly {
			// Path-only rules find nothing on decoded text, but gitleaks
			// still runs them; kept for the day one has an expression.
			findings = append(findings, e.detectRuleAt(&e.pathOnly[i], nil, path, commit, raw, currentRaw, segments, nil, startLine)...)
		}
		if occ := e.occurrences(&st); occ != nil {
			for i, m := range e.matchers {
				if st.active[i] {
					findings = append(findings, e.detectRuleAt(&m.rule, m, path, commit, raw, currentRaw, segments, occ[i], startLine)...)
				}
			}
		}
	}
	return findings
}

// decoding is a fragment's first decoding pass: its text with what
// decodes decoded, the segments decoded (none when nothing decodes: then
// gitleaks stops after the first pass) and the decoder for the next.
type decoding struct {
	decoder  *glcodec.Decoder
	text     string
	segments []*glcodec.EncodedSegment
}

// firstDecoding decodes a fragment's text as gitleaks' first decoding
// pass does.
func firstDecoding(raw string) decoding {
	d := decoding{decoder: glcodec.NewDecoder()}
	d.text, d.segments = d.decoder.Decode(raw, nil)
	return d
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

// maxPathVerdicts bounds the verdicts a pathMemo remembers.
const maxPathVerdicts = 1 << 18

// pathMemo remembers the global allowlists' path verdicts, by the
// allowlist's place in the configuration and the path: the walk
// (SkipPath), each of a file's fragments and each of their decoding
// passes ask the same of the same path, and the allowlists' path
// expressions are costly (some 50 µs a path). The place, not the
// allowlist, is the key because SkipPath may read them from a
// configuration translated without its rules (Gitleaks.globalAllowlists).
type pathMemo struct {
	verdicts sync.Map
	count    atomic.Int64
}

type pathVerdictKey struct {
	list int
	path string
}

// allowed is a.PathAllowed(path); a is the i-th global allowlist.
func (pm *pathMemo) allowed(i int, a *glconfig.Allowlist, path string) bool {
	k := pathVerdictKey{i, path}
	if v, ok := pm.verdicts.Load(k); ok {
		return v.(bool)
	}
	allowed := a.PathAllowed(path)
	if pm.count.Add(1) <= maxPathVerdicts {
		pm.verdicts.Store(k, allowed)
	}
	return allowed
}

// pathAllowed is a.PathAllowed(path), remembered in the engine's memo
// for the global allowlists.
func (e *fastEngine) pathAllowed(a *glconfig.Allowlist, path string) bool {
	if i, ok := e.allowIndex[a]; ok && e.paths != nil {
		return e.paths.allowed(i, a, path)
	}
	return a.PathAllowed(path)
}

// globalAllowed is commitOrPathAllowed for the global allowlists.
func (e *fastEngine) globalAllowed(path, commit string) bool {
	return commitOrPathAllowedBy(path, commit, e.cfg.Allowlists, e.pathAllowed)
}

// commitOrPathAllowed is gitleaks' checkCommitOrPathAllowed.
func commitOrPathAllowed(path, commit string, allowlists []*glconfig.Allowlist) bool {
	return commitOrPathAllowedBy(path, commit, allowlists, (*glconfig.Allowlist).PathAllowed)
}

// commitOrPathAllowedBy is commitOrPathAllowed with the allowlists' path
// verdicts from pathAllowed.
func commitOrPathAllowedBy(path, commit string, allowlists []*glconfig.Allowlist, pathAllowedBy func(*glconfig.Allowlist, string) bool) bool {
	if path == "" && commit == "" {
		return false
	}
	for _, a := range allowlists {
		commitAllowed, _ := a.CommitAllowed(commit)
		pathAllowed := pathAllowedBy(a, path)
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
