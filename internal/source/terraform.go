package source

import (
	"strconv"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/secretgate/secretgate/internal/doctree"
	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/iampolicy"
	"github.com/secretgate/secretgate/internal/result"
)

// tfResource is one managed resource instance of a plan (or state).
type tfResource struct {
	addr    string        // absolute address, module.a[0].aws_iam_role.x["k"]
	module  string        // module instance address, "" for the root module
	typ     string        // aws_iam_role
	name    string        // x
	index   string        // [0], ["k"] or ""
	values  *doctree.Node // planned values; unknown attributes are absent
	unknown *doctree.Node // after_unknown of its change, when there is one
	line    int           // of the resource object in the file
	expr    *doctree.Node // its configuration expressions, when found
	// file and idPrefix, when set, replace the parser's file as the
	// resource's location and the prefix of its facts' ids: resources
	// read from HCL come from many files of a module.
	file     string
	idPrefix string
	// assumptions are what its facts depend on that is unknown offline.
	assumptions []string
}

// str returns a known, non-empty string attribute.
func (r *tfResource) str(attr string) (string, bool) {
	if r.isUnknown(attr) {
		return "", false
	}
	s, ok := r.values.Get(attr).Str()
	return s, ok && s != ""
}

func (r *tfResource) isUnknown(attr string) bool {
	u := r.unknown.Get(attr)
	return u != nil && u.Kind == doctree.Bool && u.Text == "true"
}

// tfParser turns the JSON output of terraform show -json (a plan, or a
// state) into facts.
type tfParser struct {
	file string
	out  *fileResult
	// offline is set when the resources come from HCL configuration
	// rather than a plan: an unknown value is unknown offline, not until
	// apply.
	offline   bool
	resources []*tfResource
	// data holds the aws_iam_policy_document data source instances, to
	// render policies unknown until apply from (terraform_datadoc.go).
	data   []*tfResource
	config map[string]map[string]*doctree.Node // module path -> resource address -> expressions
	// notes are the assumptions of the last document rendered from a data
	// source (a provider ARN whose account is known after apply).
	notes []string

	roleIdx   map[*tfResource]int
	policyIdx map[*tfResource]int
	secretIdx map[*tfResource]int
}

func parseTerraform(rel string, root *doctree.Node) fileResult {
	out := fileResult{kind: KindTerraform}
	fvNode := root.Get("format_version")
	fv, _ := fvNode.Str()
	var verr error
	if root.Get("planned_values") != nil || root.Get("resource_changes") != nil {
		verr = (&tfjson.Plan{FormatVersion: fv}).Validate()
	} else {
		verr = (&tfjson.State{FormatVersion: fv}).Validate()
	}
	if verr != nil {
		at := fvNode
		if at == nil {
			at = root
		}
		out.fail(rel, at.Errorf("%v", verr))
		return out
	}
	p := &tfParser{
		file:      rel,
		out:       &out,
		config:    map[string]map[string]*doctree.Node{},
		roleIdx:   map[*tfResource]int{},
		policyIdx: map[*tfResource]int{},
		secretIdx: map[*tfResource]int{},
	}
	p.collect(root)
	if cfg := root.Path("configuration", "root_module"); cfg != nil {
		p.indexConfig(cfg, "", 0)
	}
	for _, r := range p.resources {
		if m := p.config[configPath(r.module)]; m != nil {
			r.expr = m[r.typ+"."+r.name]
		}
	}
	for _, d := range p.data {
		if m := p.config[configPath(d.module)]; m != nil {
			d.expr = m["data."+d.typ+"."+d.name]
		}
	}
	p.build()
	return out
}

// build turns the resources into roles, policies and secrets, and links
// them: attachments, inline policies, rotations.
func (p *tfParser) build() {
	for _, r := range p.resources {
		switch r.typ {
		case "aws_iam_role":
			p.role(r)
		case "aws_iam_policy":
			p.managedPolicy(r)
		case "aws_secretsmanager_secret":
			p.secret(r)
		}
	}
	for _, r := range p.resources {
		switch r.typ {
		case "aws_iam_role_policy":
			p.rolePolicy(r)
		case "aws_iam_role_policy_attachment":
			p.attachment(r, "role")
		case "aws_iam_policy_attachment":
			p.attachment(r, "roles")
		case "aws_iam_role":
			p.roleManagedARNs(r)
		case "aws_secretsmanager_secret_rotation":
			p.rotation(r)
		}
	}
}

