// Package tfhcl reads Terraform configuration (.tf and .tf.json files)
// directly, without a plan, and evaluates it offline the way Terraform
// would: variables (defaults, terraform.tfvars, *.auto.tfvars, extra var
// files), locals, templates, Terraform's common functions, count and
// for_each instances, references between resources, local modules and
// the registry modules terraform init has put under .terraform/modules,
// and aws_iam_policy_document data sources rendered as the AWS provider
// renders them.
//
// What cannot be known offline (a variable with no value, an ARN AWS
// assigns, another data source) becomes a visible placeholder, ⟪n⟫,
// that flows through the evaluation like any string; Placeholders.Resolve
// turns it into "*" and names what was unknown. The package knows
// nothing about secretgate's facts: internal/source turns its resources
// into roles, policies and secrets.
package tfhcl

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"
	"golang.org/x/sync/errgroup"
)

// Options tune an evaluation.
type Options struct {
	// VarFiles are extra .tfvars (or .tfvars.json) files applied, in
	// order, after terraform.tfvars and *.auto.tfvars to every root
	// module, as terraform -var-file does. Relative paths are relative to
	// the scan root.
	VarFiles []string
}

// Result is what an evaluation found.
type Result struct {
	Resources []*Resource
	// Errors are files that could not be parsed (with file and line).
	Errors []Problem
	// Skipped are module calls that were not read (a registry module
	// terraform init has not fetched).
	Skipped []Problem
	// Files lists the .tf, .tf.json and .tfvars files read, relative.
	Files        []string
	Placeholders *Placeholders
}

// Evaluate reads the modules in dirs (absolute directory -> its .tf and
// .tf.json files, absolute) under root. A directory only ever called as a
// local module by another directory in dirs is evaluated through its
// callers; every other directory is a root module.
func Evaluate(ctx context.Context, root string, dirs map[string][]string, opts Options) (*Result, error) {
	l := newLoader(root)
	ph := NewPlaceholders()
	res := &Result{Placeholders: ph}
	names := make([]string, 0, len(dirs))
	for d := range dirs {
		names = append(names, d)
	}
	sort.Strings(names)
	parallel(len(names), func(i int) { l.load(names[i], dirs[names[i]]) })
	called := map[string]bool{}
	for _, d := range names {
		for _, c := range l.modules[d].calls {
			if strings.HasPrefix(c.source, "./") || strings.HasPrefix(c.source, "../") {
				target := filepath.Clean(filepath.Join(d, filepath.FromSlash(c.source)))
				if target != d {
					called[target] = true
				}
			}
		}
	}
	var roots []string
	for _, d := range names {
		if !called[d] {
			roots = append(roots, d)
		}
	}
	type rootResult struct {
		resources []*Resource
		skipped   []Problem
	}
	outs := make([]rootResult, len(roots))
	parallel(len(roots), func(i int) {
		if ctx.Err() != nil {
			return
		}
		d := roots[i]
		cfg := l.modules[d]
		e := &evaluator{
			l: l, ph: ph, rootRel: cfg.rel, funcs: functions(root, d, ph),
			modulesJSON: loadModulesJSON(root, d),
			account:     ph.token("the AWS account id", true),
			region:      ph.token("the AWS region", true),
		}
		given := l.varFiles(d, opts.VarFiles)
		in := e.newInstance(cfg, "", "", 0, e.varsFor(cfg, given, ""))
		e.eval(in)
		outs[i] = rootResult{resources: collect(in), skipped: e.skipped}
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, o := range outs {
		res.Resources = append(res.Resources, o.resources...)
		res.Skipped = append(res.Skipped, o.skipped...)
	}
	sort.SliceStable(l.errs, func(i, j int) bool {
		if l.errs[i].File != l.errs[j].File {
			return l.errs[i].File < l.errs[j].File
		}
		return l.errs[i].Line < l.errs[j].Line
	})
	res.Errors = l.errs
	for f := range l.read {
		res.Files = append(res.Files, f)
	}
	sort.Strings(res.Files)
	return res, nil
}

// parallel runs f for 0..n-1, one at a time per CPU.
func parallel(n int, f func(i int)) {
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i := range n {
		g.Go(func() error {
			f(i)
			return nil
		})
	}
	_ = g.Wait()
}

// varFiles reads the variable values of a root module: terraform.tfvars,
// then *.auto.tfvars in name order (JSON forms too), then extra files.
func (l *loader) varFiles(dir string, extra []string) map[string]cty.Value {
	var files []string
	for _, n := range []string{"terraform.tfvars", "terraform.tfvars.json"} {
		if _, err := os.Lstat(filepath.Join(dir, n)); err == nil {
			// Read (and refused, when it is not a regular file) below.
			files = append(files, filepath.Join(dir, n))
		}
	}
	auto, _ := filepath.Glob(filepath.Join(dir, "*.auto.tfvars"))
	autoJSON, _ := filepath.Glob(filepath.Join(dir, "*.auto.tfvars.json"))
	auto = append(auto, autoJSON...)
	sort.Strings(auto)
	files = append(files, auto...)
	for _, f := range extra {
		if !filepath.IsAbs(f) {
			f = filepath.Join(l.root, f)
		}
		files = append(files, f)
	}
	vals := map[string]cty.Value{}
	for _, f := range files {
		l.readVarFile(f, vals)
	}
	return vals
}

// readVarFile reads one .tfvars file into vals. Problems name the file
// and line, never a value: a tfvars file may hold secrets.
func (l *loader) readVarFile(path string, vals map[string]cty.Value) {
	src, rel, err := l.readFile(path)
	if err != nil {
		l.problem(Problem{File: rel, Message: "cannot read variable file: " + unwrapPathError(err)})
		return
	}
	f, diags := parse(src, path)
	l.diagProblemsOf(firstError(diags), false)
	if f == nil || diags.HasErrors() {
		return
	}
	attrs, diags := f.Body.JustAttributes()
	l.diagProblemsOf(diags, false)
	for n, a := range attrs {
		v, diags := a.Expr.Value(nil)
		if diags.HasErrors() {
			l.problem(Problem{File: rel, Line: a.NameRange.Start.Line, Message: "the value of variable " + n + " could not be read (a variable file holds only literal values)"})
			continue
		}
		vals[n] = v
	}
}
