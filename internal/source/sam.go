package source

import (
	"fmt"
	"strings"

	"github.com/secretgate/secretgate/internal/doctree"
	"github.com/secretgate/secretgate/internal/facts"
)

// lambdaBasicExecution is the managed policy SAM attaches to every role it
// creates for a function.
const lambdaBasicExecution = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"

// withSAMGlobals is props with the template's Globals.Function merged in:
// scalars and maps the function does not set are taken from the globals,
// and Policies is the global list followed by the function's.
func (p *cfnParser) withSAMGlobals(props *doctree.Node) *doctree.Node {
	g := p.samGlobals
	if g == nil || g.Kind != doctree.Object {
		return props
	}
	out := &doctree.Node{Kind: doctree.Object}
	if props != nil {
		out.Line, out.Col = props.Line, props.Col
		out.Members = append(out.Members, props.Members...)
	}
	for _, gm := range g.Members {
		own := out.Get(gm.Key)
		switch {
		case own == nil:
			out.Members = append(out.Members, gm)
		case gm.Key == "Policies":
			merged := &doctree.Node{Kind: doctree.Array, Line: own.Line, Col: own.Col}
			for _, n := range []*doctree.Node{gm.Value, own} {
				if n.Kind == doctree.Array {
					merged.Elems = append(merged.Elems, n.Elems...)
				} else {
					merged.Elems = append(merged.Elems, n)
				}
			}
			for i := range out.Members {
				if out.Members[i].Key == "Policies" {
					out.Members[i].Value = merged
				}
			}
		}
	}
	return out
}

// samFunction reads the IAM side of an AWS::Serverless::Function. With a
// Role the function runs as that role (a role of the template is read as
// its own resource; SAM then ignores Policies), so there is nothing more to
// read. Without one SAM creates the role "<Logical>Role": trusted by
// Lambda (or AssumeRolePolicyDocument), at RolePath,
// AWSLambdaBasicExecutionRole attached, and Policies turned into attached managed policies (a name or
// an ARN), inline policies (a policy document) and SAM policy templates
// (expanded where they grant Secrets Manager or KMS access; others are
// named in the role's assumptions as not judged).
//
// Globals.Function applies as SAM applies it: a property the function does
// not set is the global one, and the global Policies come before the
// function's own.
func (p *cfnParser) samFunction(f *cfnFrag, m doctree.Member, props *doctree.Node) {
	props = p.withSAMGlobals(props)
	if !props.Get("Role").IsNull() {
		return
	}
	logical := m.Key + "Role"
	r := facts.Role{
		ID:           p.id(logical),
		Name:         logical,
		Path:         p.str(f, props, "RolePath", m.Key),
		PolicyIDs:    []string{},
		AttachedARNs: []string{lambdaBasicExecution},
		Source:       sourceCloudFormation,
		Location:     facts.Location{File: p.file, Line: m.Line},
	}
	if r.Path == "" {
		r.Path = "/"
	}
	if n := props.Get("AssumeRolePolicyDocument"); n != nil {
		if doc, ok := p.document(f, m, n, "AssumeRolePolicyDocument"); ok {
			r.Trust = &doc
		}
	} else if doc, ok := p.normalize(f, lambdaTrust(m.Line, m.Col), m.Key, "the role SAM creates"); ok {
		r.Trust = &doc
	}
	if pols := props.Get("Policies"); !pols.IsNull() {
		v, _ := p.res.resolve(pols)
		elems := []*doctree.Node{v}
		if v.Kind == doctree.Array {
			elems = v.Elems
		}
		for i, e := range elems {
			p.samPolicy(f, &r, m, i, e)
		}
	}
	f.roles = append(f.roles, r)
}

// samPolicy reads the i-th element of a function's Policies.
func (p *cfnParser) samPolicy(f *cfnFrag, r *facts.Role, m doctree.Member, i int, e *doctree.Node) {
	name := fmt.Sprintf("%sRolePolicy%d", m.Key, i) // as SAM names them
	if s, ok := e.Scalar(); ok {
		if !strings.HasPrefix(s, "arn:") {
			s = "arn:aws:iam::aws:policy/" + s // an AWS managed policy by name
		}
		r.AttachedARNs = appendUnique(r.AttachedARNs, s)
		return
	}
	if e.Kind != doctree.Object {
		f.errs = append(f.errs, e.Errorf("%s: Policies[%d] must be a policy name, ARN, document or SAM policy template, found %s", m.Key, i, e.Describe()))
		return
	}
	var doc *doctree.Node
	switch {
	case e.Get("Statement") != nil:
		doc = e
	case len(e.Members) == 1:
		tmpl := e.Members[0]
		doc = samTemplate(tmpl.Key, tmpl.Value, p.res, e)
		if doc == nil {
			f.note(fmt.Sprintf("SAM policy template %s of %s is not judged", tmpl.Key, m.Key))
			return
		}
	default:
		f.errs = append(f.errs, e.Errorf("%s: Policies[%d] is neither a policy document nor a SAM policy template", m.Key, i))
		return
	}
	d, ok := p.normalize(f, doc, m.Key, fmt.Sprintf("Policies[%d]", i))
	if !ok {
		return
	}
	f.policies = append(f.policies, inlinePolicy(r, name, d, sourceCloudFormation, facts.Location{File: p.file, Line: e.Line}))
}

