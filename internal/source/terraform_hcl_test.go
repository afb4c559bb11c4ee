package source

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/secretgate/secretgate/internal/facts"
	"github.com/secretgate/secretgate/internal/result"
)

// scanHCL scans testdata/tfhcl, whose directories are written in the
// shapes of public Terraform modules.
func scanHCL(t *testing.T, opts Options) *Result {
	t.Helper()
	res, err := Scan(context.Background(), filepath.Join("testdata", "tfhcl"), opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func rolesByID(res *Result) map[string]facts.Role {
	m := map[string]facts.Role{}
	for _, r := range res.Roles {
		m[r.ID] = r
	}
	return m
}

// subjects are the values of a trust's sub conditions, by operator.
func subjects(doc *facts.PolicyDocument) map[string][]string {
	out := map[string][]string{}
	if doc == nil {
		return out
	}
	for _, st := range doc.Statement {
		for op, keys := range st.Condition {
			for k, v := range keys {
				if strings.HasSuffix(k, ":sub") {
					out[op] = append(out[op], v...)
				}
			}
		}
	}
	return out
}

// TestTerraformHCLRoles: roles of a called local module (judged through
// its caller, never as their own root), of for_each, and a trust document
// no role uses, with their addresses, lines, trust and assumptions.
func TestTerraformHCLRoles(t *testing.T) {
	roles := rolesByID(scanHCL(t, Options{}))
	for _, tc := range []struct {
		id, name string
		loc      facts.Location
		trustAt  int
		federal  string
		subs     map[string][]string
		policies []string
		attached []string
		why      []string
	}{
		{
			id: "examples/complete#module.github_oidc_role.aws_iam_role.this[0]", name: "gha-deploy",
			loc: at("modules/github-oidc-role/main.tf", 35), trustAt: 40,
			// The account id comes from a data source: "*"; the partition
			// is taken to be the commercial one.
			federal:  "arn:aws:iam::*:oidc-provider/token.actions.githubusercontent.com",
			subs:     map[string][]string{"StringLike": {"repo:acme/payments:ref:refs/heads/main", "repo:acme/*"}},
			attached: strs("arn:aws:iam::aws:policy/AdministratorAccess"),
		},
		{
			id: `roles#aws_iam_role.github["prod"]`, name: "gha-prod",
			loc: at("roles/main.tf", 10), trustAt: 14,
			federal: "arn:aws:iam::*:oidc-provider/token.actions.githubusercontent.com",
			// var.github_org from terraform.tfvars; branch from optional().
			subs: map[string][]string{"StringLike": {"repo:acme/payments:ref:refs/heads/main"}},
			policies: strs(`roles#aws_iam_role.github["prod"]#inline/read-secrets`, "roles#aws_iam_policy.deploy",
				"roles#aws_iam_role_policy.extra"),
			attached: strs("arn:aws:iam::*:policy/deploy"),
		},
		{
			id: `roles#aws_iam_role.github["dev"]`, name: "gha-dev",
			loc: at("roles/main.tf", 10), trustAt: 14,
			federal:  "arn:aws:iam::*:oidc-provider/token.actions.githubusercontent.com",
			subs:     map[string][]string{"StringLike": {"repo:acme/web:ref:refs/heads/*"}},
			policies: strs(`roles#aws_iam_role.github["dev"]#inline/read-secrets`, "roles#aws_iam_policy.deploy"),
			attached: strs("arn:aws:iam::*:policy/deploy"),
		},
		{
			// Nobody uses it: the trust of a role of unknown name. The
			// variable has no value: "*", and StringEquals becomes
			// StringLike so that "*" is as loose as the value may be.
			id: "unused-trust#data.aws_iam_policy_document.github_trust", name: "data.aws_iam_policy_document.github_trust",
			loc: at("unused-trust/main.tf", 5), trustAt: 5,
			federal: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
			subs:    map[string][]string{"StringLike": {"repo:*:ref:refs/heads/main"}},
			why: strs("no role in the configuration uses this trust policy; it is judged as the trust of a role of unknown name",
				`var.repository has no value (judged as "*")`),
		},
	} {
		t.Run(tc.id, func(t *testing.T) {
			r, ok := roles[tc.id]
			if !ok {
				t.Fatalf("no role %s among %v", tc.id, keys(roles))
			}
			if r.Name != tc.name || r.Location != tc.loc || r.Source != "terraform" {
				t.Errorf("name %q at %v source %q, want %q at %v", r.Name, r.Location, r.Source, tc.name, tc.loc)
			}
			if r.Trust == nil || r.Trust.Line != tc.trustAt || r.Trust.File != tc.loc.File || len(r.Trust.Statement) != 1 {
				t.Fatalf("trust %+v, want one statement at line %d", r.Trust, tc.trustAt)
			}
			if got := r.Trust.Statement[0].Principal["Federated"]; len(got) != 1 || got[0] != tc.federal {
				t.Errorf("federated %v, want %s", got, tc.federal)
			}
			if diff := cmp.Diff(tc.subs, subjects(r.Trust)); diff != "" {
				t.Errorf("sub conditions (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.policies, r.PolicyIDs, cmpFacts); diff != "" {
				t.Errorf("policy ids (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.attached, r.AttachedARNs, cmpFacts); diff != "" {
				t.Errorf("attached (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.why, r.Assumptions, cmpFacts); diff != "" {
				t.Errorf("assumptions (-want +got):\n%s", diff)
			}
		})
	}
	if len(roles) != 4 {
		t.Errorf("roles %v, want 4 (the module directory is judged through its caller only)", keys(roles))
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestTerraformHCLPolicies: source and override documents merge by Sid as
// the AWS provider merges them; file() and jsonencode documents are read.
func TestTerraformHCLPolicies(t *testing.T) {
	res := scanHCL(t, Options{})
	got := map[string]facts.Policy{}
	for _, p := range res.Policies {
		got[p.ID] = p
	}
	for _, tc := range []struct {
		id, kind string
		loc      facts.Location
		docLine  int
		stmts    []string // sid action resource
		roles    []string
	}{
		{
			id: `roles#aws_iam_role.github["prod"]#inline/read-secrets`, kind: "inline", loc: at("roles/main.tf", 27), docLine: 29,
			// Logs from the source document, overridden; Read replaced by
			// the statement block of the same Sid.
			stmts: strs("Logs logs:PutLogEvents *", "Read secretsmanager:GetSecretValue arn:aws:secretsmanager:*:*:secret:app/*"),
			roles: strs(`roles#aws_iam_role.github["prod"]`),
		},
		{
			id: "roles#aws_iam_policy.deploy", kind: "managed", loc: at("roles/main.tf", 62), docLine: 64,
			stmts: strs(" ecs:UpdateService *"),
			roles: strs(`roles#aws_iam_role.github["dev"]`, `roles#aws_iam_role.github["prod"]`),
		},
		{
			id: "roles#aws_iam_role_policy.extra", kind: "inline", loc: at("roles/main.tf", 74), docLine: 77,
			stmts: strs(" s3:GetObject *"),
			roles: strs(`roles#aws_iam_role.github["prod"]`),
		},
	} {
		t.Run(tc.id, func(t *testing.T) {
			p, ok := got[tc.id]
			if !ok {
				t.Fatalf("no policy %s among %v", tc.id, keys(got))
			}
			if p.Kind != tc.kind || p.Location != tc.loc || p.Document.Line != tc.docLine {
				t.Errorf("kind %q at %v, document line %d", p.Kind, p.Location, p.Document.Line)
			}
			var stmts []string
			for _, st := range p.Document.Statement {
				stmts = append(stmts, st.Sid+" "+strings.Join(st.Action, ",")+" "+strings.Join(st.Resource, ","))
			}
			if diff := cmp.Diff(tc.stmts, stmts); diff != "" {
				t.Errorf("statements (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.roles, p.RoleIDs); diff != "" {
				t.Errorf("roles (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTerraformHCLSecrets: a secret's name from a template, its rotation
// from aws_secretsmanager_secret_rotation; one without rotation is not
// rotated.
func TestTerraformHCLSecrets(t *testing.T) {
	res := scanHCL(t, Options{})
	want := []facts.Secret{
		{
			ID: "secrets#aws_secretsmanager_secret.db", Name: "prod/payments/db", Tags: map[string]string{"environment": "prod"},
			KMSKeyID: "alias/payments", RotationEnabled: yes(), RotationDays: 30, Source: "terraform", Location: at("secrets/main.tf", 5),
		},
		{
			ID: "secrets#aws_secretsmanager_secret.api", Name: "prod/payments/api-", RotationEnabled: no(),
			Source: "terraform", Location: at("secrets/main.tf", 22),
		},
	}
	if diff := cmp.Diff(want, res.Secrets, cmpFacts); diff != "" {
		t.Errorf("secrets (-want +got):\n%s", diff)
	}
}

// TestTerraformHCLProblems: a syntax error is an error at its file and
// line, and the other directories are still judged; the files count.
func TestTerraformHCLProblems(t *testing.T) {
	res := scanHCL(t, Options{})
	if len(res.Errors) != 1 || res.Errors[0].File != "broken/main.tf" || res.Errors[0].Line != 3 ||
		!strings.Contains(res.Errors[0].Message, "Unterminated function call") {
		t.Errorf("errors %+v, want the unterminated call of broken/main.tf:3", res.Errors)
	}
	// 8 .tf files and roles/terraform.tfvars (broken/main.tf is read too).
	if res.Kinds[KindTerraformHCL] != 9 {
		t.Errorf("kinds %v", res.Kinds)
	}
	if len(res.Roles) == 0 || len(res.Secrets) == 0 {
		t.Error("a syntax error in one directory stopped the others")
	}
}

// TestTerraformHCLVarFile: an extra var file gives a variable its value,
// after terraform.tfvars; a value is never quoted in a message.
func TestTerraformHCLVarFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("main.tf", `
variable "repo" { type = string }
variable "token" { type = string }
resource "aws_iam_role" "r" {
  name = "ci"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity",
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
      Condition = { StringEquals = { "token.actions.githubusercontent.com:sub" = "repo:${var.repo}:ref:refs/heads/main" } }
    }]
  })
}
`)
	write("terraform.tfvars", `repo = "acme/old"`+"\n")
	write("prod.tfvars", "repo = \"acme/payments\"\ntoken = \"hunter2-secret\"\nbad = var.x\n")
	res, err := Scan(context.Background(), dir, Options{TerraformVarFiles: []string{"prod.tfvars"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Roles) != 1 {
		t.Fatalf("roles %+v", res.Roles)
	}
	if diff := cmp.Diff(map[string][]string{"StringEquals": {"repo:acme/payments:ref:refs/heads/main"}}, subjects(res.Roles[0].Trust)); diff != "" {
		t.Errorf("subjects (-want +got):\n%s", diff)
	}
	want := []result.InputProblem{{File: "prod.tfvars", Line: 3, Message: "the value of variable bad could not be read (a variable file holds only literal values)"}}
	diffProblems(t, "errors", want, res.Errors)
	for _, p := range res.Errors {
		if strings.Contains(p.Message, "hunter2") {
			t.Errorf("a variable value in a message: %s", p.Message)
		}
	}
}

// TestTerraformHCLUnknownNeverStricter: a value unknown offline is judged
// as "*" where that is the loosest reading; where "*" would make the
// document stricter (a Deny, a negated condition) the part is left out,
// and an equality becomes its Like form. Every case says what was unknown.
func TestTerraformHCLUnknownNeverStricter(t *testing.T) {
	dir := t.TempDir()
	tf := `
variable "org" { type = string }
resource "aws_iam_role" "r" {
  name = "ci"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity",
        Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
        Condition = {
          StringEquals    = { "token.actions.githubusercontent.com:sub" = "repo:${var.org}/app:ref:refs/heads/main", "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
          StringNotEquals = { "token.actions.githubusercontent.com:actor" = "${var.org}-bot" }
        }
      },
      { Effect = "Deny", Action = "sts:AssumeRoleWithWebIdentity", Principal = { AWS = "*" }, Condition = { StringEquals = { "token.actions.githubusercontent.com:repository_owner" = var.org } } },
    ]
  })
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(tf), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Scan(context.Background(), dir, Options{})
	if err != nil || len(res.Roles) != 1 {
		t.Fatalf("roles %+v, err %v", res.Roles, err)
	}
	r := res.Roles[0]
	if len(r.Trust.Statement) != 1 {
		t.Fatalf("statements %+v, want the Deny left out", r.Trust.Statement)
	}
	want := map[string]map[string][]string{
		"StringEquals": {"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"}},
		"StringLike":   {"token.actions.githubusercontent.com:sub": {"repo:*/app:ref:refs/heads/main"}},
	}
	if diff := cmp.Diff(want, r.Trust.Statement[0].Condition); diff != "" {
		t.Errorf("condition (-want +got):\n%s", diff)
	}
	wantWhy := []string{
		`var.org has no value (judged as "*")`,
		"the StringNotEquals condition on token.actions.githubusercontent.com:actor of statement 0 has a value not known offline; it is left out",
		"statement 1 is a Deny with a value not known offline; it is left out",
	}
	if diff := cmp.Diff(wantWhy, r.Assumptions); diff != "" {
		t.Errorf("assumptions (-want +got):\n%s", diff)
	}
}

// TestTerraformHCLResourceKinds: the OIDC provider data source, policy
// attachments by list, managed_policy_arns, name_prefix, a rotation
// schedule, and a policy from a data source secretgate cannot read (an
// input error, and the assumption says why).
func TestTerraformHCLResourceKinds(t *testing.T) {
	dir := t.TempDir()
	tf := `
data "aws_iam_openid_connect_provider" "github" {
  url = "https://token.actions.githubusercontent.com"
}
data "external" "policy" {
  program = ["make-policy"]
}
resource "aws_iam_role" "ci" {
  name_prefix = "ci-"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity",
      Principal = { Federated = data.aws_iam_openid_connect_provider.github.arn },
      Condition = { StringEquals = { "token.actions.githubusercontent.com:sub" = "repo:acme/app:environment:prod" } }
    }]
  })
  managed_policy_arns = [aws_iam_policy.p.arn]
  inline_policy {
    name   = "opaque"
    policy = data.external.policy.result
  }
}
resource "aws_iam_policy" "p" {
  name   = "p"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:ListBucket", Resource = "*" }] })
}
resource "aws_iam_policy" "q" {
  name   = "q"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }] })
}
resource "aws_iam_policy_attachment" "q" {
  name       = "q"
  roles      = [aws_iam_role.ci.name]
  policy_arn = aws_iam_policy.q.arn
}
resource "aws_secretsmanager_secret" "s" {
  count = 2
  name  = "dev/app/key-${count.index}"
}
resource "aws_secretsmanager_secret_rotation" "s" {
  secret_id = aws_secretsmanager_secret.s[1].id
  rotation_rules {
    schedule_expression = "rate(10 days)"
  }
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(tf), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Scan(context.Background(), dir, Options{})
	if err != nil || len(res.Roles) != 1 {
		t.Fatalf("roles %+v, err %v", res.Roles, err)
	}
	r := res.Roles[0]
	if r.Name != "ci-" || r.Trust == nil {
		t.Fatalf("role %+v", r)
	}
	if got := r.Trust.Statement[0].Principal["Federated"]; len(got) != 1 || got[0] != "arn:aws:iam::*:oidc-provider/token.actions.githubusercontent.com" {
		t.Errorf("federated %v", got)
	}
	if diff := cmp.Diff(strs(".#aws_iam_policy.p", ".#aws_iam_policy.q"), r.PolicyIDs); diff != "" {
		t.Errorf("policy ids (-want +got):\n%s", diff)
	}
	want := []result.InputProblem{{File: "main.tf", Line: 8, Message: `aws_iam_role.ci: inline_policy "opaque" could not be known offline, so it could not be judged (give the variables it depends on a value, or judge a plan: terraform show -json)`}}
	diffProblems(t, "errors", want, res.Errors)
	if diff := cmp.Diff(strs(`data source data.external.policy.result is not known offline (judged as "*")`), r.Assumptions); diff != "" {
		t.Errorf("assumptions (-want +got):\n%s", diff)
	}
	var rot []string
	for _, s := range res.Secrets {
		rot = append(rot, s.ID+" "+s.Name+" "+s.RotationSchedule)
	}
	if diff := cmp.Diff(strs(".#aws_secretsmanager_secret.s[0] dev/app/key-0 ", ".#aws_secretsmanager_secret.s[1] dev/app/key-1 rate(10 days)"), rot); diff != "" {
		t.Errorf("secrets (-want +got):\n%s", diff)
	}
}

// TestTerraformHCLEmptyPolicyWithDefaults: a module example whose trust is
// "" with the variables' defaults (the shape of unfunco/terraform-aws-oidc-
// github's multiple-roles example) keeps its role, judges nothing of its
// trust, and says so as a skipped part — not an input error that would
// make every run over the example incomplete.
func TestTerraformHCLEmptyPolicyWithDefaults(t *testing.T) {
	dir := t.TempDir()
	tf := `
variable "subjects" {
  type    = list(string)
  default = []
}
locals {
  policy = length(var.subjects) > 0 ? jsonencode({ Version = "2012-10-17", Statement = [] }) : ""
}
resource "aws_iam_role" "network" {
  name               = "network"
  assume_role_policy = local.policy
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(tf), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Scan(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 0 {
		t.Errorf("errors %+v, want none", res.Errors)
	}
	if len(res.Roles) != 1 || res.Roles[0].Trust != nil {
		t.Fatalf("roles %+v, want network without a judged trust", res.Roles)
	}
	if len(res.Skipped) != 1 || !strings.Contains(res.Skipped[0].Message, "aws_iam_role.network: assume_role_policy is empty with the variables' values given, so it was not judged") {
		t.Errorf("skipped %+v, want the empty trust named", res.Skipped)
	}
}

// TestTerraformHCLProviderDataSourceID: a trust that names the GitHub
// provider through the data source's id (its ARN, as the AWS provider
// sets it; stroeer/terraform-aws-github-oidc-role does) is GitHub's.
func TestTerraformHCLProviderDataSourceID(t *testing.T) {
	dir := t.TempDir()
	tf := `
data "aws_iam_openid_connect_provider" "github" {
  url = "https://token.actions.githubusercontent.com"
}
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [data.aws_iam_openid_connect_provider.github.id]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:acme/app:ref:refs/heads/main"]
    }
  }
}
resource "aws_iam_role" "ci" {
  name               = "ci"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(tf), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Scan(context.Background(), dir, Options{})
	if err != nil || len(res.Roles) != 1 || res.Roles[0].Trust == nil {
		t.Fatalf("roles %+v, err %v", res.Roles, err)
	}
	fed := res.Roles[0].Trust.Statement[0].Principal["Federated"]
	if len(fed) != 1 || !strings.HasSuffix(fed[0], ":oidc-provider/token.actions.githubusercontent.com") {
		t.Errorf("Federated %q, want the GitHub provider's ARN", fed)
	}
}

// TestTerraformHCLUnknownKeys: a principal type, a condition operator or
// a condition key unknown offline is judged the loosest way, never as a
// key no rule knows (which made a GitHub trust of any repository pass):
// the principal as each type, the condition left out, a Deny left out.
func TestTerraformHCLUnknownKeys(t *testing.T) {
	const provider = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
	for _, tc := range []struct {
		name          string
		principal     string // HCL of the Principal object
		condition     string // HCL of the Condition object
		deny          bool
		wantPrincipal map[string][]string
		wantCondition map[string]map[string][]string
		wantWhy       []string
	}{
		{
			name:          "principal type",
			principal:     `{ (var.x) = "` + provider + `" }`,
			condition:     `{ StringLike = { "token.actions.githubusercontent.com:sub" = "repo:*" } }`,
			wantPrincipal: map[string][]string{"AWS": {provider}, "Federated": {provider}, "Service": {provider}},
			wantCondition: map[string]map[string][]string{"StringLike": {"token.actions.githubusercontent.com:sub": {"repo:*"}}},
			wantWhy:       []string{`var.x has no value (judged as "*")`, "a principal type of statement 0 is not known offline; judged as each of AWS, Federated, Service"},
		},
		{
			name:          "condition operator",
			principal:     `{ Federated = "` + provider + `" }`,
			condition:     `{ (var.x) = { "token.actions.githubusercontent.com:sub" = "repo:o/r:*" } }`,
			wantPrincipal: map[string][]string{"Federated": {provider}},
			wantWhy:       []string{`var.x has no value (judged as "*")`, "a condition (* on token.actions.githubusercontent.com:sub) of statement 0 has an operator or key not known offline; it is left out"},
		},
		{
			name:          "condition key",
			principal:     `{ Federated = "` + provider + `" }`,
			condition:     `{ StringLike = { (var.x) = "repo:o/r:*" } }`,
			wantPrincipal: map[string][]string{"Federated": {provider}},
			wantWhy:       []string{`var.x has no value (judged as "*")`, "a condition (StringLike on *) of statement 0 has an operator or key not known offline; it is left out"},
		},
		{
			name:      "deny with an unknown principal type",
			principal: `{ (var.x) = "*" }`,
			condition: `{ StringLike = { "token.actions.githubusercontent.com:sub" = "repo:*" } }`,
			deny:      true,
			wantWhy:   []string{`var.x has no value (judged as "*")`, "statement 1 is a Deny with a value not known offline; it is left out"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			deny := ""
			if tc.deny {
				deny = `, { Effect = "Deny", Action = "sts:AssumeRoleWithWebIdentity", Principal = ` + tc.principal + `, Condition = ` + tc.condition + ` }`
				tc.principal, tc.condition = `{ Federated = "`+provider+`" }`, `{ StringEquals = { "token.actions.githubusercontent.com:sub" = "repo:o/r:ref:refs/heads/main" } }`
				tc.wantPrincipal = map[string][]string{"Federated": {provider}}
				tc.wantCondition = map[string]map[string][]string{"StringEquals": {"token.actions.githubusercontent.com:sub": {"repo:o/r:ref:refs/heads/main"}}}
			}
			tf := `
variable "x" { type = string }
resource "aws_iam_role" "r" {
  name = "ci"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity", Principal = ` + tc.principal + `, Condition = ` + tc.condition + ` }` + deny + `]
  })
}
`
			if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(tf), 0o644); err != nil {
				t.Fatal(err)
			}
			res, err := Scan(context.Background(), dir, Options{})
			if err != nil || len(res.Roles) != 1 || len(res.Errors) != 0 {
				t.Fatalf("roles %+v, errors %+v, err %v", res.Roles, res.Errors, err)
			}
			r := res.Roles[0]
			if len(r.Trust.Statement) != 1 {
				t.Fatalf("statements %+v, want one", r.Trust.Statement)
			}
			if diff := cmp.Diff(tc.wantPrincipal, r.Trust.Statement[0].Principal); diff != "" {
				t.Errorf("principal (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantCondition, r.Trust.Statement[0].Condition, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("condition (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantWhy, r.Assumptions); diff != "" {
				t.Errorf("assumptions (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTerraformHCLCountOffByDefault: a role that exists only when a
// variable is set (count = var.enabled ? 1 : 0, default false) is judged
// as created, saying so — CI may set TF_VAR_enabled=true; a value given
// in a tfvars file decides.
func TestTerraformHCLCountOffByDefault(t *testing.T) {
	dir := t.TempDir()
	tf := `
variable "enabled" {
  type    = bool
  default = false
}
resource "aws_iam_role" "break_glass" {
  count = var.enabled ? 1 : 0
  name  = "break-glass"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity",
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
      Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = "*" } } }]
  })
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(tf), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Scan(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Roles) != 1 || !slices.Contains(res.Roles[0].Assumptions, "aws_iam_role.break_glass has no instance with var.enabled's default; judged as created") {
		t.Fatalf("roles %+v, want break-glass judged as created, saying why", res.Roles)
	}
	if err := os.WriteFile(filepath.Join(dir, "terraform.tfvars"), []byte("enabled = false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err = Scan(context.Background(), dir, Options{})
	if err != nil || len(res.Roles) != 0 {
		t.Errorf("with enabled = false given: roles %+v, err %v; want none", res.Roles, err)
	}

	// A called module's variable is set only by its caller: the caller
	// leaving it at its default is the configuration judged, not a hole.
	top := t.TempDir()
	if err := os.Mkdir(filepath.Join(top, "mod"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(top, "mod", "main.tf"), []byte(tf), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(top, "main.tf"), []byte("module \"m\" {\n  source = \"./mod\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err = Scan(context.Background(), top, Options{})
	if err != nil || len(res.Roles) != 0 {
		t.Errorf("a module left at its default by its caller: roles %+v, err %v; want none", res.Roles, err)
	}
}

// TestTerraformHCLOverrideFiles: Terraform merges *_override.tf over the
// other files; read as an ordinary file it would let a pull request pin a
// subject in main.tf and widen it in a_override.tf. secretgate does not
// merge overrides, so such a module is an input problem (never a pass).
func TestTerraformHCLOverrideFiles(t *testing.T) {
	dir := t.TempDir()
	for name, src := range map[string]string{
		"main.tf":       `locals { sub = "repo:acme/app:ref:refs/heads/main" }` + "\n",
		"a_override.tf": `locals { sub = "repo:*" }` + "\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Scan(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 1 || res.Errors[0].File != "a_override.tf" || !strings.Contains(res.Errors[0].Message, "override file") {
		t.Errorf("errors %+v, want a_override.tf named as an override not merged", res.Errors)
	}
}

// TestTerraformHCLSensitiveVariable: a sensitive variable's value (from
// terraform.tfvars) is never used, so it cannot reach a fact, a finding
// or a report; the variable is judged as unknown, saying so.
func TestTerraformHCLSensitiveVariable(t *testing.T) {
	const canary = "CANARYSECRETPW3"
	dir := t.TempDir()
	for name, src := range map[string]string{
		"main.tf": `variable "pw" {
  type      = string
  sensitive = true
}
resource "aws_secretsmanager_secret" "s" {
  name = "prod/${var.pw}/db"
}
`,
		"terraform.tfvars": `pw = "` + canary + `"` + "\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Scan(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	all := fmt.Sprintf("%+v", res)
	if strings.Contains(all, canary) {
		t.Fatal("the sensitive variable's value reached the scan result")
	}
	if len(res.Secrets) != 1 || !strings.Contains(strings.Join(res.Secrets[0].Assumptions, ";"), "var.pw is sensitive; its value is not used") {
		t.Errorf("secrets %+v, want one saying var.pw is sensitive", res.Secrets)
	}
}
