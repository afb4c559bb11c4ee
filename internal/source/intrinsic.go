package source

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/secretgate/secretgate/internal/doctree"
)

// cfnShortTags maps CloudFormation's YAML short forms to the long form
// keys of the JSON syntax.
var cfnShortTags = map[string]string{
	"!Ref":          "Ref",
	"!Condition":    "Condition",
	"!Base64":       "Fn::Base64",
	"!Cidr":         "Fn::Cidr",
	"!FindInMap":    "Fn::FindInMap",
	"!GetAtt":       "Fn::GetAtt",
	"!GetAZs":       "Fn::GetAZs",
	"!ImportValue":  "Fn::ImportValue",
	"!Join":         "Fn::Join",
	"!Select":       "Fn::Select",
	"!Split":        "Fn::Split",
	"!Sub":          "Fn::Sub",
	"!Transform":    "Fn::Transform",
	"!And":          "Fn::And",
	"!Equals":       "Fn::Equals",
	"!If":           "Fn::If",
	"!Not":          "Fn::Not",
	"!Or":           "Fn::Or",
	"!Length":       "Fn::Length",
	"!ToJsonString": "Fn::ToJsonString",
}

// cfnShortTag is the doctree.TagFunc for CloudFormation YAML: !Sub x becomes
// {"Fn::Sub": x}, and !GetAtt a.b becomes {"Fn::GetAtt": ["a", "b"]}.
// Unknown tags are ignored.
func cfnShortTag(tag string, n *doctree.Node) *doctree.Node {
	fn, ok := cfnShortTags[tag]
	if !ok {
		return n
	}
	arg := n
	if tag == "!GetAtt" && n.Kind == doctree.String {
		res, attr, _ := strings.Cut(n.Text, ".")
		arg = &doctree.Node{Kind: doctree.Array, Line: n.Line, Col: n.Col, Elems: []*doctree.Node{
			{Kind: doctree.String, Text: res, Line: n.Line, Col: n.Col},
			{Kind: doctree.String, Text: attr, Line: n.Line, Col: n.Col},
		}}
	}
	return &doctree.Node{Kind: doctree.Object, Line: n.Line, Col: n.Col, Members: []doctree.Member{{Key: fn, Line: n.Line, Col: n.Col, Value: arg}}}
}

// noValue is what AWS::NoValue resolves to: the enclosing property or list
// element disappears.
var noValue = &doctree.Node{Kind: doctree.Null}

type tri int8

const (
	triUnknown tri = iota
	triTrue
	triFalse
)

type cfnParam struct {
	typ     string
	def     *doctree.Node
	allowed []string
}

// isList reports whether the parameter's value is a list: CommaDelimitedList
// and the List<…> types.
func (p cfnParam) isList() bool {
	return p.typ == "CommaDelimitedList" || strings.HasPrefix(p.typ, "List<")
}

// condValue is one condition decided for a variant of a resource.
type condValue struct {
	name  string
	value bool
}

// resolver evaluates CloudFormation intrinsic functions as far as the
// template alone allows: parameters resolve to the value given
// (Options.CloudFormationParameters) or their Default, AWS::Partition to
// "aws", conditions are evaluated from those, Fn::Sub, Fn::Join,
// Fn::Select, Fn::Split, Fn::FindInMap and Fn::If are computed, and a Ref or
// Fn::GetAtt Arn of an AWS::IAM::OIDCProvider of the template is the
// provider's ARN. What cannot be known before deployment (account id,
// region, resource attributes, imports) stays as readable text in Fn::Sub
// syntax, e.g. "${AWS::AccountId}" or "${AppRole.Arn}", so names and ARNs
// keep their known parts.
//
// An Fn::If whose condition cannot be decided is not guessed: the resolver
// takes the branch its forced conditions say (the parser judges a resource
// once per combination, see cfnParser.resource) and lists the undecided
// conditions it met in pending.
type resolver struct {
	params     map[string]cfnParam
	given      map[string]string // parameter values from outside the template
	resources  map[string]*doctree.Node
	mappings   *doctree.Node
	conditions *doctree.Node
	conds      map[string]tri
	busy       map[string]bool
	// forced holds the conditions decided for the variant being read.
	forced map[string]bool
	// pending lists, in the order met, the undecided conditions of Fn::If
	// calls whose branches differ, since the last reset.
	pending []string
	// unknownParams lists the parameters without a value that were read
	// since the last reset.
	unknownParams []string
	// deciding is set while a condition is evaluated: a parameter's
	// Default does not decide it. The stack can be deployed with any
	// value its AllowedValues permit, so a condition that only a default
	// settles is judged both ways — a role behind "EnableBreakGlass:
	// false" is still judged. Values given from outside (the parameters
	// file) do decide.
	deciding int
}

