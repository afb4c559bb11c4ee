package orgemu

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/secretgate/secretgate/internal/awstest"
)

func hubConfig(t *testing.T, g *Org) aws.Config {
	t.Helper()
	opts := append(awstest.LoadOptions(g.URL), config.WithRetryMaxAttempts(1))
	cfg, err := config.LoadDefaultConfig(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// spoke is the hub's configuration with the spoke role of account
// assumed, in region.
func spoke(hub aws.Config, account, region string) aws.Config {
	cfg := hub.Copy()
	cfg.Region = region
	cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(hub), "arn:aws:iam::"+account+":role/secretgate-read"))
	return cfg
}

func listSecrets(t *testing.T, cfg aws.Config) (names, arns []string) {
	t.Helper()
	p := secretsmanager.NewListSecretsPaginator(secretsmanager.NewFromConfig(cfg), &secretsmanager.ListSecretsInput{MaxResults: aws.Int32(3)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page.SecretList {
			names, arns = append(names, aws.ToString(s.Name)), append(arns, aws.ToString(s.ARN))
		}
	}
	return names, arns
}

// TestAccountsSeeTheirOwnView: every account, in every region, lists the
// template's secrets under its own account id and that region, its own
// secret and no other account's; its roles carry its id; the hub lists
// the accounts page by page.
func TestAccountsSeeTheirOwnView(t *testing.T) {
	g := Start(t, Options{Accounts: 3, Regions: []string{"us-east-1", "eu-west-1"}, Secrets: 5, Roles: 2, OwnSecretEvery: 2})
	hub := hubConfig(t, g)
	if len(g.Own) != 2 {
		t.Fatalf("own secrets %v, want accounts 0 and 2", g.Own)
	}
	for _, account := range g.Accounts {
		for _, region := range []string{"us-east-1", "eu-west-1"} {
			names, arns := listSecrets(t, spoke(hub, account, region))
			want := 5
			if g.Own[account] != "" {
				want = 6
			}
			if len(names) != want {
				t.Errorf("%s %s: %d secrets %v, want %d", account, region, len(names), names, want)
			}
			for i, arn := range arns {
				if !strings.HasPrefix(arn, "arn:aws:secretsmanager:"+region+":"+account+":secret:") {
					t.Errorf("%s %s: %s has ARN %s", account, region, names[i], arn)
				}
				if owner, ok := g.owner[names[i]]; ok && owner != account {
					t.Errorf("%s lists %s, account %s's own secret", account, names[i], owner)
				}
			}
		}
		roles, err := iam.NewFromConfig(spoke(hub, account, "us-east-1")).ListRoles(context.Background(), &iam.ListRolesInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(roles.Roles) != 2 || !strings.Contains(aws.ToString(roles.Roles[0].Arn), ":"+account+":") {
			t.Errorf("%s: roles %d, first %s", account, len(roles.Roles), aws.ToString(roles.Roles[0].Arn))
		}
		id, err := sts.NewFromConfig(spoke(hub, account, "us-east-1")).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
		if err != nil || aws.ToString(id.Account) != account {
			t.Errorf("%s: caller identity %v, %v", account, id, err)
		}
	}
	var listed []string
	p := organizations.NewListAccountsPaginator(organizations.NewFromConfig(hub), &organizations.ListAccountsInput{MaxResults: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Accounts {
			listed = append(listed, aws.ToString(a.Id))
		}
	}
	if strings.Join(listed, ",") != strings.Join(g.Accounts, ",") {
		t.Errorf("ListAccounts %v, want %v", listed, g.Accounts)
	}
	if n := g.Calls()[g.Accounts[1]]["secretsmanager:ListSecrets"]; n != 6 {
		t.Errorf("account 1 made %d ListSecrets calls, want 6 (2 regions × 3 pages of 3: kumo pages the 7 stored secrets, the router filters)", n)
	}
}

// TestRefusedAndThrottled: a refusing account's AssumeRole is denied as
// STS denies it; a throttled account's requests get ThrottlingException;
// credentials nobody handed out are refused.
func TestRefusedAndThrottled(t *testing.T) {
	g := Start(t, Options{Accounts: 2, Secrets: 1})
	hub := hubConfig(t, g)
	g.Refuse(g.Accounts[0])
	_, err := secretsmanager.NewFromConfig(spoke(hub, g.Accounts[0], "us-east-1")).ListSecrets(context.Background(), &secretsmanager.ListSecretsInput{})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "AccessDenied" {
		t.Errorf("refused account: %v, want AccessDenied", err)
	}
	g.Throttle(g.Accounts[1], func(c Call) bool { return c.Service == "secretsmanager" })
	retrying := spoke(hub, g.Accounts[1], "us-east-1")
	retrying.RetryMaxAttempts = 3
	_, err = secretsmanager.NewFromConfig(retrying).ListSecrets(context.Background(), &secretsmanager.ListSecretsInput{})
	if !errors.As(err, &api) || api.ErrorCode() != "ThrottlingException" {
		t.Errorf("throttled account: %v, want ThrottlingException", err)
	}
	// The SDK tried the one call three times: one call, every attempt
	// seen.
	if calls, tries := g.Calls()[g.Accounts[1]]["secretsmanager:ListSecrets"], g.Attempts()[g.Accounts[1]]["secretsmanager:ListSecrets"]; calls != 1 || tries != 3 {
		t.Errorf("throttled account: %d calls in %d attempts, want 1 call in 3 attempts", calls, tries)
	}
	stranger := hub.Copy()
	stranger.Credentials = aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "ASIANOBODYHANDEDOUT", SecretAccessKey: "x"}, nil
	}))
	_, err = secretsmanager.NewFromConfig(stranger).ListSecrets(context.Background(), &secretsmanager.ListSecretsInput{})
	if !errors.As(err, &api) || api.ErrorCode() != "InvalidClientTokenId" {
		t.Errorf("unknown credentials: %v, want InvalidClientTokenId", err)
	}
}

