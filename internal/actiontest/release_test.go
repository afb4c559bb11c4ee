package actiontest

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// releaseWorkflow is the part of release.yml the test reads.
type releaseWorkflow struct {
	Permissions map[string]string `yaml:"permissions"`
	Jobs        map[string]struct {
		Needs       any               `yaml:"needs"`
		Permissions map[string]string `yaml:"permissions"`
		Steps       []struct {
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

// installsOrTests matches a run: script that installs tools or runs the
// tests and builds: what must never run next to a token that can write.
var installsOrTests = regexp.MustCompile(`\.ci/run|\bmake\b|\bgo\s|apt-get|\bpip\b|\bnpm\b|\bcurl\b|scripts/`)

// TestReleaseWorkflowSeparatesDuties: the release workflow tests, builds
// and publishes in separate jobs. Only publish can write (the release, the
// OIDC token for Sigstore, the attestations); it checks nothing out and
// installs or tests nothing, it attests every asset the build job uploaded
// before creating the release. The attestations' signer is the workflow
// the action verifies (scripts/action.sh's release_workflow).
func TestReleaseWorkflowSeparatesDuties(t *testing.T) {
	root := repoRoot(t)
	b, err := os.ReadFile(filepath.Join(root, ".github/workflows/release.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf releaseWorkflow
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatalf("release.yml: %v", err)
	}
	if len(wf.Permissions) != 0 {
		t.Errorf("workflow-level permissions = %v, want {} (each job asks for its own)", wf.Permissions)
	}
	if got := slices.Sorted(maps.Keys(wf.Jobs)); !slices.Equal(got, []string{"build", "publish", "test"}) {
		t.Fatalf("jobs = %v, want build, publish, test", got)
	}
	wantPerms := map[string]map[string]string{
		"test":    {"contents": "read"},
		"build":   {"contents": "read"},
		"publish": {"contents": "write", "id-token": "write", "attestations": "write"},
	}
	wantNeeds := map[string]string{"build": "test", "publish": "build"}
	for name, job := range wf.Jobs {
		if !maps.Equal(job.Permissions, wantPerms[name]) {
			t.Errorf("job %s: permissions %v, want %v", name, job.Permissions, wantPerms[name])
		}
		if needs, _ := job.Needs.(string); needs != wantNeeds[name] {
			t.Errorf("job %s: needs %v, want %q", name, job.Needs, wantNeeds[name])
		}
	}

	runs := func(job string) string {
		var s []string
		for _, st := range wf.Jobs[job].Steps {
			s = append(s, st.Run)
		}
		return strings.Join(s, "\n")
	}
	if !strings.Contains(runs("test"), ".ci/run") {
		t.Errorf("the test job does not run .ci/run:\n%s", runs("test"))
	}
	if strings.Contains(runs("build"), ".ci/run") || !strings.Contains(runs("build"), "scripts/release.sh") {
		t.Errorf("the build job must run scripts/release.sh and not the test suite:\n%s", runs("build"))
	}

	// publish: download, attest, release; nothing else.
	var uses []string
	var attestPath, downloadName, downloadPath string
	for _, st := range wf.Jobs["publish"].Steps {
		if st.Run != "" && installsOrTests.MatchString(st.Run) {
			t.Errorf("the publish job (contents: write) runs %q: no tool installation, test or build next to a write token", st.Run)
		}
		if st.Uses == "" {
			uses = append(uses, "run: "+strings.Fields(st.Run)[0])
			continue
		}
		action, _, _ := strings.Cut(st.Uses, "@")
		uses = append(uses, action)
		switch action {
		case "actions/attest-build-provenance":
			attestPath = st.With["subject-path"]
		case "actions/download-artifact":
			downloadName, downloadPath = st.With["name"], st.With["path"]
		}
	}
	wantUses := []string{"actions/download-artifact", "actions/attest-build-provenance", "run: gh"}
	if !slices.Equal(uses, wantUses) {
		t.Errorf("publish steps = %v, want %v (no checkout, no setup, attest before publishing)", uses, wantUses)
	}
	if downloadPath == "" || attestPath != downloadPath+"/*" || !strings.Contains(runs("publish"), downloadPath+"/*") {
		t.Errorf("publish downloads to %q, attests %q and publishes %q: every published asset must be attested",
			downloadPath, attestPath, runs("publish"))
	}
	uploaded := ""
	for _, st := range wf.Jobs["build"].Steps {
		if strings.HasPrefix(st.Uses, "actions/upload-artifact@") {
			uploaded = st.With["name"]
			if p := strings.TrimSuffix(st.With["path"], "/"); p != "dist" {
				t.Errorf("build uploads %q, want dist (release.sh's output)", st.With["path"])
			}
		}
	}
	if uploaded == "" || uploaded != downloadName {
		t.Errorf("build uploads artifact %q, publish downloads %q", uploaded, downloadName)
	}

	script, err := os.ReadFile(filepath.Join(root, "scripts/action.sh"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(script), "\nrelease_workflow=.github/workflows/release.yml\n") {
		t.Errorf("scripts/action.sh does not verify against .github/workflows/release.yml, the workflow that attests")
	}
}