// reset starts reading a variant in which the conditions of forced are
// decided.
func (r *resolver) reset(forced []condValue) {
	clear(r.forced)
	for _, c := range forced {
		r.forced[c.name] = c.value
	}
	clear(r.conds) // derived conditions may change
	r.pending, r.unknownParams = nil, nil
}

// pend records the undecided condition name at position mark of pending
// (before the conditions met inside its branches), once.
func (r *resolver) pend(name string, mark int) {
	for _, p := range r.pending {
		if p == name {
			return
		}
	}
	r.pending = append(r.pending[:mark], append([]string{name}, r.pending[mark:]...)...)
}

// sameValue reports whether two resolved values are equal, positions aside.
func sameValue(a, b *doctree.Node) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Kind != b.Kind || a.Text != b.Text || len(a.Members) != len(b.Members) || len(a.Elems) != len(b.Elems) {
		return false
	}
	for i := range a.Members {
		if a.Members[i].Key != b.Members[i].Key || !sameValue(a.Members[i].Value, b.Members[i].Value) {
			return false
		}
	}
	for i := range a.Elems {
		if !sameValue(a.Elems[i], b.Elems[i]) {
			return false
		}
	}
	return true
}

// newResolver prepares the resolution of root's intrinsics; given holds
// parameter values from outside the template (nil for none).
func newResolver(root *doctree.Node, given map[string]string) *resolver {
	r := &resolver{
		params:     map[string]cfnParam{},
		given:      given,
		resources:  map[string]*doctree.Node{},
		mappings:   root.Get("Mappings"),
		conditions: root.Get("Conditions"),
		conds:      map[string]tri{},
		busy:       map[string]bool{},
		forced:     map[string]bool{},
	}
	if ps := root.Get("Parameters"); ps != nil && ps.Kind == doctree.Object {
		for _, m := range ps.Members {
			t, _ := m.Value.Get("Type").Str()
			p := cfnParam{typ: t, def: m.Value.Get("Default")}
			if av := m.Value.Get("AllowedValues"); av != nil {
				for _, a := range av.Elems {
					if s, ok := a.Scalar(); ok {
						p.allowed = append(p.allowed, s)
					}
				}
			}
			r.params[m.Key] = p
		}
	}
	if rs := root.Get("Resources"); rs != nil && rs.Kind == doctree.Object {
		for _, m := range rs.Members {
			r.resources[m.Key] = m.Value
		}
	}
	return r
}

// resourceType is the Type of the template's resource logical, "" when
// there is none.
func (r *resolver) resourceType(logical string) string {
	t, _ := r.resources[logical].Get("Type").Str()
	return t
}

// isResource reports whether logical is a resource of the template.
func (r *resolver) isResource(logical string) bool {
	_, ok := r.resources[logical]
	return ok
}

// oidcProviderARN is the ARN of the template's AWS::IAM::OIDCProvider
// logical, as Ref and Fn::GetAtt Arn return it: IAM names a provider by its
// URL without the scheme. ok is false when logical is no such provider or
// its Url is not known.
func (r *resolver) oidcProviderARN(logical string, at *doctree.Node, depth int) (*doctree.Node, bool) {
	if r.resourceType(logical) != "AWS::IAM::OIDCProvider" || r.busy["resource "+logical] {
		return nil, false // a Url that refers to its own provider has no value
	}
	r.busy["resource "+logical] = true
	url, ok, known := r.resolveScalar(r.resources[logical].Path("Properties", "Url"), depth)
	delete(r.busy, "resource "+logical)
	if !ok || !known || url == "" {
		return nil, false
	}
	host := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(url, "https://"), "http://"), "/")
	partition := r.pseudo("AWS::Partition", at)
	account := r.pseudo("AWS::AccountId", at)
	return strNode(at, "arn:"+partition+":iam::"+account+":oidc-provider/"+host), account != "${AWS::AccountId}"
}

