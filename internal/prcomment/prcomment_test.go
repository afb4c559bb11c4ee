package prcomment_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/secretgate/secretgate/internal/prcomment"
	"github.com/secretgate/secretgate/internal/prcomment/prcommenttest"
)

const (
	marker = "<!-- secretgate:report -->"
	token  = "ghs_canaryTOKEN0123456789"
	repo   = "acme/payments"
)

var target = prcomment.Target{Owner: "acme", Repo: "payments", Number: 7}

func client(t *testing.T, srv *prcommenttest.Server) *prcomment.Client {
	t.Helper()
	c, err := prcomment.New(srv.APIURL(), token, marker, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// body renders a fixed body and records what the previous one was.
func body(text string, worth bool, prev *string) prcomment.Render {
	return func(previous string) (string, bool) {
		if prev != nil {
			*prev = previous
		}
		return marker + "\n" + text, worth
	}
}

func TestFirstRunCreatesSecondRunEdits(t *testing.T) {
	for _, prefix := range []string{"", "/api/v3"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			srv := prcommenttest.New(prefix, token)
			defer srv.Close()
			c := client(t, srv)
			ctx := context.Background()

			out, err := c.Publish(ctx, target, prcomment.OnChange, body("run 1", true, nil))
			if err != nil {
				t.Fatal(err)
			}
			if out.Action != prcomment.Created {
				t.Fatalf("first run: %s, want created", out.Action)
			}
			var prev string
			out2, err := c.Publish(ctx, target, prcomment.OnChange, body("run 2", true, &prev))
			if err != nil {
				t.Fatal(err)
			}
			if out2.Action != prcomment.Updated || out2.ID != out.ID {
				t.Fatalf("second run: %s comment %d, want updated comment %d", out2.Action, out2.ID, out.ID)
			}
			if prev != marker+"\nrun 1" {
				t.Errorf("render saw previous body %q", prev)
			}
			cs := srv.Comments(repo, 7)
			if len(cs) != 1 || cs[0].Body != marker+"\nrun 2" {
				t.Fatalf("comments on the PR: %+v, want one with the second body", cs)
			}
			if n := len(srv.CallsOf("POST")); n != 1 {
				t.Errorf("%d create calls, want 1", n)
			}
			patches := srv.CallsOf("PATCH")
			if len(patches) != 1 || patches[0].Path != fmt.Sprintf("%s/repos/acme/payments/issues/comments/%d", prefix, out.ID) {
				t.Errorf("update calls %+v", patches)
			}
			for _, call := range srv.Calls() {
				if !strings.HasPrefix(call.Path, prefix+"/repos/") && call.Path != prefix+"/user" {
					t.Errorf("call outside the API base: %s %s", call.Method, call.Path)
				}
			}
		})
	}
}

func TestPaginationFindsMarkerOnLaterPage(t *testing.T) {
	srv := prcommenttest.New("", token)
	defer srv.Close()
	srv.PerPage = 2
	for i := range 3 {
		srv.Seed(repo, 7, prcommenttest.Comment{Body: fmt.Sprintf("looks good %d", i)})
	}
	// A person quoting the marker mid-text is not our comment.
	srv.Seed(repo, 7, prcommenttest.Comment{Body: "see " + marker})
	id := srv.Seed(repo, 7, prcommenttest.Comment{Body: marker + "\nold", User: "github-actions[bot]", UserType: "Bot"})

	out, err := client(t, srv).Publish(context.Background(), target, prcomment.OnChange, body("new", false, nil))
	if err != nil {
		t.Fatal(err)
	}
	if out.Action != prcomment.Updated || out.ID != id {
		t.Fatalf("%s comment %d, want comment %d (page 3) updated", out.Action, out.ID, id)
	}
	var gets []prcommenttest.Call
	for _, c := range srv.CallsOf("GET") {
		if strings.HasSuffix(c.Path, "/comments") {
			gets = append(gets, c)
		}
	}
	if len(gets) != 3 {
		t.Fatalf("%d list calls, want 3 pages: %+v", len(gets), gets)
	}
	if !strings.Contains(gets[2].Query, "page=3") {
		t.Errorf("last list call %q does not ask for page 3", gets[2].Query)
	}
	if len(srv.CallsOf("POST")) != 0 {
		t.Error("created a second comment")
	}
}

