package tfhcl

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// A rendered statement of an aws_iam_policy_document, in the AWS
// provider's key order; a single value is a string, as the provider
// writes it.
type stmtOut struct {
	Sid          string                    `json:"Sid,omitempty"`
	Effect       string                    `json:"Effect,omitempty"`
	Action       any                       `json:"Action,omitempty"`
	NotAction    any                       `json:"NotAction,omitempty"`
	Resource     any                       `json:"Resource,omitempty"`
	NotResource  any                       `json:"NotResource,omitempty"`
	Principal    any                       `json:"Principal,omitempty"`
	NotPrincipal any                       `json:"NotPrincipal,omitempty"`
	Condition    map[string]map[string]any `json:"Condition,omitempty"`
}

type docOut struct {
	Version   string            `json:"Version,omitempty"`
	ID        string            `json:"Id,omitempty"`
	Statement []json.RawMessage `json:"Statement"`
}

// stmt is a statement of a document being merged, with its Sid.
type stmt struct {
	sid string
	raw json.RawMessage
}

// mergeStatements applies newer onto cur as the AWS provider does: a
// statement with a Sid replaces the one of cur with the same Sid, in its
// place; others are appended.
func mergeStatements(cur, newer []stmt) []stmt {
next:
	for _, s := range newer {
		if s.sid != "" {
			for i := range cur {
				if cur[i].sid == s.sid {
					cur[i] = s
					continue next
				}
			}
		}
		cur = append(cur, s)
	}
	return cur
}

// parseDoc reads the statements of a JSON policy document.
func parseDoc(text string) (version, id string, out []stmt, ok bool) {
	var d struct {
		Version   string
		Id        string
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(text), &d) != nil {
		return "", "", nil, false
	}
	var list []json.RawMessage
	if len(d.Statement) > 0 && d.Statement[0] == '{' {
		list = []json.RawMessage{d.Statement}
	} else if len(d.Statement) > 0 && json.Unmarshal(d.Statement, &list) != nil {
		return "", "", nil, false
	}
	for _, raw := range list {
		var s struct{ Sid string }
		_ = json.Unmarshal(raw, &s)
		out = append(out, stmt{sid: s.Sid, raw: raw})
	}
	return d.Version, d.Id, out, true
}

// renderPolicyDocument renders a data "aws_iam_policy_document" instance
// as the AWS provider renders its json: source_policy_documents first,
// then its statement blocks, then override_policy_documents, each
// replacing statements of the same Sid.
func (e *evaluator) renderPolicyDocument(res *Resource) (string, []string) {
	var why []string
	b := res.Body
	strs := func(a Attr, what string) []string {
		return e.strings(a.Value, res.Addr+"."+what)
	}
	version := "2012-10-17"
	if a, ok := b.Attrs["version"]; ok {
		if v := strs(a, "version"); len(v) == 1 {
			version = v[0]
		}
	}
	id := ""
	if a, ok := b.Attrs["policy_id"]; ok {
		if v := strs(a, "policy_id"); len(v) == 1 {
			id = v[0]
		}
	}
	var merged []stmt
	docs := func(names ...string) {
		for _, n := range names {
			a, ok := b.Attrs[n]
			if !ok {
				continue
			}
			for _, text := range strs(a, n) {
				v, i, list, ok := parseDoc(text)
				if !ok {
					why = appendUnique(why, "a document of "+res.Addr+"."+n+" is not known offline; its statements are missing")
					continue
				}
				if v != "" {
					version = v
				}
				if i != "" {
					id = i
				}
				merged = mergeStatements(merged, list)
			}
		}
	}
	docs("source_policy_documents", "source_json")
	var own []stmt
	for _, sb := range b.Blocks {
		if sb.Type != "statement" {
			continue
		}
		s := e.renderStatement(res, sb)
		raw, _ := json.Marshal(s)
		own = append(own, stmt{sid: s.Sid, raw: raw})
	}
	merged = mergeStatements(merged, own)
	docs("override_policy_documents", "override_json")
	out := docOut{Version: version, ID: id, Statement: []json.RawMessage{}}
	for _, s := range merged {
		out.Statement = append(out.Statement, s.raw)
	}
	text, _ := json.MarshalIndent(out, "", "  ")
	return string(text), why
}

