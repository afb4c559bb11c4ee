package awsauth_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/secretgate/secretgate/internal/awsauth"
	"github.com/secretgate/secretgate/internal/awstest"
)

const roleARN = "arn:aws:iam::123456789012:role/secretgate-readonly"

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoad(t *testing.T) {
	claims := awstest.GitHubClaims("acme", "payments", "refs/heads/main")
	tests := []struct {
		name       string
		roleARN    string
		actions    bool
		audience   string
		wantMethod string
		wantCall   string // the STS call that made the credentials
		wantAud    string
	}{
		{name: "ambient credentials", wantMethod: "ambient"},
		{name: "AssumeRole outside Actions", roleARN: roleARN, wantMethod: "assume-role", wantCall: "sts:AssumeRole"},
		{name: "OIDC in Actions", roleARN: roleARN, actions: true, wantMethod: "github-oidc", wantCall: "sts:AssumeRoleWithWebIdentity", wantAud: "sts.amazonaws.com"},
		{name: "OIDC with a configured audience", roleARN: roleARN, actions: true, audience: "secretgate.example", wantMethod: "github-oidc", wantCall: "sts:AssumeRoleWithWebIdentity", wantAud: "secretgate.example"},
		{name: "Actions without a role uses ambient credentials", actions: true, wantMethod: "ambient"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			em := awstest.Start(t)
			rt := awstest.NewActionsRuntime(t, claims)
			env := map[string]string{}
			if tc.actions {
				env = rt.Env()
			}
			var log bytes.Buffer
			s, err := awsauth.Load(context.Background(), awsauth.Options{
				RoleARN: tc.roleARN, Audience: tc.audience, Getenv: envOf(env), Log: &log,
				SessionDuration: 15 * time.Minute,
				LoadOptions:     awstest.LoadOptions(em.URL),
			})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if s.Method != tc.wantMethod {
				t.Errorf("Method = %q, want %q", s.Method, tc.wantMethod)
			}
			if s.Account != "000000000000" || !strings.HasPrefix(s.ARN, "arn:aws:") {
				t.Errorf("caller identity = %q %q", s.Account, s.ARN)
			}
			calls := em.CountActions()
			if calls["sts:GetCallerIdentity"] != 1 {
				t.Errorf("GetCallerIdentity calls = %d, want 1 (%s)", calls["sts:GetCallerIdentity"], em.Summary())
			}
			if tc.wantCall != "" && calls[tc.wantCall] != 1 {
				t.Errorf("%s calls = %d, want 1 (%s)", tc.wantCall, calls[tc.wantCall], em.Summary())
			}
			auds := rt.Audiences()
			if tc.wantAud == "" && len(auds) != 0 {
				t.Errorf("an OIDC token was requested: %v", auds)
			}
			if tc.wantAud != "" && (len(auds) != 1 || auds[0] != tc.wantAud) {
				t.Errorf("audiences requested = %v, want [%s]", auds, tc.wantAud)
			}
			// In Actions the session credentials are masked; the token
			// itself is never written anywhere.
			creds, err := s.Config.Credentials.Retrieve(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if tc.actions {
				for _, v := range []string{creds.AccessKeyID, creds.SecretAccessKey} {
					if !strings.Contains(log.String(), "::add-mask::"+v+"\n") {
						t.Errorf("credential not masked; log:\n%s", log.String())
					}
				}
			} else if log.Len() > 0 {
				t.Errorf("wrote to the log outside Actions: %q", log.String())
			}
			for _, tok := range rt.Tokens() {
				if strings.Contains(log.String(), tok) {
					t.Error("the OIDC token appears in the log")
				}
			}
		})
	}
}

func TestLoadRefused(t *testing.T) {
	claims := awstest.GitHubClaims("acme", "payments", "refs/heads/feature")
	tests := []struct {
		name       string
		actions    bool
		wantMethod string
		wantClaims bool
	}{
		{name: "web identity refused", actions: true, wantMethod: "AssumeRoleWithWebIdentity", wantClaims: true},
		{name: "AssumeRole refused", wantMethod: "AssumeRole"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			em := awstest.Start(t)
			em.SetFaults(func(c awstest.Call) awstest.Fault {
				if strings.HasPrefix(c.Action, "AssumeRole") {
					return awstest.Fault{Status: 403, Code: "AccessDenied"}
				}
				return awstest.Fault{}
			})
			rt := awstest.NewActionsRuntime(t, claims)
			env := map[string]string{}
			if tc.actions {
				env = rt.Env()
			}
			_, err := awsauth.Load(context.Background(), awsauth.Options{
				RoleARN: roleARN, Getenv: envOf(env), LoadOptions: awstest.LoadOptions(em.URL), MaxBackoff: time.Millisecond,
			})
			var are *awsauth.AssumeRoleError
			if !errors.As(err, &are) {
				t.Fatalf("error = %v, want *AssumeRoleError", err)
			}
			if are.RoleARN != roleARN || are.Method != tc.wantMethod {
				t.Errorf("RoleARN, Method = %q, %q", are.RoleARN, are.Method)
			}
			if awsauth.ErrorCode(are) != "AccessDenied" {
				t.Errorf("code = %q", awsauth.ErrorCode(are))
			}
			if tc.wantClaims {
				if got := are.Claims["sub"]; got != "repo:acme@123/payments@456:ref:refs/heads/feature" {
					t.Errorf("sub claim = %v", got)
				}
				if are.Claims["aud"] != "sts.amazonaws.com" || are.Claims["repository"] != "acme/payments" {
					t.Errorf("claims = %v", are.Claims)
				}
			} else if are.Claims != nil {
				t.Errorf("claims without a token: %v", are.Claims)
			}
			// A refusal is not retried.
			if n := em.CountActions()["sts:"+tc.wantMethod]; n != 1 {
				t.Errorf("%s attempts = %d, want 1", tc.wantMethod, n)
			}
			for _, tok := range rt.Tokens() {
				if strings.Contains(err.Error(), tok) {
					t.Error("the error message contains the OIDC token")
				}
			}
		})
	}
}

