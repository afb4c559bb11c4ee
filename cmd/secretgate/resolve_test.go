package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/sivchari/kumo"

	"github.com/secretgate/secretgate/internal/leaks/leakstest"
	"github.com/secretgate/secretgate/internal/result"
)

// The resolve check as a user runs it: the built binary, pointed at the
// kumo AWS emulator (in this test process) through AWS_ENDPOINT_URL, with
// credentials: in a .secretgate.yml. kumo keeps one store per process, so
// each test uses secret names of its own.

// awsEmulator is kumo behind a proxy that can refuse GetSecretValue for
// some secrets with an AWS error.
type awsEmulator struct {
	srv    *kumo.Server
	proxy  *httptest.Server
	refuse map[string]string // secret id → AWS error code
}

func newAWSEmulator(t *testing.T) *awsEmulator {
	t.Helper()
	e := &awsEmulator{srv: kumo.NewServer(), refuse: map[string]string{}}
	target, err := url.Parse(e.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	e.proxy = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		var in struct{ SecretId string }
		_ = json.Unmarshal(body, &in)
		if code := e.refuse[in.SecretId]; code != "" && strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".GetSecretValue") {
			status := http.StatusBadRequest
			if code == "InternalServiceError" {
				status = http.StatusInternalServerError
			}
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.WriteHeader(status)
			_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": code + " for " + in.SecretId})
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		e.proxy.Close()
		e.srv.Close()
	})
	return e
}

func (e *awsEmulator) env() []string {
	return []string{
		"AWS_ENDPOINT_URL=" + e.proxy.URL,
		"AWS_ACCESS_KEY_ID=AKIDEMULATOR", "AWS_SECRET_ACCESS_KEY=emulator-secret",
		"AWS_REGION=us-east-1", "AWS_MAX_ATTEMPTS=1",
	}
}

func (e *awsEmulator) put(t *testing.T, name, value string) {
	t.Helper()
	c := secretsmanager.New(secretsmanager.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(e.srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEMULATOR", "emulator-secret", ""),
	})
	ctx := context.Background()
	if _, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: &name, SecretString: &value}); err == nil {
		return
	}
	if _, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: &name, SecretString: &value}); err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
}

// randomValue is a high-entropy value made at run time.
func randomValue(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return strings.NewReplacer("+", "x", "/", "y", "=", "").Replace(base64.StdEncoding.EncodeToString(b))[:n]
}

