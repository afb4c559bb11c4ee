package awsinv

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"
)

// The emulator does not offer GetAccountAuthorizationDetails, so its
// conversion is tested on the SDK's own types, with documents URL-encoded
// as the API returns them.
func TestFromAuthorizationDetails(t *testing.T) {
	enc := func(s string) *string { return aws.String(url.QueryEscape(s)) }
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`
	read := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`
	created := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	details := []iamtypes.RoleDetail{
		{
			RoleName: aws.String("deploy-prod"), Arn: aws.String("arn:aws:iam::123456789012:role/ci/deploy-prod"), Path: aws.String("/ci/"),
			CreateDate: &created, AssumeRolePolicyDocument: enc(trust),
			Tags:           []iamtypes.Tag{{Key: aws.String("environment"), Value: aws.String("prod")}},
			RolePolicyList: []iamtypes.PolicyDetail{{PolicyName: aws.String("read"), PolicyDocument: enc(read)}, {PolicyName: aws.String("broken"), PolicyDocument: enc(`{"Statement": 7}`)}},
			AttachedManagedPolicies: []iamtypes.AttachedPolicy{
				{PolicyArn: aws.String("arn:aws:iam::123456789012:policy/readers")},
				{PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")},
			},
			PermissionsBoundary: &iamtypes.AttachedPermissionsBoundary{PermissionsBoundaryArn: aws.String("arn:aws:iam::123456789012:policy/boundary")},
		},
	}
	managed := []iamtypes.ManagedPolicyDetail{
		{PolicyName: aws.String("readers"), Arn: aws.String("arn:aws:iam::123456789012:policy/readers"), DefaultVersionId: aws.String("v2"),
			PolicyVersionList: []iamtypes.PolicyVersion{{VersionId: aws.String("v1"), Document: enc(`{"Statement":[]}`)}, {VersionId: aws.String("v2"), IsDefaultVersion: true, Document: enc(read)}}},
		{PolicyName: aws.String("ReadOnlyAccess"), Arn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess"), DefaultVersionId: aws.String("v9"),
			PolicyVersionList: []iamtypes.PolicyVersion{{VersionId: aws.String("v9"), IsDefaultVersion: true, Document: enc(read)}}},
		{PolicyName: aws.String("AdministratorAccess"), Arn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess"), DefaultVersionId: aws.String("v1")},
		{PolicyName: aws.String("unused"), Arn: aws.String("arn:aws:iam::123456789012:policy/unused"), DefaultVersionId: aws.String("v1"),
			PolicyVersionList: []iamtypes.PolicyVersion{{VersionId: aws.String("v1"), IsDefaultVersion: true, Document: enc(read)}}},
	}
	c := &collector{probs: &problems{m: map[string][]string{}}}
	res := c.fromAuthorizationDetails(details, managed)

	if len(res.roles) != 1 {
		t.Fatalf("roles = %d", len(res.roles))
	}
	r := res.roles[0]
	if r.Name != "deploy-prod" || r.Path != "/ci/" || r.Tags["environment"] != "prod" || !r.CreateDate.Equal(created) || r.PermissionsBoundaryARN == "" {
		t.Errorf("role = %+v", r)
	}
	if !strings.Contains(string(r.Trust), "AssumeRoleWithWebIdentity") {
		t.Errorf("trust = %s", r.Trust)
	}
	if len(r.InlinePolicies) != 1 || r.InlinePolicies[0].Name != "read" {
		t.Errorf("inline = %+v (the broken one must be left out)", r.InlinePolicies)
	}
	if diff := cmp.Diff([]string{"arn:aws:iam::123456789012:policy/readers", "arn:aws:iam::aws:policy/ReadOnlyAccess"}, r.AttachedPolicyARNs); diff != "" {
		t.Errorf("attached (-want +got):\n%s", diff)
	}
	var arns []string
	for _, p := range res.policies {
		arns = append(arns, p.ARN)
		if len(p.Document) == 0 || !strings.Contains(string(p.Document), "GetSecretValue") {
			t.Errorf("%s: document %s, want the default version's", p.ARN, p.Document)
		}
	}
	// AWS managed policies are kept only when attached.
	if diff := cmp.Diff([]string{"arn:aws:iam::123456789012:policy/readers", "arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::123456789012:policy/unused"}, arns); diff != "" {
		t.Errorf("policies (-want +got):\n%s", diff)
	}
	if res.policies[0].Attachments.Roles[0] != "deploy-prod" {
		t.Errorf("attachments = %+v", res.policies[0].Attachments)
	}
	errs := c.probs.summary()
	if !strings.Contains(errs["iam"], "role deploy-prod: inline policy broken") {
		t.Errorf("iam error = %q", errs["iam"])
	}
	if _, ok := errs["trust"]; ok {
		t.Errorf("trust error for an inline policy: %v", errs)
	}
}
