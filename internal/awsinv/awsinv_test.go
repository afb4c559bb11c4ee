package awsinv_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/secretgate/secretgate/internal/awsauth"
	"github.com/secretgate/secretgate/internal/awsinv"
	"github.com/secretgate/secretgate/internal/awstest"
	"github.com/secretgate/secretgate/internal/inventory"
)

// The emulator's IAM account (its Secrets Manager and STS use another).
const iamAccount = "123456789012"

const canary = `{"api_key":"CANARY-live-key-7f3a","api_secret":"CANARY-live-secret-9b2c"}` // gitleaks:allow — canaries that must never be printed

// seed creates a small account: three secrets, two roles with inline
// policies and GitHub trust, GitHub's OIDC provider.
func seed(t *testing.T, em *awstest.Emulator) {
	t.Helper()
	em.CreateSecret(t, "prod/bybit/api", canary, map[string]string{"owner": "payments"})
	em.CreateSecret(t, "staging/db/password", "CANARY-plain-password-1d4e", nil)
	em.CreateSecret(t, "Legacy_Key", "CANARY-legacy-5e6f", nil) // gitleaks:allow — a canary
	em.CreateRole(t, awstest.Role{
		Name: "payments-prod", Path: "/ci/", Tags: map[string]string{"environment": "prod"},
		Trust:  awstest.GitHubTrust(iamAccount, "repo:acme/payments:environment:prod"),
		Inline: map[string]string{"read": awstest.ReadSecretsPolicy(iamAccount, "prod/bybit/*")},
	})
	em.CreateRole(t, awstest.Role{
		Name:   "payments-dev",
		Trust:  awstest.GitHubTrust(iamAccount, "repo:acme/*"),
		Inline: map[string]string{"read-all": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:*","Resource":"*"}]}`},
	})
	em.CreateGitHubProvider(t)
}

func session(t *testing.T, em *awstest.Emulator, timeout time.Duration) aws.Config {
	t.Helper()
	s, err := awsauth.Load(context.Background(), awsauth.Options{
		LoadOptions: awstest.LoadOptions(em.URL), MaxAttempts: 3, MaxBackoff: time.Millisecond, Timeout: timeout,
	})
	if err != nil {
		t.Fatal(err)
	}
	em.ResetCalls()
	return s.Config
}

func TestCollect(t *testing.T) {
	em := awstest.Start(t)
	seed(t, em)
	cfg := session(t, em, 10*time.Second)
	res := awsinv.Collect(context.Background(), cfg, awsinv.Options{Account: "000000000000", Concurrency: 4})
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	if res.IAMMethod != awsinv.MethodPerRole {
		t.Errorf("IAM method = %q: the emulator has no GetAccountAuthorizationDetails", res.IAMMethod)
	}
	s := res.Snapshot
	if s.Schema != inventory.Schema || s.Account != "000000000000" || len(s.Regions) != 1 || s.Regions[0] != "us-east-1" {
		t.Errorf("header = %q %q %v", s.Schema, s.Account, s.Regions)
	}
	secrets := map[string]inventory.Secret{}
	for _, x := range s.Secrets {
		secrets[x.Name] = x
	}
	if len(secrets) != 3 {
		t.Fatalf("secrets = %v", secrets)
	}
	bybit := secrets["prod/bybit/api"]
	if bybit.Tags["owner"] != "payments" || bybit.Region != "us-east-1" || bybit.ARN == "" || bybit.CreatedDate.IsZero() {
		t.Errorf("prod/bybit/api = %+v", bybit)
	}
	if bybit.Versions == nil || !bybit.Versions.HasCurrent {
		t.Errorf("versions = %+v", bybit.Versions)
	}
	roles := map[string]inventory.Role{}
	for _, r := range s.Roles {
		roles[r.Name] = r
	}
	prod := roles["payments-prod"]
	if prod.ARN != "arn:aws:iam::123456789012:role/ci/payments-prod" || prod.Tags["environment"] != "prod" || prod.Path != "/ci/" {
		t.Errorf("payments-prod = %+v", prod)
	}
	if !strings.Contains(string(prod.Trust), "sts:AssumeRoleWithWebIdentity") || len(prod.InlinePolicies) != 1 || prod.InlinePolicies[0].Name != "read" {
		t.Errorf("payments-prod trust/inline = %s %+v", prod.Trust, prod.InlinePolicies)
	}
	if len(s.OIDCProviders) != 1 || s.OIDCProviders[0].URL != "https://token.actions.githubusercontent.com" || s.OIDCProviders[0].ClientIDs[0] != "sts.amazonaws.com" {
		t.Errorf("OIDC providers = %+v", s.OIDCProviders)
	}

	calls := em.CountActions()
	for _, never := range []string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy", "secretsmanager:BatchGetSecretValue"} {
		if calls[never] > 0 {
			t.Errorf("called %s", never)
		}
	}
	if calls["iam:GetAccountAuthorizationDetails"] != 1 || calls["secretsmanager:ListSecrets"] != 1 {
		t.Errorf("calls: %s", em.Summary())
	}

	// The snapshot never holds a value.
	var b strings.Builder
	if err := inventory.Write(&b, s); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"CANARY"} {
		if strings.Contains(b.String(), c) {
			t.Errorf("snapshot contains a secret value")
		}
	}
}

