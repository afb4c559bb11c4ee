package awstest

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"golang.org/x/sync/errgroup"
)

// CreateSecret creates a secret with a value (the canary tests plant
// values here to prove they never come out).
func (e *Emulator) CreateSecret(tb testing.TB, name, value string, tags map[string]string) {
	tb.Helper()
	in := &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(value)}
	for k, v := range tags {
		in.Tags = append(in.Tags, smtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	if _, err := secretsmanager.NewFromConfig(e.Config(tb)).CreateSecret(context.Background(), in); err != nil {
		tb.Fatalf("create secret %s: %v", name, err)
	}
}

// CreateSecrets creates n secrets named prod/svc<i>/api, in parallel.
func (e *Emulator) CreateSecrets(tb testing.TB, n int) {
	tb.Helper()
	client := secretsmanager.NewFromConfig(e.Config(tb))
	err := inParallel(n, 16, func(i int) error {
		name := fmt.Sprintf("prod/svc%05d/api", i)
		_, err := client.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{
			Name: aws.String(name), SecretString: aws.String(`{"api_key":"k","api_secret":"s"}`),
		})
		if err != nil {
			return fmt.Errorf("create secret %s: %w", name, err)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// Role is a role to create.
type Role struct {
	Name, Path string
	Trust      string
	Tags       map[string]string
	// Inline maps policy names to documents.
	Inline map[string]string
	// Attached are managed policy ARNs to attach.
	Attached []string
}

// CreateRole creates a role with its inline and attached policies.
func (e *Emulator) CreateRole(tb testing.TB, r Role) string {
	tb.Helper()
	arn, err := e.createRole(iam.NewFromConfig(e.Config(tb)), r)
	if err != nil {
		tb.Fatal(err)
	}
	return arn
}

// createRole does CreateRole's work and returns its error instead of
// failing the test, so that it can run on goroutines the test did not
// start (testing forbids Fatal there).
func (e *Emulator) createRole(client *iam.Client, r Role) (string, error) {
	ctx := context.Background()
	in := &iam.CreateRoleInput{RoleName: aws.String(r.Name), AssumeRolePolicyDocument: aws.String(r.Trust)}
	if r.Path != "" {
		in.Path = aws.String(r.Path)
	}
	for k, v := range r.Tags {
		in.Tags = append(in.Tags, iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	out, err := client.CreateRole(ctx, in)
	if err != nil {
		return "", fmt.Errorf("create role %s: %w", r.Name, err)
	}
	for name, doc := range r.Inline {
		if _, err := client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(r.Name), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)}); err != nil {
			return "", fmt.Errorf("put role policy %s/%s: %w", r.Name, name, err)
		}
	}
	for _, arn := range r.Attached {
		if _, err := client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(r.Name), PolicyArn: aws.String(arn)}); err != nil {
			return "", fmt.Errorf("attach %s to %s: %w", arn, r.Name, err)
		}
	}
	return aws.ToString(out.Role.Arn), nil
}

// CreatePolicy creates a customer managed policy and returns its ARN.
func (e *Emulator) CreatePolicy(tb testing.TB, name, doc string) string {
	tb.Helper()
	out, err := iam.NewFromConfig(e.Config(tb)).CreatePolicy(context.Background(), &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
	if err != nil {
		tb.Fatalf("create policy %s: %v", name, err)
	}
	return aws.ToString(out.Policy.Arn)
}

// CreateGitHubProvider creates GitHub's OIDC provider.
func (e *Emulator) CreateGitHubProvider(tb testing.TB) string {
	tb.Helper()
	out, err := iam.NewFromConfig(e.Config(tb)).CreateOpenIDConnectProvider(context.Background(), &iam.CreateOpenIDConnectProviderInput{
		Url:            aws.String("https://token.actions.githubusercontent.com"),
		ClientIDList:   []string{"sts.amazonaws.com"},
		ThumbprintList: []string{"6938fd4d98bab03faadb97b34396831e3780aea1"},
	})
	if err != nil {
		tb.Fatalf("create OIDC provider: %v", err)
	}
	return aws.ToString(out.OpenIDConnectProviderArn)
}

// CreateRoles creates n roles named app<i>-prod, each with one inline
// policy reading its own secrets and a GitHub trust, in parallel.
func (e *Emulator) CreateRoles(tb testing.TB, n int, account string) {
	tb.Helper()
	client := iam.NewFromConfig(e.Config(tb))
	err := inParallel(n, 8, func(i int) error {
		_, err := e.createRole(client, Role{
			Name:   fmt.Sprintf("app%04d-prod", i),
			Trust:  GitHubTrust(account, "repo:acme/app:environment:prod"),
			Inline: map[string]string{"read": ReadSecretsPolicy(account, fmt.Sprintf("prod/svc%05d/*", i))},
		})
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// inParallel calls fn(i) for every i in [0, n), at most width at a time,
// and returns the first error once all calls have returned.
func inParallel(n, width int, fn func(i int) error) error {
	var g errgroup.Group
	g.SetLimit(width)
	for i := range n {
		g.Go(func() error { return fn(i) })
	}
	return g.Wait()
}

// GitHubTrust is a trust policy for GitHub's OIDC provider pinned to sub.
func GitHubTrust(account, sub string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::%s:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","token.actions.githubusercontent.com:sub":%q}}}]}`, account, sub)
}

// ReadSecretsPolicy allows GetSecretValue on secrets matching pattern.
func ReadSecretsPolicy(account, pattern string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:us-east-1:%s:secret:%s"}]}`, account, pattern)
}

// PutSecretValue adds a version to a secret: the one before becomes
// AWSPREVIOUS, so a rollback is possible.
func (e *Emulator) PutSecretValue(tb testing.TB, name, value string) {
	tb.Helper()
	in := &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String(value)}
	if _, err := secretsmanager.NewFromConfig(e.Config(tb)).PutSecretValue(context.Background(), in); err != nil {
		tb.Fatalf("put secret value %s: %v", name, err)
	}
}
