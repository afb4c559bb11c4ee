package inventory

import (
	"time"

	"github.com/secretgate/secretgate/internal/doctree"
	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/iampolicy"
)

// Source is the facts.*.Source value of facts from a snapshot.
const Source = "inventory"

// Facts are the facts a snapshot yields.
type Facts struct {
	Roles    []facts.Role
	Policies []facts.Policy
	Secrets  []facts.Secret
}

// Facts converts the snapshot into facts. Roles, policies and secrets are
// identified by ARN; inline policies by "<role ARN>#inline/<name>". A role
// lists the inline policies and the managed policies of the snapshot that
// are attached to it (through its attached_policy_arns or the policy's
// attachments). Secrets scheduled for deletion are left out.
//
// When the snapshot was read from a file, every fact and statement points
// at its line; for a snapshot built in memory, locations are empty.
// Documents that do not normalise are returned as errors (with lines when
// known) and their facts are left without them; the rest is converted.
func (s *Snapshot) Facts() (Facts, []error) {
	inline := 0
	for _, r := range s.Roles {
		inline += len(r.InlinePolicies)
	}
	f := Facts{
		Roles:    make([]facts.Role, 0, len(s.Roles)),
		Policies: make([]facts.Policy, 0, len(s.Policies)+inline),
		Secrets:  make([]facts.Secret, 0, len(s.Secrets)),
	}
	var errs []error
	c := conv{s: s, errs: &errs}

	policyIdx := map[string]int{} // ARN -> index in f.Policies
	polNodes := c.section("policies", len(s.Policies))
	for i, p := range s.Policies {
		pol := facts.Policy{
			ID: p.ARN, Name: p.Name, ARN: p.ARN, Kind: "managed", RoleIDs: []string{},
			Source: Source, Location: c.loc(polNodes, i),
		}
		if len(p.Document) > 0 {
			doc, ok := c.document(p.Document, polNodes, i, "document")
			if !ok {
				continue
			}
			pol.Document = doc
		} else {
			continue // a policy without its document says nothing
		}
		policyIdx[p.ARN] = len(f.Policies)
		f.Policies = append(f.Policies, pol)
	}

	roleNodes := c.section("roles", len(s.Roles))
	roleByName := map[string]int{}
	for i, r := range s.Roles {
		id := r.ARN
		if id == "" {
			id = "role/" + r.Name
		}
		role := facts.Role{
			ID: id, Name: r.Name, ARN: r.ARN, Path: r.Path, Tags: r.Tags,
			PolicyIDs: []string{}, AttachedARNs: append([]string(nil), r.AttachedPolicyARNs...),
			Source: Source, Location: c.loc(roleNodes, i),
		}
		if len(r.Trust) > 0 && string(r.Trust) != "null" {
			if doc, ok := c.document(r.Trust, roleNodes, i, "trust"); ok {
				role.Trust = &doc
			}
		}
		var inlineNodes []*doctree.Node
		if roleNodes != nil {
			if l := roleNodes[i].Get("inline_policies"); l != nil && l.Kind == doctree.Array && len(l.Elems) == len(r.InlinePolicies) {
				inlineNodes = l.Elems
			}
		}
		for j, ip := range r.InlinePolicies {
			doc, ok := c.document(ip.Document, inlineNodes, j, "document")
			if !ok {
				continue
			}
			pid := id + "#inline/" + ip.Name
			f.Policies = append(f.Policies, facts.Policy{
				ID: pid, Name: ip.Name, Kind: "inline", RoleIDs: []string{id},
				Document: doc, Source: Source, Location: c.loc(inlineNodes, j),
			})
			role.PolicyIDs = append(role.PolicyIDs, pid)
		}
		roleByName[r.Name] = len(f.Roles)
		f.Roles = append(f.Roles, role)
	}
	link := func(ri, pi int) {
		r, p := &f.Roles[ri], &f.Policies[pi]
		r.PolicyIDs = addUnique(r.PolicyIDs, p.ID)
		p.RoleIDs = addUnique(p.RoleIDs, r.ID)
	}
	for ri, r := range s.Roles {
		for _, arn := range r.AttachedPolicyARNs {
			if pi, ok := policyIdx[arn]; ok {
				link(ri, pi)
			}
		}
	}
	for _, p := range s.Policies {
		pi, ok := policyIdx[p.ARN]
		if !ok {
			continue
		}
		for _, name := range p.Attachments.Roles {
			if ri, ok := roleByName[name]; ok {
				link(ri, pi)
				f.Roles[ri].AttachedARNs = addUnique(f.Roles[ri].AttachedARNs, p.ARN)
			}
		}
	}

	secNodes := c.section("secrets", len(s.Secrets))
	for i, x := range s.Secrets {
		if !x.DeletedDate.IsZero() {
			continue
		}
		id := x.ARN
		if id == "" {
			id = "secret/" + x.Region + "/" + x.Name
		}
		sec := facts.Secret{
			ID: id, Name: x.Name, ARN: x.ARN, Region: x.Region, Tags: x.Tags,
			KMSKeyID:         x.KMSKeyID,
			RotationDays:     x.RotationDays,
			RotationSchedule: x.RotationSchedule,
			CreatedDate:      date(x.CreatedDate),
			LastRotatedDate:  date(x.LastRotatedDate),
			LastChangedDate:  date(x.LastChangedDate),
			NextRotationDate: date(x.NextRotationDate),
			Source:           Source,
			Location:         c.loc(secNodes, i),
		}
		enabled := x.RotationEnabled
		sec.RotationEnabled = &enabled
		if len(x.ResourcePolicy) > 0 && string(x.ResourcePolicy) != "null" {
			if doc, ok := c.document(x.ResourcePolicy, secNodes, i, "resource_policy"); ok {
				sec.ResourcePolicy = &doc
			}
		}
		f.Secrets = append(f.Secrets, sec)
	}
	return f, errs
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func addUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

// conv carries what converting needs: the file's nodes when there is one.
type conv struct {
	s    *Snapshot
	errs *[]error
}

// section returns the element nodes of a top-level list when the snapshot
// came from a file and still matches it, else nil.
func (c conv) section(key string, n int) []*doctree.Node {
	if c.s.root == nil {
		return nil
	}
	l := c.s.root.Get(key)
	if l == nil || l.Kind != doctree.Array || len(l.Elems) != n {
		return nil
	}
	return l.Elems
}

func (c conv) loc(nodes []*doctree.Node, i int) facts.Location {
	if nodes == nil {
		return facts.Location{}
	}
	return facts.Location{File: c.s.file, Line: nodes[i].Line}
}

// document normalises raw, using the file's node for positions when there
// is one.
func (c conv) document(raw []byte, nodes []*doctree.Node, i int, key string) (facts.PolicyDocument, bool) {
	var n *doctree.Node
	if nodes != nil {
		n = nodes[i].Get(key)
	}
	file := c.s.file
	if n == nil {
		parsed, err := doctree.ParseJSON(raw)
		if err != nil {
			*c.errs = append(*c.errs, fileErr(file, err))
			return facts.PolicyDocument{}, false
		}
		parsed.SetPos(0, 0)
		n, file = parsed, ""
	}
	doc, err := iampolicy.Normalize(file, n)
	if err != nil {
		*c.errs = append(*c.errs, fileErr(c.s.file, err))
		return doc, false
	}
	return doc, true
}
