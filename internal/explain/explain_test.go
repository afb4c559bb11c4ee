package explain

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/go-cmp/cmp"

	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/policy"
	"github.com/secretgate/secretgate/internal/source"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

var (
	engineOnce sync.Once
	engine     *policy.Engine
	engineErr  error
)

func testEngine(t *testing.T) *policy.Engine {
	t.Helper()
	engineOnce.Do(func() { engine, engineErr = policy.Load(context.Background(), nil) })
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	return engine
}

func repoRoles(t *testing.T) []facts.Role {
	t.Helper()
	res, err := source.Scan(context.Background(), filepath.Join("testdata", "repo"), source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) > 0 {
		t.Fatalf("testdata/repo: %+v", res.Errors)
	}
	return res.Roles
}

var (
	keyOnce sync.Once
	rsaKey  *rsa.PrivateKey
)

// signToken issues an RS256 JWT with the claims, as GitHub's OIDC provider
// does.
func signToken(t *testing.T, claims map[string]any) string {
	t.Helper()
	keyOnce.Do(func() {
		var err error
		if rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: rsaKey},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "test-key"))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(sig).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// canary is the value of claims that must never be shown.
const canary = "CANARY-7f3a9c-never-shown"

// githubClaims is the claim set of a GitHub Actions OIDC token for a push
// to branch, with overrides.
func githubClaims(over map[string]any) map[string]any {
	c := map[string]any{
		"iss":                   "https://token.actions.githubusercontent.com",
		"aud":                   "sts.amazonaws.com",
		"sub":                   "repo:acme/payments:ref:refs/heads/feature",
		"jti":                   "6f4e1a2b-0000-4000-8000-000000000001",
		"ref":                   "refs/heads/feature",
		"ref_type":              "branch",
		"sha":                   "0123456789abcdef0123456789abcdef01234567",
		"repository":            "acme/payments",
		"repository_id":         "456",
		"repository_owner":      "acme",
		"repository_owner_id":   "123",
		"repository_visibility": "private",
		"run_id":                "9000000001",
		"run_number":            "12",
		"run_attempt":           "1",
		"runner_environment":    "github-hosted",
		"actor":                 canary,
		"actor_id":              "77",
		"workflow":              "deploy",
		"head_ref":              "",
		"base_ref":              "",
		"event_name":            "push",
		"job_workflow_ref":      "acme/payments/.github/workflows/deploy.yml@refs/heads/feature",
		"workflow_ref":          "acme/payments/.github/workflows/deploy.yml@refs/heads/feature",
		"nbf":                   1764220000,
		"iat":                   1764220000,
		"exp":                   1764220900,
	}
	for k, v := range over {
		if v == nil {
			delete(c, k)
			continue
		}
		c[k] = v
	}
	return c
}