// statementArgs are the arguments of a statement block of the
// aws_iam_policy_document data source; plural, as the provider names them.
var statementArgs = map[string]string{
	"sid": "", "effect": "", "actions": "", "not_actions": "", "resources": "", "not_resources": "",
	"action": "actions", "not_action": "not_actions", "resource": "resources", "not_resource": "not_resources",
}

func (e *evaluator) renderStatement(res *Resource, b *Block) stmtOut {
	for name, a := range b.Attrs {
		if want, known := statementArgs[name]; !known || want != "" {
			hint := ""
			if want != "" {
				hint = fmt.Sprintf(" (did you mean %s?)", want)
			}
			// Terraform refuses the configuration; secretgate says so
			// rather than judge a statement without the argument.
			e.l.problem(Problem{File: res.File, Line: a.Line, Message: fmt.Sprintf(
				"%s: a statement has an argument %q, which aws_iam_policy_document does not take%s; Terraform rejects this configuration", res.Addr, name, hint)})
		}
	}
	get := func(n string) []string {
		a, ok := b.Attrs[n]
		if !ok {
			return nil
		}
		return e.strings(a.Value, res.Addr+" statement "+n)
	}
	one := func(n string) string {
		if v := get(n); len(v) > 0 {
			return v[0]
		}
		return ""
	}
	s := stmtOut{Sid: one("sid"), Effect: one("effect")}
	if s.Effect == "" {
		s.Effect = "Allow"
	}
	s.Action = listOrString(get("actions"))
	s.NotAction = listOrString(get("not_actions"))
	s.Resource = listOrString(get("resources"))
	s.NotResource = listOrString(get("not_resources"))
	principals := func(typ string) any {
		m := map[string][]string{}
		var order []string
		for _, pb := range b.Blocks {
			if pb.Type != typ {
				continue
			}
			t := ""
			if a, ok := pb.Attrs["type"]; ok {
				if v := e.strings(a.Value, res.Addr+" principals type"); len(v) > 0 {
					t = v[0]
				}
			}
			var ids []string
			if a, ok := pb.Attrs["identifiers"]; ok {
				ids = e.strings(a.Value, res.Addr+" principals identifiers")
			}
			if _, ok := m[t]; !ok {
				order = append(order, t)
			}
			m[t] = appendUnique(m[t], ids...)
		}
		if len(order) == 0 {
			return nil
		}
		if len(order) == 1 && order[0] == "*" {
			return "*"
		}
		out := map[string]any{}
		for _, t := range order {
			out[t] = listOrString(m[t])
		}
		return out
	}
	s.Principal = principals("principals")
	s.NotPrincipal = principals("not_principals")
	for _, cb := range b.Blocks {
		if cb.Type != "condition" {
			continue
		}
		attr := func(n string) []string {
			if a, ok := cb.Attrs[n]; ok {
				return e.strings(a.Value, res.Addr+" condition "+n)
			}
			return nil
		}
		test, variable := attr("test"), attr("variable")
		if len(test) == 0 || len(variable) == 0 {
			continue
		}
		if s.Condition == nil {
			s.Condition = map[string]map[string]any{}
		}
		if s.Condition[test[0]] == nil {
			s.Condition[test[0]] = map[string]any{}
		}
		vals := attr("values")
		if prev, ok := s.Condition[test[0]][variable[0]]; ok {
			vals = appendUnique(asList(prev), vals...)
		}
		s.Condition[test[0]][variable[0]] = listOrString(vals)
	}
	return s
}

func asList(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []string:
		return t
	}
	return nil
}

func listOrString(v []string) any {
	switch len(v) {
	case 0:
		return nil
	case 1:
		return v[0]
	}
	return v
}

// strings flattens a value to strings: a string, or a collection of them;
// numbers and booleans as Terraform prints them. An unknown part becomes
// a placeholder, a null part is left out.
func (e *evaluator) strings(v cty.Value, what string) []string {
	if v.IsNull() {
		return nil
	}
	if !v.IsKnown() {
		return []string{e.ph.token(what+" is not known offline", false)}
	}
	t := v.Type()
	if t.IsListType() || t.IsSetType() || t.IsTupleType() {
		var out []string
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			out = append(out, e.strings(ev, what)...)
		}
		return out
	}
	s, err := convert.Convert(v, cty.String)
	if err != nil {
		return []string{e.ph.token(what+" is not a string", false)}
	}
	return []string{strings.Clone(s.AsString())}
}
