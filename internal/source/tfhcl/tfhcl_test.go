package tfhcl

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

// evalFiles writes files (relative path -> text) to a temporary root and
// evaluates every directory holding .tf files.
func evalFiles(t *testing.T, files map[string]string, opts Options) (*Result, string) {
	t.Helper()
	root := t.TempDir()
	dirs := map[string][]string{}
	for name, text := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if (strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".tf.json")) && !strings.Contains(name, ".terraform/") {
			dirs[filepath.Dir(p)] = append(dirs[filepath.Dir(p)], p)
		}
	}
	res, err := Evaluate(context.Background(), root, dirs, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res, root
}

func byAddr(res *Result) map[string]*Resource {
	m := map[string]*Resource{}
	for _, r := range res.Resources {
		m[r.Addr] = r
	}
	return m
}

func attrString(t *testing.T, r *Resource, name string) string {
	t.Helper()
	if r == nil {
		t.Fatalf("no resource")
	}
	v := r.Value.GetAttr(name)
	if !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
		t.Fatalf("%s.%s = %#v, want a known string", r.Addr, name, v)
	}
	return v.AsString()
}

// TestPolicyDocumentRendering: aws_iam_policy_document rendered as the AWS
// provider renders its json.
func TestPolicyDocumentRendering(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       string
	}{
		{
			name: "defaults: Allow, version, single values as strings",
			body: `statement {
  actions   = ["s3:GetObject"]
  resources = ["*"]
}`,
			want: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
		},
		{
			name: "not_ fields, principals merged by type, conditions grouped by test",
			body: `statement {
  sid           = "Deny"
  effect        = "Deny"
  not_actions   = ["iam:*", "sts:*"]
  not_resources = ["arn:aws:s3:::b"]
  principals {
    type        = "AWS"
    identifiers = ["arn:aws:iam::1:root"]
  }
  principals {
    type        = "AWS"
    identifiers = ["arn:aws:iam::2:root"]
  }
  not_principals {
    type        = "Service"
    identifiers = ["ec2.amazonaws.com"]
  }
  condition {
    test     = "StringLike"
    variable = "aws:PrincipalTag/team"
    values   = ["a"]
  }
  condition {
    test     = "StringLike"
    variable = "aws:PrincipalTag/team"
    values   = ["b"]
  }
  condition {
    test     = "Bool"
    variable = "aws:SecureTransport"
    values   = [false]
  }
}`,
			want: `{"Version":"2012-10-17","Statement":[{"Sid":"Deny","Effect":"Deny","NotAction":["iam:*","sts:*"],"NotResource":"arn:aws:s3:::b",` +
				`"Principal":{"AWS":["arn:aws:iam::1:root","arn:aws:iam::2:root"]},"NotPrincipal":{"Service":"ec2.amazonaws.com"},` +
				`"Condition":{"Bool":{"aws:SecureTransport":"false"},"StringLike":{"aws:PrincipalTag/team":["a","b"]}}}]}`,
		},
		{
			name: "principal * is written as *",
			body: `statement {
  actions = ["sts:AssumeRole"]
  principals {
    type        = "*"
    identifiers = ["*"]
  }
}`,
			want: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":"*"}]}`,
		},
		{
			name: "source, own and override statements merge by Sid",
			body: `source_policy_documents = [jsonencode({
  Version = "2012-10-17"
  Statement = [
    { Sid = "A", Effect = "Allow", Action = "a:1", Resource = "*" },
    { Sid = "B", Effect = "Allow", Action = "b:1", Resource = "*" },
    { Effect = "Allow", Action = "nosid:1", Resource = "*" },
  ]
})]
override_policy_documents = [jsonencode({
  Statement = { Sid = "B", Effect = "Deny", Action = "b:3", Resource = "*" }
})]
statement {
  sid       = "A"
  actions   = ["a:2"]
  resources = ["*"]
}
statement {
  sid       = "C"
  actions   = ["c:1"]
  resources = ["*"]
}`,
			want: `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"a:2","Resource":"*"},` +
				`{"Action":"b:3","Effect":"Deny","Resource":"*","Sid":"B"},{"Action":"nosid:1","Effect":"Allow","Resource":"*"},` +
				`{"Sid":"C","Effect":"Allow","Action":"c:1","Resource":"*"}]}`,
		},
		{
			name: "dynamic statement blocks",
			body: `dynamic "statement" {
  for_each = { read = "s3:GetObject", write = "s3:PutObject" }
  content {
    sid       = statement.key
    actions   = [statement.value]
    resources = ["*"]
  }
}`,
			want: `{"Version":"2012-10-17","Statement":[{"Sid":"read","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},` +
				`{"Sid":"write","Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, _ := evalFiles(t, map[string]string{"main.tf": `data "aws_iam_policy_document" "d" {` + "\n" + tc.body + "\n}\n"}, Options{})
			got := attrString(t, byAddr(res)["data.aws_iam_policy_document.d"], "json")
			if diff := cmp.Diff(compact(t, tc.want), compact(t, got)); diff != "" {
				t.Errorf("json (-want +got):\n%s", diff)
			}
		})
	}
}

// compact re-encodes JSON without space, keeping key order.
func compact(t *testing.T, s string) string {
	t.Helper()
	var b strings.Builder
	dec := json.NewDecoder(strings.NewReader(s))
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch v := tok.(type) {
		case json.Delim:
			b.WriteString(v.String())
		case string:
			q, _ := json.Marshal(v)
			b.Write(q)
			if dec.More() {
				b.WriteByte(' ')
			}
		default:
			q, _ := json.Marshal(v)
			b.Write(q)
		}
	}
	return b.String()
}

// TestExpressions: functions and expressions evaluated the way Terraform
// does, values from locals, variables and other resources.
func TestExpressions(t *testing.T) {
	res, _ := evalFiles(t, map[string]string{
		"main.tf": `
variable "envs" {
  type    = list(string)
  default = ["prod", "dev", "prod"]
}
variable "settings" {
  type = object({ name = string, path = optional(string, "/ci/") })
  default = { name = "app" }
}
locals {
  # in reverse dependency order on purpose
  upper   = upper(local.joined)
  joined  = join(",", local.envs)
  envs    = distinct(var.envs)
  lookups = lookup({ a = "x" }, "b", "fallback")
  tried   = try(local.nope.x, "tried")
  flat    = flatten([["a"], ["b", ["c"]]])
  coal    = coalesce("", "first")
  repl    = replace("a-b_c", "/[-_]/", ".")
  tpl     = templatefile("${path.module}/t.tpl", { org = "acme" })
  heredoc = <<-EOT
    repo:${var.settings.name}
  EOT
}
resource "aws_iam_role" "r" {
  count              = length(local.envs)
  name               = "${local.envs[count.index]}-${var.settings.name}"
  path               = var.settings.path
  assume_role_policy = "{}"
  description        = join("|", [local.upper, local.lookups, local.tried, join("", local.flat), local.coal, local.repl, local.tpl, trimspace(local.heredoc)])
}
resource "aws_iam_role_policy_attachment" "a" {
  role       = aws_iam_role.r[1].name
  policy_arn = aws_iam_role.r[0].arn
}
`,
		"t.tpl": "org=${org}",
	}, Options{})
	got := byAddr(res)
	if r := got["aws_iam_role.r[1]"]; attrString(t, r, "name") != "dev-app" || attrString(t, r, "path") != "/ci/" {
		t.Errorf("role[1] name %q path %q", attrString(t, r, "name"), attrString(t, r, "path"))
	}
	if _, ok := got["aws_iam_role.r[2]"]; ok {
		t.Error("distinct() not applied: three roles")
	}
	if d := attrString(t, got["aws_iam_role.r[0]"], "description"); d != "PROD,DEV|fallback|tried|abc|first|a.b.c|org=acme|repo:app" {
		t.Errorf("description %q", d)
	}
	a := got["aws_iam_role_policy_attachment.a"]
	if attrString(t, a, "role") != "dev-app" {
		t.Errorf("role %q", attrString(t, a, "role"))
	}
	// The ARN follows from name and path; the account is a placeholder.
	arn := attrString(t, a, "policy_arn")
	if !strings.HasPrefix(arn, "arn:aws:iam::⟪") || !strings.HasSuffix(arn, "⟫:role/ci/prod-app") {
		t.Errorf("policy_arn %q", arn)
	}
	if s, why := res.Placeholders.Resolve(arn); s != "arn:aws:iam::*:role/ci/prod-app" || len(why) != 0 {
		t.Errorf("resolved %q %v: the account id is quiet", s, why)
	}
	if diff := cmp.Diff([]string{`aws_iam_role.r[1]`}, a.Body.Attrs["role"].Refs); diff != "" {
		t.Errorf("refs (-want +got):\n%s", diff)
	}
}

// TestModules: a local module with for_each, its outputs used by the
// caller; a registry module read where modules.json puts it; the module
// directories are not roots of their own; an unfetched registry module is
// skipped and named.
func TestModules(t *testing.T) {
	role := `
variable "name" { type = string }
resource "aws_iam_role" "this" {
  name               = var.name
  assume_role_policy = "{}"
}
output "name" { value = aws_iam_role.this.name }
`
	res, _ := evalFiles(t, map[string]string{
		"live/main.tf": `
module "roles" {
  source   = "../modules/role"
  for_each = toset(["a", "b"])
  name     = "role-${each.key}"
}
module "registry" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role"
  version = "~> 5.0"
  name    = module.roles["a"].name
}
module "missing" {
  source = "hashicorp/nothing/aws"
}
`,
		"modules/role/main.tf":                                      role,
		"live/.terraform/modules/modules.json":                      `{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"registry","Source":"x","Dir":".terraform/modules/registry/modules/iam-role"}]}`,
		"live/.terraform/modules/registry/modules/iam-role/main.tf": strings.ReplaceAll(role, `var.name`, `"${var.name}-copy"`),
	}, Options{})
	var addrs []string
	for _, r := range res.Resources {
		addrs = append(addrs, r.Addr+" "+r.File+" "+attrString(t, r, "name"))
	}
	want := []string{
		`module.registry.aws_iam_role.this live/.terraform/modules/registry/modules/iam-role/main.tf role-a-copy`,
		`module.roles["a"].aws_iam_role.this modules/role/main.tf role-a`,
		`module.roles["b"].aws_iam_role.this modules/role/main.tf role-b`,
	}
	if diff := cmp.Diff(want, addrs); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
	if len(res.Skipped) != 1 || res.Skipped[0].File != "live/main.tf" || res.Skipped[0].Line != 12 ||
		!strings.Contains(res.Skipped[0].Message, `module "missing"`) {
		t.Errorf("skipped %+v", res.Skipped)
	}
}

// TestUnknowns: values that cannot be known offline are placeholders that
// say what was unknown; an unknown count is one instance with an
// assumption; a module nobody calls is a root with its defaults.
func TestUnknowns(t *testing.T) {
	res, _ := evalFiles(t, map[string]string{
		"main.tf": `
