package resolve_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/secretgate/secretgate/internal/config"
	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/resolve"
)

func api(name string) config.Credential {
	return config.Credential{Secret: name, Type: config.CredentialAPI, Fields: config.APIFields}
}

func prod(c config.Credential) config.Credential {
	c.Environment, c.PreviousRequired = "prod", true
	return c
}

// shape is the part of a credential fact a case asserts.
func shape(c facts.Credential) facts.Credential {
	c.VersionID, c.Error = "", ""
	c.Location = facts.Location{}
	return c
}

func TestResolveOutcomes(t *testing.T) {
	e := newEmulator(t)
	e.put(t, "dev/good/api", `{"api_key":"k-8f2a9c1d","api_secret":"s-77b3e0aa91"}`)
	e.put(t, "dev/missing/api", `{"api_key":"k-8f2a9c1d"}`)
	e.put(t, "dev/empty/api", `{"api_key":"k-8f2a9c1d","api_secret":"  "}`)
	e.put(t, "dev/nullfield/api", `{"api_key":"k-8f2a9c1d","api_secret":null}`)
	e.put(t, "dev/placeholder/api", `{"api_key":"mock_key","api_secret":"CHANGEME"}`)
	e.put(t, "dev/plain/password", `correct-horse-battery-staple`)
	e.put(t, "dev/plainph/password", `xxxxxx`)
	e.put(t, "dev/blank/password", "   ")
	e.put(t, "dev/notjson/api", `k-8f2a9c1d`)
	e.put(t, "dev/broken/api", `{"api_key": "k-8f2a9c1d",`)
	e.put(t, "dev/numbers/db", `{"username":"app","password":"pw-31c9e5","port":5432,"opts":{}}`)
	e.put(t, "dev/emptyobj/json", `{}`)
	e.putBinary(t, "dev/bin/cert", []byte{0x30, 0x82, 0x01, 0x0a, 0xff, 0x00})
	e.putBinary(t, "dev/binph/cert", []byte("changeme"))
	e.put(t, "prod/norollback/api", `{"api_key":"k-8f2a9c1d","api_secret":"s-77b3e0aa91"}`)
	e.put(t, "prod/rolled/api", `{"api_key":"k-old-8f2a9c","api_secret":"s-old-77b3e0"}`)
	e.put(t, "prod/rolled/api", `{"api_key":"k-new-1a2b3c","api_secret":"s-new-4d5e6f"}`)

	tru, fls := aws.Bool(true), aws.Bool(false)
	tests := []struct {
		name string
		cred config.Credential
		want facts.Credential
	}{
		{"good JSON secret", api("dev/good/api"), facts.Credential{
			Format: "json", HasPrevious: fls}},
		{"missing field", api("dev/missing/api"), facts.Credential{
			Format: "json", MissingFields: []string{"api_secret"}, HasPrevious: fls}},
		{"blank field", api("dev/empty/api"), facts.Credential{
			Format: "json", EmptyFields: []string{"api_secret"}, HasPrevious: fls}},
		{"null field", api("dev/nullfield/api"), facts.Credential{
			Format: "json", EmptyFields: []string{"api_secret"}, HasPrevious: fls}},
		{"placeholders", api("dev/placeholder/api"), facts.Credential{
			Format: "json", Placeholder: []string{"api_key", "api_secret"}, HasPrevious: fls}},
		{"plain string", config.Credential{Secret: "dev/plain/password"}, facts.Credential{
			Format: "string", HasPrevious: fls}},
		{"plain string placeholder", config.Credential{Secret: "dev/plainph/password", Type: config.CredentialString}, facts.Credential{
			Format: "string", PlaceholderValue: true, HasPrevious: fls}},
		{"blank string", config.Credential{Secret: "dev/blank/password"}, facts.Credential{
			Format: "string", Empty: true, HasPrevious: fls}},
		{"plain string where fields are needed", api("dev/notjson/api"), facts.Credential{
			Format: "string", HasPrevious: fls}},
		{"invalid JSON", api("dev/broken/api"), facts.Credential{
			Format: "invalid_json", HasPrevious: fls}},
		{"non-string fields count as present", config.Credential{Secret: "dev/numbers/db", Fields: []string{"username", "password", "port", "opts"}}, facts.Credential{
			Format: "json", EmptyFields: []string{"opts"}, HasPrevious: fls}},
		{"empty object", config.Credential{Secret: "dev/emptyobj/json", Type: config.CredentialJSON}, facts.Credential{
			Format: "json", Empty: true, HasPrevious: fls}},
		{"binary", config.Credential{Secret: "dev/bin/cert"}, facts.Credential{
			Format: "binary", HasPrevious: fls}},
		{"binary placeholder", config.Credential{Secret: "dev/binph/cert"}, facts.Credential{ // gitleaks:allow (a secret name)
			Format: "binary", PlaceholderValue: true, HasPrevious: fls}},
		{"not found", api("dev/nosuch/api"), facts.Credential{
			Readable: false, ErrorClass: "not_found"}},
		{"prod without AWSPREVIOUS", prod(api("prod/norollback/api")), facts.Credential{
			Format: "json", HasPrevious: fls}},
		{"prod with AWSPREVIOUS after PutSecretValue", prod(api("prod/rolled/api")), facts.Credential{
			Format: "json", HasPrevious: tru}},
	}
	var creds []config.Credential
	for _, tt := range tests {
		creds = append(creds, tt.cred)
	}
	res := resolve.New(e.client(t), resolve.Options{Concurrency: 4, Timeout: 10 * time.Second}).Resolve(context.Background(), creds)
	if len(res.Problems) != 0 {
		t.Errorf("problems: %v", res.Problems)
	}
	if len(res.Credentials) != len(tests) {
		t.Fatalf("%d facts for %d credentials", len(res.Credentials), len(tests))
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.want
			want.Secret, want.Type, want.Fields = tt.cred.Secret, tt.cred.Type, tt.cred.Fields
			want.Environment, want.PreviousRequired = tt.cred.Environment, tt.cred.PreviousRequired
			want.Checked = true
			want.Readable = want.ErrorClass == ""
			got := res.Credentials[i]
			if diff := cmp.Diff(shape(want), shape(got), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("-want +got\n%s", diff)
			}
			if got.Readable && got.VersionID == "" {
				t.Error("readable without a version id")
			}
			if !got.Readable && got.Error == "" {
				t.Error("unreadable without a reason")
			}
		})
	}
}

