package tfhcl

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"

	"github.com/secretgate/secretgate/internal/safefile"
)

// maxConfigFile caps a configuration or variable file read.
const maxConfigFile = 10 << 20

// readRegular reads a regular file of at most maxConfigFile bytes: a
// FIFO or a device in a pull request's place of terraform.tfvars would
// block the run or never end it (internal/safefile). A file under root
// may not be a link out of it; one outside root (a var file the judge
// names) is checked against its own directory.
func readRegular(root, path string) ([]byte, error) {
	within := root
	if r, err := filepath.Rel(root, path); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		within = filepath.Dir(path)
	}
	return safefile.Read(context.Background(), within, path, maxConfigFile)
}

// moduleConfig is one directory of .tf and .tf.json files: a Terraform
// module, as written (not yet evaluated).
type moduleConfig struct {
	dir       string // absolute
	rel       string // slash-separated, relative to the scan root
	files     []string
	variables map[string]*variable
	locals    map[string]*hcl.Attribute
	resources []*resourceConfig
	calls     []*moduleCall
	outputs   map[string]*hcl.Attribute
	// refAttrs are attribute names referenced on each resource, data
	// source or module call ("aws_iam_role.x", "data.t.n", "module.m"),
	// so that values unknown offline can be given for exactly those.
	refAttrs map[string]map[string]bool
}

type variable struct {
	name     string
	def      *cty.Value
	typ      cty.Type
	defaults *typeexpr.Defaults
	// sensitive: sensitive = true. Its value is never used (it could be
	// a secret and end up in a name, a message, a report): the variable
	// is judged as unknown.
	sensitive bool
}

type resourceConfig struct {
	data      bool
	typ, name string
	body      hcl.Body
	count     hcl.Expression
	forEach   hcl.Expression
	file      string // relative to the scan root
	line      int
}

// key is the resource's address within its module: aws_iam_role.x or
// data.aws_iam_policy_document.y.
func (r *resourceConfig) key() string {
	if r.data {
		return "data." + r.typ + "." + r.name
	}
	return r.typ + "." + r.name
}

type moduleCall struct {
	name    string
	source  string
	inputs  hcl.Attributes
	count   hcl.Expression
	forEach hcl.Expression
	file    string
	line    int
}

var fileSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "variable", LabelNames: []string{"name"}},
	{Type: "locals"},
	{Type: "output", LabelNames: []string{"name"}},
	{Type: "module", LabelNames: []string{"name"}},
	{Type: "resource", LabelNames: []string{"type", "name"}},
	{Type: "data", LabelNames: []string{"type", "name"}},
}}

var variableSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "default"}, {Name: "type"}, {Name: "sensitive"}}}

var outputSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "value"}}}

// metaAttrs are resource and module arguments that are Terraform's, not
// the resource's.
var metaAttrs = map[string]bool{"count": true, "for_each": true, "depends_on": true, "provider": true, "providers": true, "source": true, "version": true}

// loader parses directories once each and keeps their diagnostics.
type loader struct {
	root    string // absolute scan root
	mu      sync.Mutex
	modules map[string]*moduleConfig
	errs    []Problem
	read    map[string]bool // files read, relative
}

func newLoader(root string) *loader {
	return &loader{root: root, modules: map[string]*moduleConfig{}, read: map[string]bool{}}
}

func (l *loader) rel(abs string) string {
	r, err := filepath.Rel(l.root, abs)
	if err != nil {
		return filepath.ToSlash(abs)
	}
	return filepath.ToSlash(r)
}

// diagProblems turns parse diagnostics into problems. Parse diagnostics
// describe syntax, never values.
func (l *loader) diagProblems(diags hcl.Diagnostics) { l.diagProblemsOf(diags, true) }

// diagProblemsOf is diagProblems, without the diagnostics' details unless
// withDetail: a variable file's may quote a value, and it may be a secret.
func (l *loader) diagProblemsOf(diags hcl.Diagnostics, withDetail bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		p := Problem{Message: d.Summary}
		if d.Detail != "" && withDetail {
			p.Message += ": " + d.Detail
		}
		if d.Subject != nil {
			p.File = l.rel(d.Subject.Filename)
			p.Line = d.Subject.Start.Line
		}
		l.errs = append(l.errs, p)
	}
}

// parse parses HCL native syntax, or JSON for a .json file.
func parse(src []byte, path string) (*hcl.File, hcl.Diagnostics) {
	if strings.HasSuffix(path, ".json") {
		return hcljson.Parse(src, path)
	}
	return hclsyntax.ParseConfig(src, path, hcl.Pos{Line: 1, Column: 1, Byte: 0})
}

func unwrapPathError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// firstError keeps the first error of a parse: the others follow from it
// (an unclosed bracket is also an unclosed object and a premature end).
func firstError(diags hcl.Diagnostics) hcl.Diagnostics {
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			return hcl.Diagnostics{d}
		}
	}
	return nil
}

// IsOverride reports whether a configuration file is a Terraform override
// file (override.tf, *_override.tf, and their .tf.json forms).
func IsOverride(name string) bool {
	base := strings.TrimSuffix(strings.TrimSuffix(name, ".json"), ".tf")
	return base == "override" || strings.HasSuffix(base, "_override")
}

// moduleFiles lists the .tf and .tf.json files of dir, sorted.
func moduleFiles(dir string) []string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || strings.HasPrefix(n, ".") {
			continue
		}
		if strings.HasSuffix(n, ".tf") || strings.HasSuffix(n, ".tf.json") {
			out = append(out, filepath.Join(dir, n))
		}
	}
	sort.Strings(out)
	return out
}

