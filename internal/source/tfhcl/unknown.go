package tfhcl

import (
	"regexp"
	"strconv"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Placeholders stand for string values that cannot be known offline (a
// variable with no value, an ARN AWS assigns, a data source other than a
// policy document). Each is a visible token, ⟪n⟫, that flows through
// templates, functions and jsonencode like any string, so a policy
// document built from it keeps its shape; Resolve then replaces the token
// by "*" (the unknown value may be anything, so it is judged as the
// loosest it could be) and says which value was unknown.
type Placeholders struct {
	mu       sync.Mutex
	reasons  []string
	quiet    []bool
	as       []string // what each resolves to; "" means "*"
	byReason map[string]int
}

// NewPlaceholders returns an empty set of placeholders.
func NewPlaceholders() *Placeholders { return &Placeholders{byReason: map[string]int{}} }

var tokenRE = regexp.MustCompile(`⟪(\d+)⟫`)

// token returns the placeholder for reason, the same one for the same
// reason. A quiet placeholder (the account id in an ARN) is replaced
// without an assumption: it never changes a verdict.
func (p *Placeholders) token(reason string, quiet bool) string {
	return p.tokenAs(reason, "", quiet)
}

// tokenAs is token for a value judged as the value as, rather than "*"; reason then
// says so itself.
func (p *Placeholders) tokenAs(reason, as string, quiet bool) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	i, ok := p.byReason[reason]
	if !ok {
		i = len(p.reasons)
		p.reasons = append(p.reasons, reason)
		p.quiet = append(p.quiet, quiet)
		p.as = append(p.as, as)
		p.byReason[reason] = i
	}
	return "⟪" + strconv.Itoa(i) + "⟫"
}

// Has reports whether s holds a placeholder.
func Has(s string) bool { return tokenRE.MatchString(s) }

var wholeTokenRE = regexp.MustCompile(`^⟪\d+⟫$`)

// IsPlaceholder reports whether s is one placeholder and nothing else.
func IsPlaceholder(s string) bool { return wholeTokenRE.MatchString(s) }

// Resolve replaces every placeholder in s by "*" and returns the
// assumptions they stand for, in order, without repeats.
func (p *Placeholders) Resolve(s string) (string, []string) {
	if !Has(s) {
		return s, nil
	}
	var why []string
	out := tokenRE.ReplaceAllStringFunc(s, func(t string) string {
		i, _ := strconv.Atoi(tokenRE.FindStringSubmatch(t)[1])
		p.mu.Lock()
		defer p.mu.Unlock()
		if i >= len(p.reasons) {
			return "*"
		}
		if p.as[i] != "" {
			if !p.quiet[i] {
				why = appendUnique(why, p.reasons[i])
			}
			return p.as[i]
		}
		if !p.quiet[i] {
			why = appendUnique(why, p.reasons[i]+` (judged as "*")`)
		}
		return "*"
	})
	return out, why
}

func appendUnique(s []string, vs ...string) []string {
next:
	for _, v := range vs {
		for _, x := range s {
			if x == v {
				continue next
			}
		}
		s = append(s, v)
	}
	return s
}

// placeholderOf returns a value of type t standing for an unknown value:
// a placeholder string, a one-element collection of one, an object of
// them; numbers and booleans are cty unknowns.
func (p *Placeholders) placeholderOf(t cty.Type, reason string) cty.Value {
	switch {
	case t == cty.DynamicPseudoType || t == cty.String:
		return cty.StringVal(p.token(reason, false))
	case t.IsListType():
		return cty.ListVal([]cty.Value{p.placeholderOf(t.ElementType(), reason)})
	case t.IsSetType():
		return cty.SetVal([]cty.Value{p.placeholderOf(t.ElementType(), reason)})
	case t.IsMapType():
		return cty.MapVal(map[string]cty.Value{p.token(reason, false): p.placeholderOf(t.ElementType(), reason)})
	case t.IsObjectType():
		attrs := map[string]cty.Value{}
		for n, at := range t.AttributeTypes() {
			attrs[n] = p.placeholderOf(at, reason)
		}
		return cty.ObjectVal(attrs)
	case t.IsTupleType():
		var el []cty.Value
		for _, et := range t.TupleElementTypes() {
			el = append(el, p.placeholderOf(et, reason))
		}
		if len(el) == 0 {
			return cty.EmptyTupleVal
		}
		return cty.TupleVal(el)
	}
	return cty.UnknownVal(t)
}

// collectRefs records, for every resource, data source and module call a
// native-syntax body refers to, the attribute names referred to.
func collectRefs(body hcl.Body, into map[string]map[string]bool) {
	sb, ok := body.(*hclsyntax.Body)
	if !ok {
		return
	}
	_ = hclsyntax.VisitAll(sb, func(n hclsyntax.Node) hcl.Diagnostics {
		if st, ok := n.(*hclsyntax.ScopeTraversalExpr); ok {
			key, attr := refKey(st.Traversal)
			if key != "" && attr != "" {
				m := into[key]
				if m == nil {
					m = map[string]bool{}
					into[key] = m
				}
				m[attr] = true
			}
		}
		return nil
	})
}

// refKey splits a traversal into the module-relative address of what it
// refers to (aws_iam_role.x, data.t.n, module.m) and the attribute read
// on it ("" when none).
func refKey(tr hcl.Traversal) (key, attr string) {
	var names []string // the traversal's names; index steps are skipped
	for _, step := range tr {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			names = append(names, s.Name)
		case hcl.TraverseAttr:
			names = append(names, s.Name)
		}
	}
	if len(names) == 0 {
		return "", ""
	}
	switch names[0] {
	case "var", "local", "each", "count", "path", "terraform", "self":
		return "", ""
	case "data":
		if len(names) >= 4 {
			return "data." + names[1] + "." + names[2], names[3]
		}
	case "module":
		if len(names) >= 3 {
			return "module." + names[1], names[2]
		}
	default:
		if len(names) >= 3 {
			return names[0] + "." + names[1], names[2]
		}
	}
	return "", ""
}
