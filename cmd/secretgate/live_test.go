package main

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/secretgate/secretgate/internal/awstest"
	"github.com/secretgate/secretgate/internal/inventory"
	"github.com/secretgate/secretgate/internal/result"
)

// The live tests run the built binary against the kumo emulator (in this
// test process, behind the fault-injecting proxy) through
// AWS_ENDPOINT_URL, as a user's pipeline would reach AWS.

const iamAccount = "123456789012" // the emulator's IAM account

var liveCanaries = []string{"CANARY-live-key-7f3a", "CANARY-live-secret-9b2c", "CANARY-plain-password-1d4e"} // gitleaks:allow — canaries that must never be printed

func liveAccount(t *testing.T) *awstest.Emulator {
	t.Helper()
	em := awstest.Start(t)
	em.CreateSecret(t, "prod/bybit/api", `{"api_key":"CANARY-live-key-7f3a","api_secret":"CANARY-live-secret-9b2c"}`, nil) // gitleaks:allow — canaries
	em.CreateSecret(t, "staging/db/password", "CANARY-plain-password-1d4e", nil)
	em.CreateSecret(t, "LegacyKey", "x", nil)
	em.CreateRole(t, awstest.Role{
		Name:   "payments-prod",
		Trust:  awstest.GitHubTrust(iamAccount, "repo:acme/payments:environment:prod"),
		Inline: map[string]string{"read": awstest.ReadSecretsPolicy(iamAccount, "prod/bybit/*")},
	})
	em.CreateRole(t, awstest.Role{
		Name:   "payments-dev",
		Trust:  awstest.GitHubTrust(iamAccount, "repo:acme/*"),
		Inline: map[string]string{"read-all": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:*","Resource":"*"}]}`},
	})
	em.CreateGitHubProvider(t)
	return em
}

// emptyRepo is a repository root with a configuration naming the
// repository allowed to assume roles.
func emptyRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".secretgate.yml"), []byte("github:\n  repositories: [acme/payments]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

type findingKey struct{ rule, resource, severity, message string }

func findingSet(rep result.Report) []findingKey {
	var out []findingKey
	for _, f := range rep.Findings {
		out = append(out, findingKey{f.Rule, f.Resource, f.Severity.String(), f.Message})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		return a.rule+a.resource+a.message < b.rule+b.resource+b.message
	})
	return out
}

func TestLiveCheckAndInventoryRoundTrip(t *testing.T) {
	em := liveAccount(t)
	repoDir := emptyRepo(t)
	live := secretgate(t, em.Env(), "check", "--path", repoDir, "--skip", "leaks", "--format", "json", "--now", now)
	if live.code != 1 {
		t.Fatalf("live check exit %d, want 1 (findings)\nstderr: %s", live.code, live.stderr)
	}
	rep := jsonReport(t, live)
	if rep.Context.Account != "000000000000" || len(rep.Context.Regions) != 1 || rep.Context.Regions[0] != "us-east-1" {
		t.Errorf("context = %+v", rep.Context)
	}
	st := checkStatus(rep)
	for _, fam := range []string{"naming", "rotation", "iam", "trust"} {
		if st[fam] != result.StatusOK && st[fam] != result.StatusFailed {
			t.Errorf("%s status = %s", fam, st[fam])
		}
	}
	got := rules(rep)
	for _, want := range []string{"naming-pattern", "iam-secretsmanager-wildcard"} {
		if got[want] == 0 {
			t.Errorf("no %s finding from the live account; rules: %v", want, got)
		}
	}
	calls := em.CountActions()
	if calls["secretsmanager:GetSecretValue"] > 0 || calls["secretsmanager:DescribeSecret"] > 0 {
		t.Errorf("calls: %s", em.Summary())
	}

	// The snapshot the inventory command writes, checked offline, gives
	// the same findings.
	snapDir := emptyRepo(t)
	snapFile := filepath.Join(snapDir, "inventory.json")
	inv := secretgate(t, em.Env(), "inventory", "--out", snapFile)
	if inv.code != 0 {
		t.Fatalf("inventory exit %d\nstderr: %s", inv.code, inv.stderr)
	}
	snap, err := inventory.Read(snapFile)
	if err != nil {
		t.Fatalf("read the snapshot: %v", err)
	}
	if len(snap.Secrets) != 3 || len(snap.Roles) != 2 || len(snap.OIDCProviders) != 1 || len(snap.Incomplete) != 0 {
		t.Errorf("snapshot: %d secrets, %d roles, %d providers, incomplete %v", len(snap.Secrets), len(snap.Roles), len(snap.OIDCProviders), snap.Incomplete)
	}
	offline := secretgate(t, nil, "check", "--offline", "--path", snapDir, "--skip", "leaks", "--format", "json", "--now", now)
	if offline.code != 1 {
		t.Fatalf("offline check exit %d\nstderr: %s", offline.code, offline.stderr)
	}
	a, b := findingSet(rep), findingSet(jsonReport(t, offline))
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("live %d findings, offline %d:\nlive %v\noffline %v", len(a), len(b), a, b)
	}
	for i := range a {
		if a[i] != b[i] {
			t.Errorf("finding %d differs:\nlive    %+v\noffline %+v", i, a[i], b[i])
		}
	}

	data, _ := os.ReadFile(snapFile)
	for _, out := range []string{live.stdout, live.stderr, inv.stdout, inv.stderr, string(data)} {
		for _, c := range liveCanaries {
			if strings.Contains(out, c) {
				t.Errorf("a secret value appears in the output")
			}
		}
	}
}

