package source

import (
	"github.com/secretgate/secretgate/internal/doctree"
	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/iampolicy"
)

// parseIAMPolicy reads a standalone policy document: a trust policy
// becomes a role named after the file, anything else a standalone
// permission policy. n is the document object or a string holding it.
func parseIAMPolicy(rel string, n *doctree.Node) fileResult {
	out := fileResult{kind: KindIAMPolicy}
	doc, err := iampolicy.Normalize(rel, n)
	if err != nil {
		out.fail(rel, err)
		return out
	}
	loc := facts.Location{File: rel, Line: n.Line}
	if iampolicy.IsTrust(doc) {
		out.roles = append(out.roles, facts.Role{
			ID:        rel,
			Name:      baseName(rel),
			Trust:     &doc,
			PolicyIDs: []string{},
			Source:    sourceIAMJSON,
			Location:  loc,
		})
		return out
	}
	out.policies = append(out.policies, facts.Policy{
		ID:       rel,
		Name:     baseName(rel),
		Kind:     "standalone",
		RoleIDs:  []string{},
		Document: doc,
		Source:   sourceIAMJSON,
		Location: loc,
	})
	return out
}

// parseIAMAPI reads the IAM API and CLI responses that carry documents:
// GetAccountAuthorizationDetails (roles with their inline and attached
// policies, and managed policies with their versions), GetRole,
// GetRolePolicy and GetPolicyVersion. Documents may be objects (as the CLI
// prints them) or URL-encoded strings (as the API returns them).
func parseIAMAPI(rel string, n *doctree.Node) fileResult {
	out := fileResult{kind: KindIAMAPI}
	switch {
	case n.Get("RoleDetailList") != nil:
		authorizationDetails(rel, n, &out)
	case n.Path("Role", "AssumeRolePolicyDocument") != nil:
		if r, ps := apiRole(rel, n.Get("Role"), &out); r != nil {
			out.roles = append(out.roles, *r)
			out.policies = append(out.policies, ps...)
		}
	case n.Path("PolicyVersion", "Document") != nil:
		doc, err := iampolicy.Normalize(rel, n.Path("PolicyVersion", "Document"))
		if err != nil {
			out.fail(rel, err)
			break
		}
		out.policies = append(out.policies, facts.Policy{
			ID: rel, Name: baseName(rel), Kind: "managed", RoleIDs: []string{},
			Document: doc, Source: sourceIAMJSON, Location: facts.Location{File: rel, Line: n.Line},
		})
	default: // GetRolePolicy
		doc, err := iampolicy.Normalize(rel, n.Get("PolicyDocument"))
		if err != nil {
			out.fail(rel, err)
			break
		}
		name, _ := n.Get("PolicyName").Str()
		if name == "" {
			name = baseName(rel)
		}
		out.policies = append(out.policies, facts.Policy{
			ID: rel, Name: name, Kind: "inline", RoleIDs: []string{},
			Document: doc, Source: sourceIAMJSON, Location: facts.Location{File: rel, Line: n.Line},
		})
	}
	return out
}

// apiRole reads a Role or RoleDetail object.
func apiRole(rel string, n *doctree.Node, out *fileResult) (*facts.Role, []facts.Policy) {
	if n == nil || n.Kind != doctree.Object {
		return nil, nil
	}
	name, _ := n.Get("RoleName").Str()
	arn, _ := n.Get("Arn").Str()
	p, _ := n.Get("Path").Str()
	r := &facts.Role{
		ID:        arn,
		Name:      name,
		ARN:       arn,
		Path:      p,
		Tags:      tagList(n.Get("Tags")),
		PolicyIDs: []string{},
		Source:    sourceIAMJSON,
		Location:  facts.Location{File: rel, Line: n.Line},
	}
	if r.ID == "" {
		r.ID = rel + "#" + name
	}
	if d := n.Get("AssumeRolePolicyDocument"); !d.IsNull() {
		doc, err := iampolicy.Normalize(rel, d)
		if err != nil {
			out.fail(rel, err)
		} else {
			r.Trust = &doc
		}
	}
	var inline []facts.Policy
	if list := n.Get("RolePolicyList"); list != nil && list.Kind == doctree.Array {
		for _, e := range list.Elems {
			pname, _ := e.Get("PolicyName").Str()
			doc, err := iampolicy.Normalize(rel, e.Get("PolicyDocument"))
			if err != nil {
				out.fail(rel, err)
				continue
			}
			inline = append(inline, inlinePolicy(r, pname, doc, sourceIAMJSON, facts.Location{File: rel, Line: e.Line}))
		}
	}
	if list := n.Get("AttachedManagedPolicies"); list != nil && list.Kind == doctree.Array {
		for _, e := range list.Elems {
			if a, ok := e.Get("PolicyArn").Str(); ok {
				r.AttachedARNs = appendUnique(r.AttachedARNs, a)
			}
		}
	}
	return r, inline
}

// authorizationDetails reads GetAccountAuthorizationDetails output.
func authorizationDetails(rel string, n *doctree.Node, out *fileResult) {
	managed := map[string]int{} // ARN -> index in out.policies
	if list := n.Get("Policies"); list != nil && list.Kind == doctree.Array {
		for _, e := range list.Elems {
			arn, _ := e.Get("Arn").Str()
			name, _ := e.Get("PolicyName").Str()
			def, _ := e.Get("DefaultVersionId").Str()
			var docNode *doctree.Node
			if vs := e.Get("PolicyVersionList"); vs != nil && vs.Kind == doctree.Array {
				for _, v := range vs.Elems {
					id, _ := v.Get("VersionId").Str()
					isDef, _ := v.Get("IsDefaultVersion").Scalar()
					if isDef == "true" || (def != "" && id == def) {
						docNode = v.Get("Document")
					}
				}
			}
			if docNode == nil || arn == "" {
				continue
			}
			doc, err := iampolicy.Normalize(rel, docNode)
			if err != nil {
				out.fail(rel, err)
				continue
			}
			managed[arn] = len(out.policies)
			out.policies = append(out.policies, facts.Policy{
				ID: arn, Name: name, ARN: arn, Kind: "managed", RoleIDs: []string{},
				Document: doc, Source: sourceIAMJSON, Location: facts.Location{File: rel, Line: e.Line},
			})
		}
	}
	for _, e := range n.Get("RoleDetailList").Elems {
		r, inline := apiRole(rel, e, out)
		if r == nil {
			continue
		}
		for _, a := range r.AttachedARNs {
			if i, ok := managed[a]; ok {
				r.PolicyIDs = appendUnique(r.PolicyIDs, out.policies[i].ID)
				out.policies[i].RoleIDs = appendUnique(out.policies[i].RoleIDs, r.ID)
			}
		}
		out.roles = append(out.roles, *r)
		out.policies = append(out.policies, inline...)
	}
}

// tagList reads [{"Key": k, "Value": v}, ...] into a map; nil when empty.
func tagList(n *doctree.Node) map[string]string {
	if n == nil || n.Kind != doctree.Array {
		return nil
	}
	tags := map[string]string{}
	for _, e := range n.Elems {
		k, ok := e.Get("Key").Scalar()
		if !ok {
			continue
		}
		v, _ := e.Get("Value").Scalar()
		tags[k] = v
	}
	if len(tags) == 0 {
		return nil
	}
	return tags
}