func TestLoadRetriesTransientFaults(t *testing.T) {
	faults := map[string]awstest.Fault{
		"throttled":        {Status: 400, Code: "Throttling"},
		"server error":     {Status: 500, Code: "InternalFailure"},
		"connection reset": {Reset: true},
		"slow":             {Delay: 50 * time.Millisecond},
	}
	for name, f := range faults {
		t.Run(name, func(t *testing.T) {
			em := awstest.Start(t)
			em.SetFaults(func(c awstest.Call) awstest.Fault {
				if c.Attempt <= 2 {
					return f
				}
				return awstest.Fault{}
			})
			s, err := awsauth.Load(context.Background(), awsauth.Options{LoadOptions: awstest.LoadOptions(em.URL), MaxBackoff: time.Millisecond, Timeout: 30 * time.Second})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			want := 3
			if f.Delay > 0 {
				want = 1 // a slow answer within the time limit is just slow
			}
			if n := em.CountActions()["sts:GetCallerIdentity"]; n != want || s.Account == "" {
				t.Errorf("GetCallerIdentity attempts = %d, want %d", n, want)
			}
		})
	}
}

func TestLoadTimeout(t *testing.T) {
	em := awstest.Start(t)
	em.SetFaults(func(awstest.Call) awstest.Fault { return awstest.Fault{Delay: 5 * time.Second} })
	start := time.Now()
	_, err := awsauth.Load(context.Background(), awsauth.Options{LoadOptions: awstest.LoadOptions(em.URL), Timeout: 200 * time.Millisecond, MaxBackoff: time.Millisecond})
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want a deadline", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v: the per-call time limit did not hold", d)
	}
}

func TestSessionName(t *testing.T) {
	tests := []struct{ repo, run, want string }{
		{"acme/payments", "9876543210", "acme-payments@9876543210"},
		{"acme/pay ments#1", "1", "acme-pay-ments-1@1"},
		{"", "", "secretgate"},
		{strings.Repeat("o", 50) + "/" + strings.Repeat("r", 50), "12345678901", strings.Repeat("o", 50) + "-r@12345678901"},
	}
	for _, tc := range tests {
		got := awsauth.SessionName(tc.repo, tc.run)
		if got != tc.want {
			t.Errorf("SessionName(%q, %q) = %q, want %q", tc.repo, tc.run, got, tc.want)
		}
		if len(got) > 64 {
			t.Errorf("SessionName(%q, %q) is %d characters", tc.repo, tc.run, len(got))
		}
	}
}

func TestClaims(t *testing.T) {
	if awsauth.Claims("not-a-jwt") != nil {
		t.Error("claims of a non-JWT")
	}
	if awsauth.Claims("a.!!!.c") != nil {
		t.Error("claims of an undecodable payload")
	}
}

// TestLoadTokenEndpointHangs: an Actions token endpoint that never answers
// ends the run within the time limit (as an error) instead of hanging the
// job.
func TestLoadTokenEndpointHangs(t *testing.T) {
	em := awstest.Start(t)
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer hang.Close()
	defer close(release)
	env := map[string]string{
		"GITHUB_ACTIONS":                 "true",
		"ACTIONS_ID_TOKEN_REQUEST_URL":   hang.URL,
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN": "request-token",
		"GITHUB_REPOSITORY":              "acme/payments",
	}
	start := time.Now()
	_, err := awsauth.Load(context.Background(), awsauth.Options{
		RoleARN: roleARN, Getenv: envOf(env), LoadOptions: awstest.LoadOptions(em.URL),
		Timeout: 300 * time.Millisecond, MaxBackoff: time.Millisecond, MaxAttempts: 1,
	})
	if err == nil {
		t.Fatal("Load succeeded without a token")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v: the token request was not cut off", d)
	}
	if em.CountActions()["sts:AssumeRoleWithWebIdentity"] != 0 {
		t.Error("AssumeRoleWithWebIdentity was called without a token")
	}
}

// TestLoadFallbackRegion: without a region from the options or the SDK's
// configuration, FallbackRegion is used; without it, that is an error
// saying how to set one.
func TestLoadFallbackRegion(t *testing.T) {
	em := awstest.Start(t)
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_PROFILE", "")
	noRegion := []func(*config.LoadOptions) error{
		config.WithBaseEndpoint(em.URL),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(awstest.AccessKeyID, awstest.SecretAccessKey, "")),
	}
	s, err := awsauth.Load(context.Background(), awsauth.Options{Getenv: envOf(nil), FallbackRegion: "us-east-1", LoadOptions: noRegion})
	if err != nil {
		t.Fatalf("Load with a fallback region: %v", err)
	}
	if s.Config.Region != "us-east-1" {
		t.Errorf("region %q, want the fallback us-east-1", s.Config.Region)
	}
	_, err = awsauth.Load(context.Background(), awsauth.Options{Getenv: envOf(nil), LoadOptions: noRegion})
	if err == nil || !strings.Contains(err.Error(), "no AWS region") {
		t.Errorf("Load without any region: err %v, want one saying no AWS region", err)
	}
	s, err = awsauth.Load(context.Background(), awsauth.Options{Getenv: envOf(nil), Region: "eu-west-1", FallbackRegion: "us-east-1", LoadOptions: noRegion})
	if err != nil || s.Config.Region != "eu-west-1" {
		t.Errorf("an explicit region: %v, %v; want eu-west-1 kept", s, err)
	}
}