variable "org" { type = string }
variable "create" { type = bool }
data "aws_caller_identity" "me" {}
data "terraform_remote_state" "net" {
  backend = "s3"
}
resource "aws_iam_role" "r" {
  count = var.create ? 1 : 0
  name  = "ci-${data.terraform_remote_state.net.outputs}"
  assume_role_policy = jsonencode({ sub = "repo:${var.org}/*", acct = data.aws_caller_identity.me.account_id })
}
`,
	}, Options{})
	r := byAddr(res)["aws_iam_role.r[0]"]
	if r == nil {
		t.Fatalf("resources %v", res.Resources)
	}
	if diff := cmp.Diff([]string{"the count of aws_iam_role.r is not known offline; judged as one instance"}, r.Assumptions); diff != "" {
		t.Errorf("assumptions (-want +got):\n%s", diff)
	}
	doc, why := res.Placeholders.Resolve(attrString(t, r, "assume_role_policy"))
	if doc != `{"acct":"*","sub":"repo:*/*"}` {
		t.Errorf("document %s", doc)
	}
	if diff := cmp.Diff([]string{`var.org has no value (judged as "*")`}, why); diff != "" {
		t.Errorf("why (-want +got):\n%s", diff)
	}
	name, why := res.Placeholders.Resolve(attrString(t, r, "name"))
	if name != "ci-*" || len(why) != 1 || !strings.Contains(why[0], "data source data.terraform_remote_state.net.outputs is not known offline") {
		t.Errorf("name %q %v", name, why)
	}
}

// TestSyntaxErrors: HCL and JSON syntax errors name file and line; a
// .tf.json file is read like a .tf file.
func TestSyntaxErrors(t *testing.T) {
	res, _ := evalFiles(t, map[string]string{
		"a/main.tf":      "resource \"aws_iam_role\" \"x\" {\n  name = \n}\n",
		"b/main.tf.json": `{"resource": {"aws_iam_role": {"y": {"name": "from-json", "assume_role_policy": "{}"}}}}`,
		"c/main.tf.json": "{\n\"resource\": [\n",
	}, Options{})
	var got []string
	for _, p := range res.Errors {
		got = append(got, p.File+":"+string(rune('0'+p.Line)))
	}
	if diff := cmp.Diff([]string{"a/main.tf:2", "c/main.tf.json:3"}, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s\n%v", diff, res.Errors)
	}
	if r := byAddr(res)["aws_iam_role.y"]; r == nil || attrString(t, r, "name") != "from-json" {
		t.Errorf("the .tf.json role was not read: %v", res.Resources)
	}
}

// TestFileOutsideRepository: file() never reads outside the scanned root.
func TestFileOutsideRepository(t *testing.T) {
	res, _ := evalFiles(t, map[string]string{
		"main.tf": `resource "aws_iam_policy" "p" {
  name   = "p"
  policy = file("/etc/passwd")
}`,
	}, Options{})
	r := byAddr(res)["aws_iam_policy.p"]
	if v := r.Value.GetAttr("policy"); v.IsKnown() {
		t.Errorf("policy read from outside the repository")
	}
	if len(r.Assumptions) != 1 || !strings.Contains(r.Assumptions[0], "policy could not be evaluated offline") {
		t.Errorf("assumptions %v", r.Assumptions)
	}
}

// TestRunawayModules: a module that calls itself stops at the depth limit
// and at the bound on module instances, each an input problem; a variable
// file's syntax error never quotes the file's text.
func TestRunawayModules(t *testing.T) {
	res, _ := evalFiles(t, map[string]string{
		"root/main.tf": `module "loop" { source = "../loop" }`,
		"loop/main.tf": `