// load parses the module in dir (absolute); files nil means all of the
// directory's .tf and .tf.json files.
func (l *loader) load(dir string, files []string) *moduleConfig {
	l.mu.Lock()
	if m, ok := l.modules[dir]; ok {
		l.mu.Unlock()
		return m
	}
	l.mu.Unlock()
	if files == nil {
		files = moduleFiles(dir)
	}
	m := &moduleConfig{
		dir: dir, rel: l.rel(dir), files: files,
		variables: map[string]*variable{}, locals: map[string]*hcl.Attribute{},
		outputs: map[string]*hcl.Attribute{}, refAttrs: map[string]map[string]bool{},
	}
	for _, f := range files {
		if IsOverride(filepath.Base(f)) {
			// Terraform merges an override file over the others, block by
			// block and argument by argument; read as an ordinary file it
			// would give the wrong values (a PR could pin a subject in
			// main.tf and widen it in a_override.tf). Not merged here, so
			// the module is not judged as deployed: an input problem.
			l.problem(Problem{File: l.rel(f), Message: "a Terraform override file: Terraform merges it over the module's other files, which secretgate does not do, so this module could not be judged as Terraform deploys it (fold the override into the files it overrides)"})
			continue
		}
		l.loadFile(m, f)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if prev, ok := l.modules[dir]; ok {
		return prev // loaded meanwhile by another root
	}
	l.modules[dir] = m
	return m
}

// problem records a problem.
// The same problem found again (an expression evaluated on every pass)
// is recorded once.
func (l *loader) problem(p Problem) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, x := range l.errs {
		if x == p {
			return
		}
	}
	l.errs = append(l.errs, p)
}

// readFile reads a file and records it as read.
func (l *loader) readFile(path string) ([]byte, string, error) {
	src, err := readRegular(l.root, path)
	rel := l.rel(path)
	if err == nil {
		l.mu.Lock()
		l.read[rel] = true
		l.mu.Unlock()
	}
	return src, rel, err
}

func (l *loader) loadFile(m *moduleConfig, path string) {
	src, rel, err := l.readFile(path)
	if err != nil {
		l.problem(Problem{File: rel, Message: "cannot read: " + unwrapPathError(err)})
		return
	}
	f, diags := parse(src, path)
	l.diagProblems(firstError(diags))
	if f == nil || diags.HasErrors() {
		return
	}
	content, _, diags := f.Body.PartialContent(fileSchema)
	l.diagProblems(diags)
	collectRefs(f.Body, m.refAttrs)
	for _, b := range content.Blocks {
		line := b.DefRange.Start.Line
		switch b.Type {
		case "variable":
			l.variable(m, b)
		case "locals":
			attrs, diags := b.Body.JustAttributes()
			l.diagProblems(diags)
			for n, a := range attrs {
				m.locals[n] = a
			}
		case "output":
			c, _, diags := b.Body.PartialContent(outputSchema)
			l.diagProblems(diags)
			if a := c.Attributes["value"]; a != nil {
				m.outputs[b.Labels[0]] = a
			}
		case "resource", "data":
			r := &resourceConfig{data: b.Type == "data", typ: b.Labels[0], name: b.Labels[1], body: b.Body, file: rel, line: line}
			c, _, _ := b.Body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "count"}, {Name: "for_each"}}})
			if a := c.Attributes["count"]; a != nil {
				r.count = a.Expr
			}
			if a := c.Attributes["for_each"]; a != nil {
				r.forEach = a.Expr
			}
			m.resources = append(m.resources, r)
		case "module":
			attrs, diags := b.Body.JustAttributes()
			l.diagProblems(diags)
			c := &moduleCall{name: b.Labels[0], inputs: hcl.Attributes{}, file: rel, line: line}
			for n, a := range attrs {
				switch n {
				case "source":
					v, d := a.Expr.Value(nil)
					if !d.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
						c.source = v.AsString()
					}
				case "count":
					c.count = a.Expr
				case "for_each":
					c.forEach = a.Expr
				default:
					if !metaAttrs[n] {
						c.inputs[n] = a
					}
				}
			}
			m.calls = append(m.calls, c)
		}
	}
}

func (l *loader) variable(m *moduleConfig, b *hcl.Block) {
	c, _, diags := b.Body.PartialContent(variableSchema)
	l.diagProblems(diags)
	v := &variable{name: b.Labels[0], typ: cty.DynamicPseudoType}
	if a := c.Attributes["type"]; a != nil {
		t, defs, diags := typeexpr.TypeConstraintWithDefaults(a.Expr)
		if !diags.HasErrors() {
			v.typ, v.defaults = t, defs
		}
	}
	if a := c.Attributes["sensitive"]; a != nil {
		if val, diags := a.Expr.Value(nil); !diags.HasErrors() && val.Type() == cty.Bool && val.IsKnown() && !val.IsNull() {
			v.sensitive = val.True()
		}
	}
	if a := c.Attributes["default"]; a != nil {
		val, diags := a.Expr.Value(nil)
		if !diags.HasErrors() {
			val = convertVar(v, val)
			v.def = &val
		}
	}
	m.variables[v.name] = v
}

// convertVar applies a variable's type constraint and optional-attribute
// defaults to a value given for it; a value that does not convert is kept
// as given.
func convertVar(v *variable, val cty.Value) cty.Value {
	if v.defaults != nil {
		val = v.defaults.Apply(val)
	}
	if conv, err := convertTo(val, v.typ); err == nil {
		return conv
	}
	return val
}

// Problem is a file that could not be read or parsed, or a part of it
// that could not be understood. Messages never quote values.
type Problem struct {
	File    string
	Line    int
	Message string
}

func (p Problem) String() string { return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message) }
