package run

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/sivchari/kumo"

	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/leaks/leakstest"
	"github.com/secretgate/secretgate/internal/resolve"
	"github.com/secretgate/secretgate/internal/result"
)

func kumoClient(t *testing.T) *secretsmanager.Client {
	t.Helper()
	srv := kumo.NewServer()
	t.Cleanup(srv.Close)
	return secretsmanager.New(secretsmanager.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "test-secret", ""),
	})
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestResolveThenLeaks runs the resolve gatherer and then the leak scanner
// with its values, through Run and the built-in policies, against kumo: a
// committed live value is the critical leaks-live-secret, the resolve
// findings come from the facts, and an audit log that cannot be written
// makes the check error without losing a finding.
func TestResolveThenLeaks(t *testing.T) {
	client := kumoClient(t)
	key := leakstest.AWSKey(t)
	ctx := context.Background()
	for name, value := range map[string]string{
		"prod/checksleak/api": `{"api_key":"` + key + `","api_secret":"s-0f9e8d7c6b5a4"}`, // gitleaks:allow — a canary value in the emulator
		"dev/checksph/api":    `{"api_key":"mock_key","api_secret":"s-0f9e8d7c6b5a4"}`,
	} {
		if _, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(value)}); err != nil {
			t.Fatal(err)
		}
	}
	r := newGitRepo(t)
	r.write("deploy/app.env", "AWS_ACCESS_KEY_ID="+key+"\n")
	r.git("add", "-A")
	r.git("commit", "-q", "-m", "x")

	creds := []config.Credential{
		{Secret: "prod/checksleak/api", Type: "api", Fields: config.APIFields, Environment: "prod", PreviousRequired: true, Line: 3},
		{Secret: "dev/checksph/api", Type: "api", Fields: config.APIFields, Environment: "dev", Line: 4},
	}
	for _, tt := range []struct {
		name      string
		audit     *resolve.AuditLog
		wantError string
	}{
		{"audit log written", resolve.NewAuditLog(&strings.Builder{}), ""},
		{"audit log fails", resolve.NewAuditLog(failingWriter{}), "audit log: disk full"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rg := NewResolve(client, creds, resolve.Options{Audit: tt.audit, ConfigFile: ".secretgate.yml"})
			defer rg.Close()
			lg, err := NewLeaks(ctx, r.dir, LeakOptions{Live: rg})
			if err != nil {
				t.Fatal(err)
			}
			// The leak scanner is listed first: it depends on the
			// resolver's values (Dependent), so the resolver runs first.
			opts := options(t, lg, rg)
			opts.Families = []string{result.CheckLeaks, result.CheckResolve}
			rep, err := Pipeline(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, f := range rep.Findings {
				got[f.Rule] = f.Resource + " " + f.Severity.String()
			}
			want := map[string]string{
				"leaks-live-secret":           "deploy/app.env critical",
				"resolve-placeholder":         "dev/checksph/api medium",
				"resolve-no-previous-version": "prod/checksleak/api high",
			}
			if len(got) != len(want) {
				t.Errorf("findings %v, want %v", got, want)
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s: %q, want %q", k, got[k], v)
				}
			}
			c := statusOf(rep, result.CheckResolve)
			if tt.wantError == "" && c.Status != result.StatusFailed || tt.wantError != "" && (c.Status != result.StatusError || !strings.Contains(c.Error, tt.wantError)) {
				t.Errorf("resolve check %s %q, want error %q", c.Status, c.Error, tt.wantError)
			}
			if c.Resources != 2 {
				t.Errorf("resources %d", c.Resources)
			}
		})
	}
}
