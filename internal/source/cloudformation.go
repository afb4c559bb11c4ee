package source

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/secretgate/secretgate/internal/doctree"
	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/iampolicy"
)

// maxVariants caps the combinations of undecided conditions judged for one
// resource. Beyond it, the conditions left take their first branch and the
// template is reported as not judged completely.
const maxVariants = 8

// cfnParser turns one CloudFormation template into facts. Resources are
// read in document order; links between them (a policy's Roles, a role's
// ManagedPolicyArns, a RotationSchedule's SecretId) are made afterwards,
// so their order in the template does not matter.
//
// A resource whose properties depend on conditions the template cannot
// decide (a parameter without a default, the region) is read once per
// combination of them: each combination that gives different facts is a
// variant, with the conditions it assumes in its facts' Assumptions, and
// its Name says so when the variants' names would otherwise be the same.
// Links join only variants that assume nothing contradictory.
type cfnParser struct {
	file string
	res  *resolver
	out  *fileResult
	// samGlobals is the template's Globals.Function (SAM): properties
	// every AWS::Serverless::Function has unless it sets its own.
	samGlobals *doctree.Node

	roles    map[string][]int // logical id -> indices in out.roles (one per variant)
	secrets  map[string][]int // logical id -> indices in out.secrets
	policies map[string][]int // logical id -> indices in out.policies (Policy and ManagedPolicy resources)
	// roleVar, policyVar and secretVar hold, by index in out, the
	// conditions each fact's variant assumes.
	roleVar   map[int][]condValue
	policyVar map[int][]condValue
	secretVar map[int][]condValue
	roleDecl  map[int]string // index in out.roles -> RoleName as written, resolved ("" when absent)
	links     []func()
}

// cfnFrag is what one variant of one resource contributes.
type cfnFrag struct {
	assume []condValue // conditions decided for this variant
	notes  []string    // other assumptions: names not fixed, parts not judged
	params []string    // parameters without a value that were read

	roles    []facts.Role
	policies []facts.Policy
	secrets  []facts.Secret
	errs     []error

	roleDecl    string      // a role's RoleName as written, resolved
	managedRefs []string    // a role's ManagedPolicyArns naming managed policies of the template
	roleTargets []string    // a policy's Roles: logical ids ("#" prefix) or role names
	rotation    *cfnRotates // a RotationSchedule
}

type cfnRotates struct {
	target   string // logical id ("#" prefix) or name/ARN of the secret
	days     int
	schedule string
}

// key is the variant's content, assumptions aside: variants with the same
// key are the same facts.
func (f *cfnFrag) key() string {
	errs := make([]string, len(f.errs))
	for i, e := range f.errs {
		errs[i] = e.Error()
	}
	b, _ := json.Marshal([]any{f.roles, f.policies, f.secrets, errs, f.roleDecl, f.managedRefs, f.roleTargets, f.rotation})
	return string(b)
}

func (f *cfnFrag) note(s string) {
	for _, n := range f.notes {
		if n == s {
			return
		}
	}
	f.notes = append(f.notes, s)
}

