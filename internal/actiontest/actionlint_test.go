package actiontest

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"gopkg.in/yaml.v3"
)

// lint runs actionlint (as a library, with its default rules, and
// shellcheck over the run: scripts when it is installed) over one workflow
// file's content.
func lint(t *testing.T, path string, content []byte) []*actionlint.Error {
	t.Helper()
	l, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{WorkingDir: repoRoot(t), Shellcheck: shellcheckPath(t)})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := l.Lint(path, content, nil)
	if err != nil {
		t.Fatalf("actionlint %s: %v", path, err)
	}
	return errs
}

func formatErrors(errs []*actionlint.Error) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "  %s:%d:%d: %s [%s]\n", e.Filepath, e.Line, e.Column, e.Message, e.Kind)
	}
	return b.String()
}

// TestActionlintWorkflows lints every workflow this repository ships. The
// dogfood workflow's `uses: ./` makes actionlint read action.yml too and
// check its inputs against the step's `with:`. The examples are linted
// where users put them, together in a repository's .github/workflows, so
// that a caller's `uses: ./.github/workflows/…` finds the reusable
// workflow it calls and its inputs are checked against it
// (scripts/actionlint-examples.sh does the same for make lint).
func TestActionlintWorkflows(t *testing.T) {
	installed := installExamples(t)
	for _, file := range workflowFiles(t) {
		rel, _ := filepath.Rel(repoRoot(t), file)
		t.Run(rel, func(t *testing.T) {
			content, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			path := file
			if p, ok := installed[file]; ok {
				path = p
			}
			if errs := lint(t, path, content); len(errs) > 0 {
				t.Errorf("actionlint found %d problems:\n%s", len(errs), formatErrors(errs))
			}
		})
	}
}

// installExamples copies the example workflows into a temporary
// repository's .github/workflows and maps each to its copy.
func installExamples(t *testing.T) map[string]string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), ".github", "workflows")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	examples, err := filepath.Glob(filepath.Join(repoRoot(t), "docs/examples/workflows/*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range examples {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, filepath.Base(file))
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
		m[file] = dst
	}
	return m
}

// TestActionlintCatchesMistakes proves the linter is awake: a workflow
// with an unknown input, a reference to a step output that does not exist
// and a type error must be rejected.
func TestActionlintCatchesMistakes(t *testing.T) {
	path := filepath.Join(repoRoot(t), "internal/actiontest/testdata/broken-workflow.yml")
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	errs := lint(t, path, content)
	for _, want := range []string{"role-to-asume", "undefined-step", "permission"} { //nolint:misspell // the broken workflow's deliberate typo
		found := false
		for _, e := range errs {
			if strings.Contains(e.Message, want) {
				found = true
			}
		}
		if !found {
			t.Errorf("actionlint did not report %q; it reported:\n%s", want, formatErrors(errs))
		}
	}
}

// actionMetadata is the part of action.yml the tests read.
type actionMetadata struct {
	Name   string `yaml:"name"`
	Inputs map[string]struct {
		Description string `yaml:"description"`
		Default     string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string           `yaml:"using"`
		Steps []map[string]any `yaml:"steps"`
	} `yaml:"runs"`
}

func readAction(t *testing.T) actionMetadata {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a actionMetadata
	if err := yaml.Unmarshal(b, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return a
}

// TestActionlintActionSteps lints the composite action's own steps.
// actionlint reads action metadata only to check a caller's `with:`, so
// the steps are wrapped in a reusable workflow whose inputs are the
// action's: expressions, step ids, the pinned setup-go's inputs and the
// `if:` conditions get the same checks as a workflow's.
func TestActionlintActionSteps(t *testing.T) {
	a := readAction(t)
	if a.Runs.Using != "composite" {
		t.Fatalf("action.yml runs.using = %q, want composite", a.Runs.Using)
	}
	inputs := map[string]any{}
	for name := range a.Inputs {
		inputs[name] = map[string]any{"type": "string", "required": false, "default": ""}
	}
	wf := map[string]any{
		"name":        "action.yml steps",
		"on":          map[string]any{"workflow_call": map[string]any{"inputs": inputs}},
		"permissions": map[string]any{"contents": "read"},
		"jobs": map[string]any{"action": map[string]any{
			"runs-on": "ubuntu-latest",
			"steps":   a.Runs.Steps,
		}},
	}
	content, err := yaml.Marshal(wf)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), ".github", "workflows", "action-steps.yml")
	if errs := lint(t, path, content); len(errs) > 0 {
		t.Errorf("actionlint found %d problems in action.yml's steps:\n%s\nas workflow:\n%s", len(errs), formatErrors(errs), content)
	}
}

var stepOutputRef = regexp.MustCompile(`steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)`)

