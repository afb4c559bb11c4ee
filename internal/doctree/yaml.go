package doctree

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// TagFunc rewrites a node that was written with a local tag such as
// CloudFormation's !Ref. n is the node converted as if it had no tag; the
// function returns its replacement, or n to ignore the tag.
type TagFunc func(tag string, n *Node) *Node

// ParseYAML parses every document of a YAML stream. Aliases are expanded
// (within a budget proportional to the input, against alias bombs), merge
// keys (<<) are applied, and scalars get the kind of their resolved tag:
// booleans, numbers and nulls as in JSON, everything else (timestamps
// included) a string with its text as written. Nodes with a local tag go
// through tags when it is not nil. Errors are *Error values.
func ParseYAML(data []byte, tags TagFunc) (docs []*Node, err error) {
	defer func() {
		// yaml.v3 reports errors by panicking internally and recovers
		// them; anything else escaping it must not take the run down.
		if r := recover(); r != nil {
			docs, err = nil, &Error{Line: 1, Msg: fmt.Sprintf("YAML parser failed: %v", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	c := &yamlConv{tags: tags, budget: 4*len(data) + 1024}
	for {
		var y yaml.Node
		if err := dec.Decode(&y); err != nil {
			if errors.Is(err, io.EOF) {
				return docs, nil
			}
			return nil, yamlError(data, err)
		}
		n, err := c.node(&y, 0)
		if err != nil {
			return nil, err
		}
		docs = append(docs, n)
	}
}

type yamlConv struct {
	tags   TagFunc
	budget int
}

func (c *yamlConv) node(y *yaml.Node, depth int) (*Node, error) {
	if depth > MaxDepth {
		return nil, &Error{Line: y.Line, Col: y.Column, Msg: "document nests deeper than the limit of 500 levels"}
	}
	c.budget--
	if c.budget < 0 {
		return nil, &Error{Line: y.Line, Col: y.Column, Msg: "document expands too much through aliases"}
	}
	n := &Node{Line: y.Line, Col: y.Column}
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			n.Kind = Null
			return n, nil
		}
		return c.node(y.Content[0], depth+1)
	case yaml.AliasNode:
		if y.Alias == nil {
			return nil, &Error{Line: y.Line, Col: y.Column, Msg: "alias to an unknown anchor"}
		}
		return c.node(y.Alias, depth+1)
	case yaml.ScalarNode:
		switch tag := y.ShortTag(); tag {
		case "!!null":
			n.Kind = Null
		case "!!bool":
			n.Kind = Bool
			n.Text = "false"
			if b, err := strconv.ParseBool(strings.ToLower(y.Value)); err == nil && b {
				n.Text = "true"
			}
		case "!!int", "!!float":
			n.Kind, n.Text = Number, y.Value
		default:
			n.Kind, n.Text = String, y.Value
		}
	case yaml.SequenceNode:
		n.Kind = Array
		n.Elems = make([]*Node, 0, len(y.Content))
		for _, e := range y.Content {
			v, err := c.node(e, depth+1)
			if err != nil {
				return nil, err
			}
			n.Elems = append(n.Elems, v)
		}
	case yaml.MappingNode:
		n.Kind = Object
		if err := c.mapping(n, y, depth); err != nil {
			return nil, err
		}
	default:
		return nil, &Error{Line: y.Line, Col: y.Column, Msg: "unsupported YAML node"}
	}
	if c.tags != nil && isLocalTag(y.Tag) {
		if r := c.tags(y.Tag, n); r != nil {
			n = r
		}
	}
	return n, nil
}

func isLocalTag(tag string) bool {
	return strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!")
}

// mapping converts the pairs of y into n, then applies merge keys: keys
// written in the mapping win over merged ones, and earlier merge sources
// win over later ones, as the YAML merge key specification says.
func (c *yamlConv) mapping(n *Node, y *yaml.Node, depth int) error {
	var merges []*yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(y.Content); i += 2 {
		k, v := y.Content[i], y.Content[i+1]
		for k.Kind == yaml.AliasNode && k.Alias != nil {
			k = k.Alias
		}
		if k.Kind != yaml.ScalarNode {
			// Complex keys have no JSON equivalent; nothing secretgate
			// reads uses them.
			continue
		}
		if k.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		val, err := c.node(v, depth+1)
		if err != nil {
			return err
		}
		seen[k.Value] = true
		n.Members = append(n.Members, Member{Key: k.Value, Line: k.Line, Col: k.Column, Value: val})
	}
	for _, m := range merges {
		src, err := c.node(m, depth+1)
		if err != nil {
			return err
		}
		var maps []*Node
		switch src.Kind {
		case Object:
			maps = []*Node{src}
		case Array:
			maps = src.Elems
		}
		for _, s := range maps {
			if s.Kind != Object {
				return &Error{Line: m.Line, Col: m.Column, Msg: "merge key (<<) needs a mapping or a list of mappings"}
			}
			for _, mem := range s.Members {
				if !seen[mem.Key] {
					seen[mem.Key] = true
					n.Members = append(n.Members, mem)
				}
			}
		}
	}
	return nil
}

var yamlLineRE = regexp.MustCompile(`^line (\d+): (.*)$`)

// yamlParserProblems are the messages of yaml.v3's parser (as opposed to
// its scanner). For these yaml.v3 prints a 0-based line number, one less
// than the line the problem is on; its scanner errors are 1-based.
var yamlParserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected <stream-start>":   true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

// yamlError turns a yaml.v3 error ("yaml: line 7: mapping values are not
// allowed in this context") into an *Error with a 1-based line.
func yamlError(data []byte, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		if yamlParserProblems[msg] {
			line++
			// For parser errors yaml.v3 names the line where the
			// enclosing block starts, which for an indentation mistake
			// can be far above it. Find the line that breaks it.
			line = culpritLine(data, msg, line)
		}
	}
	if line <= 0 {
		line = 1
	}
	return &Error{Line: line, Msg: msg}
}

// culpritLine returns the first line n (>= from) such that the first n
// lines of data already fail with msg: the line that breaks the document.
// It binary-searches prefixes, so it costs a few parses of the failing
// file and nothing on valid input. When prefixes do not behave (the
// search finds nothing), from is returned unchanged.
func culpritLine(data []byte, msg string, from int) int {
	starts := []int{0}
	for i, c := range data {
		if c == '\n' && i+1 < len(data) {
			starts = append(starts, i+1)
		}
	}
	total := len(starts)
	failsWith := func(n int) bool {
		end := len(data)
		if n < total {
			end = starts[n]
		}
		dec := yaml.NewDecoder(bytes.NewReader(data[:end]))
		for {
			var y yaml.Node
			err := dec.Decode(&y)
			if err == nil {
				continue
			}
			if errors.Is(err, io.EOF) {
				return false
			}
			m := yamlLineRE.FindStringSubmatch(strings.TrimPrefix(err.Error(), "yaml: "))
			return (m != nil && m[2] == msg) || strings.TrimPrefix(err.Error(), "yaml: ") == msg
		}
	}
	if from < 1 || from > total || !failsWith(total) {
		return from
	}
	lo, hi := from, total
	for lo < hi {
		mid := (lo + hi) / 2
		if failsWith(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}