func TestCollectManagedPolicies(t *testing.T) {
	em := awstest.Start(t)
	arn := em.CreatePolicy(t, "payments-readers", awstest.ReadSecretsPolicy(iamAccount, "prod/*"))
	em.CreateRole(t, awstest.Role{Name: "reader-prod", Trust: awstest.GitHubTrust(iamAccount, "repo:acme/payments:ref:refs/heads/main"), Attached: []string{arn}})
	em.CreateRole(t, awstest.Role{Name: "other-prod", Trust: awstest.GitHubTrust(iamAccount, "repo:acme/payments:ref:refs/heads/main"), Attached: []string{arn}})
	cfg := session(t, em, 10*time.Second)
	res := awsinv.Collect(context.Background(), cfg, awsinv.Options{})

	// Each managed policy is read once, however many roles use it.
	calls := em.CountActions()
	if calls["iam:GetPolicy"] != 1 || calls["iam:GetPolicyVersion"] != 1 {
		t.Errorf("managed policy calls: %s", em.Summary())
	}
	// The emulator has no GetPolicyVersion: the policy's permissions are
	// unknown, so the iam check is incomplete; trust is not affected, and
	// the roles and the policy's name are kept.
	if msg := res.Errors["iam"]; !strings.Contains(msg, "iam:GetPolicyVersion "+arn) {
		t.Errorf("iam error = %q", msg)
	}
	if _, ok := res.Errors["trust"]; ok {
		t.Errorf("trust error: %v", res.Errors)
	}
	if len(res.Snapshot.Roles) != 2 || len(res.Snapshot.Policies) != 1 || res.Snapshot.Policies[0].Name != "payments-readers" {
		t.Errorf("roles %d, policies %+v", len(res.Snapshot.Roles), res.Snapshot.Policies)
	}
	if got := res.Snapshot.Policies[0].Attachments.Roles; len(got) != 2 {
		t.Errorf("attachments = %v", got)
	}
}