// TestReusesOnlyOwnComment: a marker comment is reused only when its
// author is the account secretgate posts as — github-actions[bot] for
// GITHUB_TOKEN, the token's own account for a personal access token, the
// --comment-author login when given. Every other author's marker comment
// (another bot, or a human of any author association) is left untouched
// and a new comment is created instead.
func TestReusesOnlyOwnComment(t *testing.T) {
	const pat, app = "maintainer", "secretgate-app[bot]"
	for _, tc := range []struct {
		name        string
		tokenUser   string // personal access token of this account; "" is GITHUB_TOKEN
		setAuthor   string // --comment-author
		user, typ   string
		association string
		reuse       bool
	}{
		{"GITHUB_TOKEN reuses github-actions", "", "", "github-actions[bot]", "Bot", "NONE", true},
		{"login compared without case", "", "", "GitHub-Actions[bot]", "Bot", "NONE", true},
		{"GITHUB_TOKEN ignores another bot", "", "", "evil-app[bot]", "Bot", "NONE", false},
		{"GITHUB_TOKEN ignores an owner", "", "", "boss", "User", "OWNER", false},
		{"GITHUB_TOKEN ignores a member", "", "", "colleague", "User", "MEMBER", false},
		{"GITHUB_TOKEN ignores a collaborator", "", "", "outsider", "User", "COLLABORATOR", false},
		{"GITHUB_TOKEN ignores a contributor", "", "", "someone", "User", "CONTRIBUTOR", false},
		{"GITHUB_TOKEN ignores a first-timer", "", "", "someone", "User", "FIRST_TIME_CONTRIBUTOR", false},
		{"PAT reuses its own account's", pat, "", pat, "User", "MEMBER", true},
		{"PAT ignores another member", pat, "", "colleague", "User", "MEMBER", false},
		{"PAT ignores github-actions", pat, "", "github-actions[bot]", "Bot", "NONE", false},
		{"comment-author reuses the app's", "", app, app, "Bot", "NONE", true},
		{"comment-author ignores github-actions", "", app, "github-actions[bot]", "Bot", "NONE", false},
		{"comment-author wins over the PAT", pat, app, pat, "User", "MEMBER", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := prcommenttest.New("", token)
			defer srv.Close()
			srv.TokenUser = tc.tokenUser
			id := srv.Seed(repo, 7, prcommenttest.Comment{Body: marker + "\nplanted", User: tc.user, UserType: tc.typ, Association: tc.association})
			c := client(t, srv)
			if tc.setAuthor != "" {
				c.SetAuthor(tc.setAuthor)
			}
			out, err := c.Publish(context.Background(), target, prcomment.Always, body("report", true, nil))
			if err != nil {
				t.Fatal(err)
			}
			if reused := out.Action == prcomment.Updated && out.ID == id; reused != tc.reuse {
				t.Errorf("%s comment %d; reuse of %s's comment = %v, want %v", out.Action, out.ID, tc.user, reused, tc.reuse)
			}
			if !tc.reuse {
				if got := srv.Comments(repo, 7); len(got) != 2 || got[0].Body != marker+"\nplanted" {
					t.Errorf("%s's comment was edited or no new comment was made: %+v", tc.user, got)
				}
			}
		})
	}
}

