package cli

import (
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/prcomment/prcommenttest"
	"github.com/secretgate/secretgate/internal/report"
	"github.com/secretgate/secretgate/internal/result"
)

// TestCommentAuthorFlag: --comment-author names the only account whose
// marker comment is edited; github-actions[bot]'s is then left alone and a
// new comment is created. A value that is not a login is a usage error
// (exit 2) before any API call.
func TestCommentAuthorFlag(t *testing.T) {
	tests := []struct {
		name      string
		author    string
		wantCode  int
		wantEdits int
		wantCalls bool
	}{
		{"default reuses github-actions", "", 0, 1, true},
		{"app login leaves github-actions alone", "secretgate-app[bot]", 0, 0, true},
		{"explicit github-actions", "github-actions[bot]", 0, 1, true},
		{"not a login", "evil/../x", result.ExitUsage, 0, false},
		{"newline", "a\nb", result.ExitUsage, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gh := prcommenttest.New("", commentToken)
			defer gh.Close()
			planted := gh.Seed(commentRepo, 12, prcommenttest.Comment{Body: report.Marker + "\nold", User: "github-actions[bot]", UserType: "Bot"})
			rep := commentReport(t, t.TempDir(), 12, hostileFinding("config/a.env"))
			args := []string{"--report", rep, "--pr", "12", "--comment", "always"}
			if tc.author != "" {
				args = append(args, "--comment-author", tc.author)
			}
			r := runCommentCmd(t, commentEnv(gh), args...)
			if r.code != tc.wantCode {
				t.Fatalf("exit %d, want %d: %s", r.code, tc.wantCode, r.stderr)
			}
			if got := len(gh.CallsOf("PATCH")); got != tc.wantEdits {
				t.Errorf("%d edits, want %d", got, tc.wantEdits)
			}
			if made := len(gh.Calls()) > 0; made != tc.wantCalls {
				t.Errorf("API called = %v, want %v", made, tc.wantCalls)
			}
			if tc.wantCode == 0 && tc.wantEdits == 0 {
				cs := gh.Comments(commentRepo, 12)
				if len(cs) != 2 || cs[0].ID != planted || !strings.HasSuffix(cs[0].Body, "\nold") {
					t.Errorf("github-actions[bot]'s comment was touched or none created: %+v", cs)
				}
			}
		})
	}
}