// TestHubByWebIdentity: the hub role is assumed with a web identity token
// Options.WebIdentity admits, and its credentials are the hub's (they
// list the accounts); another token, or a member account's role, is
// refused as STS refuses it.
func TestHubByWebIdentity(t *testing.T) {
	g := Start(t, Options{Accounts: 2, Secrets: 1, WebIdentity: func(tok string) bool { return tok == "good-token" }})
	anon := hubConfig(t, g)
	anon.Credentials = aws.AnonymousCredentials{}
	assume := func(role, token string) (aws.Config, error) {
		out, err := sts.NewFromConfig(anon).AssumeRoleWithWebIdentity(context.Background(), &sts.AssumeRoleWithWebIdentityInput{
			RoleArn: aws.String(role), RoleSessionName: aws.String("nightly"), WebIdentityToken: aws.String(token)})
		if err != nil {
			return aws.Config{}, err
		}
		cfg := anon.Copy()
		c := out.Credentials
		cfg.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
		return cfg, nil
	}
	hubRole := "arn:aws:iam::" + HubAccount + ":role/secretgate-hub"
	hub, err := assume(hubRole, "good-token")
	if err != nil {
		t.Fatal(err)
	}
	listed, err := organizations.NewFromConfig(hub).ListAccounts(context.Background(), &organizations.ListAccountsInput{})
	if err != nil || len(listed.Accounts) != 2 {
		t.Errorf("the web identity hub lists %v, %v; want the 2 accounts", listed, err)
	}
	if n := g.Calls()[Hub]["sts:AssumeRoleWithWebIdentity"]; n != 1 {
		t.Errorf("%d AssumeRoleWithWebIdentity calls counted for the hub, want 1", n)
	}
	var api smithy.APIError
	if _, err := assume(hubRole, "forged-token"); !errors.As(err, &api) || api.ErrorCode() != "InvalidIdentityToken" {
		t.Errorf("a token not admitted: %v, want InvalidIdentityToken", err)
	}
	if _, err := assume("arn:aws:iam::"+g.Accounts[0]+":role/secretgate-read", "good-token"); !errors.As(err, &api) || api.ErrorCode() != "AccessDenied" {
		t.Errorf("a member account's role with a token: %v, want AccessDenied", err)
	}
}