// pseudo is the text of a pseudo parameter: the value given, else its
// placeholder ("${AWS::Region}").
func (r *resolver) pseudo(name string, at *doctree.Node) string {
	v, _ := r.ref(name, at)
	s, _ := v.Scalar()
	return s
}

func intrinsicCall(n *doctree.Node) (fn string, arg *doctree.Node, ok bool) {
	if n == nil || n.Kind != doctree.Object || len(n.Members) != 1 {
		return "", nil, false
	}
	k := n.Members[0].Key
	if k == "Ref" || strings.HasPrefix(k, "Fn::") {
		return k, n.Members[0].Value, true
	}
	return "", nil, false
}

func strNode(at *doctree.Node, s string) *doctree.Node {
	n := &doctree.Node{Kind: doctree.String, Text: s}
	if at != nil {
		n.Line, n.Col = at.Line, at.Col
	}
	return n
}

// resolve returns n with every intrinsic function evaluated or rendered as
// text, and whether the result is fully known.
func (r *resolver) resolve(n *doctree.Node) (*doctree.Node, bool) {
	return r.resolveDepth(n, 0)
}

func (r *resolver) resolveDepth(n *doctree.Node, depth int) (*doctree.Node, bool) {
	if n == nil {
		return nil, false
	}
	if depth > doctree.MaxDepth {
		return strNode(n, "${…}"), false
	}
	switch n.Kind {
	case doctree.Object:
		if fn, arg, ok := intrinsicCall(n); ok {
			return r.call(fn, arg, n, depth+1)
		}
		out := &doctree.Node{Kind: doctree.Object, Line: n.Line, Col: n.Col}
		known := true
		for _, m := range n.Members {
			v, k := r.resolveDepth(m.Value, depth+1)
			if v == noValue {
				continue
			}
			known = known && k
			out.Members = append(out.Members, doctree.Member{Key: m.Key, Line: m.Line, Col: m.Col, Value: v})
		}
		return out, known
	case doctree.Array:
		out := &doctree.Node{Kind: doctree.Array, Line: n.Line, Col: n.Col, Elems: make([]*doctree.Node, 0, len(n.Elems))}
		known := true
		for _, e := range n.Elems {
			v, k := r.resolveDepth(e, depth+1)
			if v == noValue {
				continue
			}
			known = known && k
			out.Elems = append(out.Elems, v)
		}
		return out, known
	}
	return n, true
}

// resolveScalar resolves n and returns its text when it is a scalar.
func (r *resolver) resolveScalar(n *doctree.Node, depth int) (string, bool, bool) {
	v, known := r.resolveDepth(n, depth)
	s, ok := v.Scalar()
	return s, ok, known
}