// TestActionOutputsAndInputs checks what actionlint does not: every output
// maps a step of the action that exists, every input is documented, and
// every input reaches the scripts through env: only.
func TestActionOutputsAndInputs(t *testing.T) {
	a := readAction(t)
	ids := map[string]bool{}
	for _, st := range a.Runs.Steps {
		if id, ok := st["id"].(string); ok {
			ids[id] = true
		}
	}
	wantOutputs := []string{"critical", "high", "medium", "low", "info", "failed", "incomplete", "new",
		"report-json", "report-sarif", "report-markdown", "exit-code"}
	for _, name := range wantOutputs {
		if _, ok := a.Outputs[name]; !ok {
			t.Errorf("action.yml has no output %q", name)
		}
	}
	for name, o := range a.Outputs {
		m := stepOutputRef.FindStringSubmatch(o.Value)
		switch {
		case m == nil:
			t.Errorf("output %s: value %q maps no step output", name, o.Value)
		case !ids[m[1]]:
			t.Errorf("output %s: step %q does not exist (steps: %v)", name, m[1], ids)
		case o.Description == "":
			t.Errorf("output %s has no description", name)
		}
	}
	wantInputs := []string{"role-to-assume", "aws-region", "config", "mode", "fail-on", "comment",
		"sarif-file", "scope", "only", "skip", "github-token", "version", "verify-provenance"}
	for _, name := range wantInputs {
		in, ok := a.Inputs[name]
		if !ok {
			t.Errorf("action.yml has no input %q", name)
			continue
		}
		if in.Description == "" {
			t.Errorf("input %s has no description", name)
		}
	}
	if got := a.Inputs["github-token"].Default; got != "${{ github.token }}" {
		t.Errorf("github-token default = %q, want ${{ github.token }}", got)
	}
	if got := a.Inputs["verify-provenance"].Default; got != "true" {
		t.Errorf("verify-provenance default = %q, want true: a release binary's provenance is verified unless the workflow opts out", got)
	}
}

// TestNoExpressionsInScripts: a `${{ }}` inside `run:` is pasted into the
// script before bash parses it, so a branch name or an input could run
// commands (script injection). Values reach scripts through env: only, in
// action.yml and in every workflow.
func TestNoExpressionsInScripts(t *testing.T) {
	files := append([]string{filepath.Join(repoRoot(t), "action.yml")}, workflowFiles(t)...)
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := yaml.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		walkRuns(doc, func(script string) {
			if strings.Contains(script, "${{") {
				t.Errorf("%s: a run: script contains ${{ }}; pass the value through env: instead:\n%s", file, script)
			}
		})
	}
}

func walkRuns(v any, fn func(string)) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "run" {
				fn(s)
				continue
			}
			walkRuns(x, fn)
		}
	case []any:
		for _, x := range v {
			walkRuns(x, fn)
		}
	}
}

// TestReadmeWorkflow: the copy-paste workflow in the README lints clean
// and pins the same actions at the same SHAs as the example workflow.
func TestReadmeWorkflow(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "### In GitHub Actions")
	if !ok {
		t.Fatal("README.md has no \"### In GitHub Actions\" section")
	}
	_, rest, ok = strings.Cut(rest, "```yaml\n")
	block, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("the README's GitHub Actions section has no ```yaml block")
	}
	path := filepath.Join(t.TempDir(), ".github", "workflows", "readme.yml")
	if errs := lint(t, path, []byte(block)); len(errs) > 0 {
		t.Errorf("actionlint found %d problems in the README workflow:\n%s", len(errs), formatErrors(errs))
	}
	example, err := os.ReadFile(filepath.Join(repoRoot(t), "docs/examples/workflows/secretgate-pr.yml"))
	if err != nil {
		t.Fatal(err)
	}
	uses := func(s string) []string {
		var out []string
		for _, line := range strings.Split(s, "\n") {
			if m := usesLine.FindStringSubmatch(line); m != nil {
				out = append(out, m[1])
			}
		}
		return out
	}
	if got, want := uses(block), uses(string(example)); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("README workflow uses %v, the example %v", got, want)
	}
}

// shellcheckPath is the shellcheck on PATH, "" when there is none. CI
// installs it (.ci/run), so there a missing one fails the test.
func shellcheckPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("shellcheck")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("shellcheck is not on PATH and CI is set: .ci/run installs it (apt-get install shellcheck)")
		}
		t.Logf("shellcheck is not on PATH: run: scripts are not shellchecked")
		return ""
	}
	return p
}

// TestShellcheckScripts runs shellcheck over the action's entry point, the
// release build, the CI script and make's helper scripts (without
// shellcheck: skipped, unless CI is set).
func TestShellcheckScripts(t *testing.T) {
	sc := shellcheckPath(t)
	if sc == "" {
		t.Skip("shellcheck is not on PATH; CI runs this test")
	}
	for _, script := range []string{"scripts/action.sh", "scripts/release.sh", ".ci/run", "scripts/tools.sh", "scripts/race-pkgs.sh"} {
		out, code := run(t, repoRoot(t), nil, sc, "--shell=bash", script)
		if code != 0 {
			t.Errorf("shellcheck %s (exit %d):\n%s", script, code, out)
		}
	}
}
