package source

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/secretgate/secretgate/internal/doctree"
)

// A policy attribute a plan leaves unknown until apply (a role's
// assume_role_policy = data.aws_iam_policy_document.x[each.key].json) is
// often computed by a policy-document data source that Terraform reads
// only during apply, because one of its inputs is not known yet. The plan
// still holds that data source's planned arguments: its statements, with
// the unknown parts marked in after_unknown. This file renders the policy
// from them the way the AWS provider renders it, so the role is judged
// rather than reported as not known. An unknown part is taken from what
// the configuration says it refers to when the plan knows that (the ARN of
// an OIDC provider whose url is known, of a secret or role whose name is);
// any other unknown part leaves the policy unknown, as before.

// tfPolicyDocType is the data source rendering IAM policy documents.
const tfPolicyDocType = "aws_iam_policy_document"

// dataDocument renders the policy of attribute attr of r from the
// aws_iam_policy_document data source its configuration refers to. ok is
// false when attr refers to none, or to one whose policy cannot be
// rendered from the plan (why says why, for the error).
func (p *tfParser) dataDocument(r *tfResource, attr string) (doc *doctree.Node, why string, ok bool) {
	d := p.dataRef(r, attr)
	if d == nil {
		return nil, "", false
	}
	if s, known := d.str("json"); known {
		return &doctree.Node{Kind: doctree.String, Text: s, Line: d.line, Col: 1}, "", true
	}
	js, err := p.renderPolicyDocument(d)
	if err != nil {
		return nil, fmt.Sprintf("it comes from %s, whose %v", d.addr, err), false
	}
	return &doctree.Node{Kind: doctree.String, Text: js, Line: d.line, Col: 1}, "", true
}

// dataRef is the instance of the aws_iam_policy_document data source that
// attribute attr of r refers to in the configuration: the instance named
// by the reference's key, else the one with r's own key (each.key), else
// the only one.
func (p *tfParser) dataRef(r *tfResource, attr string) *tfResource {
	list := r.expr.Get(attr).Get("references")
	if list == nil || list.Kind != doctree.Array {
		return nil
	}
	prefix := "data." + tfPolicyDocType + "."
	for _, e := range list.Elems {
		ref, _ := e.Str()
		if !strings.HasPrefix(ref, prefix) {
			continue
		}
		rest := ref[len(prefix):]
		name, idx := rest, ""
		if end := strings.IndexAny(rest, ".["); end >= 0 {
			name = rest[:end]
			if rest[end] == '[' {
				idx = rest[end : end+skipIndex(rest[end:])]
			}
		}
		var cands []*tfResource
		for _, d := range p.data {
			if d.name == name && d.module == r.module && (idx == "" || d.index == idx) {
				cands = append(cands, d)
			}
		}
		if len(cands) == 1 {
			return cands[0]
		}
		for _, d := range cands {
			if d.index == r.index {
				return d
			}
		}
	}
	return nil
}

// renderPolicyDocument renders the policy JSON of a data source instance
// from its planned arguments, as the AWS provider does: version (default
// 2012-10-17), policy_id, then the statements of source_policy_documents,
// replaced or extended by its own (by sid), then those of
// override_policy_documents. The error names the first part that is not
// known until apply and cannot be resolved from the plan.
func (p *tfParser) renderPolicyDocument(d *tfResource) (string, error) {
	v := &tfValue{p: p, d: d, node: d.values, unknown: d.unknown, expr: d.expr}
	doc := map[string]any{}
	version := "2012-10-17"
	if s, ok, err := v.field("version").str(); err != nil {
		return "", err
	} else if ok {
		version = s
	}
	doc["Version"] = version
	if s, ok, err := v.field("policy_id").str(); err != nil {
		return "", err
	} else if ok {
		doc["Id"] = s
	}
	var stmts []map[string]any
	sources, err := v.field("source_policy_documents").strs()
	if err != nil {
		return "", err
	}
	for _, src := range sources {
		ss, err := statementsOf(src)
		if err != nil {
			return "", fmt.Errorf("source_policy_documents: %w", err)
		}
		stmts = mergeStatements(stmts, ss)
	}
	own, err := v.field("statement").list()
	if err != nil {
		return "", err
	}
	var mine []map[string]any
	for _, st := range own {
		s, err := st.statement()
		if err != nil {
			return "", err
		}
		mine = append(mine, s)
	}
	stmts = mergeStatements(stmts, mine)
	overrides, err := v.field("override_policy_documents").strs()
	if err != nil {
		return "", err
	}
	for _, o := range overrides {
		ss, err := statementsOf(o)
		if err != nil {
			return "", fmt.Errorf("override_policy_documents: %w", err)
		}
		stmts = mergeStatements(stmts, ss)
	}
	if stmts == nil {
		stmts = []map[string]any{}
	}
	doc["Statement"] = stmts
	b, err := json.Marshal(doc)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// mergeStatements adds add to base: a statement with the sid of one in
// base replaces it, the others are appended (the provider's rule for
// source and override documents).
func mergeStatements(base, add []map[string]any) []map[string]any {
	for _, s := range add {
		sid, _ := s["Sid"].(string)
		replaced := false
		if sid != "" {
			for i, b := range base {
				if bs, _ := b["Sid"].(string); bs == sid {
					base[i], replaced = s, true
					break
				}
			}
		}
		if !replaced {
			base = append(base, s)
		}
	}
	return base
}

// statementsOf reads the statements of a policy JSON string.
func statementsOf(js string) ([]map[string]any, error) {
	var doc struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		return nil, fmt.Errorf("not a policy document: %v", err)
	}
	var list []map[string]any
	if err := json.Unmarshal(doc.Statement, &list); err == nil {
		return list, nil
	}
	var one map[string]any
	if err := json.Unmarshal(doc.Statement, &one); err != nil {
		return nil, errors.New("the Statement is neither an object nor a list")
	}
	return []map[string]any{one}, nil
}

