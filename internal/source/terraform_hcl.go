package source

import (
	"context"
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/secretgate/secretgate/internal/doctree"
	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/iampolicy"
	"github.com/secretgate/secretgate/internal/result"
	"github.com/secretgate/secretgate/internal/source/tfhcl"
)

// KindTerraformHCL is Terraform configuration read directly: .tf,
// .tf.json and .tfvars files.
const KindTerraformHCL Kind = "terraform-hcl"

// isTerraformConfig reports whether a file name is Terraform
// configuration, read by module directory rather than file by file.
func isTerraformConfig(name string) bool {
	n := strings.ToLower(name)
	return strings.HasSuffix(n, ".tf") || strings.HasSuffix(n, ".tf.json")
}

// scanTerraformHCL evaluates the Terraform modules in dirs (absolute
// directory -> its .tf and .tf.json files) and turns their resources into
// facts, with the plan reader's rules (tfParser). The count is of the
// files read.
func scanTerraformHCL(ctx context.Context, root string, dirs map[string][]string, opts Options) (fileResult, int, []result.InputProblem, error) {
	out := fileResult{}
	if len(dirs) == 0 {
		return out, 0, nil, nil
	}
	res, err := tfhcl.Evaluate(ctx, root, dirs, tfhcl.Options{VarFiles: opts.TerraformVarFiles})
	if err != nil {
		return out, 0, nil, fmt.Errorf("terraform configuration: %w", err)
	}
	for _, e := range res.Errors {
		out.errs = append(out.errs, result.InputProblem{File: e.File, Line: e.Line, Message: e.Message})
	}
	var skipped []result.InputProblem
	for _, s := range res.Skipped {
		skipped = append(skipped, result.InputProblem{File: s.File, Line: s.Line, Message: s.Message})
	}
	// Each root module is a configuration of its own: resources link
	// (by reference or by name) only within it.
	var roots []string
	byRoot := map[string][]*tfhcl.Resource{}
	for _, r := range res.Resources {
		if _, ok := byRoot[r.Root]; !ok {
			roots = append(roots, r.Root)
		}
		byRoot[r.Root] = append(byRoot[r.Root], r)
	}
	for _, root := range roots {
		part := hclFacts(res.Placeholders, byRoot[root])
		out.roles = append(out.roles, part.roles...)
		out.policies = append(out.policies, part.policies...)
		out.secrets = append(out.secrets, part.secrets...)
		out.errs = append(out.errs, part.errs...)
		skipped = append(skipped, part.skips...)
	}
	return out, len(res.Files), skipped, nil
}

// hclFacts turns the evaluated resources of one root module into facts,
// with the plan reader's rules, and resolves the placeholders in them.
func hclFacts(ph *tfhcl.Placeholders, resources []*tfhcl.Resource) fileResult {
	out := fileResult{}
	p := &tfParser{
		out: &out, offline: true,
		roleIdx: map[*tfResource]int{}, policyIdx: map[*tfResource]int{}, secretIdx: map[*tfResource]int{},
	}
	dataWhy := map[string][]string{} // module|data.t.n -> assumptions
	for _, r := range resources {
		if r.Data {
			k := r.Module + "|data." + r.Type + "." + r.Name
			dataWhy[k] = appendAll(dataWhy[k], r.Assumptions)
		}
	}
	for _, r := range resources {
		if r.Data {
			continue
		}
		values, unknown, expr, why := hclTrees(ph, r)
		t := &tfResource{
			addr: r.Addr, module: r.Module, typ: r.Type, name: r.Name, index: r.Index,
			values: values, unknown: unknown, expr: expr, line: r.Line,
			file: r.File, idPrefix: r.Root, assumptions: appendAll(append([]string(nil), r.Assumptions...), why),
		}
		for _, a := range r.Body.Attrs {
			for _, ref := range a.Refs {
				if strings.HasPrefix(ref, "data.") {
					t.assumptions = appendAll(t.assumptions, dataWhy[r.Module+"|"+ref])
				}
			}
		}
		p.resources = append(p.resources, t)
	}
	p.build()
	p.unusedTrust(resources)
	whyByID := map[string][]string{}
	for _, t := range p.resources {
		whyByID[p.id(t)] = t.assumptions
	}
	for i := range out.roles {
		resolveRole(ph, &out.roles[i], whyByID)
	}
	for i := range out.policies {
		pol := &out.policies[i]
		owner := pol.ID
		if j := strings.Index(owner, "#inline/"); j >= 0 {
			owner = owner[:j]
		}
		pol.Assumptions = appendAll(pol.Assumptions, whyByID[owner])
		pol.Name = resolveName(ph, pol.Name, &pol.Assumptions)
		pol.ARN = knownOnly(pol.ARN)
		pol.Assumptions = appendAll(pol.Assumptions, resolveDocument(ph, &pol.Document))
	}
	for i := range out.secrets {
		resolveSecret(ph, &out.secrets[i], whyByID)
	}
	return out
}