// TestOwnCommentFoundAmongPlanted: with planted marker comments before
// it, the one by the token's account is the one edited.
func TestOwnCommentFoundAmongPlanted(t *testing.T) {
	srv := prcommenttest.New("", token)
	defer srv.Close()
	srv.Seed(repo, 7, prcommenttest.Comment{Body: marker + "\nby a maintainer", Association: "MEMBER"})
	srv.Seed(repo, 7, prcommenttest.Comment{Body: marker + "\nby another bot", User: "evil-app[bot]", UserType: "Bot"})
	bot := srv.Seed(repo, 7, prcommenttest.Comment{Body: marker + "\nby the bot", User: "github-actions[bot]", UserType: "Bot"})
	got, err := client(t, srv).Find(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	if got.GetID() != bot {
		t.Errorf("found comment %d, want github-actions[bot]'s %d", got.GetID(), bot)
	}
}

func TestPolicies(t *testing.T) {
	tests := []struct {
		name     string
		policy   prcomment.Policy
		existing bool
		worth    bool
		want     prcomment.Action
	}{
		{"on-change, nothing to say, no comment yet", prcomment.OnChange, false, false, prcomment.Skipped},
		{"on-change, findings, no comment yet", prcomment.OnChange, false, true, prcomment.Created},
		{"on-change, clean now, comment exists", prcomment.OnChange, true, false, prcomment.Updated},
		{"always, nothing to say", prcomment.Always, false, false, prcomment.Created},
		{"never", prcomment.Never, true, true, prcomment.Skipped},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := prcommenttest.New("", token)
			defer srv.Close()
			if tc.existing {
				srv.Seed(repo, 7, prcommenttest.Comment{Body: marker + "\nfailing", User: "github-actions[bot]", UserType: "Bot"})
			}
			out, err := client(t, srv).Publish(context.Background(), target, tc.policy, body("x", tc.worth, nil))
			if err != nil {
				t.Fatal(err)
			}
			if out.Action != tc.want {
				t.Errorf("%s, want %s", out.Action, tc.want)
			}
			if tc.policy == prcomment.Never && len(srv.Calls()) != 0 {
				t.Errorf("never made %d API calls", len(srv.Calls()))
			}
			if n := len(srv.Comments(repo, 7)); n > 1 {
				t.Errorf("%d comments", n)
			}
		})
	}
}

func TestReadOnlyTokenIsPermissionError(t *testing.T) {
	srv := prcommenttest.New("", token)
	defer srv.Close()
	srv.ReadOnly = true
	_, err := client(t, srv).Publish(context.Background(), target, prcomment.Always, body("x", true, nil))
	if err == nil {
		t.Fatal("no error from a read-only token")
	}
	if !prcomment.IsPermission(err) {
		t.Errorf("IsPermission(%v) = false", err)
	}
	if strings.Contains(err.Error(), token) {
		t.Error("the error shows the token")
	}
	if prcomment.IsPermission(errors.New("403")) {
		t.Error("IsPermission true for a plain error")
	}
}

func TestBadToken(t *testing.T) {
	srv := prcommenttest.New("", token)
	defer srv.Close()
	c, err := prcomment.New(srv.APIURL(), "wrong", marker, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Publish(context.Background(), target, prcomment.Always, body("x", true, nil))
	if err == nil || prcomment.IsPermission(err) {
		t.Errorf("bad credentials: err %v, want a non-permission error (401)", err)
	}
}

func TestNewRejects(t *testing.T) {
	for name, tc := range map[string]struct{ url, token string }{
		"no token":    {"https://api.github.com", ""},
		"not http":    {"ftp://example.com", "t"},
		"no host":     {"https:///api/v3", "t"},
		"unparseable": {"http://[::1", "t"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := prcomment.New(tc.url, tc.token, marker, nil); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestParse(t *testing.T) {
	for _, s := range []string{"always", "on-change", "never"} {
		if _, err := prcomment.ParsePolicy(s); err != nil {
			t.Errorf("ParsePolicy(%q): %v", s, err)
		}
	}
	if _, err := prcomment.ParsePolicy("sometimes"); err == nil {
		t.Error("ParsePolicy(sometimes) accepted")
	}
	for in, ok := range map[string]bool{"acme/payments": true, "acme": false, "/x": false, "a/b/c": false, "": false} {
		if _, _, err := prcomment.ParseRepository(in); (err == nil) != ok {
			t.Errorf("ParseRepository(%q) err %v", in, err)
		}
	}
}