func TestLiveEveryFormatHidesValues(t *testing.T) {
	em := liveAccount(t)
	repoDir := emptyRepo(t)
	out := t.TempDir()
	var args []string
	for _, f := range []string{"json", "sarif", "markdown", "text"} {
		args = append(args, "--format", f, "--output", filepath.Join(out, "report."+f))
	}
	r := secretgate(t, em.Env(), append([]string{"check", "--path", repoDir, "--skip", "leaks", "--now", now}, args...)...)
	if r.code != 1 {
		t.Fatalf("exit %d\nstderr: %s", r.code, r.stderr)
	}
	files, _ := filepath.Glob(filepath.Join(out, "*"))
	if len(files) != 4 {
		t.Fatalf("reports: %v", files)
	}
	for _, f := range files {
		data, _ := os.ReadFile(f)
		for _, c := range liveCanaries {
			if strings.Contains(string(data), c) {
				t.Errorf("%s contains a secret value", filepath.Base(f))
			}
		}
	}
}

func TestLiveFailClosed(t *testing.T) {
	denySM := func(c awstest.Call) awstest.Fault {
		if c.Service == "secretsmanager" {
			return awstest.Fault{Status: 400, Code: "AccessDeniedException"}
		}
		return awstest.Fault{}
	}
	t.Run("check keeps IAM findings and reports Secrets Manager as error", func(t *testing.T) {
		em := liveAccount(t)
		em.SetFaults(denySM)
		r := secretgate(t, em.Env(), "check", "--path", emptyRepo(t), "--skip", "leaks", "--format", "json", "--fail-on", "never", "--now", now)
		if r.code != 3 {
			t.Fatalf("exit %d, want 3\nstderr: %s", r.code, r.stderr)
		}
		rep := jsonReport(t, r)
		for _, c := range rep.Checks {
			switch c.ID {
			case "naming", "rotation":
				if c.Status != result.StatusError || !strings.Contains(c.Error, "AccessDeniedException") {
					t.Errorf("%s = %s %q", c.ID, c.Status, c.Error)
				}
			case "iam", "trust":
				if c.Status == result.StatusError {
					t.Errorf("%s = error %q", c.ID, c.Error)
				}
			}
		}
		if rules(rep)["iam-secretsmanager-wildcard"] == 0 {
			t.Errorf("IAM findings were dropped: %v", rules(rep))
		}
		if !rep.Summary.Incomplete {
			t.Error("summary not incomplete")
		}
	})
	t.Run("inventory writes what it read and exits 3; its check is incomplete", func(t *testing.T) {
		em := liveAccount(t)
		em.SetFaults(denySM)
		dir := emptyRepo(t)
		snapFile := filepath.Join(dir, "inventory.json")
		r := secretgate(t, em.Env(), "inventory", "--out", snapFile)
		if r.code != 3 || !strings.Contains(r.stderr, "naming: secretsmanager:ListSecrets") {
			t.Fatalf("exit %d, want 3\nstderr: %s", r.code, r.stderr)
		}
		snap, err := inventory.Read(snapFile)
		if err != nil {
			t.Fatal(err)
		}
		if len(snap.Roles) != 2 || snap.Incomplete["rotation"] == "" {
			t.Errorf("snapshot roles %d, incomplete %v", len(snap.Roles), snap.Incomplete)
		}
		off := secretgate(t, nil, "check", "--offline", "--path", dir, "--skip", "leaks", "--fail-on", "never", "--format", "json", "--now", now)
		if off.code != 3 {
			t.Errorf("offline check of an incomplete snapshot exit %d, want 3", off.code)
		}
	})
	t.Run("no credentials", func(t *testing.T) {
		env := []string{"AWS_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_ENDPOINT_URL=http://127.0.0.1:1"}
		r := secretgate(t, env, "check", "--path", emptyRepo(t), "--skip", "leaks", "--format", "json", "--now", now)
		if r.code != 3 {
			t.Fatalf("exit %d, want 3\nstderr: %s", r.code, r.stderr)
		}
		for _, c := range jsonReport(t, r).Checks {
			if c.ID != "resolve" && c.ID != "leaks" && (c.Status != result.StatusError || !strings.Contains(c.Error, "AWS credentials")) {
				t.Errorf("%s = %s %q", c.ID, c.Status, c.Error)
			}
		}
	})
}