// unusedTrust judges trust documents of aws_iam_policy_document data
// sources that no role of the configuration uses (a module whose trust
// policy is an output) as the trust of a role of unknown name.
func (p *tfParser) unusedTrust(resources []*tfhcl.Resource) {
	used := map[string]bool{}
	for _, r := range resources {
		if !r.Data && r.Type == "aws_iam_role" {
			if a, ok := r.Body.Attrs["assume_role_policy"]; ok && a.Value.IsKnown() && a.Value.Type() == cty.String && !a.Value.IsNull() {
				used[a.Value.AsString()] = true
			}
		}
	}
	for _, r := range resources {
		if !r.Data || r.Type != "aws_iam_policy_document" {
			continue
		}
		j := r.Value.GetAttr("json")
		if !j.IsKnown() || j.IsNull() || used[j.AsString()] {
			continue
		}
		doc, err := iampolicy.Normalize(r.File, &doctree.Node{Kind: doctree.String, Text: j.AsString(), Line: r.Line})
		if err != nil || !iampolicy.IsTrust(doc) {
			continue
		}
		used[j.AsString()] = true
		t := &tfResource{addr: r.Addr, module: r.Module, typ: r.Type, name: r.Name, index: r.Index, line: r.Line, file: r.File, idPrefix: r.Root}
		t.assumptions = appendAll([]string{"no role in the configuration uses this trust policy; it is judged as the trust of a role of unknown name"}, r.Assumptions)
		p.resources = append(p.resources, t)
		p.out.roles = append(p.out.roles, facts.Role{
			ID: p.id(t), Name: r.Addr, Path: "/", Trust: &doc, PolicyIDs: []string{},
			Source: sourceTerraform, Location: p.loc(t),
		})
	}
}

func resolveRole(ph *tfhcl.Placeholders, role *facts.Role, why map[string][]string) {
	role.Assumptions = appendAll(role.Assumptions, why[role.ID])
	if tfhcl.Has(role.Name) || role.Name == "" {
		// A name unknown offline: the role is called by its address.
		_, w := ph.Resolve(role.Name)
		role.Assumptions = appendAll(role.Assumptions, w)
		role.Name = role.ID[strings.Index(role.ID, "#")+1:]
	}
	role.ARN = knownOnly(role.ARN)
	role.Path, _ = ph.Resolve(role.Path)
	role.Tags = resolveTags(ph, role.Tags, &role.Assumptions)
	var arns []string
	for _, a := range role.AttachedARNs {
		s, w := ph.Resolve(a)
		role.Assumptions = appendAll(role.Assumptions, w)
		arns = appendUnique(arns, s)
	}
	role.AttachedARNs = arns
	if role.Trust != nil {
		role.Assumptions = appendAll(role.Assumptions, resolveDocument(ph, role.Trust))
	}
}

func resolveSecret(ph *tfhcl.Placeholders, s *facts.Secret, why map[string][]string) {
	s.Assumptions = appendAll(s.Assumptions, why[s.ID])
	s.Name = resolveName(ph, s.Name, &s.Assumptions)
	s.ARN = knownOnly(s.ARN)
	s.Tags = resolveTags(ph, s.Tags, &s.Assumptions)
	var w []string
	s.KMSKeyID, w = ph.Resolve(s.KMSKeyID)
	s.Assumptions = appendAll(s.Assumptions, w)
	s.RotationSchedule, w = ph.Resolve(s.RotationSchedule)
	s.Assumptions = appendAll(s.Assumptions, w)
}

