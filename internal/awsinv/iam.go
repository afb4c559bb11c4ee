package awsinv

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/secretgate/secretgate/internal/inventory"
	"github.com/secretgate/secretgate/internal/result"
)

// IAM read methods, as Result.IAMMethod reports them.
const (
	MethodAuthorizationDetails = "GetAccountAuthorizationDetails"
	MethodPerRole              = "per-role"
)

// iamPageSize is the largest page IAM's list calls return.
const iamPageSize = 1000

type iamResult struct {
	roles    []inventory.Role
	policies []inventory.Policy
	method   string
}

// fallbackCodes are the errors of GetAccountAuthorizationDetails after
// which the per-role calls are tried: the caller may not use it, or the
// endpoint does not offer it. Other failures (throttling that outlasted
// the retries, time-outs) would hit the per-role calls too.
var fallbackCodes = map[string]bool{
	"AccessDenied":          true,
	"AccessDeniedException": true,
	"InvalidAction":         true,
	"UnknownOperation":      true,
	"NotImplemented":        true,
	"UnsupportedOperation":  true,
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// iam reads roles and the managed policies attached to them: in one
// paginated GetAccountAuthorizationDetails when allowed, else role by role.
func (c *collector) iam(ctx context.Context) iamResult {
	client := iam.NewFromConfig(c.cfg)
	res, err := c.authorizationDetails(ctx, client)
	if err == nil {
		return res
	}
	if !fallbackCodes[apiCode(err)] {
		c.probs.add(iamFamilies, "%s", describe("iam:GetAccountAuthorizationDetails", err))
		return res
	}
	return c.perRole(ctx, client)
}

func (c *collector) authorizationDetails(ctx context.Context, client *iam.Client) (iamResult, error) {
	var details []iamtypes.RoleDetail
	var managed []iamtypes.ManagedPolicyDetail
	var marker *string
	for {
		var page *iam.GetAccountAuthorizationDetailsOutput
		err := c.call(ctx, func(ctx context.Context) error {
			var err error
			page, err = client.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{
				Filter:   []iamtypes.EntityType{iamtypes.EntityTypeRole, iamtypes.EntityTypeLocalManagedPolicy, iamtypes.EntityTypeAWSManagedPolicy},
				MaxItems: aws.Int32(iamPageSize),
				Marker:   marker,
			})
			return err
		})
		if err != nil {
			if len(details) == 0 && len(managed) == 0 {
				return iamResult{method: MethodAuthorizationDetails}, err
			}
			// Pages were read: keep them rather than start over.
			c.probs.add(iamFamilies, "%s", describe("iam:GetAccountAuthorizationDetails", err))
			break
		}
		details = append(details, page.RoleDetailList...)
		managed = append(managed, page.Policies...)
		if !page.IsTruncated || page.Marker == nil {
			break
		}
		marker = page.Marker
	}
	return c.fromAuthorizationDetails(details, managed), nil
}

// fromAuthorizationDetails converts GetAccountAuthorizationDetails pages:
// every role, every customer managed policy, and the AWS managed policies
// attached to a role (not AWS's whole catalogue), each with its default
// version's document.
func (c *collector) fromAuthorizationDetails(details []iamtypes.RoleDetail, managed []iamtypes.ManagedPolicyDetail) iamResult {
	res := iamResult{method: MethodAuthorizationDetails}
	attachedTo := map[string][]string{} // policy ARN -> role names
	for _, d := range details {
		r := inventory.Role{
			Name: aws.ToString(d.RoleName), ARN: aws.ToString(d.Arn), Path: aws.ToString(d.Path),
			Tags: tags(d.Tags), InlinePolicies: []inventory.InlinePolicy{}, AttachedPolicyARNs: []string{},
		}
		setTime(&r.CreateDate, d.CreateDate)
		if d.RoleLastUsed != nil {
			setTime(&r.LastUsedDate, d.RoleLastUsed.LastUsedDate)
		}
		if d.PermissionsBoundary != nil {
			r.PermissionsBoundaryARN = aws.ToString(d.PermissionsBoundary.PermissionsBoundaryArn)
		}
		r.Trust = c.document(d.AssumeRolePolicyDocument, iamFamilies, "role "+r.Name+": trust policy")
		for _, p := range d.RolePolicyList {
			name := aws.ToString(p.PolicyName)
			if doc := c.document(p.PolicyDocument, []string{result.CheckIAM}, "role "+r.Name+": inline policy "+name); doc != nil {
				r.InlinePolicies = append(r.InlinePolicies, inventory.InlinePolicy{Name: name, Document: doc})
			}
		}
		for _, a := range d.AttachedManagedPolicies {
			arn := aws.ToString(a.PolicyArn)
			r.AttachedPolicyARNs = append(r.AttachedPolicyARNs, arn)
			attachedTo[arn] = append(attachedTo[arn], r.Name)
		}
		res.roles = append(res.roles, r)
	}
	for _, m := range managed {
		arn := aws.ToString(m.Arn)
		if awsManaged(arn) && len(attachedTo[arn]) == 0 {
			continue // AWS's own catalogue: only what is used here matters
		}
		p := inventory.Policy{
			Name: aws.ToString(m.PolicyName), ARN: arn, Path: aws.ToString(m.Path),
			DefaultVersionID: aws.ToString(m.DefaultVersionId),
			Attachments:      inventory.Attachments{Roles: append([]string{}, attachedTo[arn]...)},
		}
		for _, v := range m.PolicyVersionList {
			if v.IsDefaultVersion {
				p.Document = c.document(v.Document, []string{result.CheckIAM}, "managed policy "+arn)
			}
		}
		res.policies = append(res.policies, p)
	}
	return res
}

