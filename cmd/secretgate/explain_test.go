package main

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/secretgate/secretgate/internal/result"
)

// explainRepo writes a repository whose CloudFormation template declares a
// production deploy role pinned to a GitHub environment and whose IAM JSON
// holds the AWS documentation's wildcard example.
func explainRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"infra/roles.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  DeployRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: payments-deploy-prod
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Sid: GitHubProdDeploy
            Effect: Allow
            Principal:
              Federated: !Sub arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringEquals:
                token.actions.githubusercontent.com:aud: sts.amazonaws.com
                token.actions.githubusercontent.com:sub: repo:acme/payments:environment:prod
`,
		"iam/ci-trust.json": `{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
      "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
      "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/payments:*"}
    }
  }]
}
`,
		"iam/deploy-envs-trust.json": `{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
      "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
      "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/payments:environment:deploy-*"}
    }
  }]
}
`,
	}
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const explainCanary = "CANARY-actor-9d2b7e"

func tokenClaims(over map[string]any) map[string]any {
	c := map[string]any{
		"iss":              "https://token.actions.githubusercontent.com",
		"aud":              "sts.amazonaws.com",
		"sub":              "repo:acme/payments:ref:refs/heads/feature",
		"repository":       "acme/payments",
		"repository_owner": "acme",
		"ref":              "refs/heads/feature",
		"ref_type":         "branch",
		"event_name":       "push",
		"actor":            explainCanary,
		"exp":              1764220900,
	}
	for k, v := range over {
		c[k] = v
	}
	return c
}

func writeClaims(t *testing.T, claims map[string]any) string {
	t.Helper()
	b, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "claims.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func rs256Token(t *testing.T, claims map[string]any) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(sig).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestExplainTrust(t *testing.T) {
	dir := explainRepo(t)
	tests := []struct {
		name   string
		args   []string
		claims map[string]any
		code   int
		want   []string
	}{
		{
			name:   "refused by the environment pin",
			args:   []string{"--role", "arn:aws:iam::123456789012:role/payments-deploy-prod"},
			claims: tokenClaims(nil),
			code:   result.ExitFindings,
			want: []string{
				"Trust policy: infra/roles.yaml:",
				"Verdict: refused.",
				`Refused by statement 0 (Sid "GitHubProdDeploy", line 10 of infra/roles.yaml): condition StringEquals token.actions.githubusercontent.com:sub requires "repo:acme/payments:environment:prod"; the token says "repo:acme/payments:ref:refs/heads/feature".`,
				"  refused   a pull request                        repo:acme/payments:pull_request",
				"  refused   a pull request naming an environment  repo:acme/payments:environment:attacker",
			},
		},
		{
			name:   "admitted with the environment",
			args:   []string{"--role", "payments-deploy-prod"},
			claims: tokenClaims(map[string]any{"sub": "repo:acme/payments:environment:prod", "environment": "prod"}),
			code:   0,
			want:   []string{`Verdict: admitted by statement 0 (Sid "GitHubProdDeploy", line 10 of infra/roles.yaml).`},
		},
		{
			name:   "wildcard role admits pull requests and forks",
			args:   []string{"--role", "ci-trust"},
			claims: tokenClaims(nil),
			code:   0,
			want: []string{
				"  ADMITTED  a pull request                        repo:acme/payments:pull_request",
				"  ADMITTED  a fork's pull request                 repo:acme/payments:pull_request",
				"  ADMITTED  a pull request naming an environment  repo:acme/payments:environment:attacker",
				"  ADMITTED  another branch                        repo:acme/payments:ref:refs/heads/attacker",
				"  refused   another organisation                  repo:attacker/payments:ref:refs/heads/main",
			},
		},
		{
			// check reports "admits pull request runs" for an environment
			// pattern: a pull-request job can name an environment it admits.
			name:   "environment pattern admits a pull request naming a matching environment",
			args:   []string{"--role", "deploy-envs-trust"},
			claims: tokenClaims(nil),
			code:   result.ExitFindings,
			want: []string{
				"  refused   a pull request                        repo:acme/payments:pull_request",
				"  ADMITTED  a pull request naming an environment  repo:acme/payments:environment:deploy-attacker",
				"  refused   another branch                        repo:acme/payments:ref:refs/heads/attacker",
			},
		},
		{
			name:   "unknown role",
			args:   []string{"--role", "arn:aws:iam::123456789012:role/nowhere"},
			claims: tokenClaims(nil),
			code:   result.ExitIncomplete,
			want:   []string{`Verdict: trust policy unknown: no role "nowhere" in the repository`, "Roles found (3): ci-trust, deploy-envs-trust, payments-deploy-prod."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"explain-trust", "--path", dir, "--claims", writeClaims(t, tt.claims)}, tt.args...)
			r := secretgate(t, nil, args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, r.stdout)
				}
			}
			if strings.Contains(r.stdout+r.stderr, explainCanary) {
				t.Errorf("the actor claim, which is not shown, appears in the output:\n%s%s", r.stdout, r.stderr)
			}
		})
	}
}

func TestExplainTrustJSONAndStdin(t *testing.T) {
	dir := explainRepo(t)
	b, _ := json.Marshal(tokenClaims(nil))
	cmdArgs := []string{"explain-trust", "--path", dir, "--role", "payments-deploy-prod", "--claims", "-", "--format", "json"}
	r := secretgateStdin(t, string(b), cmdArgs...)
	if r.code != result.ExitFindings {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var e struct {
		Known     bool              `json:"known"`
		Admitted  bool              `json:"admitted"`
		Closest   *int              `json:"closest"`
		Claims    map[string]string `json:"claims"`
		Attackers []struct {
			Kind     string `json:"kind"`
			Admitted bool   `json:"admitted"`
		} `json:"attackers"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &e); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.stdout)
	}
	if !e.Known || e.Admitted || e.Closest == nil || *e.Closest != 0 || len(e.Attackers) != 7 {
		t.Errorf("explanation = %+v", e)
	}
	if _, ok := e.Claims["actor"]; ok || strings.Contains(r.stdout, explainCanary) {
		t.Error("JSON output shows the actor claim")
	}
}