// TestFaults injects failures between the SDK and the emulator: what the
// role is refused is a verdict on the credential (checked, unreadable);
// what stops secretgate from asking (throttling beyond the retries, server
// errors, resets, timeouts, no endpoint) leaves it unchecked with a
// problem that makes the resolve check error. Transient faults are retried
// away.
func TestFaults(t *testing.T) {
	denied := fault{status: 400, code: "AccessDeniedException", msg: "User: arn:aws:sts::000000000000:assumed-role/ci/x is not authorized to perform: secretsmanager:GetSecretValue on resource: prod/bybit/api"}
	throttled := fault{status: 400, code: "ThrottlingException", msg: "Rate exceeded"}
	internal := fault{status: 500, code: "InternalServiceError", msg: "internal error"}
	tests := []struct {
		name        string
		fault       func(faultRequest) fault
		timeout     time.Duration
		endpoint    string // "" means the proxy
		wantClass   string
		wantChecked bool
		wantProblem string
		wantPrev    *bool
	}{
		{name: "access denied is a verdict", fault: always(denied), wantClass: "access_denied", wantChecked: true},
		{name: "KMS decryption failure is a verdict", fault: always(fault{status: 400, code: "DecryptionFailure", msg: "KMS access denied"}), wantClass: "decryption_failed", wantChecked: true},
		{name: "scheduled for deletion is a verdict", fault: always(fault{status: 400, code: "InvalidRequestException", msg: "You can't perform this operation on the secret because it was marked for deletion."}), wantClass: "deleted", wantChecked: true},
		{name: "throttling beyond retries", fault: always(throttled), wantClass: "throttled", wantProblem: "ThrottlingException"},
		{name: "server errors beyond retries", fault: always(internal), wantClass: "service_error", wantProblem: "InternalServiceError"},
		{name: "connection resets", fault: always(fault{reset: true}), wantClass: "unreachable", wantProblem: "could not read"},
		{name: "timeout", fault: always(fault{delay: 5 * time.Second}), timeout: 300 * time.Millisecond, wantClass: "timeout", wantProblem: "timed out"},
		{name: "unreachable endpoint", endpoint: "http://127.0.0.1:1", wantClass: "unreachable", wantProblem: "unreachable"},
		{name: "throttled once, then read", fault: firstN(1, throttled), wantChecked: true, wantPrev: aws.Bool(false)},
		{name: "reset twice, then read", fault: firstN(2, fault{reset: true}), wantChecked: true, wantPrev: aws.Bool(false)},
		{name: "AWSPREVIOUS denied in prod: rollback unknown", fault: onStage("AWSPREVIOUS", denied), wantChecked: true, wantProblem: "AWSPREVIOUS"},
		{name: "AWSPREVIOUS throttled in prod: rollback unknown", fault: onStage("AWSPREVIOUS", throttled), wantChecked: true, wantProblem: "AWSPREVIOUS"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// kumo keeps one store per process: each case has its own secret.
			secret := fmt.Sprintf("prod/faults%d/api", i)
			e := newEmulator(t)
			e.put(t, secret, `{"api_key":"k-8f2a9c1d","api_secret":"s-77b3e0aa91"}`)
			e.setFault(tt.fault)
			client := e.client(t)
			if tt.endpoint != "" {
				client = newClient(tt.endpoint)
			}
			timeout := tt.timeout
			if timeout == 0 {
				timeout = 10 * time.Second
			}
			var audit bytes.Buffer
			r := resolve.New(client, resolve.Options{Timeout: timeout, Audit: resolve.NewAuditLog(&audit)})
			res := r.Resolve(context.Background(), []config.Credential{prod(api(secret))})
			got := res.Credentials[0]
			if got.ErrorClass != tt.wantClass || got.Checked != tt.wantChecked || got.Readable != (tt.wantClass == "") {
				t.Errorf("class %q checked %v readable %v, want %q %v %v (error %s)", got.ErrorClass, got.Checked, got.Readable, tt.wantClass, tt.wantChecked, tt.wantClass == "", got.Error)
			}
			problems := strings.Join(res.Problems, "\n")
			if tt.wantProblem == "" && problems != "" || !strings.Contains(problems, tt.wantProblem) {
				t.Errorf("problems %q, want %q", problems, tt.wantProblem)
			}
			if tt.wantPrev != nil && (got.HasPrevious == nil || *got.HasPrevious != *tt.wantPrev) {
				t.Errorf("has_previous %v, want %v; audit:\n%s", aws.ToBool(got.HasPrevious), *tt.wantPrev, audit.String())
			}
			if tt.wantProblem != "" && strings.Contains(tt.wantProblem, "AWSPREVIOUS") && got.HasPrevious != nil {
				t.Errorf("has_previous %v, want unknown", *got.HasPrevious)
			}
			if !strings.Contains(audit.String(), `"outcome":"failed"`) && tt.wantClass != "" {
				t.Errorf("audit log lacks the failed read:\n%s", audit.String())
			}
		})
	}
}