// lambdaTrust is the trust policy of the roles SAM creates for functions.
func lambdaTrust(line, col int) *doctree.Node {
	return samObj(line, col,
		"Version", samStr(line, col, "2012-10-17"),
		"Statement", samArr(line, col, samObj(line, col,
			"Effect", samStr(line, col, "Allow"),
			"Principal", samObj(line, col, "Service", samStr(line, col, "lambda.amazonaws.com")),
			"Action", samStr(line, col, "sts:AssumeRole"),
		)),
	)
}

// samTemplate expands the SAM policy template name with its (resolved)
// parameters args into a policy document, as the SAM translator does, for
// the templates that grant Secrets Manager or KMS access; nil for others.
func samTemplate(name string, args *doctree.Node, r *resolver, at *doctree.Node) *doctree.Node {
	line, col := at.Line, at.Col
	arg := func(key string) string {
		s, ok := args.Get(key).Scalar()
		if !ok {
			return "${" + key + "}"
		}
		return s
	}
	region, account := r.pseudo("AWS::Region", at), r.pseudo("AWS::AccountId", at)
	partition := r.pseudo("AWS::Partition", at)
	stmt := func(actions []string, resource string, extra ...any) *doctree.Node {
		acts := make([]*doctree.Node, len(actions))
		for i, a := range actions {
			acts[i] = samStr(line, col, a)
		}
		kv := append([]any{
			"Effect", samStr(line, col, "Allow"),
			"Action", samArr(line, col, acts...),
			"Resource", samStr(line, col, resource),
		}, extra...)
		return samObj(line, col, kv...)
	}
	doc := func(stmts ...*doctree.Node) *doctree.Node {
		return samObj(line, col, "Version", samStr(line, col, "2012-10-17"), "Statement", samArr(line, col, stmts...))
	}
	switch name {
	case "AWSSecretsManagerGetSecretValuePolicy":
		return doc(stmt([]string{"secretsmanager:GetSecretValue"}, arg("SecretArn")))
	case "AWSSecretsManagerRotationPolicy":
		fn := "arn:" + partition + ":lambda:" + region + ":" + account + ":function:" + arg("FunctionName")
		return doc(
			stmt([]string{"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"},
				"arn:"+partition+":secretsmanager:"+region+":"+account+":secret:*",
				"Condition", samObj(line, col, "StringEquals", samObj(line, col, "secretsmanager:resource/AllowRotationLambdaArn", samStr(line, col, fn)))),
			stmt([]string{"secretsmanager:GetRandomPassword"}, "*"),
		)
	case "KMSDecryptPolicy":
		return doc(stmt([]string{"kms:Decrypt"}, "arn:"+partition+":kms:"+region+":"+account+":key/"+arg("KeyId")))
	case "KMSEncryptPolicy":
		return doc(stmt([]string{"kms:Encrypt"}, "arn:"+partition+":kms:"+region+":"+account+":key/"+arg("KeyId")))
	}
	return nil
}

func samStr(line, col int, s string) *doctree.Node {
	return &doctree.Node{Kind: doctree.String, Text: s, Line: line, Col: col}
}

func samArr(line, col int, elems ...*doctree.Node) *doctree.Node {
	return &doctree.Node{Kind: doctree.Array, Elems: elems, Line: line, Col: col}
}

// samObj builds an object from key, value pairs.
func samObj(line, col int, kv ...any) *doctree.Node {
	n := &doctree.Node{Kind: doctree.Object, Line: line, Col: col}
	for i := 0; i+1 < len(kv); i += 2 {
		n.Members = append(n.Members, doctree.Member{Key: kv[i].(string), Value: kv[i+1].(*doctree.Node), Line: line, Col: col})
	}
	return n
}
