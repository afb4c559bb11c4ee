package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// decoder walks a yaml.Node tree instead of unmarshalling into structs, so
// that every problem has a line and column, unknown and duplicate keys are
// caught at every level, and all problems of a file are collected instead of
// stopping at the first.
type decoder struct {
	file string
	errs Errors
	// policyDir resolves a relative `policies` entry; nil: against the
	// file's directory.
	policyDir func(entry string) string
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	e := &Error{File: d.file, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	d.errs = append(d.errs, e)
}

// typeError reports a value of the wrong kind at path.
func (d *decoder) typeError(n *yaml.Node, path, want string) {
	d.errorf(n, "%s: want %s, got %s", path, want, describe(n))
}

// deref follows YAML aliases (*name) to the anchored node.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	n = deref(n)
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// describe names what a node holds, for "want X, got Y" messages.
func describe(n *yaml.Node) string {
	n = deref(n)
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "nothing (null)"
		case "!!str":
			return fmt.Sprintf("the string %q", n.Value)
		case "!!int":
			return "the integer " + n.Value
		case "!!float":
			return "the number " + n.Value
		case "!!bool":
			return "the boolean " + n.Value
		case "!!timestamp":
			return "the date " + n.Value
		default:
			return fmt.Sprintf("a value tagged %s", n.Tag)
		}
	}
	return "an unsupported YAML node"
}

// child joins a key path for messages: "environments" + "prod".
func child(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// fields are the pairs of one YAML mapping, after unknown and duplicate
// keys were reported.
type fields struct {
	path  string
	order []string
	keys  map[string]*yaml.Node
	vals  map[string]*yaml.Node
	node  *yaml.Node
}

// get returns the value of key, nil when absent.
func (f *fields) get(key string) *yaml.Node {
	if f == nil {
		return nil
	}
	return f.vals[key]
}

// has reports whether key is present with a non-null value.
func (f *fields) has(key string) bool { return !isNull(f.get(key)) }

// mapping reads n as a mapping whose keys must be among known (nil: any
// key). A null node is an empty mapping. It returns nil, after reporting,
// when n is not a mapping. Merge keys (<<: *anchor) are honoured: merged
// pairs fill in what the mapping does not set itself.
func (d *decoder) mapping(n *yaml.Node, path string, known []string) *fields {
	n = deref(n)
	f := &fields{path: path, keys: map[string]*yaml.Node{}, vals: map[string]*yaml.Node{}, node: n}
	if isNull(n) {
		return f
	}
	if n.Kind != yaml.MappingNode {
		want := "a mapping"
		if path == "" {
			want = "a mapping of settings"
			path = "the configuration"
		}
		d.typeError(n, path, want)
		return nil
	}
	d.collect(n, f, known, false, map[*yaml.Node]bool{n: true})
	return f
}

// collect adds the pairs of n to f. seen holds the mappings already
// collected into f, so that a mapping merged many times (<<: [*a, *a], or
// through other merged mappings) is read once: merge chains cannot make the
// work grow beyond the size of the document.
func (d *decoder) collect(n *yaml.Node, f *fields, known []string, merged bool, seen map[*yaml.Node]bool) {
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Tag == "!!null" {
			d.errorf(k, "%s: keys must be plain names, got %s", orTop(f.path), describe(k))
			continue
		}
		if k.Tag == "!!merge" {
			merges = append(merges, v)
			continue
		}
		name := k.Value
		if prev, dup := f.keys[name]; dup {
			if !merged {
				d.errorf(k, "duplicate key %q%s (first at line %d)", name, in(f.path), prev.Line)
			}
			continue
		}
		if known != nil && !contains(known, name) {
			d.errorf(k, "unknown key %q%s%s", name, in(f.path), suggest(name, known, f.path))
			continue
		}
		f.keys[name], f.vals[name] = k, v
		f.order = append(f.order, name)
	}
	// Merged mappings only fill in keys the mapping does not set itself;
	// the first merged mapping wins among several (YAML merge semantics).
	for _, m := range merges {
		m = deref(m)
		var sources []*yaml.Node
		switch m.Kind {
		case yaml.MappingNode:
			sources = []*yaml.Node{m}
		case yaml.SequenceNode:
			for _, s := range m.Content {
				sources = append(sources, deref(s))
			}
		default:
			sources = []*yaml.Node{m}
		}
		for _, s := range sources {
			if s.Kind != yaml.MappingNode {
				d.errorf(s, "%s: a merge key (<<) needs a mapping or a list of mappings, got %s", orTop(f.path), describe(s))
				continue
			}
			if !seen[s] {
				seen[s] = true
				d.collect(s, f, known, true, seen)
			}
		}
	}
}

func orTop(path string) string {
	if path == "" {
		return "the configuration"
	}
	return path
}