func always(f fault) func(faultRequest) fault {
	return func(r faultRequest) fault {
		if r.Action != "GetSecretValue" {
			return fault{}
		}
		return f
	}
}

func firstN(n int64, f fault) func(faultRequest) fault {
	return func(r faultRequest) fault {
		if r.Attempt <= n {
			return f
		}
		return fault{}
	}
}

func onStage(stage string, f fault) func(faultRequest) fault {
	return func(r faultRequest) fault {
		if r.Stage == stage {
			return f
		}
		return fault{}
	}
}

// TestLiveValues: the resolver offers AWSCURRENT, AWSPREVIOUS and each
// JSON field to the leak matcher, and Close zeroes them.
func TestLiveValues(t *testing.T) {
	e := newEmulator(t)
	e.put(t, "prod/livevalues/api", `{"api_key":"old-key-1234","api_secret":"old-secret-5678"}`)
	e.put(t, "prod/livevalues/api", `{"api_key":"new-key-1234","api_secret":"new-secret-5678","short":"abc"}`)
	e.put(t, "dev/app/token", `tok-9f8e7d6c5b4a`) // gitleaks:allow — a canary
	// A credential configured by ARN is offered under its name: a leak
	// message names dev/app/token, not the ARN.
	d, err := e.direct().DescribeSecret(context.Background(), &secretsmanager.DescribeSecretInput{SecretId: aws.String("dev/app/token")})
	if err != nil {
		t.Fatal(err)
	}
	r := resolve.New(e.client(t), resolve.Options{})
	r.Resolve(context.Background(), []config.Credential{prod(api("prod/livevalues/api")), {Secret: aws.ToString(d.ARN)}})

	var held [][]byte
	got := map[string][]string{}
	err = r.Values(context.Background(), func(secret string, value []byte) bool {
		got[secret] = append(got[secret], string(value))
		held = append(held, value) // only to prove Close zeroes them
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"prod/livevalues/api": {
			`{"api_key":"new-key-1234","api_secret":"new-secret-5678","short":"abc"}`, "new-key-1234", "new-secret-5678",
			`{"api_key":"old-key-1234","api_secret":"old-secret-5678"}`, "old-key-1234", "old-secret-5678",
		},
		"dev/app/token": {"tok-9f8e7d6c5b4a"},
	}
	if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("values -want +got\n%s", diff)
	}

	// Stopping early stops.
	n := 0
	_ = r.Values(context.Background(), func(string, []byte) bool { n++; return false })
	if n != 1 {
		t.Errorf("yield called %d times after returning false", n)
	}

	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	for _, b := range held {
		if len(bytes.Trim(b, "\x00")) != 0 {
			t.Fatal("a value was not zeroed by Close")
		}
	}
	n = 0
	_ = r.Values(context.Background(), func(string, []byte) bool { n++; return true })
	if n != 0 {
		t.Errorf("%d values after Close", n)
	}
}