// collect gathers resource instances from planned_values (or a state's
// values), with their changes' after_unknown; resources that only appear
// in resource_changes (plans written without planned_values) come from
// their "after" values.
func (p *tfParser) collect(root *doctree.Node) {
	changes := map[string]*doctree.Node{}
	var order []string
	if rcs := root.Get("resource_changes"); rcs != nil && rcs.Kind == doctree.Array {
		for _, rc := range rcs.Elems {
			addr, _ := rc.Get("address").Str()
			if addr == "" {
				continue
			}
			if _, dup := changes[addr]; !dup {
				order = append(order, addr)
			}
			changes[addr] = rc
		}
	}
	seen := map[string]bool{}
	mod := root.Path("planned_values", "root_module")
	if mod == nil {
		mod = root.Path("values", "root_module")
	}
	p.walkModule(mod, changes, seen, 0)
	for _, addr := range order {
		if seen[addr] {
			continue
		}
		rc := changes[addr]
		ch := rc.Get("change")
		after := ch.Get("after")
		if after == nil || after.Kind != doctree.Object || tfDeletes(ch) {
			continue
		}
		mode, _ := rc.Get("mode").Str()
		typ, _ := rc.Get("type").Str()
		name, _ := rc.Get("name").Str()
		module, _ := rc.Get("module_address").Str()
		if mode == "data" && typ != tfPolicyDocType {
			continue
		}
		r := &tfResource{
			addr: addr, module: module, typ: typ, name: name,
			index:  tfIndex(addr, module, "data."+typ, name),
			values: after, unknown: ch.Get("after_unknown"), line: rc.Line,
		}
		if mode == "data" {
			p.data = append(p.data, r)
			continue
		}
		r.index = tfIndex(addr, module, typ, name)
		p.resources = append(p.resources, r)
	}
}

// tfDeletes reports whether a change removes the resource for good.
func tfDeletes(ch *doctree.Node) bool {
	acts := ch.Get("actions")
	if acts == nil || acts.Kind != doctree.Array {
		return false
	}
	var a tfjson.Actions
	for _, e := range acts.Elems {
		s, _ := e.Str()
		a = append(a, tfjson.Action(s))
	}
	return a.Delete() || a.Forget()
}

func (p *tfParser) walkModule(mod *doctree.Node, changes map[string]*doctree.Node, seen map[string]bool, depth int) {
	if mod == nil || mod.Kind != doctree.Object || depth > 64 {
		return
	}
	module, _ := mod.Get("address").Str()
	if rs := mod.Get("resources"); rs != nil && rs.Kind == doctree.Array {
		for _, rn := range rs.Elems {
			mode, _ := rn.Get("mode").Str()
			addr, _ := rn.Get("address").Str()
			typ, _ := rn.Get("type").Str()
			name, _ := rn.Get("name").Str()
			if mode == "data" && typ != tfPolicyDocType {
				continue
			}
			values := rn.Get("values")
			if addr == "" || values == nil || values.Kind != doctree.Object || seen[addr] {
				continue
			}
			seen[addr] = true
			r := &tfResource{
				addr: addr, module: module, typ: typ, name: name,
				values: values, line: rn.Line,
			}
			if rc := changes[addr]; rc != nil {
				r.unknown = rc.Path("change", "after_unknown")
			}
			if mode == "data" {
				r.index = tfIndex(addr, module, "data."+typ, name)
				p.data = append(p.data, r)
				continue
			}
			r.index = tfIndex(addr, module, typ, name)
			p.resources = append(p.resources, r)
		}
	}
	if cms := mod.Get("child_modules"); cms != nil && cms.Kind == doctree.Array {
		for _, cm := range cms.Elems {
			p.walkModule(cm, changes, seen, depth+1)
		}
	}
}

// tfIndex is the instance key part of an address: [0] or ["k"].
func tfIndex(addr, module, typ, name string) string {
	local := addr
	if module != "" {
		local = strings.TrimPrefix(addr, module+".")
	}
	return strings.TrimPrefix(local, typ+"."+name)
}

// indexConfig records the expressions of every resource in the
// configuration, by module path ("a.b" for module.a[…].module.b[…]).
func (p *tfParser) indexConfig(mod *doctree.Node, path string, depth int) {
	if mod == nil || depth > 64 {
		return
	}
	if rs := mod.Get("resources"); rs != nil && rs.Kind == doctree.Array {
		m := p.config[path]
		if m == nil {
			m = map[string]*doctree.Node{}
			p.config[path] = m
		}
		for _, r := range rs.Elems {
			if addr, ok := r.Get("address").Str(); ok {
				m[addr] = r.Get("expressions")
			}
		}
	}
	if calls := mod.Get("module_calls"); calls != nil && calls.Kind == doctree.Object {
		for _, c := range calls.Members {
			sub := c.Key
			if path != "" {
				sub = path + "." + c.Key
			}
			p.indexConfig(c.Value.Get("module"), sub, depth+1)
		}
	}
}