func TestLiveGitHubOIDC(t *testing.T) {
	const role = "arn:aws:iam::123456789012:role/secretgate-readonly"
	// The refused role is declared in the repository, pinned to the prod
	// environment: the refusal is explained from its trust policy.
	const refusedRole = "arn:aws:iam::123456789012:role/payments-deploy-prod"
	tests := []struct {
		name     string
		refuse   bool
		wantCode int
	}{
		{name: "role assumed with the job's token", wantCode: 1},
		{name: "assumption refused", refuse: true, wantCode: 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			em := liveAccount(t)
			if tc.refuse {
				em.SetFaults(func(c awstest.Call) awstest.Fault {
					if c.Action == "AssumeRoleWithWebIdentity" {
						return awstest.Fault{Status: 403, Code: "AccessDenied"}
					}
					return awstest.Fault{}
				})
			}
			rt := awstest.NewActionsRuntime(t, awstest.GitHubClaims("acme", "payments", "refs/heads/main"))
			// A runner has no AWS credentials: the token is the only one.
			var env []string
			for _, kv := range em.Env() {
				if !strings.HasPrefix(kv, "AWS_ACCESS_KEY_ID=") && !strings.HasPrefix(kv, "AWS_SECRET_ACCESS_KEY=") {
					env = append(env, kv)
				}
			}
			for k, v := range rt.Env() {
				env = append(env, k+"="+v)
			}
			repo, roleARN := emptyRepo(t), role
			if tc.refuse {
				repo, roleARN = explainRepo(t), refusedRole
				if err := os.Remove(filepath.Join(repo, "iam", "ci-trust.json")); err != nil {
					t.Fatal(err)
				}
				writeIn(t, repo, ".secretgate.yml", "github:\n  repositories: [acme/payments]\n")
			}
			r := secretgate(t, env, "check", "--path", repo, "--skip", "leaks", "--role-arn", roleARN, "--format", "json", "--now", now)
			if r.code != tc.wantCode {
				t.Fatalf("exit %d, want %d\nstderr: %s", r.code, tc.wantCode, r.stderr)
			}
			if em.CountActions()["sts:AssumeRoleWithWebIdentity"] != 1 {
				t.Errorf("calls: %s", em.Summary())
			}
			rep := jsonReport(t, r)
			if tc.refuse {
				for _, c := range rep.Checks {
					if c.ID == "iam" && !strings.Contains(c.Error, "refused") {
						t.Errorf("iam error = %q", c.Error)
					}
				}
				// The job log says which condition refused the token.
				for _, want := range []string{
					"refused the role assumption",
					"statement 0",
					`requires "repo:acme/payments:environment:prod"`,
				} {
					if !strings.Contains(r.stderr, want) {
						t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
					}
				}
			} else {
				if rep.Context.RoleARN != role {
					t.Errorf("role_arn = %q", rep.Context.RoleARN)
				}
				if !strings.Contains(r.stderr, "::add-mask::") {
					t.Errorf("session credentials were not masked; stderr: %s", r.stderr)
				}
			}
			if len(rt.Tokens()) == 0 {
				t.Fatal("no token was issued")
			}
			for _, tok := range rt.Tokens() {
				if strings.Contains(r.stdout+r.stderr, tok) || strings.Contains(r.stdout+r.stderr, rt.RequestToken) {
					t.Error("the OIDC token or the runtime's request token was printed")
				}
			}
		})
	}
}