// TestAuditLog: one JSON line per read (AWSCURRENT and AWSPREVIOUS),
// with the secret, version, stage, caller, time and outcome — never the
// value.
func TestAuditLog(t *testing.T) {
	e := newEmulator(t)
	const value = "canary-audit-5f1e2d3c4b"
	e.put(t, "prod/pay/token", value)
	var file, joblog bytes.Buffer
	r := resolve.New(e.client(t), resolve.Options{Audit: resolve.NewAuditLog(&file, &joblog), CallerARN: "arn:aws:sts::000000000000:assumed-role/secretgate/ci"})
	res := r.Resolve(context.Background(), []config.Credential{{Secret: "prod/pay/token"}, {Secret: "prod/nosuch/token"}})
	defer r.Close()
	if file.String() != joblog.String() {
		t.Errorf("file and job log differ:\n%s\n%s", file.String(), joblog.String())
	}
	lines := strings.Split(strings.TrimSpace(file.String()), "\n")
	type rec struct {
		Time, Event, SecretID, ARN, VersionStage, VersionID, CallerARN, Outcome, ErrorClass string
	}
	var got []rec
	for _, l := range lines {
		var m map[string]string
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not a JSON line: %v", err)
		}
		if _, err := time.Parse(time.RFC3339, m["time"]); err != nil {
			t.Errorf("time %q: %v", m["time"], err)
		}
		got = append(got, rec{Event: m["event"], SecretID: m["secret_id"], VersionStage: m["version_stage"], Outcome: m["outcome"], ErrorClass: m["error_class"], CallerARN: m["caller_arn"],
			VersionID: map[bool]string{true: "set", false: ""}[m["version_id"] != ""], ARN: map[bool]string{true: "set", false: ""}[m["arn"] != ""]})
	}
	caller := "arn:aws:sts::000000000000:assumed-role/secretgate/ci"
	want := []rec{
		{Event: "secretsmanager:GetSecretValue", SecretID: "prod/nosuch/token", VersionStage: "AWSCURRENT", CallerARN: caller, Outcome: "failed", ErrorClass: "not_found"},
		{Event: "secretsmanager:GetSecretValue", SecretID: "prod/pay/token", ARN: "set", VersionStage: "AWSCURRENT", VersionID: "set", CallerARN: caller, Outcome: "read"},
		{Event: "secretsmanager:GetSecretValue", SecretID: "prod/pay/token", VersionStage: "AWSPREVIOUS", CallerARN: caller, Outcome: "failed", ErrorClass: "not_found"},
	}
	less := func(a, b rec) bool { return a.SecretID+a.VersionStage < b.SecretID+b.VersionStage }
	if diff := cmp.Diff(want, got, cmpopts.SortSlices(less)); diff != "" {
		t.Errorf("-want +got\n%s", diff)
	}
	if strings.Contains(file.String(), value[7:]) {
		t.Error("the audit log holds the value")
	}
	if !res.Credentials[0].Readable {
		t.Errorf("%+v", res.Credentials[0])
	}
}

// TestUnreachableStopsEarly: once the endpoint proved unreachable, the
// remaining credentials are not tried (each would wait out its retries),
// all are unchecked, and the check's error stays short.
func TestUnreachableStopsEarly(t *testing.T) {
	var creds []config.Credential
	for i := range 20 {
		creds = append(creds, api(fmt.Sprintf("prod/unreach%d/api", i)))
	}
	var audit bytes.Buffer
	r := resolve.New(newClient("http://127.0.0.1:1"), resolve.Options{Concurrency: 1, Audit: resolve.NewAuditLog(&audit)})
	res := r.Resolve(context.Background(), creds)
	if n := strings.Count(audit.String(), "\n"); n != 1 {
		t.Errorf("%d reads attempted, want 1:\n%s", n, audit.String())
	}
	for _, c := range res.Credentials {
		if c.Checked || c.Readable || c.ErrorClass != "unreachable" {
			t.Errorf("%s: checked %v readable %v class %q", c.Secret, c.Checked, c.Readable, c.ErrorClass)
		}
	}
	if len(res.Problems) != 6 || !strings.HasPrefix(res.Problems[5], "and 15 more") {
		t.Errorf("problems %q", res.Problems)
	}
}