// configPath turns a module instance address (module.a[0].module.b["x"])
// into its configuration path (a.b).
func configPath(module string) string {
	var names []string
	s := module
	for strings.HasPrefix(s, "module.") {
		s = s[len("module."):]
		end := strings.IndexAny(s, ".[")
		if end < 0 {
			names = append(names, s)
			break
		}
		names = append(names, s[:end])
		s = s[end:]
		if strings.HasPrefix(s, "[") {
			s = s[skipIndex(s):]
		}
		s = strings.TrimPrefix(s, ".")
	}
	return strings.Join(names, ".")
}

// skipIndex returns the length of the [..] instance key at the start of s,
// quotes respected.
func skipIndex(s string) int {
	inStr := false
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case inStr && c == '\\':
			i++
		case c == '"':
			inStr = !inStr
		case !inStr && c == ']':
			return i + 1
		}
	}
	return len(s)
}

// refs returns the resources of type typ that attribute attr of r refers
// to in the configuration: how a plan links resources whose ids are not
// known before apply.
func (p *tfParser) refs(r *tfResource, attr, typ string) []*tfResource {
	list := r.expr.Get(attr).Get("references")
	if list == nil || list.Kind != doctree.Array {
		return nil
	}
	var out []*tfResource
	added := map[*tfResource]bool{}
	for _, e := range list.Elems {
		ref, _ := e.Str()
		if !strings.HasPrefix(ref, typ+".") {
			continue
		}
		rest := ref[len(typ)+1:]
		end := strings.IndexAny(rest, ".[")
		name, idx := rest, ""
		if end >= 0 {
			name = rest[:end]
			if rest[end] == '[' {
				idx = rest[end : end+skipIndex(rest[end:])]
			}
		}
		var cands []*tfResource
		for _, t := range p.resources {
			if t.typ == typ && t.name == name && t.module == r.module && (idx == "" || t.index == idx) {
				cands = append(cands, t)
			}
		}
		if idx == "" && len(cands) > 1 {
			// aws_iam_policy.p[each.key]: the reference does not say which
			// instance; the one with the referrer's own key is meant.
			for _, t := range cands {
				if t.index == r.index {
					cands = []*tfResource{t}
					break
				}
			}
		}
		for _, t := range cands {
			if !added[t] {
				added[t] = true
				out = append(out, t)
			}
		}
	}
	return out
}

func (p *tfParser) id(r *tfResource) string {
	if r.idPrefix != "" {
		return r.idPrefix + "#" + r.addr
	}
	return p.file + "#" + r.addr
}

// fileOf is the file a resource was read from.
func (p *tfParser) fileOf(r *tfResource) string {
	if r.file != "" {
		return r.file
	}
	return p.file
}

func (p *tfParser) loc(r *tfResource) facts.Location {
	return facts.Location{File: p.fileOf(r), Line: r.line}
}

// displayName is a resource's name attribute, else its name_prefix, else
// its label in the configuration.
func (p *tfParser) displayName(r *tfResource) string {
	if s, ok := r.str("name"); ok {
		return s
	}
	if s, ok := r.str("name_prefix"); ok {
		return s
	}
	return r.name
}

// document normalises a JSON policy string attribute; ok is false when it
// is unknown at plan time or invalid (then an error is recorded).
func (p *tfParser) document(r *tfResource, n *doctree.Node, what string) (facts.PolicyDocument, bool) {
	p.notes = nil
	if n == nil && p.offline {
		// Read from HCL, a policy argument is absent only when its value
		// could not be known (Terraform requires it).
		p.out.fail(p.fileOf(r), &doctree.Error{Line: r.line, Msg: r.addr + ": " + what +
			" could not be known offline, so it could not be judged (give the variables it depends on a value, or judge a plan: terraform show -json)"})
		return facts.PolicyDocument{}, false
	}
	if n == nil && r.isUnknown(what) {
		// The policy is computed from values known only after apply (often
		// ARNs of resources this plan creates). When it is the json of a
		// policy-document data source the plan holds, it is rendered from
		// the data source's planned arguments; otherwise it cannot be
		// judged, and an unjudged policy must not read as a clean one.
		rendered, why, ok := p.dataDocument(r, what)
		if !ok {
			if why != "" {
				why = ": " + why
			}
			p.out.fail(p.fileOf(r), &doctree.Error{Line: r.line, Msg: r.addr + ": " + what +
				" is not known until apply, so it could not be judged" + why + " (check the applied state: terraform show -json, or an inventory snapshot)"})
			return facts.PolicyDocument{}, false
		}
		n = rendered
	}
	s, isStr := n.Str()
	if isStr && strings.TrimSpace(s) == "" && p.offline {
		// Terraform would refuse it; with the values given (often a
		// module's defaults) there is nothing to judge, and that must
		// not read as a clean role.
		// Module examples often leave the inputs that build a policy at
		// an empty default: not judged, said so, and not an input error.
		p.out.skips = append(p.out.skips, result.InputProblem{File: p.fileOf(r), Line: n.Line, Message: r.addr + ": " + what +
			" is empty with the variables' values given, so it was not judged (give the module's variables their values: terraform.tfvars, terraform_var_files or --var-file)"})
		return facts.PolicyDocument{}, false
	}
	if !isStr || strings.TrimSpace(s) == "" {
		return facts.PolicyDocument{}, false
	}
	doc, err := iampolicy.Normalize(p.fileOf(r), n)
	if err != nil {
		p.out.fail(p.fileOf(r), prefixErr(err, r.addr+": "+what+": "))
		return doc, false
	}
	return doc, true
}

