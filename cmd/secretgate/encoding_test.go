package main

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// openRoleTemplate is a CloudFormation template of a role anyone can
// assume that may do anything: two critical findings in UTF-8.
const openRoleTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Description: open role
Resources:
  OpenRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: open-role
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              AWS: "*"
            Action: sts:AssumeRole
      Policies:
        - PolicyName: everything
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: "*"
                Resource: "*"
`

// openRoleJSON is the same role as IAM returns it (aws iam get-role) and
// a policy allowing everything.
const (
	openRoleJSON = `{"Role": {"RoleName": "open-role", "Arn": "arn:aws:iam::123456789012:role/open-role", "Path": "/",
 "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}}}
`
	adminPolicyJSON = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
`
)

// encodeAs spells ASCII text in a Unicode encoding with its byte-order
// mark.
func encodeAs(t *testing.T, enc, s string) string {
	t.Helper()
	var b strings.Builder
	unit := map[string]struct {
		bom   string
		width int
		big   bool
	}{
		"utf-8-bom": {"\xEF\xBB\xBF", 1, false},
		"utf-16le":  {"\xFF\xFE", 2, false},
		"utf-16be":  {"\xFE\xFF", 2, true},
		"utf-32le":  {"\xFF\xFE\x00\x00", 4, false},
		"utf-32be":  {"\x00\x00\xFE\xFF", 4, true},
	}[enc]
	if unit.width == 0 {
		t.Fatalf("unknown encoding %s", enc)
	}
	b.WriteString(unit.bom)
	pad := strings.Repeat("\x00", unit.width-1)
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			t.Fatalf("encodeAs takes ASCII only")
		}
		if unit.big {
			b.WriteString(pad + s[i:i+1])
		} else {
			b.WriteString(s[i:i+1] + pad)
		}
	}
	return b.String()
}

// ruleSeverityFiles lists a report's findings as "rule severity file", sorted.
func ruleSeverityFiles(t *testing.T, r run) []string {
	t.Helper()
	var out []string
	for _, f := range jsonReport(t, r).Findings {
		out = append(out, fmt.Sprintf("%s %s %s", f.Rule, f.Severity, f.File))
	}
	sort.Strings(out)
	return out
}

// A policy or template in UTF-16 or UTF-32 with a byte-order mark is
// judged like its UTF-8 copy (AWS's tools read it as text); one in
// Latin-1 ends the run incomplete naming the file, never a silent pass.
func TestPolicyEncodings(t *testing.T) {
	check := func(files map[string]string) run {
		dir := t.TempDir()
		for name, content := range files {
			writeIn(t, dir, name, content)
		}
		return secretgate(t, nil, "check", "--offline", "--path", dir, "--format", "json", "--only", "iam,trust")
	}
	plain := check(map[string]string{"stack.yaml": openRoleTemplate, "role.json": openRoleJSON, "admin.json": adminPolicyJSON})
	if plain.code != 1 {
		t.Fatalf("UTF-8: exit %d, want 1\n%s", plain.code, plain.stderr)
	}
	want := ruleSeverityFiles(t, plain)
	if crit := jsonReport(t, plain).Summary.Critical; crit != 4 {
		t.Fatalf("UTF-8: %d critical findings, want 4: %v", crit, want)
	}
	for _, enc := range []string{"utf-8-bom", "utf-16le", "utf-16be", "utf-32le", "utf-32be"} {
		t.Run(enc, func(t *testing.T) {
			r := check(map[string]string{
				"stack.yaml": encodeAs(t, enc, openRoleTemplate),
				"role.json":  encodeAs(t, enc, openRoleJSON),
				"admin.json": encodeAs(t, enc, adminPolicyJSON),
			})
			if r.code != 1 {
				t.Fatalf("exit %d, want 1 (findings)\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			if got := ruleSeverityFiles(t, r); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("findings differ from the UTF-8 copy:\ngot  %v\nwant %v", got, want)
			}
		})
	}

	t.Run("latin-1", func(t *testing.T) {
		r := check(map[string]string{"stack.yaml": openRoleTemplate + "Metadata:\n  Owner: \"Ren\xe9\"\n"})
		if r.code != 3 {
			t.Fatalf("exit %d, want 3 (incomplete)\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		rep := jsonReport(t, r)
		if len(rep.Inputs.Errors) != 1 || rep.Inputs.Errors[0].File != "stack.yaml" || !strings.HasPrefix(rep.Inputs.Errors[0].Message, "not UTF-8 text") {
			t.Errorf("input errors = %+v, want stack.yaml: not UTF-8 text", rep.Inputs.Errors)
		}
	})

	// Text with a NUL byte, and UTF-16 without a byte-order mark, are
	// no policy AWS reads as it stands, but could be after a conversion:
	// incomplete too. A binary file named .json is still skipped.
	t.Run("not text", func(t *testing.T) {
		nul := strings.Replace(adminPolicyJSON, "{", "{\x00", 1)
		noBOM := encodeAs(t, "utf-16le", adminPolicyJSON)[2:]
		r := check(map[string]string{"nul.json": nul, "nobom.json": noBOM, "logo.json": "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00\x5c\x72\xa8\x66"})
		if r.code != 3 {
			t.Fatalf("exit %d, want 3 (incomplete)\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		rep := jsonReport(t, r)
		var errs, skips []string
		for _, e := range rep.Inputs.Errors {
			errs = append(errs, e.File)
		}
		for _, s := range rep.Inputs.Skipped {
			skips = append(skips, s.File)
		}
		sort.Strings(errs)
		if strings.Join(errs, ",") != "nobom.json,nul.json" || strings.Join(skips, ",") != "logo.json" {
			t.Errorf("errors %v, skipped %v; want errors nobom.json,nul.json and logo.json skipped", errs, skips)
		}
	})
}