module "again" {
  source   = "../loop"
  for_each = toset(["a", "b"])
}
resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = "{}"
}
`,
		"root/terraform.tfvars": "password = \"hunter2\nother = 1\n",
	}, Options{})
	if len(res.Skipped) != 0 {
		t.Errorf("skipped %+v, want none: modules not read are input problems", res.Skipped)
	}
	if len(res.Resources) == 0 || len(res.Resources) > maxModuleInstances+1 {
		t.Errorf("%d resources", len(res.Resources))
	}
	// The module calling itself is cut at the depth limit and at the
	// bound on module instances (the run is incomplete either way); the
	// variable file's problem never quotes its value.
	if len(res.Errors) != 3 || res.Errors[0].File != "loop/main.tf" || !strings.Contains(res.Errors[0].Message, "nested more than") ||
		!strings.Contains(res.Errors[1].Message, "more than 4096 module instances") ||
		res.Errors[2].File != "root/terraform.tfvars" || strings.Contains(res.Errors[2].Message, "hunter2") {
		t.Errorf("errors %+v", res.Errors)
	}
}

// TestCallerIdentityAndPartition: the identity running Terraform is
// judged as its account's root, never as anyone; the partition as aws.
func TestCallerIdentityAndPartition(t *testing.T) {
	res, _ := evalFiles(t, map[string]string{
		"main.tf": `
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = jsonencode({ p = data.aws_caller_identity.current.arn, aud = "sts.${data.aws_partition.current.dns_suffix}", arn = "arn:${data.aws_partition.current.partition}:iam::x" })
}
`,
	}, Options{})
	doc, why := res.Placeholders.Resolve(attrString(t, byAddr(res)["aws_iam_role.r"], "assume_role_policy"))
	if doc != `{"arn":"arn:aws:iam::x","aud":"sts.amazonaws.com","p":"arn:aws:iam::*:root"}` {
		t.Errorf("document %s", doc)
	}
	if diff := cmp.Diff([]string{"the identity running Terraform (data.aws_caller_identity.current.arn) is not known offline; judged as its account's root"}, why); diff != "" {
		t.Errorf("why (-want +got):\n%s", diff)
	}
}

// TestPolicyDocumentUnknownArgument: a statement argument the data source
// does not take (Checkov's fixtures write "action") is invalid Terraform:
// an input error naming it and the likely spelling, reported once however
// many passes evaluate the document.
func TestPolicyDocumentUnknownArgument(t *testing.T) {
	dir := t.TempDir()
	src := `data "aws_iam_policy_document" "t" {
  statement {
    action = ["sts:AssumeRoleWithWebIdentity"]
  }
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Evaluate(context.Background(), dir, map[string][]string{dir: {filepath.Join(dir, "main.tf")}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 1 || res.Errors[0].Line != 3 || !strings.Contains(res.Errors[0].Message, `argument "action", which aws_iam_policy_document does not take (did you mean actions?)`) {
		t.Errorf("errors %+v, want one at line 3 naming action and actions", res.Errors)
	}
}

// TestTooManyInstances: instances beyond the limit are not judged, and
// the run says so (an input error: incomplete), never silently; the last
// instance could be the dangerous one.
func TestTooManyInstances(t *testing.T) {
	for _, tc := range []struct {
		name, tf  string
		instances int
		problem   bool
	}{
		{"count at the limit", `resource "aws_iam_role" "r" { count = 512 }`, maxInstances, false},
		{"count over the limit", `resource "aws_iam_role" "r" { count = 600 }`, maxInstances, true},
		{"for_each over the limit", `resource "aws_iam_role" "r" { for_each = toset([for i in range(600) : format("k%04d", i)]) }`, maxInstances, true},
		{"for_each at the limit", `resource "aws_iam_role" "r" { for_each = toset([for i in range(512) : tostring(i)]) }`, maxInstances, false},
		{"module for_each over the limit", `module "m" {
  source   = "./m"
  for_each = toset([for i in range(513) : tostring(i)])
}`, maxInstances, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, _ := evalFiles(t, map[string]string{
				"main.tf":   tc.tf,
				"m/main.tf": `resource "aws_iam_role" "r" {}`,
			}, Options{})
			n := 0
			for _, r := range res.Resources {
				if r.Root == "." {
					n++
				}
			}
			if n != tc.instances {
				t.Errorf("%d instances, want %d", n, tc.instances)
			}
			var got []string
			for _, p := range res.Errors {
				got = append(got, p.String())
			}
			want := []string(nil)
			if tc.problem {
				want = []string{"main.tf:1: "}
			}
			if len(got) != len(want) || tc.problem && (!strings.HasPrefix(got[0], want[0]) || !strings.Contains(got[0], "more than 512 instances; only the first 512 were judged")) {
				t.Errorf("errors %q, want one at main.tf:1 about the limit: %v", got, tc.problem)
			}
		})
	}
}

// TestModulesTooDeep: a module nested beyond the depth limit is not read,
// and the run says so (an input error: incomplete); what it would create
// could be the dangerous role.
func TestModulesTooDeep(t *testing.T) {
	for _, tc := range []struct {
		name    string
		depth   int
		problem bool
	}{
		{"at the limit", maxModuleDepth, false},
		{"beyond the limit", maxModuleDepth + 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{}
			for i := range tc.depth {
				files[fmt.Sprintf("m%d/main.tf", i)] = fmt.Sprintf(`module "n" { source = "../m%d" }`, i+1)
			}
			files[fmt.Sprintf("m%d/main.tf", tc.depth)] = `resource "aws_iam_role" "deep" { name = "deep" }`
			res, _ := evalFiles(t, files, Options{})
			found := len(byAddr(res)) == 1
			if found == tc.problem {
				t.Errorf("resources %v: the deepest role read = %v, want %v", byAddr(res), found, !tc.problem)
			}
			if tc.problem != (len(res.Errors) == 1) || tc.problem && (res.Errors[0].File != fmt.Sprintf("m%d/main.tf", maxModuleDepth) || !strings.Contains(res.Errors[0].Message, "nested more than 16 deep")) {
				t.Errorf("errors %+v", res.Errors)
			}
		})
	}
}

func TestIsOverride(t *testing.T) {
	for name, want := range map[string]bool{
		"override.tf": true, "x_override.tf": true, "override.tf.json": true, "db_override.tf.json": true,
		"main.tf": false, "overrides.tf": false, "override_db.tf": false,
	} {
		if IsOverride(name) != want {
			t.Errorf("IsOverride(%q) = %v, want %v", name, !want, want)
		}
	}
}