// tfValue is a part of a data source's planned arguments, with the
// matching parts of its after_unknown and of its configuration.
type tfValue struct {
	p       *tfParser
	d       *tfResource
	path    string // for messages: statement[0].principals[0].identifiers
	node    *doctree.Node
	unknown *doctree.Node
	expr    *doctree.Node
}

func (v *tfValue) isUnknown() bool {
	return v.unknown != nil && v.unknown.Kind == doctree.Bool && v.unknown.Text == "true"
}

func (v *tfValue) unknownErr() error {
	return fmt.Errorf("%s is not known until apply", strings.TrimPrefix(v.path, "."))
}

func (v *tfValue) field(name string) *tfValue {
	return &tfValue{p: v.p, d: v.d, path: v.path + "." + name, node: v.node.Get(name), unknown: v.unknown.Get(name), expr: v.expr.Get(name)}
}

func (v *tfValue) elem(i int) *tfValue {
	e := &tfValue{p: v.p, d: v.d, path: fmt.Sprintf("%s[%d]", v.path, i)}
	if v.node != nil && v.node.Kind == doctree.Array && i < len(v.node.Elems) {
		e.node = v.node.Elems[i]
	}
	if v.unknown != nil && v.unknown.Kind == doctree.Array && i < len(v.unknown.Elems) {
		e.unknown = v.unknown.Elems[i]
	}
	// A block list's configuration is a list of blocks; an attribute's is
	// one expression for the whole list.
	if v.expr != nil && v.expr.Kind == doctree.Array {
		if i < len(v.expr.Elems) {
			e.expr = v.expr.Elems[i]
		}
	} else {
		e.expr = v.expr
	}
	return e
}

// str is a known string; ok is false when it is null or empty.
func (v *tfValue) str() (string, bool, error) {
	if v.isUnknown() {
		return "", false, v.unknownErr()
	}
	s, ok := v.node.Scalar()
	return s, ok && s != "", nil
}

// list is a known list's elements (none when null).
func (v *tfValue) list() ([]*tfValue, error) {
	if v.isUnknown() {
		return nil, v.unknownErr()
	}
	if v.node == nil || v.node.Kind != doctree.Array {
		return nil, nil
	}
	out := make([]*tfValue, len(v.node.Elems))
	for i := range v.node.Elems {
		out[i] = v.elem(i)
	}
	return out, nil
}

// strs is a known list (or set) of strings. Unknown elements are taken
// from what the configuration expression refers to, when every resource
// it refers to has an ARN the plan can tell (refARNs).
func (v *tfValue) strs() ([]string, error) {
	elems, err := v.list()
	if err != nil {
		arns, ok := v.refARNs()
		if !ok {
			return nil, err
		}
		return arns, nil
	}
	var out []string
	substituted := false
	for _, e := range elems {
		if e.isUnknown() {
			if substituted {
				continue
			}
			arns, ok := v.refARNs()
			if !ok {
				return nil, e.unknownErr()
			}
			out = append(out, arns...)
			substituted = true
			continue
		}
		if s, ok := e.node.Scalar(); ok {
			out = append(out, s)
		}
	}
	return out, nil
}

// afterApply stands in an ARN for the parts AWS assigns on apply.
const afterApply = "(known after apply)"

// refARNs are the ARNs of the resources the configuration expression
// refers to, when the plan holds each and knows what names it: an
// aws_iam_openid_connect_provider by its url, an aws_secretsmanager_secret
// by its name, an aws_iam_role by its path and name. The account (and a
// secret's region and suffix) are not known before apply and are written
// so. An unknown element of a list is one of them: the list holds them
// all. ok is false when the expression refers to anything else (a
// variable, a local, another resource), or to such a resource whose ARN
// cannot be told.
func (v *tfValue) refARNs() ([]string, bool) {
	list := v.expr.Get("references")
	if list == nil || list.Kind != doctree.Array {
		return nil, false
	}
	var found []*tfResource
	for _, e := range list.Elems {
		ref, _ := e.Str()
		t := v.p.referenced(v.d.module, ref)
		if t == nil {
			if isPlainRef(ref) {
				return nil, false // a variable, local or other resource
			}
			continue
		}
		if !slices.Contains(found, t) {
			found = append(found, t)
		}
	}
	if len(found) == 0 {
		return nil, false
	}
	var arns []string
	for _, t := range found {
		arn, note, ok := plannedARN(t)
		if !ok {
			return nil, false
		}
		arns = append(arns, arn)
		v.p.notes = appendUnique(v.p.notes, note)
	}
	return arns, true
}