func parseCloudFormation(rel string, root *doctree.Node, po parseOptions) fileResult {
	out := fileResult{kind: KindCloudFormation}
	p := &cfnParser{
		file:       rel,
		res:        newResolver(root, po.cfnParams),
		out:        &out,
		roles:      map[string][]int{},
		secrets:    map[string][]int{},
		policies:   map[string][]int{},
		roleVar:    map[int][]condValue{},
		policyVar:  map[int][]condValue{},
		secretVar:  map[int][]condValue{},
		roleDecl:   map[int]string{},
		samGlobals: root.Path("Globals", "Function"),
	}
	resources := root.Get("Resources")
	if resources == nil {
		return out
	}
	if resources.Kind != doctree.Object {
		out.fail(rel, resources.Errorf("Resources must be an object, found %s", resources.Describe()))
		return out
	}
	last := map[string]int{}
	for i, m := range resources.Members {
		last[m.Key] = i
	}
	for i, m := range resources.Members {
		if last[m.Key] != i {
			continue // a repeated logical id: the last one counts, as in Get
		}
		if strings.HasPrefix(m.Key, "Fn::") {
			continue // Fn::ForEach loops of AWS::LanguageExtensions
		}
		if m.Value.Kind != doctree.Object {
			out.fail(rel, m.Value.Errorf("resource %s must be an object, found %s", m.Key, m.Value.Describe()))
			continue
		}
		typ, _ := m.Value.Get("Type").Str()
		if !strings.HasPrefix(typ, "AWS::IAM::") && !strings.HasPrefix(typ, "AWS::SecretsManager::") && typ != "AWS::Serverless::Function" {
			continue
		}
		props := m.Value.Get("Properties")
		if props == nil {
			props = &doctree.Node{Kind: doctree.Object, Line: m.Line, Col: m.Col}
		}
		if props.Kind != doctree.Object {
			out.fail(rel, props.Errorf("%s: Properties must be an object, found %s", m.Key, props.Describe()))
			continue
		}
		p.resource(m, typ, props)
	}
	for _, link := range p.links {
		link()
	}
	return out
}

// resource reads one resource, once per combination of the undecided
// conditions its properties depend on (at most maxVariants), and adds the
// distinct variants to the output.
func (p *cfnParser) resource(m doctree.Member, typ string, props *doctree.Node) {
	var start []condValue
	if c, ok := m.Value.Get("Condition").Str(); ok {
		p.res.reset(nil)
		switch p.res.condition(c) {
		case triFalse:
			return // not created with these parameters
		case triUnknown:
			start = []condValue{{c, true}} // judged as if created
		}
	}
	queue := [][]condValue{start}
	var done []*cfnFrag
	var capped []string
	for len(queue) > 0 {
		a := queue[0]
		queue = queue[1:]
		f := p.read(m, typ, props, a)
		if len(f.pending) > 0 {
			if len(done)+len(queue)+2 <= maxVariants {
				c := f.pending[0]
				queue = append(queue, with(a, c, true), with(a, c, false))
				continue
			}
			// Too many combinations: what is still undecided takes its
			// first branch.
			for _, c := range f.pending {
				f.assume = append(f.assume, condValue{c, true})
				capped = appendUnique(capped, c)
			}
		}
		done = append(done, f.cfnFrag)
	}
	if len(capped) > 0 {
		p.out.fail(p.file, (&doctree.Node{Line: m.Line, Col: m.Col}).Errorf(
			"%s: its properties depend on more undecided conditions than the %d combinations judged: beyond them, %s counted as true",
			m.Key, maxVariants, quoteAll(capped)))
	}
	p.emit(m, collapse(done))
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = doctree.Quote(n)
	}
	return strings.Join(q, ", ")
}

// with is a plus condition c decided as v.
func with(a []condValue, c string, v bool) []condValue {
	return append(append([]condValue(nil), a...), condValue{c, v})
}

type readResult struct {
	*cfnFrag
	pending []string
}

// read reads one variant of a resource: the conditions of assume decided.
func (p *cfnParser) read(m doctree.Member, typ string, props *doctree.Node, assume []condValue) readResult {
	p.res.reset(assume)
	f := &cfnFrag{assume: assume}
	switch typ {
	case "AWS::IAM::Role":
		p.role(f, m, props)
	case "AWS::IAM::Policy", "AWS::IAM::RolePolicy", "AWS::IAM::ManagedPolicy":
		p.policy(f, m, props, typ)
	case "AWS::SecretsManager::Secret":
		p.secret(f, m, props)
	case "AWS::SecretsManager::RotationSchedule":
		p.rotation(f, m, props)
	case "AWS::Serverless::Function":
		p.samFunction(f, m, props)
	}
	for _, name := range p.res.unknownParams {
		f.params = append(f.params, p.res.paramNote(name))
	}
	return readResult{cfnFrag: f, pending: p.res.pending}
}

