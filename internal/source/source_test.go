package source

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/secretgate/secretgate/internal/result"
)

// fixture copies testdata/repo into a temporary directory and adds the
// files that cannot be committed comfortably: binary, non-UTF-8, oversized
// and symbolic links.
func fixture(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	err := filepath.WalkDir(filepath.Join("testdata", "repo"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(filepath.Join("testdata", "repo"), p)
		dst := filepath.Join(root, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	policy := []byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`)
	write := func(rel string, data []byte) {
		t.Helper()
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Never read: tool directories and excluded paths.
	write(".git/hooks/policy.json", policy)
	write("vendor/github.com/x/policy.json", policy)
	write("infra/.terraform/modules/m/policy.json", policy)
	write("generated/policy.json", policy)
	write("iam/old/admin.skip.json", policy)
	write("docs/readme.md", policy) // not a candidate extension
	// Skipped and counted.
	write("assets/logo.json", append([]byte("{\"a\": \""), 0, 1, 2, '"', '}'))
	write("legacy/latin1.yaml", []byte("name: caf\xe9\n"))
	write("data/huge.json", append(append([]byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Sid": "`), bytes.Repeat([]byte("x"), 300<<10)...), []byte(`"}]}`)...))
	write("data/blob.json", append(append([]byte(`{"values": "`), bytes.Repeat([]byte("y"), 300<<10)...), []byte(`"}`)...))
	// The same policy as data/huge.json, in UTF-16LE with its mark.
	huge16 := []byte{0xff, 0xfe}
	for _, c := range append(append([]byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Sid": "`), bytes.Repeat([]byte("x"), 150<<10)...), []byte(`"}]}`)...) {
		huge16 = append(huge16, c, 0)
	}
	write("data/huge16.json", huge16)
	// Symbolic links: one inside the repository (read), one leaving it
	// (skipped), one to a directory outside (not followed).
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "policy.json"), policy, 0o644); err != nil {
		t.Fatal(err)
	}
	must(t, os.MkdirAll(filepath.Join(root, "links"), 0o755))
	must(t, os.Symlink(filepath.Join(root, "iam", "prod-reader-policy.json"), filepath.Join(root, "links", "reader.json")))
	must(t, os.Symlink(filepath.Join(outside, "policy.json"), filepath.Join(root, "links", "escape.json")))
	must(t, os.Symlink(outside, filepath.Join(root, "links", "outside-dir")))
	must(t, os.Symlink(filepath.Join(root, "missing.json"), filepath.Join(root, "links", "dangling.json")))
	return root
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var testOptions = Options{Exclude: []string{"generated/**", "*.skip.json"}, MaxFileBytes: 256 << 10}