// perRole reads IAM role by role: ListRoles, then for each role GetRole
// (tags, last use, boundary), ListRolePolicies with GetRolePolicy for each
// inline policy, and ListAttachedRolePolicies; then GetPolicy and
// GetPolicyVersion once per distinct attached managed policy.
func (c *collector) perRole(ctx context.Context, client *iam.Client) iamResult {
	res := iamResult{method: MethodPerRole}
	var listed []iamtypes.Role
	var marker *string
	for {
		var page *iam.ListRolesOutput
		err := c.call(ctx, func(ctx context.Context) error {
			var err error
			page, err = client.ListRoles(ctx, &iam.ListRolesInput{MaxItems: aws.Int32(iamPageSize), Marker: marker})
			return err
		})
		if err != nil {
			c.probs.add(iamFamilies, "%s", describe("iam:ListRoles", err))
			break
		}
		listed = append(listed, page.Roles...)
		if !page.IsTruncated || page.Marker == nil {
			break
		}
		marker = page.Marker
	}

	roles := make([]inventory.Role, len(listed))
	each(ctx, c, idxs(len(listed)), func(ctx context.Context, i int) {
		roles[i] = c.role(ctx, client, listed[i])
	})
	res.roles = roles

	attachedTo := map[string][]string{}
	var arns []string
	for _, r := range roles {
		for _, arn := range r.AttachedPolicyARNs {
			if _, seen := attachedTo[arn]; !seen {
				arns = append(arns, arn)
			}
			attachedTo[arn] = append(attachedTo[arn], r.Name)
		}
	}
	policies := make([]inventory.Policy, len(arns))
	each(ctx, c, idxs(len(arns)), func(ctx context.Context, i int) {
		policies[i] = c.managedPolicy(ctx, client, arns[i], attachedTo[arns[i]])
	})
	res.policies = policies
	return res
}

