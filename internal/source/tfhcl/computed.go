package tfhcl

import (
	"strings"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// GitHubIssuer is the URL of GitHub Actions' OIDC issuer.
const GitHubIssuer = "https://token.actions.githubusercontent.com"

// blockValue is a body as an object: arguments, and each nested block type
// as a tuple of objects.
func blockValue(b *Block) map[string]cty.Value {
	m := map[string]cty.Value{}
	for n, a := range b.Attrs {
		m[n] = a.Value
	}
	byType := map[string][]cty.Value{}
	var order []string
	for _, nb := range b.Blocks {
		if _, ok := byType[nb.Type]; !ok {
			order = append(order, nb.Type)
		}
		byType[nb.Type] = append(byType[nb.Type], objectOf(blockValue(nb)))
	}
	for _, t := range order {
		m[t] = cty.TupleVal(byType[t])
	}
	return m
}

// str returns a known, non-null string argument.
func str(m map[string]cty.Value, n string) (string, bool) {
	v, ok := m[n]
	if !ok || v.IsNull() || !v.IsKnown() {
		return "", false
	}
	s, err := convert.Convert(v, cty.String)
	if err != nil || s.IsNull() || !s.IsKnown() {
		return "", false
	}
	return s.AsString(), true
}

// computed returns the instance as references see it: its arguments and
// the attributes AWS computes, as far as they follow from the arguments
// (an IAM role's ARN from its name and path; a policy document's json),
// else placeholders.
func (e *evaluator) computed(in *instance, r *resourceConfig, res *Resource) cty.Value {
	m := blockValue(res.Body)
	acct := e.account
	set := func(n, v string) {
		if cur, ok := m[n]; !ok || !cur.IsKnown() || cur.IsNull() {
			m[n] = cty.StringVal(v)
		}
	}
	unknown := func(attr, why string) string {
		return e.ph.token(res.Addr+"."+attr+" "+why, false)
	}
	get := func(n string) string {
		if v, ok := str(m, n); ok {
			return v
		}
		return unknown(n, "is not known offline")
	}
	iamARN := func(kind string) {
		name, ok := str(m, "name")
		if !ok {
			name = unknown("name", "is chosen by AWS at apply")
		}
		path, ok := str(m, "path")
		if !ok || path == "" {
			path = "/"
		}
		set("name", name)
		set("arn", "arn:aws:iam::"+acct+":"+kind+path+name)
	}
	switch r.key()[:len(r.key())-len(r.name)-1] {
	case "aws_iam_role":
		iamARN("role")
		set("id", get("name"))
		set("unique_id", unknown("unique_id", "is known only after apply"))
	case "aws_iam_policy":
		iamARN("policy")
		set("id", get("arn"))
		set("policy_id", unknown("policy_id", "is known only after apply"))
	case "aws_iam_openid_connect_provider":
		if url, ok := str(m, "url"); ok {
			set("arn", "arn:aws:iam::"+acct+":oidc-provider/"+strings.TrimPrefix(url, "https://"))
		}
		set("id", get("arn"))
	case "data.aws_iam_openid_connect_provider":
		if url, ok := str(m, "url"); ok {
			set("arn", "arn:aws:iam::"+acct+":oidc-provider/"+strings.TrimPrefix(url, "https://"))
		} else if arn, ok := str(m, "arn"); ok {
			if i := strings.Index(arn, ":oidc-provider/"); i >= 0 {
				set("url", "https://"+arn[i+len(":oidc-provider/"):])
			}
		}
		// The provider's id is its ARN (the AWS provider's data source).
		set("id", get("arn"))
	case "aws_secretsmanager_secret":
		name, ok := str(m, "name")
		if !ok {
			name = unknown("name", "is chosen by AWS at apply")
		}
		set("arn", "arn:aws:secretsmanager:"+e.region+":"+acct+":secret:"+name+"-"+e.ph.token("the suffix AWS adds to a secret's ARN", true))
		set("id", get("arn"))
	case "data.aws_iam_policy_document":
		doc, why := e.renderPolicyDocument(res)
		res.Assumptions = appendUnique(res.Assumptions, why...)
		set("json", doc)
		set("minified_json", doc)
	case "data.aws_partition":
		// The commercial partition: elsewhere names differ, never scopes.
		set("partition", e.ph.tokenAs("the AWS partition", "aws", true))
		set("dns_suffix", e.ph.tokenAs("the AWS partition's DNS suffix", "amazonaws.com", true))
	case "data.aws_caller_identity":
		set("account_id", acct)
		// The identity running Terraform is one principal of the account:
		// at most as broad as the account's root, never "*".
		set("arn", "arn:aws:iam::"+acct+":"+e.ph.tokenAs("the identity running Terraform ("+res.Addr+".arn) is not known offline; judged as its account's root", "root", false))
	case "data.aws_region":
		set("name", e.region)
		set("region", e.region)
	}
	what := "data source " + res.Addr
	if !r.data {
		what = res.Addr
	}
	for a := range in.cfg.refAttrs[r.key()] {
		if _, ok := m[a]; !ok {
			m[a] = cty.StringVal(e.ph.token(what+"."+a+" is not known offline", false))
		}
	}
	for _, a := range []string{"id", "arn"} {
		if _, ok := m[a]; !ok {
			m[a] = cty.StringVal(unknown(a, "is known only after apply"))
		}
	}
	return objectOf(m)
}
