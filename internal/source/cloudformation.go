package source

import (
	"errors"
	"strconv"
	"strings"

	"github.com/secretgate/secretgate/internal/doctree"
	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/iampolicy"
)

// cfnParser turns one CloudFormation template into facts. Resources are
// read in document order; links between them (a policy's Roles, a role's
// ManagedPolicyArns, a RotationSchedule's SecretId) are made afterwards,
// so their order in the template does not matter.
type cfnParser struct {
	file string
	res  *resolver
	out  *fileResult

	roles    map[string]int // logical id -> index in out.roles
	secrets  map[string]int // logical id -> index in out.secrets
	policies map[string]int // logical id -> index in out.policies (Policy and ManagedPolicy resources)
	links    []func()
	cur      doctree.Member // the resource being read, for errors without a node
}

func parseCloudFormation(rel string, root *doctree.Node) fileResult {
	out := fileResult{kind: KindCloudFormation}
	p := &cfnParser{
		file:     rel,
		res:      newResolver(root),
		out:      &out,
		roles:    map[string]int{},
		secrets:  map[string]int{},
		policies: map[string]int{},
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
		if !strings.HasPrefix(typ, "AWS::IAM::") && !strings.HasPrefix(typ, "AWS::SecretsManager::") {
			continue
		}
		if c, ok := m.Value.Get("Condition").Str(); ok && p.res.condition(c) == triFalse {
			continue // not created with the parameters' defaults
		}
		props := m.Value.Get("Properties")
		if props == nil {
			props = &doctree.Node{Kind: doctree.Object, Line: m.Line, Col: m.Col}
		}
		if props.Kind != doctree.Object {
			out.fail(rel, props.Errorf("%s: Properties must be an object, found %s", m.Key, props.Describe()))
			continue
		}
		p.cur = m
		switch typ {
		case "AWS::IAM::Role":
			p.role(m, props)
		case "AWS::IAM::Policy", "AWS::IAM::RolePolicy":
			p.policy(m, props, typ)
		case "AWS::IAM::ManagedPolicy":
			p.policy(m, props, typ)
		case "AWS::SecretsManager::Secret":
			p.secret(m, props)
		case "AWS::SecretsManager::RotationSchedule":
			p.rotation(m, props)
		}
	}
	for _, link := range p.links {
		link()
	}
	for _, err := range p.res.undecided {
		out.fail(rel, err)
	}
	return out
}

func (p *cfnParser) id(logical string) string { return p.file + "#" + logical }

func (p *cfnParser) fail(err error) { p.out.fail(p.file, err) }

// str reads an optional string property, resolving intrinsics; "" when
// absent. A list or object where a string belongs is an error.
func (p *cfnParser) str(props *doctree.Node, key, logical string) string {
	n := props.Get(key)
	if n.IsNull() {
		return ""
	}
	v, _ := p.res.resolve(n)
	if v == noValue || v.IsNull() {
		return ""
	}
	s, ok := v.Scalar()
	if !ok {
		p.fail(n.Errorf("%s: %s must be a string, found %s", logical, key, v.Describe()))
		return ""
	}
	return s
}

// tags reads CloudFormation's [{Key, Value}] tag list.
func (p *cfnParser) tags(props *doctree.Node, logical string) map[string]string {
	n := props.Get("Tags")
	if n.IsNull() {
		return nil
	}
	v, _ := p.res.resolve(n)
	if v.Kind != doctree.Array {
		p.fail(n.Errorf("%s: Tags must be a list of {Key, Value}, found %s", logical, v.Describe()))
		return nil
	}
	return tagList(v)
}

