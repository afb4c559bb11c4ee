package leaks

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"runtime/debug"
	"sort"

	glconfig "github.com/zricethezav/gitleaks/v8/config"
)

// rulesetIdentifier is implemented by detectors whose results are a pure
// function of a fragment's path, commit and text under a rule set that has
// a stable identity, so that clean results can be cached (cache.go).
type rulesetIdentifier interface {
	// RulesetID changes whenever anything that decides a detector's
	// results changes: a rule, an allowlist, the engine's version.
	RulesetID() string
}

// cacheSchema names the layout of cache entries and of what they mean; it
// is part of every rule set identity, so changing it invalidates caches.
// 2: text that git or gitleaks calls binary is scanned (textfile.go,
// binarypatch.go), so a file or commit cached as clean under 1 may not be.
// 3: merge commits are scanned (git log --remerge-diff), so a merge cached
// as clean under 2 may not be.
const cacheSchema = "secretgate-leaks-cache/3"

// rulesetID hashes the configuration in effect after gitleaks has
// translated it (default rules, .gitleaks.toml, [extend] files, disabled
// rules), together with the gitleaks and secretgate versions and the
// decoding depth. Hashing the effective configuration rather than the TOML
// files means an edit to an extended file invalidates caches too.
func rulesetID(cfg *glconfig.Config) string {
	h := sha256.New()
	field := func(name string, v any) { fmt.Fprintf(h, "%s=%q\n", name, fmt.Sprint(v)) }
	field("schema", cacheSchema)
	field("gitleaks", moduleVersion("github.com/zricethezav/gitleaks/v8"))
	field("secretgate", mainVersion())
	field("decode-depth", maxDecodeDepth)
	field("config-path", cfg.Path)
	ids := make([]string, 0, len(cfg.Rules))
	for id := range cfg.Rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		r := cfg.Rules[id]
		field("rule", r.RuleID)
		field("description", r.Description)
		field("entropy", r.Entropy)
		field("secret-group", r.SecretGroup)
		field("regex", reString(r.Regex))
		field("path", reString(r.Path))
		field("keywords", sorted(r.Keywords))
		field("skip-report", r.SkipReport)
		for _, req := range r.RequiredRules {
			field("required", req.RuleID)
			field("within-lines", intPtr(req.WithinLines))
			field("within-columns", intPtr(req.WithinColumns))
		}
		hashAllowlists(field, r.Allowlists)
	}
	field("global", len(cfg.Allowlists))
	hashAllowlists(field, cfg.Allowlists)
	return hex.EncodeToString(h.Sum(nil))
}

// defaultRulesetID identifies gitleaks' default rules by the text of its
// embedded configuration.
func defaultRulesetID() string {
	h := sha256.New()
	for _, f := range []string{cacheSchema, moduleVersion("github.com/zricethezav/gitleaks/v8"), mainVersion(), fmt.Sprint(maxDecodeDepth), "default", glconfig.DefaultConfig} {
		fmt.Fprintf(h, "%d:%s\n", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func hashAllowlists(field func(string, any), lists []*glconfig.Allowlist) {
	for _, a := range lists {
		field("allowlist", a.Description)
		field("condition", a.MatchCondition.String())
		field("commits", sorted(a.Commits))
		for _, p := range a.Paths {
			field("allow-path", reString(p))
		}
		field("regex-target", a.RegexTarget)
		for _, re := range a.Regexes {
			field("allow-regex", reString(re))
		}
		field("stopwords", sorted(a.StopWords))
	}
}

// sorted is a sorted copy: gitleaks builds some lists from maps, in an
// order that differs from run to run.
func sorted(list []string) []string {
	out := append([]string(nil), list...)
	sort.Strings(out)
	return out
}

func reString(re *regexp.Regexp) string {
	if re == nil {
		return ""
	}
	return re.String()
}

func intPtr(p *int) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprint(*p)
}

// moduleVersion is the version of a dependency linked into this binary.
func moduleVersion(path string) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	for _, m := range bi.Deps {
		if m.Path == path {
			if m.Replace != nil {
				return m.Version + "=>" + m.Replace.Path + "@" + m.Replace.Version
			}
			return m.Version
		}
	}
	return "unknown"
}

// mainVersion identifies the secretgate build: its module version and, in
// a build from a checkout, the VCS revision and whether it was modified.
func mainVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" || s.Key == "vcs.modified" {
			v += " " + s.Key + "=" + s.Value
		}
	}
	return v
}