// resolveName resolves placeholders in a name; the assumptions join why.
func resolveName(ph *tfhcl.Placeholders, name string, why *[]string) string {
	s, w := ph.Resolve(name)
	*why = appendAll(*why, w)
	return s
}

// knownOnly drops an ARN with a part unknown offline (an account id): a
// made-up ARN must not be compared with real ones.
func knownOnly(arn string) string {
	if tfhcl.Has(arn) {
		return ""
	}
	return arn
}

func resolveTags(ph *tfhcl.Placeholders, tags map[string]string, why *[]string) map[string]string {
	for k, v := range tags {
		s, w := ph.Resolve(v)
		*why = appendAll(*why, w)
		tags[k] = s
	}
	return tags
}

// resolveDocument replaces placeholders in a policy document by "*", so
// that a value unknown offline is judged as the loosest it could be, and
// returns what was unknown. What "*" would make stricter is left out
// instead: a Deny statement with an unknown part (it may deny less), a
// negated condition with an unknown value (it may exclude less). An
// equality condition with an unknown value becomes its Like form, where
// "*" matches anything.
func resolveDocument(ph *tfhcl.Placeholders, doc *facts.PolicyDocument) []string {
	var why []string
	res := func(s string) string {
		out, w := ph.Resolve(s)
		why = appendAll(why, w)
		return out
	}
	list := func(l []string) []string {
		if l == nil {
			return nil
		}
		out := make([]string, len(l))
		for i, s := range l {
			out[i] = res(s)
		}
		return out
	}
	kept := doc.Statement[:0]
	for _, st := range doc.Statement {
		if st.Effect == "Deny" && statementHasPlaceholder(st) {
			_ = list(statementStrings(st)) // records what was unknown
			why = appendUnique(why, fmt.Sprintf("statement %d is a Deny with a value not known offline; it is left out", st.Index))
			continue
		}
		st.Action, st.NotAction = list(st.Action), list(st.NotAction)
		st.Resource, st.NotResource = list(st.Resource), list(st.NotResource)
		st.Principal, st.NotPrincipal = resolvePrincipalTypes(st, res, &why)
		for _, pm := range []map[string][]string{st.Principal, st.NotPrincipal} {
			for k, v := range pm {
				pm[k] = list(v)
			}
		}
		if st.Condition != nil {
			cond := map[string]map[string][]string{}
			ops := make([]string, 0, len(st.Condition))
			for op := range st.Condition {
				ops = append(ops, op)
			}
			sort.Strings(ops)
			for _, op := range ops {
				condKeys := make([]string, 0, len(st.Condition[op]))
				for key := range st.Condition[op] {
					condKeys = append(condKeys, key)
				}
				sort.Strings(condKeys)
				for _, key := range condKeys {
					vals := st.Condition[op][key]
					if tfhcl.Has(op) || tfhcl.Has(key) {
						// An operator or key unknown offline cannot be
						// judged; a condition only restricts, so the
						// loosest reading is without it.
						_ = list(vals)
						why = appendUnique(why, fmt.Sprintf("a condition (%s on %s) of statement %d has an operator or key not known offline; it is left out", res(op), res(key), st.Index))
						continue
					}
					target := op
					unknown := false
					for _, v := range vals {
						unknown = unknown || tfhcl.Has(v)
					}
					if unknown {
						if strings.Contains(op, "Not") {
							_ = list(vals)
							why = appendUnique(why, fmt.Sprintf("the %s condition on %s of statement %d has a value not known offline; it is left out", op, key, st.Index))
							continue
						}
						target = likeOperator(op)
					}
					if cond[target] == nil {
						cond[target] = map[string][]string{}
					}
					cond[target][key] = append(cond[target][key], list(vals)...)
				}
			}
			st.Condition = cond
		}
		st.Index = len(kept)
		kept = append(kept, st)
	}
	doc.Statement = kept
	return why
}

