package actiontest

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// usesLine matches a `uses:` line: the reference and the trailing comment.
var usesLine = regexp.MustCompile(`^\s*(?:-\s+)?uses:\s*([^\s#]+)\s*(?:#\s*(.*))?$`)

// pinned is owner/repo[/path]@ a full 40-character commit SHA.
var pinned = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[^@]+)?@[0-9a-f]{40}$`)

// TestActionsPinnedBySHA: tags move (in 2026 a popular scanner's action
// tags were repointed at malicious commits), commit SHAs do not. Every
// third-party action in action.yml and the workflows is pinned by its full
// SHA with the release it was taken from in a comment, so an update is a
// reviewable diff. Local actions (./) are the checked-out code itself.
//
// The one exception is secretgate itself in the examples users copy: no
// release exists yet to pin; the examples say to pin the release's commit.
func TestActionsPinnedBySHA(t *testing.T) {
	files := append([]string{filepath.Join(repoRoot(t), "action.yml")}, workflowFiles(t)...)
	seen := 0
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			m := usesLine.FindStringSubmatch(sc.Text())
			if m == nil {
				continue
			}
			seen++
			ref, comment := m[1], m[2]
			switch {
			case strings.HasPrefix(ref, "./"):
			case strings.HasPrefix(ref, "secretgate/secretgate@") && strings.Contains(file, "docs/examples/workflows"):
			case !pinned.MatchString(ref):
				t.Errorf("%s:%d: %s is not pinned by a full commit SHA", file, n, ref)
			case !regexp.MustCompile(`^v\d+(\.\d+)*`).MatchString(comment):
				t.Errorf("%s:%d: %s has no `# vX.Y.Z` comment naming the release", file, n, ref)
			}
		}
		f.Close()
	}
	if seen < 8 {
		t.Fatalf("found only %d uses: lines; the pattern is broken", seen)
	}
}

// TestSamePinEverywhere: one action, one SHA across all files, so an
// update cannot leave a stale copy behind.
func TestSamePinEverywhere(t *testing.T) {
	files := append([]string{filepath.Join(repoRoot(t), "action.yml")}, workflowFiles(t)...)
	sha := map[string]string{}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			m := usesLine.FindStringSubmatch(line)
			if m == nil || !pinned.MatchString(m[1]) {
				continue
			}
			action, ref, _ := strings.Cut(m[1], "@")
			repo := strings.Join(strings.SplitN(action, "/", 3)[:2], "/")
			if prev, ok := sha[repo]; ok && prev != ref {
				t.Errorf("%s: %s pinned at %s here and at %s elsewhere", file, repo, ref, prev)
			}
			sha[repo] = ref
		}
	}
}