func TestExplainTrustRefusesTokensAndBadFlags(t *testing.T) {
	dir := explainRepo(t)
	token := rs256Token(t, tokenClaims(nil))
	tokenFile := filepath.Join(t.TempDir(), "token.json")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"a token instead of claims", []string{"--role", "ci-trust", "--claims", tokenFile}, "looks like a token"},
		{"no role", []string{"--claims", tokenFile}, "needs --role and --claims"},
		{"missing file", []string{"--role", "ci-trust", "--claims", filepath.Join(dir, "nope.json")}, "--claims"},
		{"bad format", []string{"--role", "ci-trust", "--claims", writeClaims(t, tokenClaims(nil)), "--format", "xml"}, "--format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := secretgate(t, nil, append([]string{"explain-trust", "--path", dir}, tt.args...)...)
			if r.code != result.ExitUsage {
				t.Fatalf("exit %d, want %d\n%s%s", r.code, result.ExitUsage, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr lacks %q: %s", tt.want, r.stderr)
			}
			for _, part := range strings.Split(token, ".") {
				if strings.Contains(r.stdout+r.stderr, part) {
					t.Fatalf("output shows part of the token:\n%s%s", r.stdout, r.stderr)
				}
			}
		})
	}
}

// secretgateStdin runs the binary like secretgate does, with stdin.
func secretgateStdin(t *testing.T, stdin string, args ...string) run {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "NO_COLOR=1"}
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run secretgate: %v", err)
	}
	return run{code: code, stdout: out.String(), stderr: errb.String()}
}

// With github.protected_environments covering the trust's environment
// pattern, check calls the role pinned to protected environments (no pull
// requests), and explain-trust's simulation agrees: a pull-request job
// naming a protected environment is not simulated as admitted.
func TestExplainTrustHonoursProtectedEnvironments(t *testing.T) {
	dir := explainRepo(t)
	if err := os.WriteFile(filepath.Join(dir, ".secretgate.yml"), []byte("github:\n  repositories: [acme/payments]\n  protected_environments: [\"deploy-*\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := secretgate(t, nil, "explain-trust", "--path", dir, "--role", "deploy-envs-trust", "--claims", writeClaims(t, tokenClaims(nil)))
	if r.code != result.ExitFindings {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, result.ExitFindings, r.stdout, r.stderr)
	}
	want := "  refused   a pull request naming an environment  repo:acme/payments:environment:attacker"
	if !strings.Contains(r.stdout, want) || strings.Contains(r.stdout, "ADMITTED") {
		t.Errorf("stdout lacks %q or admits a simulated token:\n%s", want, r.stdout)
	}
	c := secretgate(t, nil, "check", "--offline", "--path", dir)
	if strings.Contains(c.stdout, "trust-oidc-prod-pull-request") {
		t.Errorf("check reports pull requests for a role pinned to protected environments:\n%s", c.stdout)
	}
}