// likeOperator is the wildcard form of an equality operator.
func likeOperator(op string) string {
	prefix := ""
	if i := strings.LastIndex(op, ":"); i >= 0 {
		prefix, op = op[:i+1], op[i+1:]
	}
	suffix := ""
	if strings.HasSuffix(op, "IfExists") {
		suffix, op = "IfExists", strings.TrimSuffix(op, "IfExists")
	}
	switch op {
	case "StringEquals", "StringEqualsIgnoreCase":
		op = "StringLike"
	case "ArnEquals":
		op = "ArnLike"
	}
	return prefix + op + suffix
}

// statementStrings lists every string of a statement.
// statementStrings lists every string of a statement that a placeholder
// may be in: values, principal types, condition operators and keys.
func statementStrings(st facts.Statement) []string {
	var out []string
	for _, l := range [][]string{st.Action, st.NotAction, st.Resource, st.NotResource} {
		out = append(out, l...)
	}
	for _, pm := range []map[string][]string{st.Principal, st.NotPrincipal} {
		for k, v := range pm {
			out = append(out, k)
			out = append(out, v...)
		}
	}
	for op, m := range st.Condition {
		out = append(out, op)
		for k, v := range m {
			out = append(out, k)
			out = append(out, v...)
		}
	}
	return out
}

// principalTypes are the types a principal whose type is unknown
// offline is judged as, each: rules key on the type (GitHub's OIDC trust
// on Federated, public trust on AWS "*"), and left as written the
// unknown type would match none of them and the statement would look
// harmless.
var principalTypes = []string{"AWS", "Federated", "Service"}

// resolvePrincipalTypes judges a principal whose type is unknown offline
// (type = var.x with no value) as every type it could be, with the same
// identifiers: the loosest reading. A NotPrincipal with an unknown type
// may exclude nobody: the statement is then judged as applying to
// anyone, Principal "*". res records what was unknown in why.
func resolvePrincipalTypes(st facts.Statement, res func(string) string, why *[]string) (principal, notPrincipal map[string][]string) {
	principal, notPrincipal = st.Principal, st.NotPrincipal
	var ids []string
	unknown := false
	for k, v := range principal {
		if tfhcl.Has(k) {
			res(k)
			delete(principal, k)
			ids, unknown = appendAll(ids, v), true
		}
	}
	anyone := false
	for k := range notPrincipal {
		if tfhcl.Has(k) {
			res(k)
			notPrincipal, anyone = nil, true
			break
		}
	}
	if !unknown && !anyone {
		return principal, notPrincipal
	}
	if principal == nil {
		principal = map[string][]string{}
	}
	if unknown {
		for _, t := range principalTypes {
			principal[t] = appendAll(principal[t], ids)
		}
		*why = appendUnique(*why, fmt.Sprintf("a principal type of statement %d is not known offline; judged as each of %s", st.Index, strings.Join(principalTypes, ", ")))
	}
	if anyone {
		principal["AWS"] = appendUnique(principal["AWS"], "*")
		*why = appendUnique(*why, fmt.Sprintf("a NotPrincipal type of statement %d is not known offline; judged as anyone (\"*\")", st.Index))
	}
	return principal, notPrincipal
}

func statementHasPlaceholder(st facts.Statement) bool {
	for _, s := range statementStrings(st) {
		if tfhcl.Has(s) {
			return true
		}
	}
	return false
}