func in(path string) string {
	if path == "" {
		return ""
	}
	return " in " + path
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// seq reads n as a list; null is an empty list.
func (d *decoder) seq(n *yaml.Node, path string) ([]*yaml.Node, bool) {
	n = deref(n)
	if isNull(n) {
		return nil, true
	}
	if n.Kind != yaml.SequenceNode {
		d.typeError(n, path, "a list")
		return nil, false
	}
	return n.Content, true
}

// str reads a string scalar. Numbers and booleans are not strings: the
// schema an editor uses says the same, and `owner: 1234` is more likely a
// mistake than a team name. Quote such values.
func (d *decoder) str(n *yaml.Node, path string) (string, bool) {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		want := "a string"
		if n != nil && n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
			want = "a string (quote it)"
		}
		d.typeError(n, path, want)
		return "", false
	}
	return n.Value, true
}

// nonEmpty reads a string that must not be blank.
func (d *decoder) nonEmpty(n *yaml.Node, path string) (string, bool) {
	s, ok := d.str(n, path)
	if ok && strings.TrimSpace(s) == "" {
		d.errorf(deref(n), "%s: must not be empty", path)
		return "", false
	}
	return strings.TrimSpace(s), ok
}

// integer reads a whole number of at least min. A float with an integral
// value (90.0) counts, as it does in JSON Schema.
func (d *decoder) integer(n *yaml.Node, path string, min, max int) (int, bool) {
	n = deref(n)
	want := fmt.Sprintf("a whole number ≥ %d", min)
	if max < math.MaxInt {
		want = fmt.Sprintf("a whole number from %d to %d", min, max)
	}
	if n == nil || n.Kind != yaml.ScalarNode {
		d.typeError(n, path, want)
		return 0, false
	}
	var v int64
	switch n.Tag {
	case "!!int":
		var err error
		if v, err = strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err != nil {
			d.typeError(n, path, want)
			return 0, false
		}
	case "!!float":
		fv, err := strconv.ParseFloat(n.Value, 64)
		if err != nil || fv != math.Trunc(fv) || math.Abs(fv) > 1<<53 {
			d.typeError(n, path, want)
			return 0, false
		}
		v = int64(fv)
	default:
		d.typeError(n, path, want)
		return 0, false
	}
	if v < int64(min) || v > int64(max) {
		d.errorf(n, "%s: want %s, got %d", path, want, v)
		return 0, false
	}
	return int(v), true
}

// boolean reads true or false.
func (d *decoder) boolean(n *yaml.Node, path string) (bool, bool) {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		d.typeError(n, path, "true or false")
		return false, false
	}
	b, err := strconv.ParseBool(n.Value)
	if err != nil {
		d.typeError(n, path, "true or false")
		return false, false
	}
	return b, true
}

// stringList reads a list of distinct non-empty strings; null is an empty
// list. Each item is passed to check (when not nil) with its node for
// validation.
func (d *decoder) stringList(n *yaml.Node, path string, check func(item *yaml.Node, p, s string) bool) ([]string, []*yaml.Node) {
	items, ok := d.seq(n, path)
	if !ok {
		return nil, nil
	}
	var out []string
	var nodes []*yaml.Node
	seen := map[string]bool{}
	for i, it := range items {
		p := index(path, i)
		s, ok := d.nonEmpty(it, p)
		if !ok || (check != nil && !check(deref(it), p, s)) {
			continue
		}
		if seen[s] {
			d.errorf(deref(it), "%s: %q is listed twice", p, s)
			continue
		}
		seen[s] = true
		out = append(out, s)
		nodes = append(nodes, deref(it))
	}
	return out, nodes
}

// suggest proposes the known key closest to a misspelt one, or for a
// top-level key that belongs to a section, the section it belongs in.
func suggest(name string, known []string, path string) string {
	best, bestDist := "", len(name)/3+2
	for _, k := range known {
		if dist := levenshtein(strings.ToLower(name), k); dist < bestDist {
			best, bestDist = k, dist
		}
	}
	if best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	if path == "" {
		if home, ok := nestedHome[name]; ok {
			return fmt.Sprintf(" (it belongs under %s)", home)
		}
	}
	return " (known keys: " + strings.Join(known, ", ") + ")"
}

// nestedHome says where keys of a section belong when they are written at
// the top level by mistake.
var nestedHome = map[string]string{
	"max_rotation_days": "environments.<name>",
	"warn_days":         "environments.<name>",
	"grace_hours":       "environments.<name>",
	"require_rotation":  "environments.<name>",
	"production":        "environments.<name>",
	"aliases":           "environments.<name>",
	"pattern":           "naming",
	"regex":             "naming",
	"organizations":     "github",
	"repositories":      "github",
	"issuers":           "github",
	"audience":          "github (or aws)",
	"regions":           "aws",
	"role_arn":          "aws",
	"session_duration":  "aws",
	"timeout":           "aws",
	"concurrency":       "aws",
	"rules":             "policies (directories of .rego files)",
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
