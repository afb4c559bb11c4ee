package source

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/secretgate/secretgate/internal/doctree"
)

// checkResult asserts what must hold for any input: facts point into the
// file, IDs are unique, parser errors have a line.
func checkResult(t *testing.T, rel string, r fileResult, needLines bool) {
	t.Helper()
	ids := map[string]bool{}
	seen := func(kind, id string, file string, line int) {
		if ids[kind+id] {
			t.Fatalf("duplicate %s id %q", kind, id)
		}
		ids[kind+id] = true
		if file != rel || line < 1 {
			t.Fatalf("%s %q at %s:%d, want a line of %s", kind, id, file, line, rel)
		}
	}
	for _, x := range r.roles {
		seen("role", x.ID, x.File, x.Line)
		if x.PolicyIDs == nil {
			t.Fatalf("role %q has nil PolicyIDs", x.ID)
		}
	}
	for _, x := range r.policies {
		seen("policy", x.ID, x.File, x.Line)
		if x.RoleIDs == nil {
			t.Fatalf("policy %q has nil RoleIDs", x.ID)
		}
	}
	for _, x := range r.secrets {
		seen("secret", x.ID, x.File, x.Line)
	}
	for _, e := range r.errs {
		if e.File != rel || e.Message == "" || (needLines && e.Line < 1) {
			t.Fatalf("error without file, line or reason: %+v", e)
		}
	}
}

func addFiles(f *testing.F, pattern string, extra ...any) {
	files, err := filepath.Glob(filepath.Join("testdata", "repo", pattern))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(append([]any{data}, extra...)...)
	}
}

// FuzzCloudFormation feeds templates, in YAML or JSON, to the
// CloudFormation parser (and its intrinsic function resolver).
func FuzzCloudFormation(f *testing.F) {
	addFiles(f, "cloudformation/*.yaml", true)
	addFiles(f, "cloudformation/*.template", false)
	addFiles(f, "broken/*.yaml", true)
	f.Add([]byte("Resources:\n  A: {Type: AWS::IAM::Role, Properties: {RoleName: !Sub '${A}${!B}${AWS::NoValue}', ManagedPolicyArns: !Split [',', 'a,b']}}\n"), true)
	f.Add([]byte(`{"Conditions":{"C":{"Fn::And":[{"Condition":"C"}]}},"Resources":{"S":{"Type":"AWS::SecretsManager::Secret","Condition":"C","Properties":{"Name":{"Fn::If":["C",{"Ref":"AWS::NoValue"},"x"]}}}}}`), false)
	f.Fuzz(func(t *testing.T, data []byte, asYAML bool) {
		var docs []*doctree.Node
		if asYAML {
			var err error
			if docs, err = doctree.ParseYAML(data, cfnShortTag); err != nil {
				return
			}
		} else {
			n, err := doctree.ParseJSON(data)
			if err != nil {
				return
			}
			docs = []*doctree.Node{n}
		}
		for _, d := range docs {
			if d.Kind != doctree.Object {
				continue
			}
			r := parseCloudFormation("t.yaml", d, parseOptions{})
			checkResult(t, "t.yaml", r, true)
		}
	})
}

// FuzzTerraform feeds terraform show -json output to the plan parser.
func FuzzTerraform(f *testing.F) {
	addFiles(f, "terraform/*.json")
	f.Add([]byte(`{"format_version":"1.2","resource_changes":[{"address":"aws_iam_role.r","type":"aws_iam_role","name":"r","change":{"actions":["create"],"after":{"assume_role_policy":"%7B%7D"},"after_unknown":{"name":true}}}]}`))
	f.Add([]byte(`{"format_version":"1.0","values":{"root_module":{"child_modules":[{"address":"module.a[\"x\"]","resources":[{"address":"module.a[\"x\"].aws_secretsmanager_secret_rotation.r","type":"aws_secretsmanager_secret_rotation","name":"r","values":{"rotation_rules":[{"automatically_after_days":"x"}]}}]}]}}}`))
	f.Add([]byte(dataDocPlan))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := doctree.ParseJSON(data)
		if err != nil || n.Kind != doctree.Object {
			return
		}
		r := parseTerraform("plan.json", n)
		checkResult(t, "plan.json", r, true)
	})
}

// FuzzParseFile runs whole-file recognition and every parser behind it
// (IAM documents plain and URL-encoded, IAM API responses, snapshots) on
// arbitrary content, without the safety net of parseFile's recover.
func FuzzParseFile(f *testing.F) {
	addFiles(f, "iam/*.json", ".json")
	addFiles(f, "iam/api/*.json", ".json")
	addFiles(f, "inventory/*.json", ".json")
	addFiles(f, "broken/*.json", ".json")
	f.Add([]byte("%7B%22Statement%22%3A%5B%5D%7D"), ".json")
	f.Add([]byte("{\n// c\n\"a\": 1,}"), ".json")
	f.Add([]byte("{{ .Values }}"), ".yaml")
	f.Add([]byte(`{"Statement": "x"`), ".template")
	f.Fuzz(func(t *testing.T, data []byte, ext string) {
		if len(ext) > 12 {
			return
		}
		rel := "f" + ext
		r := parseContent(rel, data)
		checkResult(t, rel, r, true)
	})
}
