package awstest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// wipe empties the emulator's Secrets Manager and IAM. kumo keeps its state
// per process, not per server, so every Start begins by clearing what an
// earlier test of the same package created.
func (e *Emulator) wipe(tb testing.TB) {
	tb.Helper()
	ctx := context.Background()
	cfg := e.Config(tb)
	sm := secretsmanager.NewFromConfig(cfg)
	pager := secretsmanager.NewListSecretsPaginator(sm, &secretsmanager.ListSecretsInput{IncludePlannedDeletion: aws.Bool(true), MaxResults: aws.Int32(100)})
	var names []string
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			tb.Fatalf("wipe: list secrets: %v", err)
		}
		for _, s := range page.SecretList {
			names = append(names, aws.ToString(s.Name))
		}
	}
	for _, n := range names {
		if _, err := sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(n), ForceDeleteWithoutRecovery: aws.Bool(true)}); err != nil {
			tb.Fatalf("wipe: delete secret %s: %v", n, err)
		}
	}

	client := iam.NewFromConfig(cfg)
	roles, err := client.ListRoles(ctx, &iam.ListRolesInput{MaxItems: aws.Int32(1000)})
	if err != nil {
		tb.Fatalf("wipe: list roles: %v", err)
	}
	for _, r := range roles.Roles {
		name := r.RoleName
		if ps, err := client.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: name}); err == nil {
			for _, p := range ps.PolicyNames {
				if _, err := client.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: name, PolicyName: aws.String(p)}); err != nil {
					tb.Fatalf("wipe: delete inline policy %s of role %s: %v", p, aws.ToString(name), err)
				}
			}
		}
		if ps, err := client.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: name}); err == nil {
			for _, p := range ps.AttachedPolicies {
				if _, err := client.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: name, PolicyArn: p.PolicyArn}); err != nil {
					tb.Fatalf("wipe: detach policy %s from role %s: %v", aws.ToString(p.PolicyArn), aws.ToString(name), err)
				}
			}
		}
		if _, err := client.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: name}); err != nil {
			tb.Fatalf("wipe: delete role %s: %v", aws.ToString(name), err)
		}
	}
	if ps, err := client.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal, MaxItems: aws.Int32(1000)}); err == nil {
		for _, p := range ps.Policies {
			if _, err := client.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: p.Arn}); err != nil {
				tb.Fatalf("wipe: delete policy %s: %v", aws.ToString(p.Arn), err)
			}
		}
	}
	if ps, err := client.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{}); err == nil {
		for _, p := range ps.OpenIDConnectProviderList {
			if _, err := client.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: p.Arn}); err != nil {
				tb.Fatalf("wipe: delete OIDC provider %s: %v", aws.ToString(p.Arn), err)
			}
		}
	}
}