func tfTags(values *doctree.Node) map[string]string {
	tags := map[string]string{}
	for _, key := range []string{"tags_all", "tags"} {
		if t := values.Get(key); t != nil && t.Kind == doctree.Object {
			for _, m := range t.Members {
				if s, ok := m.Value.Scalar(); ok {
					tags[m.Key] = s
				}
			}
		}
	}
	if len(tags) == 0 {
		return nil
	}
	return tags
}

func (p *tfParser) role(r *tfResource) {
	role := facts.Role{
		ID:        p.id(r),
		Name:      p.displayName(r),
		Path:      "/",
		Tags:      tfTags(r.values),
		PolicyIDs: []string{},
		Source:    sourceTerraform,
		Location:  p.loc(r),
	}
	role.ARN, _ = r.str("arn")
	if s, ok := r.str("path"); ok {
		role.Path = s
	}
	if doc, ok := p.document(r, r.values.Get("assume_role_policy"), "assume_role_policy"); ok {
		role.Trust = &doc
		role.Assumptions = append(role.Assumptions, p.notes...)
	}
	if ips := r.values.Get("inline_policy"); ips != nil && ips.Kind == doctree.Array {
		for _, e := range ips.Elems {
			name, _ := e.Get("name").Str()
			if name == "" {
				continue // the empty block Terraform shows for "no inline policies"
			}
			doc, ok := p.document(r, e.Get("policy"), "inline_policy "+doctree.Quote(name))
			if !ok {
				continue
			}
			p.out.policies = append(p.out.policies,
				inlinePolicy(&role, name, doc, sourceTerraform, facts.Location{File: p.fileOf(r), Line: e.Line}))
		}
	}
	if arns := r.values.Get("managed_policy_arns"); arns != nil && arns.Kind == doctree.Array {
		for _, e := range arns.Elems {
			if s, ok := e.Str(); ok && s != "" {
				role.AttachedARNs = appendUnique(role.AttachedARNs, s)
			}
		}
	}
	p.roleIdx[r] = len(p.out.roles)
	p.out.roles = append(p.out.roles, role)
}

func (p *tfParser) managedPolicy(r *tfResource) {
	doc, ok := p.document(r, r.values.Get("policy"), "policy")
	if !ok {
		return
	}
	pol := facts.Policy{
		ID: p.id(r), Name: p.displayName(r), Kind: "managed", RoleIDs: []string{},
		Document: doc, Source: sourceTerraform, Location: p.loc(r),
		Assumptions: p.notes,
	}
	pol.ARN, _ = r.str("arn")
	p.policyIdx[r] = len(p.out.policies)
	p.out.policies = append(p.out.policies, pol)
}

func (p *tfParser) secret(r *tfResource) {
	s := facts.Secret{
		ID:       p.id(r),
		Name:     p.displayName(r),
		Tags:     tfTags(r.values),
		Source:   sourceTerraform,
		Location: p.loc(r),
		// The plan declares the whole truth of its resources: without an
		// aws_secretsmanager_secret_rotation, the secret does not rotate.
		RotationEnabled: boolPtr(false),
	}
	s.ARN, _ = r.str("arn")
	s.KMSKeyID, _ = r.str("kms_key_id")
	// Providers before v5 configured rotation on the secret itself.
	if days, sched := tfRotationRules(r.values); days > 0 || sched != "" {
		s.RotationEnabled = boolPtr(true)
		s.RotationDays, s.RotationSchedule = days, sched
	}
	p.secretIdx[r] = len(p.out.secrets)
	p.out.secrets = append(p.out.secrets, s)
}