func TestExplainGolden(t *testing.T) {
	eng := testEngine(t)
	roles := repoRoles(t)
	tests := []struct {
		name     string
		role     string
		claims   map[string]any
		known    bool
		admitted bool
		closest  int // -1: none
		failing  []string
	}{
		{
			name: "prod-environment-refuses-branch", role: "arn:aws:iam::123456789012:role/deploy",
			claims: githubClaims(nil), known: true, closest: 0,
			failing: []string{"StringEquals token.actions.githubusercontent.com:sub mismatch"},
		},
		{
			name: "prod-environment-admits-environment", role: "deploy",
			claims: githubClaims(map[string]any{"sub": "repo:acme/payments:environment:prod", "environment": "prod"}),
			known:  true, admitted: true, closest: -1,
		},
		{
			name: "aws-docs-wildcard-admits-pull-requests", role: "arn:aws:iam::123456789012:role/ci/aws-docs",
			claims: githubClaims(map[string]any{"sub": "repo:acme/payments:pull_request", "event_name": "pull_request", "ref": "refs/pull/7/merge"}),
			known:  true, admitted: true, closest: -1,
		},
		{
			name: "wrong-audience", role: "deploy",
			claims: githubClaims(map[string]any{"aud": "https://github.com/acme", "sub": "repo:acme/payments:environment:prod"}),
			known:  true, closest: 0,
			failing: []string{"StringEquals token.actions.githubusercontent.com:aud mismatch"},
		},
		{
			name: "closest-miss-of-two-statements", role: "two-statements",
			claims: githubClaims(nil), known: true, closest: 1,
			failing: []string{"StringEquals token.actions.githubusercontent.com:sub mismatch"},
		},
		{
			name: "deny-statement", role: "org-with-deny",
			claims: githubClaims(map[string]any{"sub": "repo:acme/payments:pull_request", "event_name": "pull_request"}),
			known:  true, closest: -1,
		},
		{
			name: "wrong-provider", role: "enterprise",
			claims: githubClaims(nil), known: true, closest: -1,
		},
		{
			name: "enterprise-issuer-token", role: "enterprise",
			claims: githubClaims(map[string]any{"iss": "https://token.actions.githubusercontent.com/acme", "sub": "repo:acme/payments:ref:refs/heads/main"}),
			known:  true, admitted: true, closest: -1,
		},
		{
			name: "for-all-values-and-missing-claim", role: "for-all-values",
			claims: githubClaims(map[string]any{"actor": "someone-else-" + canary}), known: true, closest: 0,
			failing: []string{
				"ForAllValues:StringEquals token.actions.githubusercontent.com:sub not-all",
				"StringEquals token.actions.githubusercontent.com:environment missing",
				"StringEqualsIfExists token.actions.githubusercontent.com:actor mismatch",
			},
		},
		{
			name: "immutable-subject", role: "immutable",
			claims: githubClaims(map[string]any{"sub": "repo:acme@123/payments@456:ref:refs/heads/feature"}),
			known:  true, admitted: true, closest: -1,
		},
		{
			name: "unknown-role", role: "arn:aws:iam::123456789012:role/nowhere",
			claims: githubClaims(nil), closest: -1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token := signToken(t, tt.claims)
			claims, err := ClaimsFromToken(token)
			if err != nil {
				t.Fatal(err)
			}
			e, err := Explain(context.Background(), eng, tt.role, claims, roles)
			if err != nil {
				t.Fatal(err)
			}
			if e.Known != tt.known || e.Admitted != tt.admitted {
				t.Errorf("known=%v admitted=%v, want %v %v", e.Known, e.Admitted, tt.known, tt.admitted)
			}
			closest := -1
			if e.Closest != nil {
				closest = *e.Closest
			}
			if closest != tt.closest {
				t.Errorf("closest = %d, want %d", closest, tt.closest)
			}
			var failing []string
			if e.Closest != nil {
				for _, s := range e.Statements {
					if s.Index == *e.Closest {
						for _, f := range s.Failures {
							failing = append(failing, f.Operator+" "+f.Key+" "+f.Reason)
						}
					}
				}
			}
			if diff := cmp.Diff(tt.failing, failing); diff != "" {
				t.Errorf("failing conditions (-want +got):\n%s", diff)
			}

			var out bytes.Buffer
			if err := Render(&out, e); err != nil {
				t.Fatal(err)
			}
			for _, secret := range []string{token, canary, strings.Split(token, ".")[1], strings.Split(token, ".")[2]} {
				if strings.Contains(out.String(), secret) {
					t.Fatalf("rendered explanation shows the token or a claim that must not be shown:\n%s", out.String())
				}
			}
			golden := filepath.Join("testdata", "golden", tt.name+".txt")
			if *update {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), out.String()); diff != "" {
				t.Errorf("rendering differs from %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

func TestExplainWithholdsUnlistedClaims(t *testing.T) {
	roles := repoRoles(t)
	claims := githubClaims(nil)
	e, err := Explain(context.Background(), testEngine(t), "for-all-values", claims, roles)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := e.Claims["actor"]; ok {
		t.Error("Claims holds actor, which is not a shown claim")
	}
	found := false
	for _, s := range e.Statements {
		for _, c := range append(s.Checks, s.Failures...) {
			if c.Claim == "actor" {
				found = true
				if !c.Hidden || c.Actual != nil {
					t.Errorf("actor condition not withheld: %+v", c)
				}
			}
		}
	}
	if !found {
		t.Fatal("no condition on actor in the explanation")
	}
}

func TestFindRole(t *testing.T) {
	withTrust := &facts.PolicyDocument{}
	roles := []facts.Role{
		{ID: "roles/deploy.json", Name: "deploy", Source: "iam-json"},
		{ID: "arn:aws:iam::1:role/team/deploy", Name: "deploy", ARN: "arn:aws:iam::1:role/team/deploy", Trust: withTrust, Source: "inventory"},
		{ID: "x#Other", Name: "other", Trust: withTrust, Source: "cloudformation"},
	}
	tests := []struct {
		arg        string
		wantSource string
		found      bool
	}{
		{"arn:aws:iam::1:role/team/deploy", "inventory", true},
		{"arn:aws:iam::2:role/deploy", "inventory", true}, // by name, the one with a trust policy
		{"deploy", "inventory", true},
		{"OTHER", "cloudformation", true},
		{"arn:aws:iam::1:role/missing", "", false},
		{"arn:aws:iam::1:user", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		r, ok := FindRole(tt.arg, roles)
		if ok != tt.found || r.Source != tt.wantSource {
			t.Errorf("FindRole(%q) = %q, %v; want %q, %v", tt.arg, r.Source, ok, tt.wantSource, tt.found)
		}
	}
}

func TestExplainRoleWithoutTrust(t *testing.T) {
	roles := []facts.Role{{Name: "deploy", Source: "terraform", Location: facts.Location{File: "plan.json", Line: 40}}}
	e, err := Explain(context.Background(), testEngine(t), "deploy", githubClaims(nil), roles)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Render(&out, e); err != nil {
		t.Fatal(err)
	}
	want := "the role is declared in plan.json:40 (terraform) without its trust policy"
	if e.Known || !strings.Contains(out.String(), want) {
		t.Errorf("got known=%v\n%s\nwant it to contain %q", e.Known, out.String(), want)
	}
}

type failingEngine struct{}

func (failingEngine) Eval(context.Context, string, any) (any, error) {
	return nil, errors.New("engine down")
}

func TestExplainEngineError(t *testing.T) {
	_, err := Explain(context.Background(), failingEngine{}, "deploy", githubClaims(nil), repoRoles(t))
	if err == nil || !strings.Contains(err.Error(), "engine down") {
		t.Fatalf("err = %v, want the engine's error", err)
	}
}

func TestClaimsFromToken(t *testing.T) {
	good := signToken(t, map[string]any{"sub": "repo:acme/payments:ref:refs/heads/main", "repository_id": 456})
	// Malformed tokens are assembled at run time, so that no token-like
	// literal sits in the source for leak scanners to report.
	seg := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	header := seg(`{"alg":"RS256"}`)
	tests := []struct {
		name  string
		token string
		sub   string
		err   bool
	}{
		{name: "rs256 jwt", token: good, sub: "repo:acme/payments:ref:refs/heads/main"},
		{name: "surrounding space", token: "  " + good + "\n", sub: "repo:acme/payments:ref:refs/heads/main"},
		{name: "two parts", token: header + "." + seg(`{"sub":"x"}`), err: true},
		{name: "payload not base64", token: header + ".@@@.sig", err: true},
		{name: "payload not an object", token: header + "." + seg(`[1,2]`) + ".sig", err: true},
		{name: "empty", token: "", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ClaimsFromToken(tt.token)
			if tt.err {
				if err == nil {
					t.Fatalf("no error for %q", tt.token)
				}
				if len(tt.token) > 10 && strings.Contains(err.Error(), tt.token) {
					t.Errorf("error shows the token: %v", err)
				}
				if !errors.Is(err, ErrNotClaims) {
					t.Errorf("err = %v, want ErrNotClaims", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c["sub"] != tt.sub {
				t.Errorf("sub = %v, want %s", c["sub"], tt.sub)
			}
		})
	}
}

func TestClaimsFromJSON(t *testing.T) {
	token := signToken(t, map[string]any{"sub": "x"})
	tests := []struct {
		name, in string
		err      string
	}{
		{name: "object", in: `{"sub": "repo:a/b:pull_request", "repository_id": 456}`},
		{name: "a token instead", in: token, err: "looks like a token"},
		{name: "array", in: `[1]`, err: "not a JSON object"},
		{name: "broken", in: `{"sub": }`, err: "invalid JSON"},
		{name: "two values", in: `{} {}`, err: "more than one JSON value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ClaimsFromJSON([]byte(tt.in))
			if tt.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c["sub"] != "repo:a/b:pull_request" || c["repository_id"].(interface{ String() string }).String() != "456" {
					t.Errorf("claims = %v", c)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("err = %v, want it to say %q", err, tt.err)
			}
			if strings.Contains(err.Error(), token) {
				t.Error("error shows the token")
			}
		})
	}
}

// TestUnknownRoleVerdict: explain-trust runs offline, so a role it cannot
// find is answered with the roles it did find, never with an AWS
// permission to grant.
func TestUnknownRoleVerdict(t *testing.T) {
	many := make([]string, 25)
	for i := range many {
		many[i] = fmt.Sprintf("role-%02d", i)
	}
	tests := []struct {
		name  string
		e     Explanation
		want  []string
		never []string
	}{
		{"nothing read", Explanation{RoleARN: "nope"}, []string{`no role "nope"`, "No role was found in the repository."}, []string{"Roles found"}},
		{"a few", Explanation{RoleARN: "arn:aws:iam::1:role/nope", RolesFound: []string{"deploy", "read"}}, []string{`no role "nope"`, "Roles found (2): deploy, read."}, []string{"more"}},
		{"many", Explanation{RoleARN: "nope", RolesFound: many}, []string{"Roles found (25): role-00,", "role-19, and 5 more"}, []string{"role-20"}},
		{"variants of a CloudFormation role", Explanation{RoleARN: "Deploy", RolesFound: []string{"Deploy/if IsMain=false", "Deploy/if IsMain=true", "Other"}},
			[]string{"Deploy is read in 2 variants", `--role "Deploy/if IsMain=false", --role "Deploy/if IsMain=true"`}, []string{"Roles found"}},
		{"declared without trust", Explanation{RoleARN: "deploy", Role: "deploy", Source: "terraform", File: "main.tf", Line: 3}, []string{"declared in main.tf:3 (terraform) without its trust policy"}, []string{"Roles found"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			renderUnknown(&b, tt.e)
			got := b.String()
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("verdict %q lacks %q", got, w)
				}
			}
			for _, n := range append(tt.never, "iam:GetRole", "grant") {
				if strings.Contains(got, n) {
					t.Errorf("verdict %q says %q", got, n)
				}
			}
		})
	}
}
