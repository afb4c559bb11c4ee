package tfhcl

import (
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/dynblock"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// Limits that keep a hostile or broken configuration from running away.
const (
	maxPasses      = 24  // evaluation passes of one module instance
	maxModuleDepth = 16  // nested module calls
	maxInstances   = 512 // instances of one count or for_each
	// maxModuleInstances bounds the module instances of one root module
	// (a module calling itself with for_each would never end).
	maxModuleInstances = 4096
)

// Attr is one evaluated argument and the line it was written on.
type Attr struct {
	Value cty.Value
	Line  int
	// Refs are the module-relative addresses the expression refers to
	// (aws_iam_role.x, aws_iam_role.x["k"], module.m, data.t.n).
	Refs []string
}

// Block is an evaluated resource body or nested block.
type Block struct {
	Type   string
	Line   int
	Attrs  map[string]Attr
	Blocks []*Block
}

// Resource is one evaluated resource or data source instance.
type Resource struct {
	Root   string // the root module's directory, relative to the scan root
	Addr   string // module.m["k"].aws_iam_role.x[0]
	Module string // module.m["k"], "" for the root module
	Type   string
	Name   string
	Index  string // [0], ["k"] or ""
	Data   bool
	File   string
	Line   int
	Body   *Block
	// Value is the instance as other expressions see it: its arguments
	// and the attributes it computes (arn, id, a policy document's json).
	Value cty.Value
	// Assumptions say what of this instance could not be known offline
	// beyond placeholders (an unknown count, an argument that failed).
	Assumptions []string
}

// blockSchema names the nested block types of a body, and theirs.
type blockSchema map[string]blockSchema

// nestedBlocks lists the nested block types read per resource type; the
// body of any other block is ignored.
var nestedBlocks = map[string]blockSchema{
	"aws_iam_role":                       {"inline_policy": nil},
	"data.aws_iam_policy_document":       {"statement": {"principals": nil, "not_principals": nil, "condition": nil}},
	"aws_secretsmanager_secret":          {"rotation_rules": nil, "replica": nil},
	"aws_secretsmanager_secret_rotation": {"rotation_rules": nil},
}

var ignoredBlocks = []string{"lifecycle", "timeouts", "provisioner", "connection", "precondition", "postcondition"}

// evaluator evaluates one root module and the modules it calls.
type evaluator struct {
	l       *loader
	ph      *Placeholders
	funcs   map[string]function.Function
	rootRel string
	// modulesJSON maps a module key ("a.b") to its directory, as
	// terraform init recorded it.
	modulesJSON map[string]string
	account     string
	region      string
	skipped     []Problem
	// moduleEvals counts module instance evaluations (maxModuleInstances).
	moduleEvals int
}

// instance is one module instance being evaluated.
type instance struct {
	cfg   *moduleConfig
	addr  string // "" or module.m["k"]
	key   string // "a.b", the modules.json key
	depth int
	vars  map[string]cty.Value
	// defaulted names the variables whose value is their default: no
	// tfvars, var file or caller gave one.
	defaulted map[string]bool
	locals    map[string]cty.Value
	res       map[string]cty.Value
	insts     map[string][]*Resource
	calls     map[string]cty.Value
	children  map[string]*childState
	outputs   cty.Value
}

type childState struct {
	inputs cty.Value
	inst   *instance
}

// defaultedKey marks, in the map varsFor returns, a variable whose value
// is its default (newInstance moves the marks to instance.defaulted).
const defaultedKey = "\x00default:"

func (e *evaluator) newInstance(cfg *moduleConfig, addr, key string, depth int, vars map[string]cty.Value) *instance {
	defaulted := map[string]bool{}
	for k := range vars {
		if n, ok := strings.CutPrefix(k, defaultedKey); ok {
			defaulted[n] = true
			delete(vars, k)
		}
	}
	in := &instance{
		cfg: cfg, addr: addr, key: key, depth: depth, vars: vars, defaulted: defaulted,
		locals: map[string]cty.Value{}, res: map[string]cty.Value{}, insts: map[string][]*Resource{},
		calls: map[string]cty.Value{}, children: map[string]*childState{},
	}
	for n := range cfg.locals {
		in.locals[n] = cty.DynamicVal
	}
	for _, r := range cfg.resources {
		in.res[r.key()] = cty.DynamicVal
	}
	for _, c := range cfg.calls {
		in.calls[c.name] = cty.DynamicVal
	}
	return in
}

// varsFor gives every declared variable of cfg a value: given, else the
// default, else a placeholder.
func (e *evaluator) varsFor(cfg *moduleConfig, given map[string]cty.Value, where string) map[string]cty.Value {
	vars := map[string]cty.Value{}
	for n, v := range cfg.variables {
		if v.sensitive {
			// Never its value (a secret, maybe): judged as unknown.
			vars[n] = e.ph.placeholderOf(v.typ, "var."+n+where+" is sensitive; its value is not used")
			continue
		}
		if g, ok := given[n]; ok && !g.IsNull() {
			vars[n] = convertVar(v, g)
			continue
		}
		if v.def != nil && !v.def.IsNull() {
			vars[n] = *v.def
			if where == "" {
				// A root module's variable can be set from outside (CI's
				// TF_VAR_…); a called module's only by its caller, whose
				// configuration is what is judged.
				vars[defaultedKey+n] = cty.True // taken out by newInstance
			}
			continue
		}
		if v.def != nil { // default = null
			vars[n] = cty.NullVal(v.typ)
			continue
		}
		vars[n] = e.ph.placeholderOf(v.typ, "var."+n+where+" has no value")
	}
	return vars
}

func (e *evaluator) ctx(in *instance) *hcl.EvalContext {
	vars := map[string]cty.Value{
		"var":       objectOf(in.vars),
		"local":     objectOf(in.locals),
		"module":    objectOf(in.calls),
		"path":      cty.ObjectVal(map[string]cty.Value{"module": cty.StringVal(in.cfg.dir), "root": cty.StringVal(filepath.Join(e.l.root, e.rootRel)), "cwd": cty.StringVal(filepath.Join(e.l.root, e.rootRel))}),
		"terraform": cty.ObjectVal(map[string]cty.Value{"workspace": cty.StringVal("default")}),
	}
	ctx := &hcl.EvalContext{Variables: vars, Functions: e.funcs}
	seen := map[string]bool{}
	for _, r := range in.cfg.resources {
		if !r.data && !seen[r.typ] {
			seen[r.typ] = true
			e.refresh(ctx, in, r)
		}
	}
	e.refreshData(ctx, in)
	return ctx
}

// refresh updates the context's object of r's resource type after r was
// evaluated: cheaper than building the whole context again.
func (e *evaluator) refresh(ctx *hcl.EvalContext, in *instance, r *resourceConfig) {
	if r.data {
		e.refreshData(ctx, in)
		return
	}
	m := map[string]cty.Value{}
	for _, o := range in.cfg.resources {
		if !o.data && o.typ == r.typ {
			m[o.name] = in.res[o.key()]
		}
	}
	ctx.Variables[r.typ] = objectOf(m)
}

func (e *evaluator) refreshData(ctx *hcl.EvalContext, in *instance) {
	byType := map[string]map[string]cty.Value{}
	for _, r := range in.cfg.resources {
		if !r.data {
			continue
		}
		if byType[r.typ] == nil {
			byType[r.typ] = map[string]cty.Value{}
		}
		byType[r.typ][r.name] = in.res[r.key()]
	}
	data := map[string]cty.Value{}
	for t, m := range byType {
		data[t] = objectOf(m)
	}
	ctx.Variables["data"] = objectOf(data)
}

func objectOf(m map[string]cty.Value) cty.Value {
	if len(m) == 0 {
		return cty.EmptyObjectVal
	}
	return cty.ObjectVal(m)
}

// eval runs passes over the instance until its values stop changing.
func (e *evaluator) eval(in *instance) {
	var before cty.Value
	for pass := 0; pass < maxPasses; pass++ {
		e.evalLocals(in)
		ctx := e.ctx(in)
		for _, r := range in.cfg.resources {
			e.evalResource(in, r, ctx)
			e.refresh(ctx, in, r)
		}
		for _, c := range in.cfg.calls {
			e.evalCall(in, c, ctx)
			ctx.Variables["module"] = objectOf(in.calls)
		}
		now := cty.TupleVal([]cty.Value{objectOf(in.locals), objectOf(in.res), objectOf(in.calls)})
		if pass > 0 && now.RawEquals(before) {
			break
		}
		before = now
	}
	outs := map[string]cty.Value{}
	ctx := e.ctx(in)
	for n, a := range in.cfg.outputs {
		v, diags := a.Expr.Value(ctx)
		if diags.HasErrors() {
			v = cty.DynamicVal
		}
		outs[n] = v
	}
	in.outputs = objectOf(outs)
}

func (e *evaluator) evalLocals(in *instance) {
	names := make([]string, 0, len(in.cfg.locals))
	for n := range in.cfg.locals {
		names = append(names, n)
	}
	sort.Strings(names)
	ctx := e.ctx(in)
	for range len(names) + 1 {
		changed := false
		for _, n := range names {
			v, diags := in.cfg.locals[n].Expr.Value(ctx)
			if diags.HasErrors() {
				v = cty.DynamicVal
			}
			if !v.RawEquals(in.locals[n]) {
				in.locals[n] = v
				changed = true
				ctx.Variables["local"] = objectOf(in.locals)
			}
		}
		if !changed {
			return
		}
	}
}

// instanceKey is one instance of a count or for_each.
type instanceKey struct {
	index string // [0], ["k"], ""
	key   cty.Value
	each  cty.Value
	count bool
}

// expand returns the instances of a resource or module call; why is set
// when their number could not be known. Beyond maxInstances the rest are
// not evaluated: truncated says so, for the caller to report (an instance
// left out unsaid could be the one that matters).
func (e *evaluator) expand(count, forEach hcl.Expression, ctx *hcl.EvalContext, what string) (keys []instanceKey, why string, truncated bool) {
	if forEach != nil {
		v, diags := forEach.Value(ctx)
		if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() || !(v.CanIterateElements()) {
			tok := e.ph.token("the for_each of "+what+" is not known offline; judged as one instance", false)
			return []instanceKey{{index: indexString(cty.StringVal(tok)), key: cty.StringVal(tok), each: cty.DynamicVal}}, "the for_each of " + what + " is not known offline", false
		}
		var out []instanceKey
		for it := v.ElementIterator(); it.Next(); {
			if len(out) == maxInstances {
				return out, "", true
			}
			k, ev := it.Element()
			if v.Type().IsSetType() || v.Type().IsListType() || v.Type().IsTupleType() {
				k = ev
			}
			if k.Type() != cty.String || !k.IsKnown() || k.IsNull() {
				continue
			}
			out = append(out, instanceKey{index: indexString(k), key: k, each: ev})
		}
		return out, "", false
	}
	if count != nil {
		v, diags := count.Value(ctx)
		n := 1
		why := ""
		if diags.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type() != cty.Number {
			why = "the count of " + what + " is not known offline; judged as one instance"
		} else {
			bf := v.AsBigFloat()
			i, _ := bf.Int64()
			truncated = bf.Cmp(big.NewFloat(maxInstances)) > 0
			n = int(min(max(i, 0), maxInstances))
		}
		out := make([]instanceKey, n)
		for i := range n {
			out[i] = instanceKey{index: "[" + strconv.Itoa(i) + "]", key: cty.NumberIntVal(int64(i)), count: true}
		}
		return out, why, truncated
	}
	return []instanceKey{{}}, "", false
}

// defaultedRef names a variable with its default value that the count or
// for_each expression reads directly, "" when there is none.
func defaultedRef(in *instance, exprs ...hcl.Expression) string {
	for _, x := range exprs {
		if x == nil {
			continue
		}
		for _, tr := range x.Variables() {
			if tr.RootName() != "var" || len(tr) < 2 {
				continue
			}
			if a, ok := tr[1].(hcl.TraverseAttr); ok && in.defaulted[a.Name] {
				return a.Name
			}
		}
	}
	return ""
}

// tooMany reports instances of addr (defined at file:line) that were not
// evaluated: an input problem, so the run is incomplete, never a pass.
func (e *evaluator) tooMany(file string, line int, addr string) {
	e.l.problem(Problem{File: file, Line: line, Message: fmt.Sprintf(
		"%s has more than %d instances; only the first %d were judged", addr, maxInstances, maxInstances)})
}

func indexString(k cty.Value) string {
	if k.Type() == cty.Number {
		return "[" + k.AsBigFloat().Text('f', -1) + "]"
	}
	b, _ := json.Marshal(k.AsString())
	return "[" + string(b) + "]"
}

func childCtx(ctx *hcl.EvalContext, ik instanceKey) *hcl.EvalContext {
	if ik.index == "" {
		return ctx
	}
	c := ctx.NewChild()
	if ik.count {
		c.Variables = map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": ik.key})}
	} else {
		c.Variables = map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": ik.key, "value": ik.each})}
	}
	return c
}

func (e *evaluator) prefixed(in *instance, s string) string {
	if in.addr == "" {
		return s
	}
	return in.addr + "." + s
}

func (e *evaluator) evalResource(in *instance, r *resourceConfig, ctx *hcl.EvalContext) {
	addr := e.prefixed(in, r.key())
	keys, why, truncated := e.expand(r.count, r.forEach, ctx, addr)
	if truncated {
		e.tooMany(r.file, r.line, addr)
	}
	if len(keys) == 0 && r.count != nil {
		// No instance only because a variable kept its default (count =
		// var.enabled ? 1 : 0): the deployment may give another value, so
		// the resource is judged as created, saying so. (An empty
		// for_each by default has no item to judge: nothing is made up.)
		if v := defaultedRef(in, r.count); v != "" {
			keys = []instanceKey{{index: "[0]", key: cty.NumberIntVal(0), count: true}}
			why = fmt.Sprintf("%s has no instance with var.%s's default; judged as created", addr, v)
		}
	}
	nested := nestedBlocks[r.key()[:len(r.key())-len(r.name)-1]]
	var insts []*Resource
	values := map[string]cty.Value{}
	var tuple []cty.Value
	for _, ik := range keys {
		ictx := childCtx(ctx, ik)
		res := &Resource{
			Root: e.rootRel, Addr: addr + ik.index, Module: in.addr, Type: r.typ, Name: r.name,
			Index: ik.index, Data: r.data, File: r.file, Line: r.line,
		}
		if why != "" {
			res.Assumptions = append(res.Assumptions, why)
		}
		res.Body = e.decode(dynblock.Expand(r.body, ictx), ictx, nested, res, "")
		res.Body.Line = r.line
		res.Value = e.computed(in, r, res)
		insts = append(insts, res)
		if ik.count {
			tuple = append(tuple, res.Value)
		} else if ik.index != "" {
			values[ik.key.AsString()] = res.Value
		}
	}
	in.insts[r.key()] = insts
	switch {
	case r.count != nil:
		if len(tuple) == 0 {
			in.res[r.key()] = cty.EmptyTupleVal
		} else {
			in.res[r.key()] = cty.TupleVal(tuple)
		}
	case r.forEach != nil:
		in.res[r.key()] = objectOf(values)
	case len(insts) == 1:
		in.res[r.key()] = insts[0].Value
	}
}

// decode evaluates a body: its arguments, and the nested blocks listed in
// nested, recursively.
func (e *evaluator) decode(body hcl.Body, ctx *hcl.EvalContext, nested blockSchema, res *Resource, path string) *Block {
	schema := &hcl.BodySchema{}
	for n := range nested {
		schema.Blocks = append(schema.Blocks, hcl.BlockHeaderSchema{Type: n})
	}
	for _, n := range ignoredBlocks {
		if _, ok := nested[n]; !ok {
			schema.Blocks = append(schema.Blocks, hcl.BlockHeaderSchema{Type: n})
		}
	}
	sort.Slice(schema.Blocks, func(i, j int) bool { return schema.Blocks[i].Type < schema.Blocks[j].Type })
	// The attributes are asked for by name: only then does a dynamic
	// block's content see its iterator.
	raw, _ := body.JustAttributes()
	for n := range raw {
		if _, isBlock := nested[n]; !isBlock && n != "dynamic" && !slices.Contains(ignoredBlocks, n) {
			schema.Attributes = append(schema.Attributes, hcl.AttributeSchema{Name: n})
		}
	}
	sort.Slice(schema.Attributes, func(i, j int) bool { return schema.Attributes[i].Name < schema.Attributes[j].Name })
	content, _, _ := body.PartialContent(schema)
	out := &Block{Attrs: map[string]Attr{}}
	var attrs hcl.Attributes
	if content != nil {
		attrs = content.Attributes
	}
	for n, a := range attrs {
		if metaAttrs[n] || n == "dynamic" {
			continue
		}
		v, diags := a.Expr.Value(ctx)
		if diags.HasErrors() {
			v = cty.DynamicVal
			res.Assumptions = appendUnique(res.Assumptions, fmt.Sprintf("%s%s could not be evaluated offline (%s)", path, n, diags[0].Summary))
		}
		var refs []string
		for _, tr := range a.Expr.Variables() {
			if ref := refAddress(tr); ref != "" {
				refs = appendUnique(refs, ref)
			}
		}
		out.Attrs[n] = Attr{Value: v, Line: a.NameRange.Start.Line, Refs: refs}
	}
	if content != nil {
		for _, b := range content.Blocks {
			sub, ok := nested[b.Type]
			if !ok {
				continue
			}
			nb := e.decode(b.Body, ctx, sub, res, path+b.Type+".")
			nb.Type = b.Type
			nb.Line = b.DefRange.Start.Line
			out.Blocks = append(out.Blocks, nb)
		}
	}
	return out
}

// refAddress renders a traversal the way a plan's "references" do:
// aws_iam_role.x, aws_iam_role.x["k"], module.m, data.t.n.
func refAddress(tr hcl.Traversal) string {
	key, _ := refKey(append(tr[:len(tr):len(tr)], hcl.TraverseAttr{Name: "_"}))
	if key == "" || strings.HasPrefix(key, "module.") || strings.HasPrefix(key, "data.") {
		return key
	}
	parts := 0
	for i, step := range tr {
		switch s := step.(type) {
		case hcl.TraverseRoot, hcl.TraverseAttr:
			parts++
		case hcl.TraverseIndex:
			if parts == 2 && (s.Key.Type() == cty.String || s.Key.Type() == cty.Number) && s.Key.IsKnown() {
				return key + indexString(s.Key)
			}
		}
		if parts > 2 || i > 3 {
			break
		}
	}
	return key
}

// evalCall evaluates a module call's instances and stores their outputs.
func (e *evaluator) evalCall(in *instance, c *moduleCall, ctx *hcl.EvalContext) {
	key := c.name
	if in.key != "" {
		key = in.key + "." + c.name
	}
	dir := e.resolveSource(in, c, key)
	if dir != "" && in.depth >= maxModuleDepth {
		// What the call would create is not judged: an input problem
		// (the run is incomplete), never a silent pass.
		e.l.problem(Problem{File: c.file, Line: c.line, Message: fmt.Sprintf(
			"module %q (source %q) was not read: modules are nested more than %d deep", c.name, c.source, maxModuleDepth)})
	}
	if dir == "" || in.depth >= maxModuleDepth {
		in.calls[c.name] = e.unknownObject(in.cfg.refAttrs["module."+c.name], e.prefixed(in, "module."+c.name), " (its source "+strconv.Quote(c.source)+" was not read)")
		return
	}
	cfg := e.l.load(dir, nil)
	addr := e.prefixed(in, "module."+c.name)
	keys, _, truncated := e.expand(c.count, c.forEach, ctx, addr)
	if truncated {
		e.tooMany(c.file, c.line, addr)
	}
	values := map[string]cty.Value{}
	var tuple []cty.Value
	single := cty.DynamicVal
	current := map[string]bool{}
	for _, ik := range keys {
		current[addr+ik.index] = true
		ictx := childCtx(ctx, ik)
		given := map[string]cty.Value{}
		for n, a := range c.inputs {
			v, diags := a.Expr.Value(ictx)
			if diags.HasErrors() {
				v = cty.DynamicVal
			}
			given[n] = v
		}
		iaddr := addr + ik.index
		inputs := objectOf(given)
		st := in.children[iaddr]
		if st == nil || !st.inputs.RawEquals(inputs) {
			if e.moduleEvals >= maxModuleInstances {
				// Modules past the bound are not judged: an input problem,
				// so the run is incomplete, never a pass.
				e.l.problem(Problem{File: c.file, Line: c.line, Message: fmt.Sprintf(
					"module %q (source %q) was not read: the configuration has more than %d module instances", c.name, c.source, maxModuleInstances)})
				break
			}
			e.moduleEvals++
			vars := e.varsFor(cfg, given, " of "+iaddr)
			child := e.newInstance(cfg, iaddr, key, in.depth+1, vars)
			if st != nil {
				// Start from the previous pass's values: fewer passes.
				child.locals, child.res, child.calls, child.children = st.inst.locals, st.inst.res, st.inst.calls, st.inst.children
			}
			e.eval(child)
			st = &childState{inputs: inputs, inst: child}
			in.children[iaddr] = st
		}
		switch {
		case ik.count:
			tuple = append(tuple, st.inst.outputs)
		case ik.index != "":
			values[ik.key.AsString()] = st.inst.outputs
		default:
			single = st.inst.outputs
		}
	}
	for n := range in.children {
		if (n == addr || strings.HasPrefix(n, addr+"[")) && !current[n] {
			delete(in.children, n) // an instance of an earlier pass that is gone
		}
	}
	switch {
	case c.count != nil:
		if len(tuple) == 0 {
			in.calls[c.name] = cty.EmptyTupleVal
		} else {
			in.calls[c.name] = cty.TupleVal(tuple)
		}
	case c.forEach != nil:
		in.calls[c.name] = objectOf(values)
	default:
		in.calls[c.name] = single
	}
}

// resolveSource finds a module call's directory: a local path, or what
// terraform init recorded in .terraform/modules/modules.json.
func (e *evaluator) resolveSource(in *instance, c *moduleCall, key string) string {
	if c.source == "" {
		return ""
	}
	if strings.HasPrefix(c.source, "./") || strings.HasPrefix(c.source, "../") {
		dir := filepath.Clean(filepath.Join(in.cfg.dir, filepath.FromSlash(c.source)))
		if !within(e.l.root, dir) {
			e.skip(c, "its source is outside the repository")
			return ""
		}
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			e.skip(c, "its source directory does not exist")
			return ""
		}
		return dir
	}
	if d, ok := e.modulesJSON[key]; ok {
		return d
	}
	e.skip(c, "its source is not local and .terraform/modules/modules.json does not list it (run terraform init to judge it)")
	return ""
}

