package inventory

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/secretgate/secretgate/internal/facts"
)

var update = flag.Bool("update", false, "rewrite testdata/snapshot.json")

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// sample is an inventory as the live-AWS code would build it: in API
// order, not sorted, times in local zones.
func sample() *Snapshot {
	cet := time.FixedZone("CET", 3600)
	return &Snapshot{
		GeneratedAt: ts("2026-01-12T07:00:00+01:00"),
		Account:     "123456789012",
		Regions:     []string{"us-east-1", "eu-west-1"},
		Secrets: []Secret{
			{
				Name: "staging/payments/db", ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:staging/payments/db-XyZ123", Region: "us-east-1",
				CreatedDate: ts("2024-06-01T09:00:00Z"), LastChangedDate: ts("2024-06-01T09:00:00Z"),
				Versions: SummarizeVersions(map[string][]string{"v1": {"AWSCURRENT"}}),
			},
			{
				Name: "prod/payments/api", ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/payments/api-AbCdEf", Region: "eu-west-1",
				Tags:            map[string]string{"owner": "payments-team", "environment": "prod"},
				KMSKeyID:        "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
				RotationEnabled: true, RotationLambdaARN: "arn:aws:lambda:eu-west-1:123456789012:function:rotate-payments-api", RotationDays: 30,
				CreatedDate: ts("2025-02-01T10:00:00+01:00"), LastRotatedDate: ts("2025-12-20T03:00:00Z").In(cet),
				LastChangedDate: ts("2025-12-20T03:00:00Z"), LastAccessedDate: ts("2026-01-11T00:00:00Z"), NextRotationDate: ts("2026-01-19T03:00:00Z"),
				Versions:       SummarizeVersions(map[string][]string{"v2": {"AWSCURRENT"}, "v1": {"AWSPREVIOUS"}, "v0": {}}),
				ResourcePolicy: json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/ci/prod-payments-deploy"}}}]}`),
			},
			{
				Name: "dev/payments/old", ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dev/payments/old-QwErTy", Region: "eu-west-1",
				CreatedDate: ts("2023-01-01T00:00:00Z"), DeletedDate: ts("2026-01-30T00:00:00Z"),
			},
		},
		Roles: []Role{{
			Name: "prod-payments-deploy", ARN: "arn:aws:iam::123456789012:role/ci/prod-payments-deploy", Path: "/ci/",
			Tags:       map[string]string{"environment": "prod"},
			CreateDate: ts("2025-01-15T12:00:00Z"), LastUsedDate: ts("2026-01-11T22:14:00Z"), MaxSessionDuration: 3600,
			Trust: mustDoc("%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Federated%22%3A%22arn%3Aaws%3Aiam%3A%3A123456789012%3Aoidc-provider%2Ftoken.actions.githubusercontent.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRoleWithWebIdentity%22%2C%22Condition%22%3A%7B%22StringEquals%22%3A%7B%22token.actions.githubusercontent.com%3Aaud%22%3A%22sts.amazonaws.com%22%7D%2C%22StringLike%22%3A%7B%22token.actions.githubusercontent.com%3Asub%22%3A%22repo%3Aacme%2Fpayments%3Aenvironment%3Aprod%22%7D%7D%7D%5D%7D"),
			InlinePolicies: []InlinePolicy{{
				Name:     "read-api",
				Document: mustDoc(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/payments/api-*"}]}`),
			}},
			AttachedPolicyARNs: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::123456789012:policy/payments-readers"},
		}},
		Policies: []Policy{{
			Name: "payments-readers", ARN: "arn:aws:iam::123456789012:policy/payments-readers", Path: "/", DefaultVersionID: "v3",
			Document:    mustDoc(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["secretsmanager:GetSecretValue","secretsmanager:DescribeSecret"],"Resource":"*"}]}`),
			Attachments: Attachments{Roles: []string{"prod-payments-deploy"}},
		}},
		OIDCProviders: []OIDCProvider{{
			ARN: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com", URL: "https://token.actions.githubusercontent.com",
			ClientIDs: []string{"sts.amazonaws.com"},
		}},
	}
}

func mustDoc(text string) json.RawMessage {
	d, err := DocumentFromIAM(text)
	if err != nil {
		panic(err)
	}
	return d
}

const golden = "testdata/snapshot.json"

func TestWriteGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), buf.String()); diff != "" {
		t.Errorf("Write output differs from %s (run go test -update) (-want +got):\n%s", golden, diff)
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	s, err := Read(golden)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, s); err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(golden)
	if !bytes.Equal(want, buf.Bytes()) {
		t.Errorf("Write(Read(f)) is not f:\n%s", buf.String())
	}
}

func TestWriteDoesNotModifyInput(t *testing.T) {
	s := sample()
	before := sample()
	if err := Write(&bytes.Buffer{}, s); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, s, cmpopts.IgnoreUnexported(Snapshot{})); diff != "" {
		t.Errorf("Write modified its input (-before +after):\n%s", diff)
	}
}

func TestWriteEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, &Snapshot{GeneratedAt: ts("2026-01-01T00:00:00Z")}); err != nil {
		t.Fatal(err)
	}
	want := `{
  "schema": "secretgate/inventory/v1",
  "generated_at": "2026-01-01T00:00:00Z",
  "regions": [],
  "secrets": [],
  "roles": [],
  "policies": [],
  "oidc_providers": []
}
`
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := Decode("empty.json", buf.Bytes()); err != nil {
		t.Errorf("an empty snapshot must read back: %v", err)
	}
}

func TestFacts(t *testing.T) {
	s, err := Read(golden)
	if err != nil {
		t.Fatal(err)
	}
	f, errs := s.Facts()
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	loc := func(line int) facts.Location { return facts.Location{File: golden, Line: line} }
	role := "arn:aws:iam::123456789012:role/ci/prod-payments-deploy"
	readers := "arn:aws:iam::123456789012:policy/payments-readers"
	enabled, disabled := true, false
	want := Facts{
		Roles: []facts.Role{{
			ID: role, Name: "prod-payments-deploy", ARN: role, Path: "/ci/",
			Tags: map[string]string{"environment": "prod"},
			Trust: &facts.PolicyDocument{Version: "2012-10-17", Location: loc(84), Statement: []facts.Statement{{
				Effect:    "Allow",
				Principal: map[string][]string{"Federated": {"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}},
				Action:    []string{"sts:AssumeRoleWithWebIdentity"},
				Condition: map[string]map[string][]string{
					"StringEquals": {"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"}},
					"StringLike":   {"token.actions.githubusercontent.com:sub": {"repo:acme/payments:environment:prod"}},
				},
				Location: loc(87),
			}}},
			PolicyIDs:    []string{role + "#inline/read-api", readers},
			AttachedARNs: []string{readers, "arn:aws:iam::aws:policy/ReadOnlyAccess"},
			Source:       "inventory", Location: loc(74),
		}},
		Policies: []facts.Policy{
			{
				ID: readers, Name: "payments-readers", ARN: readers, Kind: "managed", RoleIDs: []string{role},
				Document: facts.PolicyDocument{Version: "2012-10-17", Location: loc(131), Statement: []facts.Statement{{
					Effect: "Allow", Action: []string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}, Resource: []string{"*"}, Location: loc(134),
				}}},
				Source: "inventory", Location: loc(126),
			},
			{
				ID: role + "#inline/read-api", Name: "read-api", Kind: "inline", RoleIDs: []string{role},
				Document: facts.PolicyDocument{Version: "2012-10-17", Location: loc(107), Statement: []facts.Statement{{
					Effect: "Allow", Action: []string{"secretsmanager:GetSecretValue"},
					Resource: []string{"arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/payments/api-*"}, Location: loc(110),
				}}},
				Source: "inventory", Location: loc(105),
			},
		},
		// dev/payments/old is scheduled for deletion: left out.
		Secrets: []facts.Secret{
			{
				ID: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/payments/api-AbCdEf", Name: "prod/payments/api",
				ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/payments/api-AbCdEf", Region: "eu-west-1",
				Tags:            map[string]string{"environment": "prod", "owner": "payments-team"},
				KMSKeyID:        "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
				RotationEnabled: &enabled, RotationDays: 30,
				CreatedDate: "2025-02-01T09:00:00Z", LastRotatedDate: "2025-12-20T03:00:00Z", LastChangedDate: "2025-12-20T03:00:00Z", NextRotationDate: "2026-01-19T03:00:00Z",
				ResourcePolicy: &facts.PolicyDocument{Version: "2012-10-17", Location: loc(41), Statement: []facts.Statement{{
					Effect: "Deny", Principal: map[string][]string{"AWS": {"*"}}, Action: []string{"secretsmanager:GetSecretValue"}, Resource: []string{"*"},
					Condition: map[string]map[string][]string{"StringNotEquals": {"aws:principalarn": {"arn:aws:iam::123456789012:role/ci/prod-payments-deploy"}}},
					Location:  loc(44),
				}}},
				Source: "inventory", Location: loc(18),
			},
			{
				ID: "arn:aws:secretsmanager:us-east-1:123456789012:secret:staging/payments/db-XyZ123", Name: "staging/payments/db",
				ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:staging/payments/db-XyZ123", Region: "us-east-1",
				RotationEnabled: &disabled, CreatedDate: "2024-06-01T09:00:00Z", LastChangedDate: "2024-06-01T09:00:00Z",
				Source: "inventory", Location: loc(58),
			},
		},
	}
	if diff := cmp.Diff(want, f, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("facts (-want +got):\n%s", diff)
	}
}

func TestFactsInMemory(t *testing.T) {
	// The live-AWS gatherer converts without a file: no locations.
	f, errs := sample().Facts()
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if len(f.Roles) != 1 || len(f.Secrets) != 2 || len(f.Policies) != 2 {
		t.Fatalf("facts = %+v", f)
	}
	for _, p := range f.Policies {
		if p.Location != (facts.Location{}) || p.Document.Location != (facts.Location{}) || p.Document.Statement[0].Location != (facts.Location{}) {
			t.Errorf("policy %s has locations %+v", p.ID, p.Document)
		}
	}
	if f.Roles[0].Trust == nil || f.Roles[0].Trust.Line != 0 {
		t.Errorf("trust = %+v", f.Roles[0].Trust)
	}
}

func TestFactsBadDocument(t *testing.T) {
	s := sample()
	s.Roles[0].InlinePolicies[0].Document = json.RawMessage(`{"Statement": [{"Effect": "Allow"}]}`)
	f, errs := s.Facts()
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "neither Action nor NotAction") {
		t.Errorf("errs = %v", errs)
	}
	if len(f.Roles) != 1 || len(f.Policies) != 1 {
		t.Errorf("the rest must still be converted: %+v", f)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      string
	}{
		{"syntax", "{\n\"schema\": \"secretgate/inventory/v1\",\n}", "s.json:3: invalid character '}' looking for beginning of object key string (column 1)"},
		{"no schema", `{"secrets": []}`, `s.json:1: not a secretgate inventory snapshot: no "schema": "secretgate/inventory/v1" (column 1)`},
		{"future schema", "{\n  \"schema\": \"secretgate/inventory/v2\"}", `s.json:2: unsupported inventory schema "secretgate/inventory/v2"`},
		{"not an object", `[]`, "s.json:1: an inventory snapshot must be an object, found an array (column 1)"},
		{"wrong type", "{\"schema\": \"secretgate/inventory/v1\",\n \"secrets\": [{\"name\": \"a\",\n  \"rotation_days\": \"thirty\"}]}", "s.json:3: secrets.rotation_days must be a number, found string"},
		{"bad date", "{\"schema\": \"secretgate/inventory/v1\", \"roles\": [\n{\"name\": \"r\", \"create_date\": \"yesterday\"}]}", `s.json:2: roles.create_date must be an RFC 3339 date such as 2026-01-31T12:00:00Z, found "yesterday"`},
		{"missing name", "{\"schema\": \"secretgate/inventory/v1\", \"secrets\": [\n{\"arn\": \"x\"}]}", "s.json:2: secrets[0] has no name (column 1)"},
		{"section not a list", "{\"schema\": \"secretgate/inventory/v1\",\n\"roles\": {}}", "s.json:2: roles must be a list, found an object (column 10)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode("s.json", []byte(tt.src))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant %s", err, tt.want)
			}
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Errorf("err is %T, want *FileError", err)
			}
		})
	}
	if _, err := Read(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("want an error for a missing file")
	}
}

func TestDocumentFromIAM(t *testing.T) {
	got, err := DocumentFromIAM("%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A*%22%7D%5D%7D")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != `{"Statement":[{"Effect":"Allow","Action":"s3:*"}]}` {
		t.Errorf("got %s", got)
	}
	if _, err := DocumentFromIAM(`{"Statement": 5}`); err == nil {
		t.Error("a document the checker cannot read must not enter a snapshot")
	}
}

func TestSummarizeVersions(t *testing.T) {
	got := SummarizeVersions(map[string][]string{"a": {"AWSCURRENT"}, "b": {"AWSPREVIOUS"}, "c": {"AWSPENDING", "custom"}, "d": nil})
	want := &Versions{Count: 3, HasCurrent: true, HasPrevious: true, HasPending: true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestNoSecretValues guards the promise that a snapshot cannot hold a
// secret value: no field of any snapshot type may be named like one.
func TestNoSecretValues(t *testing.T) {
	forbidden := []string{"value", "secretstring", "secretbinary", "plaintext", "password"}
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type, string)
	walk = func(typ reflect.Type, path string) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] || typ.PkgPath() != reflect.TypeOf(Snapshot{}).PkgPath() {
			return
		}
		seen[typ] = true
		for i := range typ.NumField() {
			f := typ.Field(i)
			name := strings.ToLower(f.Name + " " + f.Tag.Get("json"))
			for _, bad := range forbidden {
				if strings.Contains(name, bad) {
					t.Errorf("%s.%s looks like it could hold a secret value", path, f.Name)
				}
			}
			walk(f.Type, path+"."+f.Name)
		}
	}
	walk(reflect.TypeOf(Snapshot{}), "Snapshot")
}