func idxs(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// role completes one listed role.
func (c *collector) role(ctx context.Context, client *iam.Client, listed iamtypes.Role) inventory.Role {
	name := aws.ToString(listed.RoleName)
	full := listed
	err := c.call(ctx, func(ctx context.Context) error {
		out, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
		if err == nil && out.Role != nil {
			full = *out.Role
		}
		return err
	})
	if err != nil {
		// Without its tags the role's environment may be misjudged.
		c.probs.add(iamFamilies, "%s", describe("iam:GetRole "+name, err))
	}
	r := inventory.Role{
		Name: name, ARN: aws.ToString(full.Arn), Path: aws.ToString(full.Path), Tags: tags(full.Tags),
		MaxSessionDuration: int(aws.ToInt32(full.MaxSessionDuration)),
		InlinePolicies:     []inventory.InlinePolicy{}, AttachedPolicyARNs: []string{},
	}
	setTime(&r.CreateDate, full.CreateDate)
	if full.RoleLastUsed != nil {
		setTime(&r.LastUsedDate, full.RoleLastUsed.LastUsedDate)
	}
	if full.PermissionsBoundary != nil {
		r.PermissionsBoundaryARN = aws.ToString(full.PermissionsBoundary.PermissionsBoundaryArn)
	}
	r.Trust = c.document(full.AssumeRolePolicyDocument, iamFamilies, "role "+name+": trust policy")

	var names []string
	var marker *string
	for {
		var page *iam.ListRolePoliciesOutput
		err := c.call(ctx, func(ctx context.Context) error {
			var err error
			page, err = client.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(name), MaxItems: aws.Int32(iamPageSize), Marker: marker})
			return err
		})
		if err != nil {
			c.probs.add([]string{result.CheckIAM}, "%s", describe("iam:ListRolePolicies "+name, err))
			break
		}
		names = append(names, page.PolicyNames...)
		if !page.IsTruncated || page.Marker == nil {
			break
		}
		marker = page.Marker
	}
	for _, pn := range names {
		var doc *string
		err := c.call(ctx, func(ctx context.Context) error {
			out, err := client.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(pn)})
			if err == nil {
				doc = out.PolicyDocument
			}
			return err
		})
		if err != nil {
			c.probs.add([]string{result.CheckIAM}, "%s", describe("iam:GetRolePolicy "+name+"/"+pn, err))
			continue
		}
		if d := c.document(doc, []string{result.CheckIAM}, "role "+name+": inline policy "+pn); d != nil {
			r.InlinePolicies = append(r.InlinePolicies, inventory.InlinePolicy{Name: pn, Document: d})
		}
	}

	marker = nil
	for {
		var page *iam.ListAttachedRolePoliciesOutput
		err := c.call(ctx, func(ctx context.Context) error {
			var err error
			page, err = client.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name), MaxItems: aws.Int32(iamPageSize), Marker: marker})
			return err
		})
		if err != nil {
			c.probs.add([]string{result.CheckIAM}, "%s", describe("iam:ListAttachedRolePolicies "+name, err))
			break
		}
		for _, a := range page.AttachedPolicies {
			r.AttachedPolicyARNs = append(r.AttachedPolicyARNs, aws.ToString(a.PolicyArn))
		}
		if !page.IsTruncated || page.Marker == nil {
			break
		}
		marker = page.Marker
	}
	return r
}

// managedPolicy reads a managed policy's default version. A policy whose
// document cannot be read is kept by name (roles still list it) and makes
// the iam check incomplete: its permissions are unknown.
func (c *collector) managedPolicy(ctx context.Context, client *iam.Client, arn string, roles []string) inventory.Policy {
	p := inventory.Policy{ARN: arn, Attachments: inventory.Attachments{Roles: append([]string{}, roles...)}}
	err := c.call(ctx, func(ctx context.Context) error {
		out, err := client.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
		if err == nil && out.Policy != nil {
			p.Name, p.Path = aws.ToString(out.Policy.PolicyName), aws.ToString(out.Policy.Path)
			p.DefaultVersionID = aws.ToString(out.Policy.DefaultVersionId)
		}
		return err
	})
	if err != nil {
		c.probs.add([]string{result.CheckIAM}, "%s", describe("iam:GetPolicy "+arn, err))
		return p
	}
	if p.DefaultVersionID == "" {
		c.probs.add([]string{result.CheckIAM}, "iam:GetPolicy %s: no default version", arn)
		return p
	}
	err = c.call(ctx, func(ctx context.Context) error {
		out, err := client.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String(p.DefaultVersionID)})
		if err == nil && out.PolicyVersion != nil {
			p.Document = c.document(out.PolicyVersion.Document, []string{result.CheckIAM}, "managed policy "+arn)
		}
		return err
	})
	if err != nil {
		c.probs.add([]string{result.CheckIAM}, "%s", describe("iam:GetPolicyVersion "+arn, err))
	}
	return p
}

// document converts a policy document as IAM returns it (URL-encoded
// JSON); one that cannot be read is reported against families.
func (c *collector) document(text *string, families []string, what string) json.RawMessage {
	if text == nil || *text == "" {
		return nil
	}
	doc, err := inventory.DocumentFromIAM(*text)
	if err != nil {
		c.probs.add(families, "%s: %v", what, err)
		return nil
	}
	return doc
}

func awsManaged(arn string) bool { return strings.Contains(arn, ":iam::aws:policy/") }

func tags(ts []iamtypes.Tag) map[string]string {
	if len(ts) == 0 {
		return nil
	}
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}
