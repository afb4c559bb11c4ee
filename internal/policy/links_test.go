package policy

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// repoPath finds a path into this repository's tree (docs/…, policies/…)
// that is not part of a URL: such a path means nothing to a user reading a
// finding in a pull request or in their own repository.
var repoPath = regexp.MustCompile(`(^|[^/\w.-])((docs|policies|internal|cmd)/[\w./#-]+)`)

// publishedDocs is where the project's documentation is published.
const publishedDocs = "https://github.com/secretgate/secretgate/blob/main/docs/"

// bareRepoPaths returns the repository paths s names outside a URL.
func bareRepoPaths(s string) []string {
	var out []string
	for _, m := range repoPath.FindAllStringSubmatch(s, -1) {
		out = append(out, m[2])
	}
	return out
}

func TestBareRepoPaths(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"Rotate now, following docs/runbooks/SECRET_ROTATION.md.", 1},
		{"see (docs/trust.md#x)", 1},
		{"Rotate now, following " + publishedDocs + "runbooks/SECRET_ROTATION.md.", 0},
		{"Scope it to secret:prod/*.", 0},
		{"a file such as mydocs/x.md", 0},
	}
	for _, tt := range tests {
		if got := bareRepoPaths(tt.text); len(got) != tt.want {
			t.Errorf("bareRepoPaths(%q) = %v, want %d", tt.text, got, tt.want)
		}
	}
}

// Every built-in rule's remediation, description and documentation link,
// and every string a built-in policy can put into a finding, points at the
// published documentation, never at a path of this repository.
func TestBuiltinTextsLinkPublishedDocs(t *testing.T) {
	eng, err := Load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range eng.Catalog() {
		for field, text := range map[string]string{"remediation": r.Remediation, "description": r.Description, "docs_url": r.DocsURL} {
			if p := bareRepoPaths(text); len(p) > 0 {
				t.Errorf("%s: %s names repository path %v; link %s… instead", r.ID, field, p, publishedDocs)
			}
		}
		if !strings.HasPrefix(r.DocsURL, "https://github.com/secretgate/secretgate/blob/main/docs/") {
			t.Errorf("%s: docs_url %q is not the published documentation", r.ID, r.DocsURL)
		}
		if strings.Contains(r.Remediation, "docs/") && !strings.Contains(r.Remediation, publishedDocs) {
			t.Errorf("%s: remediation %q mentions docs/ without the published location", r.ID, r.Remediation)
		}
	}
	srcs, err := BuiltinSources(false)
	if err != nil {
		t.Fatal(err)
	}
	mods, err := Parse(srcs)
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range mods {
		ast.WalkTerms(m, func(term *ast.Term) bool {
			s, ok := term.Value.(ast.String)
			if !ok {
				return false
			}
			if p := bareRepoPaths(string(s)); len(p) > 0 && !isExampleFileName(string(s)) {
				t.Errorf("%s:%d: string %q names repository path %v", name, term.Location.Row, string(s), p)
			}
			return false
		})
	}
}

// isExampleFileName reports whether s is a whole file name used as data
// (a path the leak rules match against), not a message.
func isExampleFileName(s string) bool { return !strings.Contains(s, " ") }
