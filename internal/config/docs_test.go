package config

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const docsPath = "../../docs/configuration.md"

func readDocs(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDocsNameEveryKey: docs/configuration.md mentions every key the loader
// knows.
func TestDocsNameEveryKey(t *testing.T) {
	docs := readDocs(t)
	for _, keys := range [][]string{topKeys, environmentKeys, namingKeys, environmentFromKeys,
		githubKeys, credentialKeys, waiverKeys, awsKeys, organizationKeys} {
		for _, k := range keys {
			if !strings.Contains(docs, "`"+k+"`") && !strings.Contains(docs, "`{"+k+":") {
				t.Errorf("%s does not document key %q", docsPath, k)
			}
		}
	}
}

// TestDocsShowTheDefaults: the defaults shown are testdata/valid/defaults.yml,
// which TestExplicitDefaults proves equal to Default().
func TestDocsShowTheDefaults(t *testing.T) {
	b, err := os.ReadFile("testdata/valid/defaults.yml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(readDocs(t), "```yaml\n"+string(b)+"```\n") {
		t.Errorf("%s does not show testdata/valid/defaults.yml verbatim in a yaml block; copy it over", docsPath)
	}
}

// TestDocsShowRealErrors: the error examples are what the loader prints.
func TestDocsShowRealErrors(t *testing.T) {
	docs := readDocs(t)
	b, err := os.ReadFile("testdata/invalid/many-problems.err")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.ReplaceAll(string(b), "testdata/invalid/many-problems.yml", FileName)
	if !strings.Contains(docs, "```text\n"+want+"```") {
		t.Errorf("%s: the Errors example is not testdata/invalid/many-problems.err; copy it over:\n%s", docsPath, want)
	}
}

var yamlBlockRE = regexp.MustCompile("(?m)^( *)```yaml\n((?:.*\n)*?) *```$")

// TestDocsExamplesAreValid: every yaml block of docs/configuration.md loads
// and passes the schema.
func TestDocsExamplesAreValid(t *testing.T) {
	sch := compileSchema(t)
	blocks := yamlBlockRE.FindAllStringSubmatch(readDocs(t), -1)
	if len(blocks) < 10 {
		t.Fatalf("found only %d yaml blocks in %s", len(blocks), docsPath)
	}
	for i, m := range blocks {
		indent, text := m[1], m[2]
		var lines []string
		for _, l := range strings.SplitAfter(text, "\n") {
			lines = append(lines, strings.TrimPrefix(l, indent))
		}
		text = strings.Join(lines, "")
		dir := t.TempDir()
		// Create the policy directories and the parameters file the
		// example names.
		var v struct {
			Policies   []string `yaml:"policies"`
			Parameters string   `yaml:"cloudformation_parameters"`
			VarFiles   []string `yaml:"terraform_var_files"`
		}
		_ = yaml.Unmarshal([]byte(text), &v)
		for _, p := range v.Policies {
			if err := os.MkdirAll(filepath.Join(dir, "cfg", p), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		for _, f := range append(v.VarFiles, v.Parameters) {
			if f == "" {
				continue
			}
			params := filepath.Join(dir, "cfg", f)
			if err := os.MkdirAll(filepath.Dir(params), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(params, []byte("{}"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		path := filepath.Join(dir, "cfg", FileName)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(path); err != nil {
			t.Errorf("yaml block %d does not load:\n%s\n%v", i+1, text, err)
			continue
		}
		inst, err := yamlToJSON([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("yaml block %d fails the schema:\n%s\n%v", i+1, text, err)
		}
	}
}