func (r *resolver) call(fn string, arg, at *doctree.Node, depth int) (*doctree.Node, bool) {
	switch fn {
	case "Ref":
		name, ok := arg.Scalar()
		if !ok {
			return strNode(at, "${Ref}"), false
		}
		if arn, known := r.oidcProviderARN(name, at, depth); arn != nil {
			return arn, known
		}
		return r.ref(name, at)
	case "Fn::Sub":
		return r.sub(arg, at, depth)
	case "Fn::Join":
		if arg.Kind != doctree.Array || len(arg.Elems) != 2 {
			return strNode(at, "${Fn::Join}"), false
		}
		delim, _, dk := r.resolveScalar(arg.Elems[0], depth)
		list, lk := r.resolveDepth(arg.Elems[1], depth)
		if list.Kind != doctree.Array {
			s, _ := list.Scalar()
			return strNode(at, s), false
		}
		parts := make([]string, 0, len(list.Elems))
		known := dk && lk
		for _, e := range list.Elems {
			s, ok := e.Scalar()
			if !ok {
				s, known = "${…}", false
			}
			parts = append(parts, s)
		}
		return strNode(at, strings.Join(parts, delim)), known
	case "Fn::Select":
		if arg.Kind != doctree.Array || len(arg.Elems) != 2 {
			return strNode(at, "${Fn::Select}"), false
		}
		is, _, ik := r.resolveScalar(arg.Elems[0], depth)
		list, lk := r.resolveDepth(arg.Elems[1], depth)
		i, err := strconv.Atoi(is)
		if !ik || !lk || err != nil || list.Kind != doctree.Array || i < 0 || i >= len(list.Elems) {
			return strNode(at, "${Fn::Select}"), false
		}
		return list.Elems[i], true
	case "Fn::Split":
		if arg.Kind != doctree.Array || len(arg.Elems) != 2 {
			return strNode(at, "${Fn::Split}"), false
		}
		delim, _, dk := r.resolveScalar(arg.Elems[0], depth)
		s, ok, sk := r.resolveScalar(arg.Elems[1], depth)
		if !ok || !dk || !sk || delim == "" {
			return strNode(at, "${Fn::Split}"), false
		}
		out := &doctree.Node{Kind: doctree.Array, Line: at.Line, Col: at.Col}
		for _, p := range strings.Split(s, delim) {
			out.Elems = append(out.Elems, strNode(at, p))
		}
		return out, true
	case "Fn::GetAtt":
		var res, attr string
		switch arg.Kind {
		case doctree.String:
			res, attr, _ = strings.Cut(arg.Text, ".")
		case doctree.Array:
			if len(arg.Elems) == 2 {
				res, _ = arg.Elems[0].Scalar()
				attr, _, _ = r.resolveScalar(arg.Elems[1], depth)
			}
		}
		if attr == "Arn" {
			if arn, known := r.oidcProviderARN(res, at, depth); arn != nil {
				return arn, known
			}
		}
		return strNode(at, "${"+res+"."+attr+"}"), false
	case "Fn::If":
		if arg.Kind != doctree.Array || len(arg.Elems) != 3 {
			return strNode(at, "${Fn::If}"), false
		}
		name, _ := arg.Elems[0].Scalar()
		switch r.condition(name) {
		case triTrue:
			return r.resolveDepth(arg.Elems[1], depth)
		case triFalse:
			return r.resolveDepth(arg.Elems[2], depth)
		}
		// Undecided: when the branches differ, the condition is pending
		// (the parser reads the resource again with it decided each
		// way); meanwhile the "true" branch stands, not certain.
		mark := len(r.pending)
		v, _ := r.resolveDepth(arg.Elems[1], depth)
		alt, _ := r.resolveDepth(arg.Elems[2], depth)
		if !sameValue(v, alt) {
			r.pend(name, mark)
		}
		return v, false
	case "Fn::FindInMap":
		if arg.Kind != doctree.Array || len(arg.Elems) < 3 {
			return strNode(at, "${Fn::FindInMap}"), false
		}
		keys := make([]string, 3)
		for i := range 3 {
			s, ok, k := r.resolveScalar(arg.Elems[i], depth)
			if !ok || !k {
				return strNode(at, "${Fn::FindInMap}"), false
			}
			keys[i] = s
		}
		if v := r.mappings.Path(keys...); v != nil {
			return r.resolveDepth(v, depth)
		}
		if len(arg.Elems) == 4 { // AWS::LanguageExtensions DefaultValue
			if d := arg.Elems[3].Get("DefaultValue"); d != nil {
				return r.resolveDepth(d, depth)
			}
		}
		return strNode(at, "${Fn::FindInMap}"), false
	case "Fn::Base64":
		s, ok, k := r.resolveScalar(arg, depth)
		if !ok || !k {
			return strNode(at, "${Fn::Base64}"), false
		}
		return strNode(at, base64.StdEncoding.EncodeToString([]byte(s))), true
	case "Fn::ImportValue":
		s, _, _ := r.resolveScalar(arg, depth)
		return strNode(at, "${ImportValue:"+s+"}"), false
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not":
		switch r.condExpr(at, depth) {
		case triTrue:
			return &doctree.Node{Kind: doctree.Bool, Text: "true", Line: at.Line, Col: at.Col}, true
		case triFalse:
			return &doctree.Node{Kind: doctree.Bool, Text: "false", Line: at.Line, Col: at.Col}, true
		}
	}
	return strNode(at, "${"+fn+"}"), false
}

