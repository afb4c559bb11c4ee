package awsinv_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/secretgate/secretgate/internal/awsauth"
	"github.com/secretgate/secretgate/internal/awsinv"
	"github.com/secretgate/secretgate/internal/awstest"
)

// perRoleCalls is the IAM cost of the per-role fallback for one role with
// `inline` inline policies: GetRole, ListRolePolicies, GetRolePolicy per
// inline policy, ListAttachedRolePolicies (one page each).
func perRoleCalls(inline int) int { return 3 + inline }

// wantIAMCalls is the whole IAM cost of the fallback: one refused
// GetAccountAuthorizationDetails, ceil(R/1000) ListRoles pages, the
// per-role calls, GetPolicy + GetPolicyVersion per distinct attached
// managed policy, ListOpenIDConnectProviders and one
// GetOpenIDConnectProvider per provider.
func wantIAMCalls(roles, inlineEach, managed, providers int) int {
	return 1 + (roles+999)/1000 + roles*perRoleCalls(inlineEach) + 2*managed + 1 + providers
}

// secretsBudget is the goal for Secrets Manager calls per region.
func secretsBudget(n int) int { return (n+99)/100 + 2 }

func collectCounting(tb testing.TB, em *awstest.Emulator) (awsinv.Result, map[string]int) {
	tb.Helper()
	s, err := awsauth.Load(context.Background(), awsauth.Options{LoadOptions: awstest.LoadOptions(em.URL), Timeout: time.Minute})
	if err != nil {
		tb.Fatal(err)
	}
	em.ResetCalls()
	res := awsinv.Collect(context.Background(), s.Config, awsinv.Options{})
	if len(res.Errors) > 0 {
		tb.Fatalf("errors: %v", res.Errors)
	}
	return res, em.Count()
}

func TestAPICallBudget(t *testing.T) {
	em := awstest.Start(t)
	const secrets, roles = 250, 20
	em.CreateSecrets(t, secrets)
	em.CreateRoles(t, roles, iamAccount)
	em.CreateGitHubProvider(t)
	res, count := collectCounting(t, em)
	if len(res.Snapshot.Secrets) != secrets || len(res.Snapshot.Roles) != roles {
		t.Fatalf("read %d secrets and %d roles", len(res.Snapshot.Secrets), len(res.Snapshot.Roles))
	}
	if got, max := count["secretsmanager"], secretsBudget(secrets); got > max {
		t.Errorf("Secrets Manager calls = %d, budget %d", got, max)
	}
	if got, want := count["iam"], wantIAMCalls(roles, 1, 0, 1); got != want {
		t.Errorf("IAM calls = %d, want %d (%s)", got, want, em.Summary())
	}
	if count["sts"] != 0 {
		t.Errorf("STS calls during the inventory: %d", count["sts"])
	}
}

// BenchmarkInventoryAPICalls counts the API calls of one inventory of N
// secrets and 200 roles (one inline policy each) against the emulator:
// make bench prints them. Secrets Manager must stay within ceil(N/100)+2;
// IAM costs what wantIAMCalls states.
func BenchmarkInventoryAPICalls(b *testing.B) {
	for _, n := range []int{10, 1000, 5000} {
		b.Run(fmt.Sprintf("secrets=%d/roles=200", n), func(b *testing.B) {
			em := awstest.Start(b)
			em.CreateSecrets(b, n)
			em.CreateRoles(b, 200, iamAccount)
			em.CreateGitHubProvider(b)
			b.ResetTimer()
			var count map[string]int
			for range b.N {
				_, count = collectCounting(b, em)
			}
			b.StopTimer()
			if count["secretsmanager"] > secretsBudget(n) {
				b.Errorf("Secrets Manager calls = %d, budget %d", count["secretsmanager"], secretsBudget(n))
			}
			b.ReportMetric(float64(count["secretsmanager"]), "sm-calls")
			b.ReportMetric(float64(secretsBudget(n)), "sm-budget")
			b.ReportMetric(float64(count["iam"]), "iam-calls")
			b.ReportMetric(float64(wantIAMCalls(200, 1, 0, 1)), "iam-formula")
		})
	}
}

// TestReadOnlyPolicyCoversInventoryCalls: every call the inventory makes
// is allowed by the read-only policy docs/aws.md tells users to create, so
// the documented role is never the reason a run is incomplete.
func TestReadOnlyPolicyCoversInventoryCalls(t *testing.T) {
	data, err := os.ReadFile("../../docs/examples/aws/secretgate-readonly-policy.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Statement []struct {
			Effect string
			Action any
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{}
	for _, s := range doc.Statement {
		switch a := s.Action.(type) {
		case string:
			allowed[strings.ToLower(a)] = true
		case []any:
			for _, x := range a {
				allowed[strings.ToLower(x.(string))] = true
			}
		}
	}
	em := awstest.Start(t)
	seed(t, em)
	arn := em.CreatePolicy(t, "readers", awstest.ReadSecretsPolicy(iamAccount, "prod/*"))
	em.CreateRole(t, awstest.Role{Name: "attached-prod", Trust: awstest.GitHubTrust(iamAccount, "repo:acme/payments:ref:refs/heads/main"), Attached: []string{arn}})
	cfg := session(t, em, 10*time.Second)
	awsinv.Collect(context.Background(), cfg, awsinv.Options{})
	seen := map[string]bool{}
	for _, c := range em.Calls() {
		seen[c.Service+":"+c.Action] = true
	}
	if len(seen) < 10 {
		t.Fatalf("only %d distinct calls: %v", len(seen), seen)
	}
	for call := range seen {
		if !allowed[strings.ToLower(call)] {
			t.Errorf("the inventory calls %s, which docs/examples/aws/secretgate-readonly-policy.json does not allow", call)
		}
	}
	for a := range allowed {
		if !seen[a] && !strings.EqualFold(a, "iam:GetAccountAuthorizationDetails") {
			found := false
			for call := range seen {
				if strings.EqualFold(call, a) {
					found = true
				}
			}
			if !found {
				t.Errorf("the policy allows %s, which the inventory never calls", a)
			}
		}
	}
}