// hclTrees turns an evaluated resource into the trees the plan reader
// reads: its values (arguments, nested blocks, and the arn AWS computes),
// which of them are unknown, and the references of its arguments.
// An argument that is one placeholder as a whole (a policy from a data
// source secretgate cannot read) is unknown, and why joins the
// assumptions.
func hclTrees(ph *tfhcl.Placeholders, r *tfhcl.Resource) (values, unknown, expr *doctree.Node, why []string) {
	values = &doctree.Node{Kind: doctree.Object, Line: r.Line}
	unknown = &doctree.Node{Kind: doctree.Object}
	expr = &doctree.Node{Kind: doctree.Object}
	why = blockTree(ph, r.Body, values, unknown)
	if values.Get("arn") == nil && r.Value.Type().IsObjectType() && r.Value.Type().HasAttribute("arn") {
		if n, ok := ctyNode(r.Value.GetAttr("arn"), r.Line); ok {
			values.Members = append(values.Members, doctree.Member{Key: "arn", Line: r.Line, Value: n})
		}
	}
	names := make([]string, 0, len(r.Body.Attrs))
	for n := range r.Body.Attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		refs := &doctree.Node{Kind: doctree.Array}
		for _, ref := range r.Body.Attrs[n].Refs {
			refs.Elems = append(refs.Elems, &doctree.Node{Kind: doctree.String, Text: ref})
		}
		expr.Members = append(expr.Members, doctree.Member{Key: n, Value: &doctree.Node{Kind: doctree.Object,
			Members: []doctree.Member{{Key: "references", Value: refs}}}})
	}
	return values, unknown, expr, why
}

func blockTree(ph *tfhcl.Placeholders, b *tfhcl.Block, values, unknown *doctree.Node) (why []string) {
	names := make([]string, 0, len(b.Attrs))
	for n := range b.Attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		a := b.Attrs[n]
		v, ok := ctyNode(a.Value, a.Line)
		if ok && v.Kind == doctree.String && tfhcl.IsPlaceholder(v.Text) {
			_, w := ph.Resolve(v.Text)
			why = appendAll(why, w)
			ok = false
		}
		if !ok {
			unknown.Members = append(unknown.Members, doctree.Member{Key: n, Value: &doctree.Node{Kind: doctree.Bool, Text: "true"}})
			continue
		}
		values.Members = append(values.Members, doctree.Member{Key: n, Line: a.Line, Value: v})
	}
	arrays := map[string]*doctree.Node{}
	for _, nb := range b.Blocks {
		arr := arrays[nb.Type]
		if arr == nil {
			arr = &doctree.Node{Kind: doctree.Array, Line: nb.Line}
			arrays[nb.Type] = arr
			values.Members = append(values.Members, doctree.Member{Key: nb.Type, Line: nb.Line, Value: arr})
		}
		obj := &doctree.Node{Kind: doctree.Object, Line: nb.Line}
		why = appendAll(why, blockTree(ph, nb, obj, &doctree.Node{Kind: doctree.Object}))
		arr.Elems = append(arr.Elems, obj)
	}
	return why
}

// ctyNode converts a value to a tree node on line; ok is false when the
// value is not wholly known (an unknown element of a list is left out).
func ctyNode(v cty.Value, line int) (*doctree.Node, bool) {
	if !v.IsKnown() {
		return nil, false
	}
	n := &doctree.Node{Line: line}
	if v.IsNull() {
		n.Kind = doctree.Null
		return n, true
	}
	t := v.Type()
	switch {
	case t == cty.String:
		n.Kind, n.Text = doctree.String, v.AsString()
	case t == cty.Number:
		n.Kind, n.Text = doctree.Number, v.AsBigFloat().Text('f', -1)
		if v.AsBigFloat().IsInt() {
			i, _ := v.AsBigFloat().Int(new(big.Int))
			n.Text = i.String()
		}
	case t == cty.Bool:
		n.Kind, n.Text = doctree.Bool, fmt.Sprint(v.True())
	case t.IsListType() || t.IsSetType() || t.IsTupleType():
		n.Kind = doctree.Array
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			if en, ok := ctyNode(ev, line); ok {
				n.Elems = append(n.Elems, en)
			}
		}
	case t.IsMapType() || t.IsObjectType():
		n.Kind = doctree.Object
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			if en, ok := ctyNode(ev, line); ok {
				n.Members = append(n.Members, doctree.Member{Key: k.AsString(), Line: line, Value: en})
			}
		}
	default:
		return nil, false
	}
	return n, true
}

// appendAll appends the values of vs that s does not hold yet.
func appendAll(s []string, vs []string) []string {
	for _, v := range vs {
		s = appendUnique(s, v)
	}
	return s
}
