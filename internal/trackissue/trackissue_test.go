package trackissue

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/secretgate/secretgate/internal/merge"
	"github.com/secretgate/secretgate/internal/prcomment"
	"github.com/secretgate/secretgate/internal/prcomment/prcommenttest"
	"github.com/secretgate/secretgate/internal/result"
)

const repo = "acme/platform"

var target = Target{Owner: "acme", Repo: "platform"}

func client(t *testing.T, srv *prcommenttest.Server) *Client {
	t.Helper()
	gh, err := prcomment.NewGitHub(srv.APIURL(), srv.Token, nil)
	if err != nil {
		t.Fatal(err)
	}
	return New(gh)
}

func newServer(t *testing.T) *prcommenttest.Server {
	srv := prcommenttest.New("", "tok")
	t.Cleanup(srv.Close)
	return srv
}

func marker(t *testing.T) string {
	m, err := Marker("organization")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func update(t *testing.T, body string, clean bool) Update {
	m := marker(t)
	return Update{Marker: m, Title: "secretgate nightly: failing", Body: m + "\n" + body, Labels: []string{"secretgate"}, Clean: clean}
}

// TestSyncLifecycle: the first failing night creates the issue, the next
// edits it in place, a clean night closes it, and a clean night with no
// open issue opens none.
func TestSyncLifecycle(t *testing.T) {
	srv := newServer(t)
	c := client(t, srv)
	ctx := context.Background()

	out, err := c.Sync(ctx, target, update(t, "night 1", false))
	if err != nil || out.Action != Created || out.Number != 1 || out.URL != "https://github.com/acme/platform/issues/1" {
		t.Fatalf("night 1: %+v, %v", out, err)
	}
	out, err = c.Sync(ctx, target, update(t, "night 2", false))
	if err != nil || out.Action != Updated || out.Number != 1 {
		t.Fatalf("night 2: %+v, %v", out, err)
	}
	is := srv.Issues(repo)
	if len(is) != 1 || !strings.HasSuffix(is[0].Body, "night 2") || is[0].State != "open" || is[0].Edits != 1 ||
		len(is[0].Labels) != 1 || is[0].User != prcomment.DefaultAuthor {
		t.Fatalf("after night 2: %+v", is)
	}
	out, err = c.Sync(ctx, target, update(t, "night 3: clean", true))
	if err != nil || out.Action != Closed {
		t.Fatalf("night 3: %+v, %v", out, err)
	}
	if is := srv.Issues(repo); is[0].State != "closed" || is[0].StateReason != "completed" || !strings.HasSuffix(is[0].Body, "clean") {
		t.Fatalf("after night 3: %+v", is[0])
	}
	out, err = c.Sync(ctx, target, update(t, "night 4: clean", true))
	if err != nil || out.Action != Skipped || len(srv.Issues(repo)) != 1 {
		t.Fatalf("night 4: %+v, %v, %d issues", out, err, len(srv.Issues(repo)))
	}
	// Failing again: a new issue, the closed one keeps its history.
	out, err = c.Sync(ctx, target, update(t, "night 5", false))
	if err != nil || out.Action != Created || out.Number != 2 {
		t.Fatalf("night 5: %+v, %v", out, err)
	}
	// The listing asked for the author's open issues, oldest first.
	for _, call := range srv.CallsOf("GET") {
		if call.Path != "/repos/acme/platform/issues" {
			continue
		}
		for _, want := range []string{"state=open", "creator=github-actions%5Bbot%5D", "direction=asc"} {
			if !strings.Contains(call.Query, want) {
				t.Errorf("list issues query %q lacks %s", call.Query, want)
			}
		}
	}
}

// TestFindOnlyOurs: an issue is reused only when the token's account wrote
// it and its body starts with the marker line — never a human's planted
// marker, a pull request, a quoted marker or another key's issue; the
// oldest match wins and every page is read.
func TestFindOnlyOurs(t *testing.T) {
	srv := newServer(t)
	srv.PerPage = 2
	m := marker(t)
	other, _ := Marker("another-org")
	srv.SeedIssue(repo, Issue{Title: "planted", Body: m + "\nplanted by a human", User: "mallory"})
	srv.SeedIssue(repo, Issue{Title: "pr", Body: m + "\n", User: prcomment.DefaultAuthor, Pull: true})
	srv.SeedIssue(repo, Issue{Title: "quote", Body: "see " + m + "\n", User: prcomment.DefaultAuthor})
	srv.SeedIssue(repo, Issue{Title: "other key", Body: other + "\n", User: prcomment.DefaultAuthor})
	srv.SeedIssue(repo, Issue{Title: "closed", Body: m + "\n", User: prcomment.DefaultAuthor, State: "closed"})
	srv.SeedIssue(repo, Issue{Title: "prefix", Body: m + "x\n", User: prcomment.DefaultAuthor})
	// Edited in GitHub's web interface: stored with "\r\n".
	want := srv.SeedIssue(repo, Issue{Title: "ours", Body: m + "\r\nold\r\n", User: prcomment.DefaultAuthor})
	srv.SeedIssue(repo, Issue{Title: "ours, newer", Body: m + "\nnewer", User: prcomment.DefaultAuthor})

	c := client(t, srv)
	got, err := c.Find(context.Background(), target, m)
	if err != nil || got == nil || got.GetNumber() != want {
		t.Fatalf("Find = %v, %v; want #%d", got.GetNumber(), err, want)
	}
	out, err := c.Sync(context.Background(), target, update(t, "tonight", false))
	if err != nil || out.Action != Updated || out.Number != want {
		t.Fatalf("Sync = %+v, %v", out, err)
	}
	for _, is := range srv.Issues(repo) {
		if is.Number != want && is.Edits != 0 {
			t.Errorf("issue #%d (%s) was edited", is.Number, is.Title)
		}
	}
	if n := len(srv.CallsOf("GET")); n < 3 {
		t.Errorf("%d GET calls: want /user and at least two pages", n)
	}
}

// Issue is a seeded issue of the stand-in.
type Issue = prcommenttest.Issue

// TestSyncErrors: a read-only token, a body without its marker line, a
// body over the limit are errors, and nothing is written.
func TestSyncErrors(t *testing.T) {
	srv := newServer(t)
	srv.ReadOnly = true
	c := client(t, srv)
	ctx := context.Background()
	if _, err := c.Sync(ctx, target, update(t, "x", false)); err == nil || !prcomment.IsPermission(err) {
		t.Errorf("read-only token: %v, want a 403", err)
	}
	srv.ReadOnly = false
	u := update(t, "x", false)
	u.Body = "no marker"
	if _, err := c.Sync(ctx, target, u); err == nil {
		t.Error("a body without the marker was accepted")
	}
	u = update(t, strings.Repeat("x", MaxBodyBytes), false)
	if _, err := c.Sync(ctx, target, u); err == nil {
		t.Error("a body over the limit was accepted")
	}
	if len(srv.Issues(repo)) != 0 {
		t.Errorf("issues written: %+v", srv.Issues(repo))
	}
	for _, key := range []string{"", "Org", "a b", "x-->", strings.Repeat("a", 65)} {
		if _, err := Marker(key); err == nil {
			t.Errorf("Marker(%q) accepted", key)
		}
	}
}

// nightReport is a merged organisation report of accounts with n naming
// findings each, against prev when given.
func nightReport(t *testing.T, date time.Time, n int, prev *result.Report, accounts ...string) result.Report {
	t.Helper()
	var inputs []merge.Input
	for _, acct := range accounts {
		r := result.Report{Schema: result.Schema, Context: result.Context{Mode: "nightly", Account: acct},
			Checks: []result.Check{{ID: "naming", Status: result.StatusOK, Resources: n}}}
		for i := range n {
			name := fmt.Sprintf("Bad_%s_%04d", acct, i)
			r.Findings = append(r.Findings, result.Finding{Rule: "naming-pattern", Check: "naming", Severity: result.SeverityHigh,
				Title: "Secret name does not follow the convention", Message: "Secret " + name + " does not match {env}/{service}/{type}.",
				Resource: name, Fingerprint: "fp-" + name})
		}
		r.Summarize(result.Threshold{Min: result.SeverityHigh})
		inputs = append(inputs, merge.Input{File: acct + ".json", Report: r})
	}
	o := merge.Options{Now: date, Tool: result.Tool{Name: "secretgate", Version: "test"}}
	if prev != nil {
		o.Previous = merge.PreviousReport(*prev)
	}
	return merge.Merge(inputs, o)
}

// TestBody: the body starts with the marker, holds the organisation table
// and the trend with its Mermaid chart; a night of 2,000 findings is cut
// under GitHub's limit, saying how many were left out and where the full
// report is.
func TestBody(t *testing.T) {
	m := marker(t)
	d1 := time.Date(2026, 12, 4, 3, 0, 0, 0, time.UTC)
	night1 := nightReport(t, d1, 3, nil, "111111111111", "222222222222")
	night2 := nightReport(t, d1.Add(24*time.Hour), 2, &night1, "111111111111", "222222222222")
	page := Page{RunURL: "https://github.com/acme/platform/actions/runs/42", Artifact: "secretgate-org-report"}
	body, err := Body(m, night2, page)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{m + "\n<!-- secretgate:report -->", "111111111111", "xychart-beta", "fixed",
		"`secretgate-org-report` artifact of the [workflow run](https://github.com/acme/platform/actions/runs/42)"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
	if Clean(night2) || Title(night2) != "secretgate nightly: failing — 4 high" {
		t.Errorf("clean %v, title %q", Clean(night2), Title(night2))
	}

	// A night that could not judge account 222… (its role refused) still
	// lists that account's open findings, as not re-checked.
	lost := nightReport(t, d1.Add(24*time.Hour), 2, &night1, "111111111111")
	lost = merge.Merge([]merge.Input{{File: "night.json", Report: lost}}, merge.Options{
		Now: d1.Add(24 * time.Hour), Previous: merge.PreviousReport(night1), Tool: lost.Tool,
		NotJudged: []result.Account{{ID: "222222222222", Reason: "sts:AssumeRole: AccessDenied"}},
	})
	body, err = Body(m, lost, page)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Not re-checked (3)", "**Not re-checked since 2026-12-04.**", "`Bad_222222222222_0002`"} {
		if !strings.Contains(body, want) {
			t.Errorf("the body of a night that lost an account lacks %q:\n%s", want, body)
		}
	}
	if Title(lost) != "secretgate nightly: failing — 2 high, 1 account(s) not fully judged" {
		t.Errorf("title %q: the carried findings must not be counted", Title(lost))
	}

	big := nightReport(t, d1, 1000, nil, "111111111111", "222222222222")
	body, err = Body(m, big, page)
	if err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(body)); len(body) > MaxBodyBytes || n >= 65536 {
		t.Errorf("body of %d bytes, %d characters: over the limit", len(body), n)
	}
	if !strings.HasPrefix(body, m+"\n") || !strings.Contains(body, "more findings not shown here") ||
		!strings.Contains(body, "artifact of the [workflow run]") {
		t.Errorf("the cut body lacks the marker, the note or the pointer:\n%s", body[len(body)-600:])
	}

	clean := nightReport(t, d1, 0, nil, "111111111111")
	if !Clean(clean) || Title(clean) != "secretgate nightly: passing" {
		t.Errorf("clean night: clean %v, title %q", Clean(clean), Title(clean))
	}
	// A night that judged nothing (an empty merge) closes nothing.
	empty := merge.Merge(nil, merge.Options{Now: d1, Tool: result.Tool{Name: "secretgate", Version: "test"}})
	if Clean(empty) || Title(empty) != "secretgate nightly: nothing judged" {
		t.Errorf("a night that judged nothing: clean %v, title %q", Clean(empty), Title(empty))
	}
	if _, err := Body(m, clean, Page{Artifact: "bad name`"}); err == nil {
		t.Error("an artifact name with a backtick was accepted")
	}
	if b, _ := Body(m, clean, Page{RunURL: "javascript:alert(1)"}); strings.Contains(b, "javascript") {
		t.Error("a non-http run URL reached the body")
	}
}