// ref resolves Ref name.
func (r *resolver) ref(name string, at *doctree.Node) (*doctree.Node, bool) {
	switch name {
	case "AWS::NoValue":
		return noValue, true
	case "AWS::Partition":
		return strNode(at, "aws"), true
	case "AWS::URLSuffix":
		return strNode(at, "amazonaws.com"), true
	}
	if v, ok := r.given[name]; ok && strings.HasPrefix(name, "AWS::") {
		return strNode(at, v), true // a pseudo parameter given from outside
	}
	if p, ok := r.params[name]; ok {
		def, ok := p.def.Scalar()
		if r.deciding > 0 {
			ok = false // a default decides no condition (see deciding)
		}
		if v, given := r.given[name]; given {
			def, ok = v, true
		}
		if !ok {
			if p.def != nil && p.def.Kind == doctree.Array {
				return p.def, true
			}
			r.unknownParam(name)
			if p.isList() { // a list of one unknown element
				return &doctree.Node{Kind: doctree.Array, Line: at.Line, Col: at.Col, Elems: []*doctree.Node{strNode(at, "${"+name+"}")}}, false
			}
			return strNode(at, "${"+name+"}"), false
		}
		if p.isList() {
			out := &doctree.Node{Kind: doctree.Array, Line: at.Line, Col: at.Col}
			for _, s := range strings.Split(def, ",") {
				out.Elems = append(out.Elems, strNode(at, strings.TrimSpace(s)))
			}
			return out, true
		}
		return strNode(at, def), true
	}
	return strNode(at, "${"+name+"}"), false
}

// unknownParam records that parameter name, which has no value, was read.
func (r *resolver) unknownParam(name string) {
	for _, p := range r.unknownParams {
		if p == name {
			return
		}
	}
	r.unknownParams = append(r.unknownParams, name)
}

// paramNote says what is assumed of a parameter without a value.
func (r *resolver) paramNote(name string) string {
	p := r.params[name]
	if len(p.allowed) > 0 {
		return fmt.Sprintf("parameter %s has no value (allowed: %s)", name, strings.Join(p.allowed, ", "))
	}
	return fmt.Sprintf("parameter %s has no value", name)
}

// sub evaluates Fn::Sub: "text ${Name} ${Res.Attr} ${!Literal}" or
// [text, {Name: value}].
func (r *resolver) sub(arg, at *doctree.Node, depth int) (*doctree.Node, bool) {
	tmplNode := arg
	var vars *doctree.Node
	if arg.Kind == doctree.Array && len(arg.Elems) >= 1 {
		tmplNode = arg.Elems[0]
		if len(arg.Elems) > 1 {
			vars = arg.Elems[1]
		}
	}
	tmpl, ok := tmplNode.Scalar()
	if !ok {
		return strNode(at, "${Fn::Sub}"), false
	}
	var b strings.Builder
	known := true
	for {
		i := strings.Index(tmpl, "${")
		if i < 0 {
			b.WriteString(tmpl)
			break
		}
		b.WriteString(tmpl[:i])
		rest := tmpl[i+2:]
		j := strings.IndexByte(rest, '}')
		if j < 0 {
			b.WriteString(tmpl[i:])
			break
		}
		name := rest[:j]
		tmpl = rest[j+1:]
		if strings.HasPrefix(name, "!") { // ${!Literal} is the text ${Literal}
			b.WriteString("${" + name[1:] + "}")
			continue
		}
		var val *doctree.Node
		var k bool
		if v := vars.Get(name); v != nil {
			val, k = r.resolveDepth(v, depth)
		} else if strings.Contains(name, ".") && !strings.HasPrefix(name, "AWS::") {
			val, k = strNode(at, "${"+name+"}"), false
		} else {
			val, k = r.ref(name, at)
		}
		s, ok := val.Scalar()
		if !ok || val == noValue {
			s, k = "${"+name+"}", false
		}
		known = known && k
		b.WriteString(s)
	}
	return strNode(at, b.String()), known
}