func tfRotationRules(values *doctree.Node) (int, string) {
	rules := values.Get("rotation_rules")
	if rules == nil || rules.Kind != doctree.Array || len(rules.Elems) == 0 {
		return 0, ""
	}
	rule := rules.Elems[0]
	days := 0
	if d, ok := rule.Get("automatically_after_days").Scalar(); ok {
		days, _ = strconv.Atoi(d)
	}
	sched, _ := rule.Get("schedule_expression").Str()
	return days, sched
}

// rolesFor returns the roles of the plan that attribute attr of r names,
// by configuration reference or by known name.
func (p *tfParser) rolesFor(r *tfResource, attr string) []int {
	var out []int
	for _, t := range p.refs(r, attr, "aws_iam_role") {
		if i, ok := p.roleIdx[t]; ok {
			out = append(out, i)
		}
	}
	if len(out) > 0 {
		return out
	}
	var names []string
	if s, ok := r.str(attr); ok {
		names = []string{s}
	} else if l := r.values.Get(attr); l != nil && l.Kind == doctree.Array && !r.isUnknown(attr) {
		for _, e := range l.Elems {
			if s, ok := e.Str(); ok {
				names = append(names, s)
			}
		}
	}
	for _, name := range names {
		for i, role := range p.out.roles {
			if role.Name == name || role.ARN == name {
				out = append(out, i)
			}
		}
	}
	return out
}

func (p *tfParser) link(ri, pi int) {
	role, pol := &p.out.roles[ri], &p.out.policies[pi]
	role.PolicyIDs = appendUnique(role.PolicyIDs, pol.ID)
	pol.RoleIDs = appendUnique(pol.RoleIDs, role.ID)
}

func (p *tfParser) rolePolicy(r *tfResource) {
	doc, ok := p.document(r, r.values.Get("policy"), "policy")
	if !ok {
		return
	}
	pi := len(p.out.policies)
	p.out.policies = append(p.out.policies, facts.Policy{
		ID: p.id(r), Name: p.displayName(r), Kind: "inline", RoleIDs: []string{},
		Document: doc, Source: sourceTerraform, Location: p.loc(r),
		Assumptions: p.notes,
	})
	for _, ri := range p.rolesFor(r, "role") {
		p.link(ri, pi)
	}
}

// attachment links aws_iam_role_policy_attachment (roleAttr "role") and
// aws_iam_policy_attachment ("roles"): to the policy when it is in the
// plan, else by its ARN when known.
func (p *tfParser) attachment(r *tfResource, roleAttr string) {
	roles := p.rolesFor(r, roleAttr)
	var pols []int
	for _, t := range p.refs(r, "policy_arn", "aws_iam_policy") {
		if i, ok := p.policyIdx[t]; ok {
			pols = append(pols, i)
		}
	}
	arn, arnKnown := r.str("policy_arn")
	if len(pols) == 0 && arnKnown {
		for i, pol := range p.out.policies {
			if pol.ARN == arn && pol.Kind == "managed" {
				pols = append(pols, i)
			}
		}
	}
	for _, ri := range roles {
		for _, pi := range pols {
			p.link(ri, pi)
		}
		if arnKnown {
			p.out.roles[ri].AttachedARNs = appendUnique(p.out.roles[ri].AttachedARNs, arn)
		}
	}
}

// roleManagedARNs links the deprecated managed_policy_arns of a role to the
// policies of the plan it refers to.
func (p *tfParser) roleManagedARNs(r *tfResource) {
	ri, ok := p.roleIdx[r]
	if !ok {
		return
	}
	for _, t := range p.refs(r, "managed_policy_arns", "aws_iam_policy") {
		if pi, ok := p.policyIdx[t]; ok {
			p.link(ri, pi)
		}
	}
}

func (p *tfParser) rotation(r *tfResource) {
	var targets []int
	for _, t := range p.refs(r, "secret_id", "aws_secretsmanager_secret") {
		if i, ok := p.secretIdx[t]; ok {
			targets = append(targets, i)
		}
	}
	if len(targets) == 0 {
		if id, ok := r.str("secret_id"); ok {
			for i, s := range p.out.secrets {
				if s.ARN == id || s.Name == id {
					targets = append(targets, i)
				}
			}
		}
	}
	days, sched := tfRotationRules(r.values)
	for _, i := range targets {
		s := &p.out.secrets[i]
		s.RotationEnabled = boolPtr(true)
		s.RotationDays, s.RotationSchedule = days, sched
	}
}