// isPlainRef reports whether ref may stand for a value unknown until
// apply: anything but each.key, each.value and count.index, which a plan
// always knows.
func isPlainRef(ref string) bool {
	return ref != "each.key" && ref != "each.value" && ref != "count.index"
}

// referenced is the resource of module that ref (t.n, t.n.arn, t.n.id,
// t.n[k].arn, ...) names, among the types refARNs knows; nil otherwise.
func (p *tfParser) referenced(module, ref string) *tfResource {
	for _, t := range p.resources {
		if t.module != module {
			continue
		}
		switch t.typ {
		case "aws_iam_openid_connect_provider", "aws_secretsmanager_secret", "aws_iam_role":
		default:
			continue
		}
		for _, base := range []string{t.typ + "." + t.name, t.typ + "." + t.name + t.index} {
			if ref == base || ref == base+".arn" || (ref == base+".id" && t.typ != "aws_iam_role") {
				return t
			}
		}
	}
	return nil
}

// plannedARN is the ARN resource t will have, as far as the plan tells,
// with a note of what is assumed.
func plannedARN(t *tfResource) (arn, note string, ok bool) {
	switch t.typ {
	case "aws_iam_openid_connect_provider":
		url, ok := t.str("url")
		if !ok {
			return "", "", false
		}
		host := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(url, "https://"), "http://"), "/")
		return "arn:aws:iam::" + afterApply + ":oidc-provider/" + host,
			fmt.Sprintf("the account in the ARN of %s (the OIDC provider for %s) is known only after apply", t.addr, host), true
	case "aws_secretsmanager_secret":
		name, ok := t.str("name")
		if !ok {
			return "", "", false
		}
		return "arn:aws:secretsmanager:" + afterApply + ":" + afterApply + ":secret:" + name + "-??????",
			fmt.Sprintf("the region and account in the ARN of %s (secret %s) are known only after apply", t.addr, name), true
	case "aws_iam_role":
		name, ok := t.str("name")
		if !ok {
			return "", "", false
		}
		path, ok := t.str("path")
		if !ok {
			path = "/"
		}
		return "arn:aws:iam::" + afterApply + ":role" + path + name,
			fmt.Sprintf("the account in the ARN of %s (role %s) is known only after apply", t.addr, name), true
	}
	return "", "", false
}

// statement renders one statement block as the provider does.
func (v *tfValue) statement() (map[string]any, error) {
	st := map[string]any{}
	if s, ok, err := v.field("sid").str(); err != nil {
		return nil, err
	} else if ok {
		st["Sid"] = s
	}
	effect := "Allow"
	if s, ok, err := v.field("effect").str(); err != nil {
		return nil, err
	} else if ok {
		effect = s
	}
	st["Effect"] = effect
	for _, f := range []struct{ attr, key string }{
		{"actions", "Action"}, {"not_actions", "NotAction"},
		{"resources", "Resource"}, {"not_resources", "NotResource"},
	} {
		list, err := v.field(f.attr).strs()
		if err != nil {
			return nil, err
		}
		if len(list) > 0 {
			st[f.key] = list
		}
	}
	for _, f := range []struct{ attr, key string }{{"principals", "Principal"}, {"not_principals", "NotPrincipal"}} {
		pr, err := v.field(f.attr).principals()
		if err != nil {
			return nil, err
		}
		if pr != nil {
			st[f.key] = pr
		}
	}
	conds, err := v.field("condition").list()
	if err != nil {
		return nil, err
	}
	if len(conds) > 0 {
		cond := map[string]map[string][]string{}
		for _, c := range conds {
			test, _, err := c.field("test").str()
			if err != nil {
				return nil, err
			}
			variable, _, err := c.field("variable").str()
			if err != nil {
				return nil, err
			}
			values, err := c.field("values").strs()
			if err != nil {
				return nil, err
			}
			if cond[test] == nil {
				cond[test] = map[string][]string{}
			}
			cond[test][variable] = append(cond[test][variable], values...)
		}
		st["Condition"] = cond
	}
	return st, nil
}

// principals renders principals blocks: {"AWS": [...], "Federated":
// [...]}, or "*" for a type "*" with identifier "*" (nil when none).
func (v *tfValue) principals() (any, error) {
	blocks, err := v.list()
	if err != nil || len(blocks) == 0 {
		return nil, err
	}
	out := map[string][]string{}
	for _, b := range blocks {
		typ, _, err := b.field("type").str()
		if err != nil {
			return nil, err
		}
		ids, err := b.field("identifiers").strs()
		if err != nil {
			return nil, err
		}
		if typ == "*" && len(ids) == 1 && ids[0] == "*" && len(blocks) == 1 {
			return "*", nil
		}
		out[typ] = append(out[typ], ids...)
	}
	return out, nil
}