func TestResolveAgainstEmulator(t *testing.T) {
	e := newAWSEmulator(t)
	good := `{"api_key":"` + randomValue(t, 24) + `","api_secret":"` + randomValue(t, 40) + `"}`
	e.put(t, "prod/e2egood/api", good)
	e.put(t, "prod/e2egood/api", good) // an AWSPREVIOUS version
	e.put(t, "dev/e2eph/api", `{"api_key":"changeme","api_secret":"`+randomValue(t, 40)+`"}`)
	e.put(t, "prod/e2erollback/api", good)
	e.put(t, "prod/e2edenied/api", good)
	e.refuse["prod/e2edenied/api"] = "AccessDeniedException"
	e.put(t, "prod/e2ethrottled/api", good)
	e.refuse["prod/e2ethrottled/api"] = "ThrottlingException"

	tests := []struct {
		name       string
		secrets    []string
		env        []string
		wantCode   int
		wantRules  map[string]int
		wantStatus result.Status
		wantError  string
		noSession  bool
	}{
		{name: "resolves", secrets: []string{"prod/e2egood/api"}, wantCode: 0, wantRules: map[string]int{}, wantStatus: result.StatusOK},
		{name: "placeholder", secrets: []string{"prod/e2egood/api", "dev/e2eph/api"}, wantCode: 0, wantRules: map[string]int{"resolve-placeholder": 1}, wantStatus: result.StatusOK},
		{name: "no rollback in prod", secrets: []string{"prod/e2erollback/api"}, wantCode: 1, wantRules: map[string]int{"resolve-no-previous-version": 1}, wantStatus: result.StatusFailed},
		{name: "not found", secrets: []string{"prod/e2enosuch/api"}, wantCode: 1, wantRules: map[string]int{"resolve-not-found": 1}, wantStatus: result.StatusFailed},
		{name: "access denied is a finding", secrets: []string{"prod/e2edenied/api"}, wantCode: 1, wantRules: map[string]int{"resolve-unreadable": 1}, wantStatus: result.StatusFailed},
		{name: "throttling is incomplete", secrets: []string{"prod/e2ethrottled/api", "prod/e2egood/api"}, wantCode: 3, wantRules: map[string]int{}, wantStatus: result.StatusError, wantError: "ThrottlingException"},
		{name: "throttling and a finding fail", secrets: []string{"prod/e2ethrottled/api", "prod/e2edenied/api"}, wantCode: 1, wantRules: map[string]int{"resolve-unreadable": 1}, wantStatus: result.StatusError, wantError: "ThrottlingException"},
		{name: "unreachable endpoint is incomplete", secrets: []string{"prod/e2egood/api"}, env: []string{"AWS_ENDPOINT_URL=http://127.0.0.1:1"}, wantCode: 3, wantRules: map[string]int{}, wantStatus: result.StatusError, wantError: "AWS session: ", noSession: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var cfg strings.Builder
			cfg.WriteString("aws:\n  timeout: 20s\n  max_attempts: 2\ncredentials:\n")
			for _, s := range tt.secrets {
				cfg.WriteString("  - secret: " + s + "\n")
			}
			writeIn(t, dir, ".secretgate.yml", cfg.String())
			r := secretgate(t, append(e.env(), tt.env...), "check", "--path", dir, "--only", "resolve", "--format", "json", "--now", now)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s\n%s", r.code, tt.wantCode, r.stdout, r.stderr)
			}
			rep := jsonReport(t, r)
			if got := rules(rep); !equalCounts(got, tt.wantRules) {
				t.Errorf("findings %v, want %v", got, tt.wantRules)
			}
			c := checkByID(rep, result.CheckResolve)
			if c.Status != tt.wantStatus || !strings.Contains(c.Error, tt.wantError) {
				t.Errorf("resolve check %s %q, want %s %q", c.Status, c.Error, tt.wantStatus, tt.wantError)
			}
			// Without a session (STS unreachable) no credential was read.
			if want := len(tt.secrets); (tt.noSession && c.Resources != 0) || (!tt.noSession && c.Resources != want) {
				t.Errorf("resources %d, want %d", c.Resources, len(tt.secrets))
			}
			for _, f := range rep.Findings {
				if f.File != ".secretgate.yml" || f.Line < 4 {
					t.Errorf("finding %s located at %s:%d, want the credentials entry", f.Rule, f.File, f.Line)
				}
			}
			// One audit line per read on stderr (AWSCURRENT, and AWSPREVIOUS
			// for what was read).
			if tt.env == nil && strings.Count(r.stderr, `"event":"secretsmanager:GetSecretValue"`) < len(tt.secrets) {
				t.Errorf("stderr lacks the audit lines:\n%s", r.stderr)
			}
		})
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestResolveCanary plants known values in the emulator, one of which is
// also committed to a file of the repository, runs every output format
// with --audit-log and --write-input, and proves that no canary — nor any
// five characters of one — appears in any of them: the leak is reported
// critical, naming the secret, with at most its first four characters.
func TestResolveCanary(t *testing.T) {
	e := newAWSEmulator(t)
	leakedKey := leakstest.AWSKey(t)
	canaries := map[string]string{
		"api_key":         leakedKey,
		"api_secret":      randomValue(t, 40),
		"old_api_secret":  randomValue(t, 40),
		"plain":           randomValue(t, 32),
		"placeholder_pw":  randomValue(t, 24),
		"denied_api_key":  randomValue(t, 30),
		"missing_api_key": randomValue(t, 30),
	}
	e.put(t, "prod/canary/api", `{"api_key":"`+leakedKey+`","api_secret":"`+canaries["old_api_secret"]+`"}`)
	e.put(t, "prod/canary/api", `{"api_key":"`+leakedKey+`","api_secret":"`+canaries["api_secret"]+`"}`)
	e.put(t, "prod/canarydb/password", canaries["plain"])
	e.put(t, "dev/canaryph/db", `{"username":"changeme","password":"`+canaries["placeholder_pw"]+`"}`)
	e.put(t, "prod/canarydenied/api", `{"api_key":"`+canaries["denied_api_key"]+`","api_secret":"x"}`)
	e.refuse["prod/canarydenied/api"] = "AccessDeniedException"
	e.put(t, "staging/canarymissing/api", `{"api_key":"`+canaries["missing_api_key"]+`"}`)

	dir := leakRepo(t)
	writeIn(t, dir, ".secretgate.yml", `credentials:
  - secret: prod/canary/api
  - secret: prod/canarydb/password
  - secret: dev/canaryph/db # gitleaks:allow (a credential name)
  - secret: prod/canarydenied/api
  - secret: staging/canarymissing/api
`)
	writeIn(t, dir, "deploy/app.env", "AWS_ACCESS_KEY_ID="+leakedKey+"\n")
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "config")

	out := t.TempDir()
	audit := filepath.Join(out, "audit.jsonl")
	args := []string{"check", "--path", dir, "--only", "resolve,leaks", "--now", now,
		"--audit-log", audit, "--write-input", filepath.Join(out, "input.json")}
	for _, f := range []string{"json", "sarif", "markdown"} {
		args = append(args, "--format", f, "--output", filepath.Join(out, "report."+f))
	}
	args = append(args, "--format", "text")
	r := secretgate(t, e.env(), args...)
	if r.code != 1 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}

	outputs := map[string]string{"stdout": r.stdout, "stderr": r.stderr}
	for _, name := range []string{"report.json", "report.sarif", "report.markdown", "input.json", "audit.jsonl"} {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		outputs[name] = string(b)
	}
	for what, c := range canaries {
		for name, s := range outputs {
			for i := 0; i+5 <= len(c); i++ {
				if strings.Contains(s, c[i:i+5]) {
					t.Errorf("%s holds five characters of the %s canary (at offset %d)", name, what, i)
					break
				}
			}
		}
	}

	// The live value is reported critical and named by the secret.
	var rep result.Report
	if err := json.Unmarshal([]byte(outputs["report.json"]), &rep); err != nil {
		t.Fatal(err)
	}
	var live *result.Finding
	for i, f := range rep.Findings {
		if f.Rule == "leaks-live-secret" {
			live = &rep.Findings[i]
		}
	}
	if live == nil {
		t.Fatalf("no leaks-live-secret finding: %v", rules(rep))
	}
	if live.Severity != result.SeverityCritical || live.File != "deploy/app.env" || !strings.HasPrefix(live.Message, "This is the live value of prod/canary/api:") {
		t.Errorf("live finding %s %s %q", live.Severity, live.File, live.Message)
	}
	want := map[string]int{"leaks-live-secret": 1, "resolve-no-previous-version": 1, "resolve-placeholder": 1, "resolve-unreadable": 1, "resolve-missing-field": 1}
	got := map[string]int{}
	for _, f := range rep.Findings {
		got[f.Rule]++
	}
	if !equalCounts(got, want) {
		for _, f := range rep.Findings {
			t.Logf("%s %s %s", f.Rule, f.File, f.Message)
		}
		t.Errorf("findings %v, want %v", got, want)
	}

	// The audit log: a JSON line per read, the same lines on stderr.
	lines := strings.Split(strings.TrimSpace(outputs["audit.jsonl"]), "\n")
	reads := 0
	for _, l := range lines {
		var rec map[string]string
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("audit line is not JSON: %v", err)
		}
		if rec["secret_id"] == "" || rec["version_stage"] == "" || rec["time"] == "" || rec["outcome"] == "" || rec["caller_arn"] == "" {
			t.Errorf("audit line lacks a field: %s", l)
		}
		if rec["outcome"] == "read" {
			reads++
			if rec["version_id"] == "" {
				t.Errorf("read without a version id: %s", l)
			}
		}
		if !strings.Contains(r.stderr, l) {
			t.Errorf("audit line not in the job log: %s", l)
		}
	}
	// AWSCURRENT of 5 secrets + AWSPREVIOUS of the 4 readable ones.
	if len(lines) != 9 || reads != 5 {
		t.Errorf("%d audit lines, %d reads; want 9 and 5:\n%s", len(lines), reads, outputs["audit.jsonl"])
	}
}