// condition evaluates a named condition from the Conditions section.
func (r *resolver) condition(name string) tri {
	if v, ok := r.forced[name]; ok {
		if v {
			return triTrue
		}
		return triFalse
	}
	if v, ok := r.conds[name]; ok {
		return v
	}
	if r.busy[name] { // a cycle: CloudFormation rejects it; we give up
		return triUnknown
	}
	def := r.conditions.Get(name)
	if def == nil {
		return triUnknown
	}
	r.busy[name] = true
	r.deciding++
	v := r.condExpr(def, 0)
	r.deciding--
	delete(r.busy, name)
	r.conds[name] = v
	return v
}

// equalsAllowed decides Fn::Equals of the Ref n to a parameter without a
// value and the known text s from the parameter's AllowedValues: false
// when s is not allowed, true when it is the only value allowed.
func (r *resolver) equalsAllowed(n *doctree.Node, s string) tri {
	fn, arg, ok := intrinsicCall(n)
	if !ok || fn != "Ref" {
		return triUnknown
	}
	name, _ := arg.Scalar()
	p, ok := r.params[name]
	if !ok || len(p.allowed) == 0 || p.isList() {
		return triUnknown
	}
	res := triTrue
	for _, a := range p.allowed {
		if a != s {
			res = triUnknown
		}
	}
	if res == triTrue {
		return triTrue
	}
	for _, a := range p.allowed {
		if a == s {
			return triUnknown
		}
	}
	return triFalse
}

// condExpr evaluates a condition function.
func (r *resolver) condExpr(n *doctree.Node, depth int) tri {
	if depth > doctree.MaxDepth || n == nil {
		return triUnknown
	}
	if n.Kind == doctree.Bool {
		if n.Text == "true" {
			return triTrue
		}
		return triFalse
	}
	if n.Kind == doctree.Object && len(n.Members) == 1 && n.Members[0].Key == "Condition" {
		name, _ := n.Members[0].Value.Scalar()
		return r.condition(name)
	}
	fn, arg, ok := intrinsicCall(n)
	if !ok {
		return triUnknown
	}
	switch fn {
	case "Fn::Equals":
		if arg.Kind != doctree.Array || len(arg.Elems) != 2 {
			return triUnknown
		}
		// A parameter read to decide a condition is not itself an
		// assumption of the facts: when the condition decides something,
		// the variants say which way.
		mark := len(r.unknownParams)
		a, aok, ak := r.resolveScalar(arg.Elems[0], depth+1)
		b, bok, bk := r.resolveScalar(arg.Elems[1], depth+1)
		r.unknownParams = r.unknownParams[:mark]
		if aok && bok && ak && !bk {
			return r.equalsAllowed(arg.Elems[1], a)
		}
		if aok && bok && !ak && bk {
			return r.equalsAllowed(arg.Elems[0], b)
		}
		if !aok || !bok || !ak || !bk {
			return triUnknown
		}
		if a == b {
			return triTrue
		}
		return triFalse
	case "Fn::Not":
		if arg.Kind != doctree.Array || len(arg.Elems) != 1 {
			return triUnknown
		}
		switch r.condExpr(arg.Elems[0], depth+1) {
		case triTrue:
			return triFalse
		case triFalse:
			return triTrue
		}
		return triUnknown
	case "Fn::And", "Fn::Or":
		if arg.Kind != doctree.Array {
			return triUnknown
		}
		decisive, other := triFalse, triTrue // And
		if fn == "Fn::Or" {
			decisive, other = triTrue, triFalse
		}
		res := other
		for _, e := range arg.Elems {
			switch r.condExpr(e, depth+1) {
			case decisive:
				return decisive
			case triUnknown:
				res = triUnknown
			}
		}
		return res
	}
	return triUnknown
}