func (e *evaluator) skip(c *moduleCall, why string) {
	for _, s := range e.skipped {
		if s.File == c.file && s.Line == c.line {
			return
		}
	}
	e.skipped = append(e.skipped, Problem{File: c.file, Line: c.line, Message: fmt.Sprintf("module %q (source %q) was not read: %s", c.name, c.source, why)})
}

func within(root, p string) bool {
	r, err := filepath.Rel(root, p)
	return err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator))
}

// loadModulesJSON reads the module directory map terraform init wrote in
// root module dir.
func loadModulesJSON(scanRoot, dir string) map[string]string {
	b, err := readRegular(scanRoot, filepath.Join(dir, ".terraform", "modules", "modules.json"))
	if err != nil {
		return nil
	}
	var m struct {
		Modules []struct{ Key, Dir string }
	}
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	out := map[string]string{}
	for _, mod := range m.Modules {
		if mod.Key == "" || mod.Dir == "" {
			continue
		}
		d := filepath.Clean(filepath.Join(dir, filepath.FromSlash(mod.Dir)))
		if within(scanRoot, d) {
			out[mod.Key] = d
		}
	}
	return out
}

// unknownObject is an object whose attributes (those referred to) are
// placeholders.
func (e *evaluator) unknownObject(attrs map[string]bool, what, why string) cty.Value {
	m := map[string]cty.Value{}
	for a := range attrs {
		m[a] = cty.StringVal(e.ph.token(what+"."+a+" is not known offline"+why, false))
	}
	return objectOf(m)
}

// collect returns the instances of every resource of in and its
// children, in configuration order.
func collect(in *instance) []*Resource {
	var out []*Resource
	for _, r := range in.cfg.resources {
		out = append(out, in.insts[r.key()]...)
	}
	names := make([]string, 0, len(in.children))
	for n := range in.children {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		out = append(out, collect(in.children[n].inst)...)
	}
	return out
}