// collapse joins variants that give the same facts and differ only in the
// condition decided last (the two branches of one Fn::If), again and again:
// the joined variant no longer assumes that condition. Variants that agree
// without being such a pair stay apart, so that each one's assumptions
// stay exactly true.
func collapse(frags []*cfnFrag) []*cfnFrag {
	if len(frags) < 2 {
		return frags
	}
	keys := make([]string, len(frags))
	for i, f := range frags {
		keys[i] = f.key()
	}
	for joined := true; joined; {
		joined = false
		for i := 0; i < len(frags) && !joined; i++ {
			for j := i + 1; j < len(frags); j++ {
				if keys[i] != keys[j] || !branches(frags[i].assume, frags[j].assume) {
					continue
				}
				g, f := frags[i], frags[j]
				g.assume = g.assume[:len(g.assume)-1]
				for _, n := range f.notes {
					g.note(n)
				}
				for _, n := range f.params {
					g.params = appendUnique(g.params, n)
				}
				frags = append(frags[:j], frags[j+1:]...)
				keys = append(keys[:j], keys[j+1:]...)
				joined = true
				break
			}
		}
	}
	return frags
}

// branches reports whether a and b assume the same but the last condition,
// decided both ways.
func branches(a, b []condValue) bool {
	n := len(a)
	if n == 0 || n != len(b) || a[n-1].name != b[n-1].name || a[n-1].value == b[n-1].value {
		return false
	}
	for i := range n - 1 {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// assumptionText says what a variant's conditions are.
func assumptionText(c condValue) string {
	return fmt.Sprintf("condition %s is %t", c.name, c.value)
}

// emit adds a resource's variants to the output: IDs and, where variants
// would share one, the names of roles and policies tell them apart
// ("Deploy/if IsMain=false"); facts carry their assumptions.
//
// The label follows a "/" so that the name's own parts still give the
// environment (environment_from: the first "/" segment, a token such as
// "-prod" at the end). Secrets keep their name, which the naming rules
// judge as it is: their variants differ in ID and assumptions only.
func (p *cfnParser) emit(m doctree.Member, frags []*cfnFrag) {
	primary := func(f *cfnFrag) string {
		switch {
		case len(f.roles) > 0:
			return "role " + f.roles[0].Name
		case len(f.policies) > 0:
			return "policy " + f.policies[0].Name
		}
		return ""
	}
	names := map[string]int{}
	for _, f := range frags {
		names[primary(f)]++
	}
	usedIDs := map[string]bool{}
	errSeen := map[string]bool{}
	for i, f := range frags {
		var conds, tags []string
		for _, c := range f.assume {
			conds = append(conds, assumptionText(c))
			tags = append(tags, fmt.Sprintf("%s=%t", c.name, c.value))
		}
		assumptions := append(append(append([]string(nil), conds...), f.params...), f.notes...)
		if len(frags) > 1 {
			suffix := "[" + strings.Join(tags, ",") + "]"
			if usedIDs[suffix] { // joined variants may assume the same
				suffix = fmt.Sprintf("[%s#%d]", strings.Join(tags, ","), i+1)
			}
			usedIDs[suffix] = true
			rename(f, p.id(m.Key), p.id(m.Key)+suffix)
			if k := primary(f); k != "" && names[k] > 1 && len(tags) > 0 {
				label := "/if " + strings.Join(tags, ", ")
				if len(f.roles) > 0 {
					f.roles[0].Name += label
				} else {
					f.policies[0].Name += label
				}
			}
		}
		for _, e := range f.errs {
			if k := e.Error(); !errSeen[k] {
				errSeen[k] = true
				p.out.fail(p.file, e)
			}
		}
		for i := range f.roles {
			f.roles[i].Assumptions = assumptions
			ri := len(p.out.roles)
			p.roles[m.Key] = append(p.roles[m.Key], ri)
			p.roleVar[ri] = f.assume
			p.roleDecl[ri] = f.roleDecl
			p.out.roles = append(p.out.roles, f.roles[i])
			p.linkManaged(ri, f.managedRefs)
		}
		for i := range f.policies {
			f.policies[i].Assumptions = assumptions
			pi := len(p.out.policies)
			if f.policies[i].Kind != "inline" || len(f.roles) == 0 { // a resource of its own
				p.policies[m.Key] = append(p.policies[m.Key], pi)
				p.policyVar[pi] = f.assume
				p.linkRoles(pi, f.roleTargets)
			}
			p.out.policies = append(p.out.policies, f.policies[i])
		}
		for i := range f.secrets {
			f.secrets[i].Assumptions = assumptions
			si := len(p.out.secrets)
			p.secrets[m.Key] = append(p.secrets[m.Key], si)
			p.secretVar[si] = f.assume
			p.out.secrets = append(p.out.secrets, f.secrets[i])
		}
		if f.rotation != nil {
			p.linkRotation(*f.rotation, f.assume)
		}
	}
}

// rename gives the facts of f whose ID is old, or starts with old + "#",
// the ID new instead, in references too.
func rename(f *cfnFrag, old, new string) {
	re := func(id string) string {
		if id == old {
			return new
		}
		if strings.HasPrefix(id, old+"#") {
			return new + id[len(old):]
		}
		return id
	}
	for i := range f.roles {
		f.roles[i].ID = re(f.roles[i].ID)
		for j, id := range f.roles[i].PolicyIDs {
			f.roles[i].PolicyIDs[j] = re(id)
		}
	}
	for i := range f.policies {
		f.policies[i].ID = re(f.policies[i].ID)
		for j, id := range f.policies[i].RoleIDs {
			f.policies[i].RoleIDs[j] = re(id)
		}
	}
	for i := range f.secrets {
		f.secrets[i].ID = re(f.secrets[i].ID)
	}
}

// compatible reports whether two variants can exist in one stack: no
// condition is decided both ways.
func compatible(a, b []condValue) bool {
	for _, c := range a {
		for _, d := range b {
			if c.name == d.name && c.value != d.value {
				return false
			}
		}
	}
	return true
}

// linkManaged attaches, once all resources are read, the template's
// managed policies named by role ri's ManagedPolicyArns.
func (p *cfnParser) linkManaged(ri int, targets []string) {
	if len(targets) == 0 {
		return
	}
	p.links = append(p.links, func() {
		for _, t := range targets {
			for _, pi := range p.policies[t] {
				if compatible(p.roleVar[ri], p.policyVar[pi]) {
					p.attach(ri, pi)
				}
			}
		}
	})
}

// linkRoles attaches policy pi, once all resources are read, to the roles
// its Roles list (or RoleName) names: a Ref to a role of this template, or
// a name equal to one of its RoleNames. Roles from elsewhere are not known
// here and are left out.
func (p *cfnParser) linkRoles(pi int, targets []string) {
	p.links = append(p.links, func() {
		for _, t := range targets {
			var cands []int
			if logical, ok := strings.CutPrefix(t, "#"); ok {
				cands = p.roles[logical]
			} else {
				for ri := range p.out.roles {
					if p.roleDecl[ri] == t || p.out.roles[ri].Name == t {
						cands = append(cands, ri)
					}
				}
			}
			for _, ri := range cands {
				if compatible(p.roleVar[ri], p.policyVar[pi]) {
					p.attach(ri, pi)
				}
			}
		}
	})
}

// linkRotation marks, once all resources are read, the secret a
// RotationSchedule names as rotating.
func (p *cfnParser) linkRotation(rot cfnRotates, assume []condValue) {
	p.links = append(p.links, func() {
		var cands []int
		if logical, ok := strings.CutPrefix(rot.target, "#"); ok {
			cands = p.secrets[logical]
		} else {
			for i, s := range p.out.secrets {
				if s.Name == rot.target || s.ARN == rot.target {
					cands = append(cands, i)
				}
			}
		}
		for _, si := range cands {
			if !compatible(p.secretVar[si], assume) {
				continue
			}
			s := &p.out.secrets[si]
			s.RotationEnabled = boolPtr(true)
			s.RotationDays = rot.days
			s.RotationSchedule = rot.schedule
		}
	})
}

func (p *cfnParser) id(logical string) string { return p.file + "#" + logical }

// str reads an optional string property, resolving intrinsics; "" when
// absent. A list or object where a string belongs is an error.
func (p *cfnParser) str(f *cfnFrag, props *doctree.Node, key, logical string) string {
	s, _ := p.strKnown(f, props, key, logical)
	return s
}

func (p *cfnParser) strKnown(f *cfnFrag, props *doctree.Node, key, logical string) (string, bool) {
	n := props.Get(key)
	if n.IsNull() {
		return "", true
	}
	v, known := p.res.resolve(n)
	if v == noValue || v.IsNull() {
		return "", true
	}
	s, ok := v.Scalar()
	if !ok {
		f.errs = append(f.errs, n.Errorf("%s: %s must be a string, found %s", logical, key, v.Describe()))
		return "", true
	}
	return s, known
}

// name reads a role's or policy's name property. A name the template does not fix
// (it holds a parameter without a value, the stack name, an attribute) is
// no name to judge: the resource is named by its logical id, as
// CloudFormation does when the name is left out, and the facts say so.
// declared is the name as resolved, for matching references to it.
func (p *cfnParser) name(f *cfnFrag, props *doctree.Node, key, logical string) (name, declared string) {
	s, known := p.strKnown(f, props, key, logical)
	if s == "" {
		return logical, ""
	}
	if !known && strings.Contains(s, "${") {
		f.note(fmt.Sprintf("%s %s is not fixed by the template: named by its logical id", key, doctree.Quote(s)))
		return logical, s
	}
	return s, s
}

// tags reads CloudFormation's [{Key, Value}] tag list.
func (p *cfnParser) tags(f *cfnFrag, props *doctree.Node, logical string) map[string]string {
	n := props.Get("Tags")
	if n.IsNull() {
		return nil
	}
	v, _ := p.res.resolve(n)
	if v.Kind != doctree.Array {
		f.errs = append(f.errs, n.Errorf("%s: Tags must be a list of {Key, Value}, found %s", logical, v.Describe()))
		return nil
	}
	return tagList(v)
}

// document resolves and normalises a policy document property.
func (p *cfnParser) document(f *cfnFrag, m doctree.Member, n *doctree.Node, key string) (facts.PolicyDocument, bool) {
	if n.IsNull() {
		f.errs = append(f.errs, (&doctree.Node{Line: m.Line, Col: m.Col}).Errorf("%s: %s is missing", m.Key, key))
		return facts.PolicyDocument{}, false
	}
	v, _ := p.res.resolve(n)
	return p.normalize(f, v, m.Key, key)
}

func (p *cfnParser) normalize(f *cfnFrag, v *doctree.Node, logical, key string) (facts.PolicyDocument, bool) {
	doc, err := iampolicy.Normalize(p.file, v)
	if err != nil {
		f.errs = append(f.errs, prefixErr(err, logical+": "+key+": "))
		return doc, false
	}
	return doc, true
}

func prefixErr(err error, prefix string) error {
	var te *doctree.Error
	if errors.As(err, &te) {
		cp := *te
		cp.Msg = prefix + cp.Msg
		return &cp
	}
	return err
}

// list resolves a property that must be a list: a list, or an intrinsic
// giving one (a CommaDelimitedList or List<…> parameter, Fn::Split, Fn::If).
// ok is false, and the error recorded, when it is something else.
func (p *cfnParser) list(f *cfnFrag, n *doctree.Node, logical, key string) ([]*doctree.Node, bool) {
	v, _ := p.res.resolve(n)
	if v == noValue || v.IsNull() {
		return nil, true
	}
	if v.Kind != doctree.Array {
		f.errs = append(f.errs, n.Errorf("%s: %s must be a list, found %s", logical, key, v.Describe()))
		return nil, false
	}
	return v.Elems, true
}

// refTarget returns X when s is "${X}", the text a Ref to the template's
// resource X resolves to, or "${X.attr}" for one of the attributes that
// name it as a whole (a managed policy's PolicyArn, a secret's Id, any Arn).
func (p *cfnParser) refTarget(s string) (string, bool) {
	inner, ok := strings.CutPrefix(s, "${")
	if !ok {
		return "", false
	}
	inner, ok = strings.CutSuffix(inner, "}")
	if !ok {
		return "", false
	}
	if res, attr, dotted := strings.Cut(inner, "."); dotted {
		switch attr {
		case "Arn", "PolicyArn", "Id":
			inner = res
		default:
			return "", false
		}
	}
	if !p.res.isResource(inner) {
		return "", false
	}
	return inner, true
}

func (p *cfnParser) role(f *cfnFrag, m doctree.Member, props *doctree.Node) {
	r := facts.Role{
		ID:        p.id(m.Key),
		Path:      p.str(f, props, "Path", m.Key),
		Tags:      p.tags(f, props, m.Key),
		PolicyIDs: []string{},
		Source:    sourceCloudFormation,
		Location:  facts.Location{File: p.file, Line: m.Line},
	}
	// Without a RoleName CloudFormation generates
	// "<stack>-<logical id>-<suffix>".
	r.Name, f.roleDecl = p.name(f, props, "RoleName", m.Key)
	if r.Path == "" {
		r.Path = "/"
	}
	if n := props.Get("AssumeRolePolicyDocument"); n != nil {
		if doc, ok := p.document(f, m, n, "AssumeRolePolicyDocument"); ok {
			r.Trust = &doc
		}
	}
	if pols := props.Get("Policies"); !pols.IsNull() {
		v, _ := p.res.resolve(pols)
		if v.Kind != doctree.Array {
			f.errs = append(f.errs, pols.Errorf("%s: Policies must be a list, found %s", m.Key, v.Describe()))
		} else {
			for i, e := range v.Elems {
				name, _ := e.Get("PolicyName").Scalar()
				if strings.Contains(name, "${") { // IAM names hold no "${"
					f.note(fmt.Sprintf("PolicyName %s is not fixed by the template: named by its place in Policies", doctree.Quote(name)))
					name = fmt.Sprintf("Policies[%d]", i)
				}
				doc, ok := p.normalize(f, e.Get("PolicyDocument"), m.Key, "Policies["+doctree.Quote(name)+"].PolicyDocument")
				if !ok {
					continue
				}
				f.policies = append(f.policies,
					inlinePolicy(&r, name, doc, sourceCloudFormation, facts.Location{File: p.file, Line: e.Line}))
			}
		}
	}
	if arns := props.Get("ManagedPolicyArns"); !arns.IsNull() {
		elems, _ := p.list(f, arns, m.Key, "ManagedPolicyArns")
		for _, e := range elems {
			s, ok := e.Scalar()
			if !ok {
				continue
			}
			if target, ok := p.refTarget(s); ok {
				// A managed policy of this template; linked once all
				// resources are read.
				f.managedRefs = appendUnique(f.managedRefs, target)
				continue
			}
			r.AttachedARNs = appendUnique(r.AttachedARNs, s)
		}
	}
	f.roles = append(f.roles, r)
}

// attach records that policy pi is in effect for role ri.
func (p *cfnParser) attach(ri, pi int) {
	r, pol := &p.out.roles[ri], &p.out.policies[pi]
	r.PolicyIDs = appendUnique(r.PolicyIDs, pol.ID)
	pol.RoleIDs = appendUnique(pol.RoleIDs, r.ID)
}

// roleTargets reads the roles a Roles list (or RoleName) names: "#" and
// the logical id for a Ref to a resource of the template, else the name.
func (p *cfnParser) roleTargets(elems []*doctree.Node) []string {
	var out []string
	for _, e := range elems {
		name, ok := e.Scalar()
		if !ok {
			continue
		}
		if target, ok := p.refTarget(name); ok {
			out = append(out, "#"+target)
			continue
		}
		out = append(out, name)
	}
	return out
}

func (p *cfnParser) policy(f *cfnFrag, m doctree.Member, props *doctree.Node, typ string) {
	pol := facts.Policy{
		ID:       p.id(m.Key),
		Kind:     "inline",
		RoleIDs:  []string{},
		Source:   sourceCloudFormation,
		Location: facts.Location{File: p.file, Line: m.Line},
	}
	if typ == "AWS::IAM::ManagedPolicy" {
		pol.Kind = "managed"
		pol.Name, _ = p.name(f, props, "ManagedPolicyName", m.Key)
	} else {
		pol.Name, _ = p.name(f, props, "PolicyName", m.Key)
	}
	doc, ok := p.document(f, m, props.Get("PolicyDocument"), "PolicyDocument")
	if !ok {
		return
	}
	pol.Document = doc
	f.policies = append(f.policies, pol)

	if typ == "AWS::IAM::RolePolicy" {
		if n := props.Get("RoleName"); n != nil {
			v, _ := p.res.resolve(n)
			f.roleTargets = p.roleTargets([]*doctree.Node{v})
		}
	} else if n := props.Get("Roles"); !n.IsNull() {
		elems, _ := p.list(f, n, m.Key, "Roles")
		f.roleTargets = p.roleTargets(elems)
	}
}

func (p *cfnParser) secret(f *cfnFrag, m doctree.Member, props *doctree.Node) {
	s := facts.Secret{
		ID:       p.id(m.Key),
		Tags:     p.tags(f, props, m.Key),
		KMSKeyID: p.str(f, props, "KmsKeyId", m.Key),
		// The template declares the stack's whole truth: without a
		// RotationSchedule in it, the secret does not rotate.
		RotationEnabled: boolPtr(false),
		Source:          sourceCloudFormation,
		Location:        facts.Location{File: p.file, Line: m.Line},
	}
	// A name the template does not fix stays as written: the naming
	// rules leave such template names unjudged, where the logical id
	// would be judged as the secret's name.
	name, known := p.strKnown(f, props, "Name", m.Key)
	switch {
	case name == "":
		s.Name = m.Key
	case !known && strings.Contains(name, "${"):
		s.Name = name
		f.note(fmt.Sprintf("Name %s is not fixed by the template", doctree.Quote(name)))
	default:
		s.Name = name
	}
	f.secrets = append(f.secrets, s)
}

func (p *cfnParser) rotation(f *cfnFrag, m doctree.Member, props *doctree.Node) {
	idn := props.Get("SecretId")
	if idn == nil {
		f.errs = append(f.errs, (&doctree.Node{Line: m.Line, Col: m.Col}).Errorf("%s: SecretId is missing", m.Key))
		return
	}
	rot := cfnRotates{}
	if rules := props.Get("RotationRules"); !rules.IsNull() {
		v, _ := p.res.resolve(rules)
		if v.Kind != doctree.Object {
			f.errs = append(f.errs, rules.Errorf("%s: RotationRules must be an object, found %s", m.Key, v.Describe()))
			return
		}
		if d := v.Get("AutomaticallyAfterDays"); !d.IsNull() {
			txt, _ := d.Scalar()
			n, err := strconv.Atoi(txt)
			if err != nil {
				f.errs = append(f.errs, d.Errorf("%s: RotationRules.AutomaticallyAfterDays must be a whole number of days, found %s", m.Key, doctree.Quote(txt)))
			} else {
				rot.days = n
			}
		}
		rot.schedule, _ = v.Get("ScheduleExpression").Scalar()
	}
	v, _ := p.res.resolve(idn)
	name, ok := v.Scalar()
	if !ok {
		return // not a secret this template can name
	}
	if target, ok := p.refTarget(name); ok {
		rot.target = "#" + target
	} else {
		rot.target = name
	}
	f.rotation = &rot
}