// document resolves and normalises a policy document property.
func (p *cfnParser) document(n *doctree.Node, logical, key string) (facts.PolicyDocument, bool) {
	if n.IsNull() {
		p.fail((&doctree.Node{Line: p.cur.Line, Col: p.cur.Col}).Errorf("%s: %s is missing", logical, key))
		return facts.PolicyDocument{}, false
	}
	v, _ := p.res.resolve(n)
	doc, err := iampolicy.Normalize(p.file, v)
	if err != nil {
		p.fail(prefixErr(err, logical+": "+key+": "))
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

func (p *cfnParser) role(m doctree.Member, props *doctree.Node) {
	r := facts.Role{
		ID:        p.id(m.Key),
		Name:      p.str(props, "RoleName", m.Key),
		Path:      p.str(props, "Path", m.Key),
		Tags:      p.tags(props, m.Key),
		PolicyIDs: []string{},
		Source:    sourceCloudFormation,
		Location:  facts.Location{File: p.file, Line: m.Line},
	}
	if r.Name == "" {
		r.Name = m.Key // CloudFormation generates "<stack>-<logical id>-<suffix>"
	}
	if r.Path == "" {
		r.Path = "/"
	}
	if n := props.Get("AssumeRolePolicyDocument"); n != nil {
		if doc, ok := p.document(n, m.Key, "AssumeRolePolicyDocument"); ok {
			r.Trust = &doc
		}
	}
	if pols := props.Get("Policies"); !pols.IsNull() {
		v, _ := p.res.resolve(pols)
		if v.Kind != doctree.Array {
			p.fail(pols.Errorf("%s: Policies must be a list, found %s", m.Key, v.Describe()))
		} else {
			for _, e := range v.Elems {
				name, _ := e.Get("PolicyName").Scalar()
				doc, ok := p.document(e.Get("PolicyDocument"), m.Key, "Policies["+doctree.Quote(name)+"].PolicyDocument")
				if !ok {
					continue
				}
				p.out.policies = append(p.out.policies,
					inlinePolicy(&r, name, doc, sourceCloudFormation, facts.Location{File: p.file, Line: e.Line}))
			}
		}
	}
	idx := len(p.out.roles)
	p.roles[m.Key] = idx
	if arns := props.Get("ManagedPolicyArns"); !arns.IsNull() {
		if arns.Kind != doctree.Array {
			if v, _ := p.res.resolve(arns); v.Kind != doctree.Array {
				p.fail(arns.Errorf("%s: ManagedPolicyArns must be a list, found %s", m.Key, v.Describe()))
			} else {
				arns = v
			}
		}
		for _, e := range arns.Elems {
			if fn, arg, ok := intrinsicCall(e); ok && fn == "Ref" {
				if target, _ := arg.Str(); p.isResource(target) {
					// A managed policy of this template; linked once all
					// resources are read.
					p.links = append(p.links, func() {
						if pi, ok := p.policies[target]; ok {
							p.attach(idx, pi)
						}
					})
					continue
				}
			}
			v, _ := p.res.resolve(e)
			if s, ok := v.Scalar(); ok {
				r.AttachedARNs = appendUnique(r.AttachedARNs, s)
			}
		}
	}
	p.out.roles = append(p.out.roles, r)
}

func (p *cfnParser) isResource(logical string) bool { return p.res.resources[logical] }

// attach records that policy pi is in effect for role ri.
func (p *cfnParser) attach(ri, pi int) {
	r, pol := &p.out.roles[ri], &p.out.policies[pi]
	r.PolicyIDs = appendUnique(r.PolicyIDs, pol.ID)
	pol.RoleIDs = appendUnique(pol.RoleIDs, r.ID)
}

// roleRefs returns a link function that attaches policy pi to the roles a
// Roles list (or a RoleName) names: a Ref to a role of this template, or a
// name equal to one of its RoleNames. Roles from elsewhere are not known
// here and are left out.
func (p *cfnParser) roleRefs(list []*doctree.Node, pi int) func() {
	return func() {
		for _, e := range list {
			if fn, arg, ok := intrinsicCall(e); ok && fn == "Ref" {
				if target, _ := arg.Str(); p.isResource(target) {
					if ri, ok := p.roles[target]; ok {
						p.attach(ri, pi)
					}
					continue
				}
			}
			v, _ := p.res.resolve(e)
			name, ok := v.Scalar()
			if !ok {
				continue
			}
			for ri := range p.out.roles {
				if p.out.roles[ri].Name == name {
					p.attach(ri, pi)
				}
			}
		}
	}
}

func (p *cfnParser) policy(m doctree.Member, props *doctree.Node, typ string) {
	pol := facts.Policy{
		ID:       p.id(m.Key),
		Kind:     "inline",
		RoleIDs:  []string{},
		Source:   sourceCloudFormation,
		Location: facts.Location{File: p.file, Line: m.Line},
	}
	if typ == "AWS::IAM::ManagedPolicy" {
		pol.Kind = "managed"
		pol.Name = p.str(props, "ManagedPolicyName", m.Key)
	} else {
		pol.Name = p.str(props, "PolicyName", m.Key)
	}
	if pol.Name == "" {
		pol.Name = m.Key
	}
	doc, ok := p.document(props.Get("PolicyDocument"), m.Key, "PolicyDocument")
	if !ok {
		return
	}
	pol.Document = doc
	pi := len(p.out.policies)
	p.policies[m.Key] = pi
	p.out.policies = append(p.out.policies, pol)

	var roles []*doctree.Node
	if typ == "AWS::IAM::RolePolicy" {
		if n := props.Get("RoleName"); n != nil {
			roles = []*doctree.Node{n}
		}
	} else if n := props.Get("Roles"); !n.IsNull() {
		if n.Kind == doctree.Array {
			roles = n.Elems
		} else if v, _ := p.res.resolve(n); v.Kind == doctree.Array {
			roles = v.Elems
		} else {
			p.fail(n.Errorf("%s: Roles must be a list, found %s", m.Key, v.Describe()))
		}
	}
	p.links = append(p.links, p.roleRefs(roles, pi))
}

func (p *cfnParser) secret(m doctree.Member, props *doctree.Node) {
	s := facts.Secret{
		ID:       p.id(m.Key),
		Name:     p.str(props, "Name", m.Key),
		Tags:     p.tags(props, m.Key),
		KMSKeyID: p.str(props, "KmsKeyId", m.Key),
		// The template declares the stack's whole truth: without a
		// RotationSchedule in it, the secret does not rotate.
		RotationEnabled: boolPtr(false),
		Source:          sourceCloudFormation,
		Location:        facts.Location{File: p.file, Line: m.Line},
	}
	if s.Name == "" {
		s.Name = m.Key
	}
	p.secrets[m.Key] = len(p.out.secrets)
	p.out.secrets = append(p.out.secrets, s)
}

func (p *cfnParser) rotation(m doctree.Member, props *doctree.Node) {
	idn := props.Get("SecretId")
	if idn == nil {
		p.fail((&doctree.Node{Line: m.Line, Col: m.Col}).Errorf("%s: SecretId is missing", m.Key))
		return
	}
	days, schedule := 0, ""
	if rules := props.Get("RotationRules"); !rules.IsNull() {
		v, _ := p.res.resolve(rules)
		if v.Kind != doctree.Object {
			p.fail(rules.Errorf("%s: RotationRules must be an object, found %s", m.Key, v.Describe()))
			return
		}
		if d := v.Get("AutomaticallyAfterDays"); !d.IsNull() {
			txt, _ := d.Scalar()
			n, err := strconv.Atoi(txt)
			if err != nil {
				p.fail(d.Errorf("%s: RotationRules.AutomaticallyAfterDays must be a whole number of days, found %s", m.Key, doctree.Quote(txt)))
			} else {
				days = n
			}
		}
		schedule, _ = v.Get("ScheduleExpression").Scalar()
	}
	p.links = append(p.links, func() {
		target := -1
		if fn, arg, ok := intrinsicCall(idn); ok && fn == "Ref" {
			name, _ := arg.Str()
			if i, ok := p.secrets[name]; ok {
				target = i
			}
		}
		if target < 0 {
			v, _ := p.res.resolve(idn)
			if name, ok := v.Scalar(); ok {
				for i, s := range p.out.secrets {
					if s.Name == name || s.ARN == name {
						target = i
					}
				}
			}
		}
		if target < 0 {
			return // a secret of another stack
		}
		s := &p.out.secrets[target]
		s.RotationEnabled = boolPtr(true)
		s.RotationDays = days
		s.RotationSchedule = schedule
	})
}
