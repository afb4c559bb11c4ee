package iampolicy

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/secretgate/secretgate/internal/doctree"
	"github.com/secretgate/secretgate/internal/facts"
)

func parse(t *testing.T, src string) *doctree.Node {
	t.Helper()
	n, err := doctree.ParseJSON([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func loc(line int) facts.Location { return facts.Location{File: "p.json", Line: line} }

func TestNormalize(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want facts.PolicyDocument
	}{
		{
			name: "github oidc trust",
			src: `{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
      "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
      "StringLike": {"token.actions.githubusercontent.com:Sub": "repo:acme/payments:*",
                     "TOKEN.actions.githubusercontent.com:sub": ["repo:acme/infra:*"]}
    }
  }]
}`,
			want: facts.PolicyDocument{Version: "2012-10-17", Location: loc(1), Statement: []facts.Statement{{
				Effect:    "Allow",
				Principal: map[string][]string{"Federated": {"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}},
				Action:    []string{"sts:AssumeRoleWithWebIdentity"},
				Condition: map[string]map[string][]string{
					"StringEquals": {"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"}},
					// Keys differing only in case are one key to IAM: values merge.
					"StringLike": {"token.actions.githubusercontent.com:sub": {"repo:acme/payments:*", "repo:acme/infra:*"}},
				},
				Location: loc(3),
			}}},
		},
		{
			name: "star principal, single statement object, typed condition values",
			src: `{"Version": "2008-10-17", "Id": "x",
"Statement": {"Sid": "Open", "Effect": "Deny", "Principal": "*", "NotAction": ["s3:Get*"], "NotResource": "arn:aws:s3:::b/*",
  "Condition": {"Bool": {"aws:SecureTransport": false}, "NumericLessThan": {"s3:max-keys": [10, 2.5]}, "Null": {"aws:TokenIssueTime": "true"}}}}`,
			want: facts.PolicyDocument{Version: "2008-10-17", Location: loc(1), Statement: []facts.Statement{{
				Sid: "Open", Effect: "Deny",
				Principal:   map[string][]string{"AWS": {"*"}},
				NotAction:   []string{"s3:Get*"},
				NotResource: []string{"arn:aws:s3:::b/*"},
				Condition: map[string]map[string][]string{
					"Bool":            {"aws:securetransport": {"false"}},
					"NumericLessThan": {"s3:max-keys": {"10", "2.5"}},
					"Null":            {"aws:tokenissuetime": {"true"}},
				},
				Location: loc(2),
			}}},
		},
		{
			name: "empty lists stay empty, absent stays nil, statements indexed",
			src: `{"Version": "2012-10-17", "Statement": [
 {"Effect": "Allow", "Action": [], "Resource": []},
 {"Effect": "Allow", "NotPrincipal": {"AWS": ["arn:aws:iam::1:root", "arn:aws:iam::2:root"]}, "Action": "*"}
]}`,
			want: facts.PolicyDocument{Version: "2012-10-17", Location: loc(1), Statement: []facts.Statement{
				{Effect: "Allow", Action: []string{}, Resource: []string{}, Index: 0, Location: loc(2)},
				{Effect: "Allow", NotPrincipal: map[string][]string{"AWS": {"arn:aws:iam::1:root", "arn:aws:iam::2:root"}}, Action: []string{"*"}, Index: 1, Location: loc(3)},
			}},
		},
		{
			name: "no version",
			src:  `{"Statement": []}`,
			want: facts.PolicyDocument{Location: loc(1), Statement: []facts.Statement{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Normalize("p.json", parse(t, tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Normalize (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNormalizeErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		line int
		msg  string
	}{
		{"statement number", "{\n \"Version\": \"2012-10-17\",\n \"Statement\": 5\n}", 3, "Statement must be an object or a list of objects, found a number"},
		{"statement string in list", "{\"Statement\": [\n\"Allow\"]}", 2, "Statement[0] must be an object, found a string"},
		{"no statement", "{\"Version\": \"2012-10-17\"}", 1, "policy document has no Statement"},
		{"not an object", "[1]", 1, "policy document must be an object, found an array"},
		{"effect missing", "{\"Statement\": [\n {\"Action\": \"s3:*\"}]}", 2, "Statement[0] has no Effect"},
		{"effect lower case", "{\"Statement\": [{\"Effect\": \"allow\", \"Action\": \"*\"}]}", 1, `Statement[0].Effect must be "Allow" or "Deny", found "allow"`},
		{"action and notaction", "{\"Statement\": [{},\n {\"Effect\": \"Allow\", \"Action\": \"a\", \"NotAction\": \"b\"}]}", 1, "Statement[0] has no Effect"},
		{"action and notaction 2", "{\"Statement\": [\n {\"Effect\": \"Allow\", \"Action\": \"a\", \"NotAction\": \"b\"}]}", 2, "Statement[0] has both Action and NotAction"},
		{"no action", "{\"Statement\": [\n {\"Effect\": \"Allow\", \"Resource\": \"*\"}]}", 2, "Statement[0] has neither Action nor NotAction"},
		{"resource and notresource", "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"a\", \"Resource\": \"*\", \"NotResource\": \"x\"}]}", 1, "Statement[0] has both Resource and NotResource"},
		{"action number", "{\"Statement\": [{\"Effect\": \"Allow\",\n \"Action\": [\"s3:GetObject\",\n 7]}]}", 3, "Statement[0].Action must hold strings, found a number"},
		{"unknown element", "{\"Statement\": [{\"Effect\": \"Allow\",\n \"Actions\": \"s3:*\"}]}", 2, `Statement[0] has unknown element "Actions"`},
		{"unknown top level", "{\"Statement\": [],\n \"Policy\": 1}", 2, `unknown policy element "Policy"`},
		{"bad version", "{\"Version\": \"2012-10-18\", \"Statement\": []}", 1, `Version "2012-10-18" is not one IAM accepts`},
		{"principal string", "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"a\", \"Principal\": \"arn:aws:iam::1:root\"}]}", 1, `Statement[0].Principal must be "*" or an object`},
		{"condition value object", "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"a\", \"Condition\": {\"StringLike\":\n {\"k\": {\"x\": 1}}}}]}", 2, "Statement[0].Condition.StringLike.k must be a string, number, boolean or a list of them, found an object"},
		{"condition operator not object", "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"a\", \"Condition\": {\"StringLike\": \"x\"}}]}", 1, "Statement[0].Condition.StringLike must be an object of condition keys"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Normalize("p.json", parse(t, tt.src))
			var te *doctree.Error
			if !errors.As(err, &te) {
				t.Fatalf("err = %v, want *doctree.Error", err)
			}
			if te.Line != tt.line || !strings.HasPrefix(te.Msg, tt.msg) {
				t.Errorf("got line %d %q,\nwant line %d %q", te.Line, te.Msg, tt.line, tt.msg)
			}
		})
	}
}

func TestParseDocumentURLEncoded(t *testing.T) {
	plain := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/a+b"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x y"}}}]}`
	encoded := url.PathEscape(plain)
	if !strings.HasPrefix(encoded, "%7B") {
		t.Fatalf("test setup: %s", encoded)
	}
	want, err := ParseDocument(plain)
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{encoded, strings.ToLower(encoded[:3]) + encoded[3:], "  " + encoded + "\n"} {
		got, err := ParseDocument(text)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("encoded differs from plain (-want +got):\n%s", diff)
		}
	}
	// A "+" is a plus sign, not a space: IAM names may contain one.
	if got := want.Statement[0].Principal["AWS"][0]; got != "arn:aws:iam::123456789012:role/a+b" {
		t.Errorf("principal = %q", got)
	}
	if _, err := ParseDocument("%7B%ZZ"); err == nil {
		t.Error("want an error for a broken escape")
	}
}

func TestNormalizeStringNode(t *testing.T) {
	// A document held in a string (Terraform plans, IAM API responses):
	// every location is the string's line, errors too.
	n := &doctree.Node{Kind: doctree.String, Line: 42, Col: 7, Text: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`}
	doc, err := Normalize("plan.json", n)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Line != 42 || doc.Statement[0].Line != 42 || doc.File != "plan.json" {
		t.Errorf("locations = %+v / %+v, want line 42", doc.Location, doc.Statement[0].Location)
	}
	n.Text = `{"Statement": [{"Effect": "Allow"}]}`
	_, err = Normalize("plan.json", n)
	var te *doctree.Error
	if !errors.As(err, &te) || te.Line != 42 || !strings.Contains(te.Msg, "neither Action nor NotAction") {
		t.Errorf("err = %v, want line 42", err)
	}
	n.Text = `{"Statement": [`
	if _, err = Normalize("plan.json", n); err == nil || !strings.Contains(err.Error(), "line 42") || !strings.Contains(err.Error(), "policy document string") {
		t.Errorf("err = %v", err)
	}
}

func TestIsTrust(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want bool
	}{
		{"oidc", `{"Statement":[{"Effect":"Allow","Principal":{"Federated":"x"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`, true},
		{"service with tag session", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`, true},
		{"saml", `{"Statement":[{"Effect":"Allow","Principal":{"Federated":"x"},"Action":"sts:AssumeRoleWithSAML"}]}`, true},
		{"wildcard", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:Assume*"}]}`, true},
		{"star action", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*"}]}`, true},
		{"bucket policy", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`, false},
		{"permission policy", `{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`, false},
		{"mixed", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, false},
		{"empty", `{"Statement":[]}`, false},
		{"sts other", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:GetCallerIdentity"}]}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Normalize("", parse(t, tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if got := IsTrust(doc); got != tt.want {
				t.Errorf("IsTrust = %v, want %v", got, tt.want)
			}
		})
	}
}

// FuzzNormalize checks that no document makes the normaliser panic, and
// that what it accepts keeps IAM's invariants.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"x"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"a:sub":["x",1,true]}}}]}`,
		`{"Statement":{"Effect":"Deny","Principal":"*","NotAction":"*","NotResource":[]}}`,
		`{"Version":"2012-10-17","Statement":5}`,
		`"%7B%22Statement%22%3A%5B%5D%7D"`,
		`"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"a\"}]}"`,
		`{"Statement":[{"Effect":"Allow","Action":"a","Condition":{"Bool":{"k":null}}}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := doctree.ParseJSON(data)
		if err != nil {
			return
		}
		doc, err := Normalize("f.json", n)
		if err != nil {
			var te *doctree.Error
			if !errors.As(err, &te) {
				t.Fatalf("error %v is not a *doctree.Error", err)
			}
			return
		}
		for i, st := range doc.Statement {
			if st.Effect != "Allow" && st.Effect != "Deny" {
				t.Fatalf("statement %d: effect %q", i, st.Effect)
			}
			if (st.Action == nil) == (st.NotAction == nil) {
				t.Fatalf("statement %d: exactly one of Action and NotAction must be set", i)
			}
			if st.Index != i {
				t.Fatalf("statement %d has index %d", i, st.Index)
			}
			for op, keys := range st.Condition {
				for k := range keys {
					if k != strings.ToLower(k) {
						t.Fatalf("condition %s key %q not lower-cased", op, k)
					}
				}
			}
		}
		_ = IsTrust(doc)
	})
}

// TestDuplicateKeysLastWins: a key written twice in one object counts
// once, the last, as IAM reads it; the earlier one is reported with what
// it held. The case seen in public infrastructure code: a sub pin in a
// first StringEquals block, silently replaced by a second one that only
// checks aud.
// A repeated Condition: what the ignored one held and the kept one lacks
// is lost (issue 13: the ignored block held sub and aud, the kept one aud).
func TestDuplicateConditionDropsWhatTheKeptOneLacks(t *testing.T) {
	src := `{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:Sub": "repo:acme/app:ref:refs/heads/main"}},
    "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}
  }]
}`
	doc, err := Normalize("trust.json", parse(t, src))
	if err != nil {
		t.Fatal(err)
	}
	want := []facts.DuplicateKey{
		{Statement: 0, Path: "Condition", Line: 7, KeptLine: 8, Dropped: []string{"token.actions.githubusercontent.com:sub"}},
	}
	if diff := cmp.Diff(want, doc.Duplicates); diff != "" {
		t.Errorf("duplicates (-want +got):\n%s", diff)
	}
}

func TestDuplicateKeysLastWins(t *testing.T) {
	src := `{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
      "StringEquals": {"token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main"},
      "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*", "token.actions.githubusercontent.com:sub": "repo:acme/app:*"},
      "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}
    }
  }]
}`
	doc, err := Normalize("trust.json", parse(t, src))
	if err != nil {
		t.Fatal(err)
	}
	wantCond := map[string]map[string][]string{
		"StringEquals": {"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"}},
		"StringLike":   {"token.actions.githubusercontent.com:sub": {"repo:acme/app:*"}},
	}
	if diff := cmp.Diff(wantCond, doc.Statement[0].Condition); diff != "" {
		t.Errorf("condition (-want +got):\n%s", diff)
	}
	wantDups := []facts.DuplicateKey{
		{Statement: 0, Path: "Action", Line: 6, KeptLine: 7},
		{Statement: 0, Path: "Condition.StringEquals", Line: 9, KeptLine: 11, Dropped: []string{"token.actions.githubusercontent.com:sub"}},
		{Statement: 0, Path: "Condition.StringLike.token.actions.githubusercontent.com:sub", Line: 10, KeptLine: 10, Values: []string{"repo:acme/*"}, KeptValues: []string{"repo:acme/app:*"}},
	}
	if diff := cmp.Diff(wantDups, doc.Duplicates); diff != "" {
		t.Errorf("duplicates (-want +got):\n%s", diff)
	}
	clean, err := Normalize("p.json", parse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`))
	if err != nil || clean.Duplicates != nil {
		t.Errorf("a document without repeats: duplicates %v, err %v", clean.Duplicates, err)
	}
}