// TestLiveAWSSettings: the aws section of .secretgate.yml reaches the SDK:
// regions, max_attempts and the per-call timeout; a transient throttle is
// retried away, a persistent fault in one region leaves the other judged.
func TestLiveAWSSettings(t *testing.T) {
	tests := []struct {
		name     string
		faults   awstest.Faults
		wantCode int
		// wantAttempts counts ListSecrets calls per region.
		wantAttempts map[string]int
		wantError    string
		// timeout is aws.timeout: after a throttle the adaptive retry
		// mode slows the client, which counts against it.
		timeout string
	}{
		{
			name:         "no faults",
			wantCode:     0,
			wantAttempts: map[string]int{"eu-west-1": 1, "us-east-1": 1},
		},
		{
			name: "throttled once",
			faults: func(c awstest.Call) awstest.Fault {
				if c.Action == "ListSecrets" && c.Region == "eu-west-1" && c.Attempt == 1 {
					return awstest.Fault{Status: 400, Code: "ThrottlingException"}
				}
				return awstest.Fault{}
			},
			wantCode:     0,
			wantAttempts: map[string]int{"eu-west-1": 2, "us-east-1": 1},
			timeout:      "20s",
		},
		{
			name: "server errors outlast max_attempts",
			faults: func(c awstest.Call) awstest.Fault {
				if c.Action == "ListSecrets" && c.Region == "eu-west-1" {
					return awstest.Fault{Status: 500, Code: "InternalServiceError"}
				}
				return awstest.Fault{}
			},
			wantCode:     3,
			wantAttempts: map[string]int{"eu-west-1": 2, "us-east-1": 1},
			wantError:    "secretsmanager:ListSecrets in eu-west-1: InternalServiceError",
		},
		{
			name: "a hanging endpoint times out",
			faults: func(c awstest.Call) awstest.Fault {
				if c.Action == "ListSecrets" && c.Region == "eu-west-1" {
					return awstest.Fault{Delay: 10 * time.Second}
				}
				return awstest.Fault{}
			},
			wantCode:  3,
			wantError: "secretsmanager:ListSecrets in eu-west-1",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			em := liveAccount(t)
			em.SetFaults(tc.faults)
			dir := t.TempDir()
			timeout := tc.timeout
			if timeout == "" {
				timeout = "1s"
			}
			cfg := "github:\n  repositories: [acme/payments]\naws:\n  regions: [eu-west-1, us-east-1]\n  max_attempts: 2\n  timeout: " + timeout + "\n  concurrency: 2\n"
			if err := os.WriteFile(filepath.Join(dir, ".secretgate.yml"), []byte(cfg), 0o644); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			r := secretgate(t, em.Env(), "check", "--path", dir, "--skip", "leaks", "--fail-on", "never", "--format", "json", "--now", now)
			if r.code != tc.wantCode {
				t.Fatalf("exit %d, want %d\nstderr: %s\nstdout: %s", r.code, tc.wantCode, r.stderr, r.stdout)
			}
			if took := time.Since(start); tc.timeout == "" && took > 8*time.Second {
				t.Errorf("took %v: the 1s per-call limit did not hold", took)
			}
			rep := jsonReport(t, r)
			if strings.Join(rep.Context.Regions, ",") != "eu-west-1,us-east-1" {
				t.Errorf("regions = %v", rep.Context.Regions)
			}
			per := map[string]int{}
			for _, c := range em.Calls() {
				if c.Action == "ListSecrets" {
					per[c.Region]++
				}
			}
			for region, want := range tc.wantAttempts {
				if per[region] != want {
					t.Errorf("ListSecrets in %s: %d attempts, want %d", region, per[region], want)
				}
			}
			secrets := map[string]bool{}
			for _, c := range rep.Checks {
				if c.ID == "naming" {
					if tc.wantError == "" && c.Status == result.StatusError || !strings.Contains(c.Error, tc.wantError) {
						t.Errorf("naming = %s %q, want error containing %q", c.Status, c.Error, tc.wantError)
					}
					secrets["naming"] = c.Resources > 0
				}
			}
			// us-east-1's secrets are judged whatever happened in eu-west-1.
			if !secrets["naming"] {
				t.Error("no secrets judged")
			}
		})
	}
}