func TestCollectFaults(t *testing.T) {
	persistent := func(service, action string, f awstest.Fault) awstest.Faults {
		return func(c awstest.Call) awstest.Fault {
			if c.Service == service && (action == "" || c.Action == action) {
				return f
			}
			return awstest.Fault{}
		}
	}
	transient := func(service, action string, f awstest.Fault) awstest.Faults {
		return func(c awstest.Call) awstest.Fault {
			if c.Service == service && c.Action == action && c.Attempt == 1 {
				return f
			}
			return awstest.Fault{}
		}
	}
	tests := []struct {
		name   string
		faults awstest.Faults
		// wantErrors maps families to a substring of their reason.
		wantErrors map[string]string
		// wantSecrets and wantRoles are what must be kept.
		wantSecrets, wantRoles int
		// timeout per call (10s when 0). The adaptive retry mode slows
		// every client down after a throttle, so the limit must leave room.
		timeout time.Duration
	}{
		{name: "throttled once", faults: transient("secretsmanager", "ListSecrets", awstest.Fault{Status: 400, Code: "ThrottlingException"}), wantSecrets: 3, wantRoles: 2},
		{name: "IAM throttled once", faults: transient("iam", "ListRoles", awstest.Fault{Status: 400, Code: "Throttling"}), wantSecrets: 3, wantRoles: 2},
		{name: "server error once", faults: transient("iam", "GetRole", awstest.Fault{Status: 500, Code: "ServiceFailure"}), wantSecrets: 3, wantRoles: 2},
		{name: "connection reset once", faults: transient("iam", "ListRolePolicies", awstest.Fault{Reset: true}), wantSecrets: 3, wantRoles: 2},
		{name: "slow once", faults: transient("secretsmanager", "ListSecrets", awstest.Fault{Delay: 100 * time.Millisecond}), wantSecrets: 3, wantRoles: 2},
		{name: "GetAccountAuthorizationDetails denied falls back", faults: persistent("iam", "GetAccountAuthorizationDetails", awstest.Fault{Status: 403, Code: "AccessDenied"}), wantSecrets: 3, wantRoles: 2},
		{
			name:       "Secrets Manager denied",
			faults:     persistent("secretsmanager", "", awstest.Fault{Status: 400, Code: "AccessDeniedException"}),
			wantErrors: map[string]string{"naming": "secretsmanager:ListSecrets in us-east-1: AccessDeniedException", "rotation": "AccessDeniedException"},
			wantRoles:  2,
		},
		{
			name:        "IAM denied",
			faults:      persistent("iam", "ListRoles", awstest.Fault{Status: 403, Code: "AccessDenied"}),
			wantErrors:  map[string]string{"iam": "iam:ListRoles: AccessDenied", "trust": "iam:ListRoles: AccessDenied"},
			wantSecrets: 3,
		},
		{
			name:        "inline policy keeps failing",
			faults:      persistent("iam", "GetRolePolicy", awstest.Fault{Status: 500, Code: "ServiceFailure"}),
			wantErrors:  map[string]string{"iam": "gave up after 3 attempts"},
			wantSecrets: 3, wantRoles: 2,
		},
		{
			name:        "connection keeps resetting",
			faults:      persistent("secretsmanager", "ListSecrets", awstest.Fault{Reset: true}),
			wantErrors:  map[string]string{"naming": "secretsmanager:ListSecrets", "rotation": "secretsmanager:ListSecrets"},
			wantSecrets: 0, wantRoles: 2,
		},
		{
			name:        "OIDC providers time out",
			faults:      persistent("iam", "ListOpenIDConnectProviders", awstest.Fault{Delay: 3 * time.Second}),
			wantErrors:  map[string]string{"trust": "iam:ListOpenIDConnectProviders"},
			wantSecrets: 3, wantRoles: 2, timeout: 500 * time.Millisecond,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			em := awstest.Start(t)
			seed(t, em)
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 10 * time.Second
			}
			cfg := session(t, em, timeout)
			em.SetFaults(tc.faults)
			res := awsinv.Collect(context.Background(), cfg, awsinv.Options{})
			for fam, want := range tc.wantErrors {
				if !strings.Contains(res.Errors[fam], want) {
					t.Errorf("%s error = %q, want it to contain %q", fam, res.Errors[fam], want)
				}
			}
			for fam, msg := range res.Errors {
				if _, ok := tc.wantErrors[fam]; !ok {
					t.Errorf("unexpected %s error: %s", fam, msg)
				}
			}
			if len(res.Snapshot.Secrets) != tc.wantSecrets || len(res.Snapshot.Roles) != tc.wantRoles {
				t.Errorf("kept %d secrets and %d roles, want %d and %d", len(res.Snapshot.Secrets), len(res.Snapshot.Roles), tc.wantSecrets, tc.wantRoles)
			}
		})
	}
}

func TestCollectRegions(t *testing.T) {
	em := awstest.Start(t)
	seed(t, em)
	cfg := session(t, em, 10*time.Second)
	res := awsinv.Collect(context.Background(), cfg, awsinv.Options{Regions: []string{"eu-west-1", "us-east-1"}})
	if len(res.Errors) > 0 {
		t.Fatal(res.Errors)
	}
	// The emulator serves the same secrets in every region; each region
	// is listed with its own signed calls.
	perRegion := map[string]int{}
	for _, s := range res.Snapshot.Secrets {
		perRegion[s.Region]++
	}
	if perRegion["eu-west-1"] != 3 || perRegion["us-east-1"] != 3 {
		t.Errorf("secrets per region = %v", perRegion)
	}
	regions := map[string]int{}
	for _, c := range em.Calls() {
		if c.Action == "ListSecrets" {
			regions[c.Region]++
		}
	}
	if regions["eu-west-1"] != 1 || regions["us-east-1"] != 1 {
		t.Errorf("ListSecrets per region = %v", regions)
	}
}
