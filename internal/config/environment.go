package config

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
)

// EnvironmentOf derives the environment of a role, policy or secret from its
// name, IAM path and tags, trying the EnvironmentFrom sources in order. It
// returns a configured environment name (aliases are mapped to it), or ""
// when no source yields one. A source whose value is not a configured
// environment (a tag environment=qa when qa is not configured) is passed
// over, and the next source is tried.
func (c *Config) EnvironmentOf(name, path string, tags map[string]string) string {
	for _, src := range c.EnvironmentFrom {
		var env string
		switch src.Kind {
		case SourceTag:
			env = c.lookup(tagValue(tags, src.Tag))
		case SourceNameSegment:
			sep := src.Separator
			if sep == "" {
				sep = "/"
			}
			env = c.lookup(segment(strings.Split(name, sep), src.Index))
		case SourcePathSegment:
			p := strings.Trim(path, "/")
			if p != "" {
				env = c.lookup(segment(strings.Split(p, "/"), src.Index))
			}
		case SourceNameContains:
			env = c.token(name)
		}
		if env != "" {
			return env
		}
	}
	return ""
}

// tagValue returns the value of tag key, compared case-insensitively; an
// exact match wins over other spellings, then the first key in sorted order,
// so that the result never depends on map order.
func tagValue(tags map[string]string, key string) string {
	if v, ok := tags[key]; ok {
		return v
	}
	var keys []string
	for k := range tags {
		if strings.EqualFold(k, key) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return ""
	}
	slices.Sort(keys)
	return tags[keys[0]]
}

// segment returns parts[i], counting from the end when i < 0.
func segment(parts []string, i int) string {
	if i < 0 {
		i += len(parts)
	}
	if i < 0 || i >= len(parts) {
		return ""
	}
	return parts[i]
}

// lookup maps an environment name or alias, in any case, to the configured
// name.
func (c *Config) lookup(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return ""
	}
	for _, e := range c.Environments {
		if e.Name == s {
			return e.Name
		}
	}
	for _, e := range c.Environments {
		for _, a := range e.Aliases {
			if a == s {
				return e.Name
			}
		}
	}
	return ""
}

// isDelim reports whether b separates the tokens of a name for
// name_contains.
func isDelim(b byte) bool { return b == '-' || b == '_' || b == '/' || b == '.' }

// token finds an environment name or alias that appears in name as a whole
// token, delimited by the start or end of the name or by - _ / or . —
// github-actions-payments-prod is prod, product-api is nothing. When several
// appear, the one that ends last wins (roles are usually named
// <purpose>-<env>), and at the same end the longer one (pre-prod over prod).
func (c *Config) token(name string) string {
	name = strings.ToLower(name)
	best, bestEnd, bestLen := "", -1, 0
	try := func(tok, env string) {
		for from := 0; from <= len(name)-len(tok); {
			i := strings.Index(name[from:], tok)
			if i < 0 {
				return
			}
			start := from + i
			end := start + len(tok)
			if (start == 0 || isDelim(name[start-1])) && (end == len(name) || isDelim(name[end])) {
				if end > bestEnd || (end == bestEnd && len(tok) > bestLen) {
					best, bestEnd, bestLen = env, end, len(tok)
				}
			}
			from = start + 1
		}
	}
	for _, e := range c.Environments {
		try(e.Name, e.Name)
		for _, a := range e.Aliases {
			try(a, e.Name)
		}
	}
	return best
}

// segmentClass is what a {placeholder} other than {env} matches: one
// lower-case segment.
const segmentClass = `[a-z0-9][a-z0-9._-]*`

var placeholderRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// compilePattern turns a naming pattern such as "{env}/{service}/{type}" into
// an anchored regular expression: {env} (or {environment}) matches one of the
// environment names, every other placeholder one lower-case segment, and
// everything else itself.
func compilePattern(pattern string, envs []Environment) (Naming, error) {
	if strings.TrimSpace(pattern) == "" {
		return Naming{}, fmt.Errorf("must not be empty")
	}
	var b strings.Builder
	b.WriteString("^")
	rest := pattern
	for rest != "" {
		open := strings.IndexAny(rest, "{}")
		if open < 0 {
			b.WriteString(regexp.QuoteMeta(rest))
			break
		}
		if rest[open] == '}' {
			return Naming{}, fmt.Errorf("%q has a } without a matching {", pattern)
		}
		b.WriteString(regexp.QuoteMeta(rest[:open]))
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return Naming{}, fmt.Errorf("%q has a { without a matching }", pattern)
		}
		name := rest[open+1 : open+end]
		if !placeholderRE.MatchString(name) {
			return Naming{}, fmt.Errorf("%q: placeholder {%s} must be a lower-case name such as {env}, {service} or {type}", pattern, name)
		}
		if name == "env" || name == "environment" {
			b.WriteString("(")
			for i, e := range envs {
				if i > 0 {
					b.WriteString("|")
				}
				b.WriteString(regexp.QuoteMeta(e.Name))
			}
			b.WriteString(")")
		} else {
			b.WriteString(segmentClass)
		}
		rest = rest[open+end+1:]
	}
	b.WriteString("$")
	return Naming{Pattern: pattern, Regex: b.String()}, nil
}

// anchor makes a user-given regular expression match whole names: it is
// kept as written when it already is ^…$ at the top level, and wrapped in
// ^(?:…)$ otherwise (^a|b$ is not anchored: it is ^a or b$).
func anchor(re string) string {
	if t, err := syntax.Parse(re, syntax.Perl); err == nil && t.Op == syntax.OpConcat && len(t.Sub) >= 2 &&
		t.Sub[0].Op == syntax.OpBeginText && t.Sub[len(t.Sub)-1].Op == syntax.OpEndText {
		return re
	}
	return "^(?:" + re + ")$"
}