func TestScan(t *testing.T) {
	root := fixture(t)
	res, err := Scan(context.Background(), root, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	diffProblems(t, "errors", []result.InputProblem{
		{File: "broken/bad-indent.yaml", Line: 7, Message: "did not find expected key"},
		{File: "broken/both-actions.yaml", Line: 13, Message: "BadRole: AssumeRolePolicyDocument: Statement[0] has both Action and NotAction (column 13)"},
		{File: "broken/statement-number.json", Line: 3, Message: "Statement must be an object or a list of objects, found a number (column 16)"},
		{File: "broken/truncated.json", Line: 7, Message: `invalid character '"' after object key:value pair (column 7)`},
		{File: "data/huge.json", Message: "file is 300.1 KiB, over the 256.0 KiB limit, and looks like a template, plan, policy or snapshot: it was not judged (raise max_file_size in .secretgate.yml, or exclude the file)"},
		{File: "data/huge16.json", Message: "file is 300.2 KiB, over the 256.0 KiB limit, and looks like a template, plan, policy or snapshot: it was not judged (raise max_file_size in .secretgate.yml, or exclude the file)"},
		{File: "legacy/latin1.yaml", Line: 1, Message: "not UTF-8 text (not valid UTF-8): save it as UTF-8 (or UTF-16 or UTF-32 with a byte-order mark), or exclude it; it looks like text, so it could be a policy, template or plan that would go unjudged"},
		{File: "terraform/plan.json", Line: 59, Message: "aws_iam_role.later: assume_role_policy is not known until apply, so it could not be judged (check the applied state: terraform show -json, or an inventory snapshot)"},
	}, res.Errors)
	diffProblems(t, "skipped", []result.InputProblem{
		{File: "assets/logo.json", Message: "binary file (NUL byte in the first 8 KiB), not read"},
		{File: "data/blob.json", Message: "file is 300.0 KiB, over the 256.0 KiB limit"},
		{File: "helm/templates/secret.yaml", Message: "contains template markup ({{ … }}), not parsed"},
		{File: "links/escape.json", Message: "symbolic link to a file outside the repository, not followed"},
	}, res.Skipped)

	wantKinds := map[Kind]int{KindCloudFormation: 3, KindIAMAPI: 2, KindIAMPolicy: 6, KindInventory: 1, KindTerraform: 1}
	if diff := cmp.Diff(wantKinds, res.Kinds); diff != "" {
		t.Errorf("kinds (-want +got):\n%s", diff)
	}
	// broken/statement-number.json and broken/both-actions.yaml are of a
	// known kind; the two that do not parse are in Errors only.
	if res.Files != 13 {
		t.Errorf("Files = %d, want 13", res.Files)
	}

	var roles, policies, secrets []string
	for _, r := range res.Roles {
		roles = append(roles, r.ID+"@"+r.File+":"+itoa(r.Line))
	}
	for _, p := range res.Policies {
		policies = append(policies, p.ID+"@"+p.File+":"+itoa(p.Line))
	}
	for _, s := range res.Secrets {
		secrets = append(secrets, s.ID+"@"+s.File+":"+itoa(s.Line))
	}
	wantRoles := []string{
		"broken/both-actions.yaml#BadRole@broken/both-actions.yaml:7",
		"cloudformation/orders.template#ReaderRole@cloudformation/orders.template:15",
		"cloudformation/payments.yaml#DeployRole@cloudformation/payments.yaml:55",
		// Behind IsDev, false with Environment's default (prod) but not
		// for the other AllowedValues: a default decides no condition.
		"cloudformation/payments.yaml#DevSandboxRole@cloudformation/payments.yaml:118",
		"arn:aws:iam::123456789012:role/staging-orders-reader@iam/api/authorization-details.json:5",
		"arn:aws:iam::123456789012:role/service/prod-batch@iam/api/get-role-prod-batch.json:2",
		"iam/github-deploy-trust.json@iam/github-deploy-trust.json:1",
		"iam/legacy-ec2-trust.json@iam/legacy-ec2-trust.json:1",
		"arn:aws:iam::123456789012:role/ci/prod-payments-deploy@inventory/account-snapshot.json:54",
		"terraform/plan.json#aws_iam_role.deploy@terraform/plan.json:28",
		"terraform/plan.json#aws_iam_role.later@terraform/plan.json:59",
	}
	wantPolicies := []string{
		"cloudformation/orders.template#ReaderPolicy@cloudformation/orders.template:29",
		"cloudformation/payments.yaml#DeployRole#inline/read-own-secrets@cloudformation/payments.yaml:75",
		"cloudformation/payments.yaml#AuditPolicy@cloudformation/payments.yaml:89",
		// Its Effect is !If [IsProd, Deny, Allow]: both branches.
		"cloudformation/payments.yaml#OpsPolicy[IsProd=true]@cloudformation/payments.yaml:100",
		"cloudformation/payments.yaml#OpsPolicy[IsProd=false]@cloudformation/payments.yaml:100",
		"arn:aws:iam::123456789012:policy/orders-kms@iam/api/authorization-details.json:39",
		"arn:aws:iam::123456789012:role/staging-orders-reader#inline/read-db@iam/api/authorization-details.json:14",
		"iam/api/encoded-string-policy.json@iam/api/encoded-string-policy.json:1",
		"iam/prod-reader-policy.json@iam/prod-reader-policy.json:1",
		"arn:aws:iam::123456789012:policy/payments-readers@inventory/account-snapshot.json:98",
		"arn:aws:iam::123456789012:role/ci/prod-payments-deploy#inline/read-api@inventory/account-snapshot.json:77",
		"links/reader.json@links/reader.json:1",
		"terraform/plan.json#aws_iam_policy.readers@terraform/plan.json:12",
		"terraform/plan.json#aws_iam_role.deploy#inline/read-api@terraform/plan.json:40",
		"terraform/plan.json#aws_iam_role_policy.extra@terraform/plan.json:77",
	}
	wantSecrets := []string{
		"broken/both-actions.yaml#GoodSecret@broken/both-actions.yaml:3",
		"cloudformation/orders.template#DbSecret@cloudformation/orders.template:46",
		"cloudformation/payments.yaml#ApiKeySecret@cloudformation/payments.yaml:26",
		"cloudformation/payments.yaml#DbPasswordSecret@cloudformation/payments.yaml:41",
		"arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/payments/api-AbCdEf@inventory/account-snapshot.json:7",
		"arn:aws:secretsmanager:us-east-1:123456789012:secret:staging/payments/db-XyZ123@inventory/account-snapshot.json:35",
		"terraform/plan.json#module.db.aws_secretsmanager_secret.this@terraform/plan.json:107",
		`terraform/plan.json#module.db.module.legacy["a"].aws_secretsmanager_secret.legacy[0]@terraform/plan.json:156`,
	}
	if diff := cmp.Diff(wantRoles, roles); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantPolicies, policies); diff != "" {
		t.Errorf("policies (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantSecrets, secrets); diff != "" {
		t.Errorf("secrets (-want +got):\n%s", diff)
	}

	// Lists encode as [], never null, so rules can iterate them.
	js, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{`"policy_ids":null`, `"role_ids":null`} {
		if strings.Contains(string(js), bad) {
			t.Errorf("facts contain %s", bad)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestScanDeterministic(t *testing.T) {
	root := fixture(t)
	first, err := Scan(context.Background(), root, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		again, err := Scan(context.Background(), root, testOptions)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(first, again); diff != "" {
			t.Fatalf("scans differ (-first +again):\n%s", diff)
		}
	}
}

func TestScanRootErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f.json")
	must(t, os.WriteFile(file, []byte("{}"), 0o644))
	tests := []struct {
		name, root string
		opts       Options
		want       string
	}{
		{"missing", filepath.Join(dir, "nope"), Options{}, "does not exist"},
		{"file", file, Options{}, "is not a directory"},
		{"bad glob", dir, Options{Exclude: []string{"[oops"}}, `invalid exclude pattern "[oops"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Scan(context.Background(), tt.root, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestScanCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Scan(ctx, fixture(t), Options{}); err == nil {
		t.Error("want the context's error")
	}
}

func TestScanNoLimit(t *testing.T) {
	root := fixture(t)
	res, err := Scan(context.Background(), root, Options{MaxFileBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Skipped {
		if s.File == "data/huge.json" {
			t.Errorf("a negative limit must read every file: %v", s)
		}
	}
	// Without excludes, the generated and *.skip.json policies are read.
	var ids []string
	for _, p := range res.Policies {
		if strings.HasPrefix(p.ID, "generated/") || strings.HasSuffix(p.ID, ".skip.json") || p.ID == "data/huge.json" {
			ids = append(ids, p.ID)
		}
	}
	if diff := cmp.Diff([]string{"data/huge.json", "generated/policy.json", "iam/old/admin.skip.json"}, ids); diff != "" {
		t.Errorf("policies (-want +got):\n%s", diff)
	}
}

func TestParseFileIgnoresOtherFiles(t *testing.T) {
	tests := map[string]string{
		"package.json":             `{"name": "x", "version": "1.0.0"}`,
		"tsconfig.json":            "{\n  // comment\n  \"compilerOptions\": {\"strict\": true,},\n}",
		"empty.json":               "  \n",
		"workflow.yml":             "on: push\njobs: {}\n",
		"k8s.yaml":                 "apiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nkind: Secret\n",
		"other.template":           "Hello {{name}}, this is not JSON: [",
		"statement-in-text.json":   `{"Statement": "a press statement", "author": "x"}`,
		"resources.yaml":           "Resources:\n  Thing: {Type: Custom::Thing}\n",
		"list.json":                `[{"Version": "2012-10-17"}]`,
		"string.json":              `"just a string"`,
		"format_version.json":      `{"format_version": "1.0"}`,
		"inventory-like.yaml":      "schema: secretgate/inventory/v1\n",
		"commented-statement.json": "{\n // note\n \"Statement\": \"x\"\n}",
	}
	for name, src := range tests {
		t.Run(name, func(t *testing.T) {
			r := parseFile(name, []byte(src))
			if r.kind != KindUnknown || len(r.errs) > 0 || r.skip != nil || len(r.roles)+len(r.policies)+len(r.secrets) > 0 {
				t.Errorf("want the file ignored, got %+v", r)
			}
		})
	}
}

func TestParseFileJSONCOfAKnownKindIsAnError(t *testing.T) {
	// IAM rejects comments: a policy written with them is malformed.
	src := "{\n  // read-only\n  \"Version\": \"2012-10-17\",\n  \"Statement\": []\n}\n"
	r := parseFile("p.json", []byte(src))
	diffProblems(t, "errors", []result.InputProblem{{File: "p.json", Line: 2, Message: "invalid character '/' looking for beginning of object key string (column 3)"}}, r.errs)
}

func TestParseFileByteOrderMark(t *testing.T) {
	r := parseFile("p.json", []byte("\xEF\xBB\xBF{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}}"))
	wantNoProblems(t, r)
	if len(r.policies) != 1 {
		t.Errorf("policies = %+v", r.policies)
	}
}

func TestExcluded(t *testing.T) {
	w := &walker{opts: Options{Exclude: []string{"test/**", "*.gen.json", "infra/*/plan.json", "**/fixtures"}}}
	tests := map[string]bool{
		"test":                   true,
		"test/a/b.json":          true,
		"a/test/b.json":          false,
		"x.gen.json":             true,
		"deep/dir/x.gen.json":    true, // no slash: base name at any depth
		"infra/prod/plan.json":   true,
		"infra/prod/x/plan.json": false,
		"a/b/fixtures":           true,
		"policy.json":            false,
	}
	for p, want := range tests {
		if got := w.excluded(p); got != want {
			t.Errorf("excluded(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestOversizedKnownKindIsAnError(t *testing.T) {
	root := t.TempDir()
	big := `{"format_version": "1.2", "planned_values": {"root_module": {}}, "pad": "` + strings.Repeat("x", 4096) + `"}`
	if err := os.WriteFile(filepath.Join(root, "plan.json"), []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "data.json"), []byte(`{"pad": "`+strings.Repeat("y", 4096)+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Scan(context.Background(), root, Options{MaxFileBytes: 1024})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 1 || res.Errors[0].File != "plan.json" || !strings.Contains(res.Errors[0].Message, "max_file_size") {
		t.Errorf("errors %+v", res.Errors)
	}
	if len(res.Skipped) != 1 || res.Skipped[0].File != "data.json" {
		t.Errorf("skipped %+v", res.Skipped)
	}
}
