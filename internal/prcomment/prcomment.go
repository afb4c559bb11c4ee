// Package prcomment keeps one secretgate comment on a pull request up to
// date through GitHub's REST API (go-github): it finds the comment by the
// hidden marker the Markdown report starts with, edits it in place on every
// run, and creates it only when the policy says there is something to say.
package prcomment

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-github/v75/github"
)

// Policy is the --comment setting.
type Policy string

// Comment policies.
const (
	// Always creates the comment on the first run and edits it on every
	// run after.
	Always Policy = "always"
	// OnChange creates the comment only when the run has something to say
	// (findings, or an incomplete run) and edits an existing one on every
	// run, so a failing pull request that becomes clean says so.
	OnChange Policy = "on-change"
	// Never leaves the pull request alone.
	Never Policy = "never"
)

// ParsePolicy reads always|on-change|never.
func ParsePolicy(s string) (Policy, error) {
	switch p := Policy(s); p {
	case Always, OnChange, Never:
		return p, nil
	}
	return "", fmt.Errorf("unknown comment policy %q (want always, on-change or never)", s)
}

// Target is the pull request to comment on.
type Target struct {
	Owner, Repo string
	Number      int
}

// ParseRepository splits "owner/repo" (GITHUB_REPOSITORY).
func ParseRepository(full string) (owner, repo string, err error) {
	owner, repo, ok := strings.Cut(full, "/")
	if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
		return "", "", fmt.Errorf("repository %q: want owner/name", full)
	}
	return owner, repo, nil
}

// Client talks to the REST API.
type Client struct {
	gh     *github.Client
	marker string
	author string // see Author; "" until set or resolved
}

// New returns a client for the REST API at apiURL (GITHUB_API_URL, used as
// it is: https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise
// Server) authenticated with token. marker is the text every comment body
// this client manages starts with. hc may be nil.
func New(apiURL, token, marker string, hc *http.Client) (*Client, error) {
	if marker == "" {
		return nil, errors.New("empty comment marker")
	}
	gh, err := NewGitHub(apiURL, token, hc)
	if err != nil {
		return nil, err
	}
	return &Client{gh: gh, marker: marker}, nil
}

// NewGitHub is the go-github client every secretgate publisher uses: the
// REST API at apiURL (GITHUB_API_URL, used as it is; "" is
// https://api.github.com) authenticated with token, which is never
// printed. hc may be nil.
func NewGitHub(apiURL, token string, hc *http.Client) (*github.Client, error) {
	if token == "" {
		return nil, errors.New("no GitHub token (GITHUB_TOKEN is empty)")
	}
	gh := github.NewClient(hc).WithAuthToken(token)
	if apiURL != "" {
		u, err := url.Parse(apiURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("GITHUB_API_URL %q is not an http(s) URL", apiURL)
		}
		if !strings.HasSuffix(u.Path, "/") {
			u.Path += "/"
		}
		gh.BaseURL = u
	}
	gh.UserAgent = "secretgate"
	return gh, nil
}

// DefaultAuthor is the account GITHUB_TOKEN comments as.
const DefaultAuthor = "github-actions[bot]"

// SetAuthor fixes the login whose marker comment this client reuses
// (--comment-author), instead of asking GitHub who the token is. A GitHub
// App's installation token comments as "APP-SLUG[bot]".
func (c *Client) SetAuthor(login string) { c.author = login }

// Author is the login whose marker comment this client reuses: the one
// SetAuthor gave; else the token's own account when GitHub says who it is
// (GET /user answers for personal access tokens); else DefaultAuthor, as
// GITHUB_TOKEN and installation tokens may not read /user (403). Another
// error asking is returned, so a comment is never matched on a guess the
// API could have corrected.
func (c *Client) Author(ctx context.Context) (string, error) {
	if c.author != "" {
		return c.author, nil
	}
	login, err := TokenAuthor(ctx, c.gh)
	if err != nil {
		return "", err
	}
	c.author = login
	return login, nil
}

// TokenAuthor is the account gh's token writes as: its own login when
// GitHub says who it is (GET /user answers for personal access tokens),
// else DefaultAuthor, as GITHUB_TOKEN and installation tokens may not read
// /user (403). Another error asking is returned.
func TokenAuthor(ctx context.Context, gh *github.Client) (string, error) {
	u, _, err := gh.Users.Get(ctx, "")
	switch {
	case err == nil && u.GetLogin() != "":
		return u.GetLogin(), nil
	case err == nil || IsPermission(err) || isStatus(err, http.StatusUnauthorized):
		return DefaultAuthor, nil
	}
	return "", fmt.Errorf("ask GitHub which account the token is: %w", err)
}

// Find returns the pull request's secretgate comment, or nil. It reads
// every page of comments. A comment is ours only when its body starts with
// the marker and its author's login is Author (GitHub logins are compared
// without regard to case); the oldest such comment wins. Nobody else's
// comment is ever reused — not another bot's, and not a human's whatever
// their author association — so a marker planted by anyone but the
// account secretgate posts as is ignored and never taken over.
func (c *Client) Find(ctx context.Context, t Target) (*github.IssueComment, error) {
	author, err := c.Author(ctx)
	if err != nil {
		return nil, err
	}
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	for {
		page, resp, err := c.gh.Issues.ListComments(ctx, t.Owner, t.Repo, t.Number, opts)
		if err != nil {
			return nil, fmt.Errorf("list comments of %s/%s#%d: %w", t.Owner, t.Repo, t.Number, err)
		}
		for _, cm := range page {
			if strings.HasPrefix(cm.GetBody(), c.marker) && strings.EqualFold(cm.GetUser().GetLogin(), author) {
				return cm, nil
			}
		}
		if resp.NextPage == 0 {
			return nil, nil
		}
		opts.Page = resp.NextPage
	}
}

// Action says what Publish did.
type Action string

// Publish outcomes.
const (
	Created Action = "created"
	Updated Action = "updated"
	Skipped Action = "skipped" // the policy said there was nothing to post
)

// Outcome is what Publish did, and to which comment.
type Outcome struct {
	Action Action
	ID     int64
	URL    string
}

// Render builds the comment body from the body of the comment already
// there ("" when there is none); worth says whether the run has anything to
// say, which decides creation under OnChange.
type Render func(previous string) (body string, worth bool)

// Publish edits the pull request's secretgate comment in place, or creates
// it when there is none and the policy asks for one. It never creates a
// second comment while one with the marker exists.
func (c *Client) Publish(ctx context.Context, t Target, p Policy, render Render) (Outcome, error) {
	if p == Never {
		return Outcome{Action: Skipped}, nil
	}
	if t.Number <= 0 {
		return Outcome{}, errors.New("no pull request number")
	}
	existing, err := c.Find(ctx, t)
	if err != nil {
		return Outcome{}, err
	}
	body, worth := render(existing.GetBody())
	if !strings.HasPrefix(body, c.marker) {
		return Outcome{}, errors.New("comment body does not start with the marker, so the next run could not find it")
	}
	if existing != nil {
		cm, _, err := c.gh.Issues.EditComment(ctx, t.Owner, t.Repo, existing.GetID(), &github.IssueComment{Body: github.Ptr(body)})
		if err != nil {
			return Outcome{}, fmt.Errorf("edit comment %d on %s/%s#%d: %w", existing.GetID(), t.Owner, t.Repo, t.Number, err)
		}
		return Outcome{Action: Updated, ID: cm.GetID(), URL: cm.GetHTMLURL()}, nil
	}
	if p == OnChange && !worth {
		return Outcome{Action: Skipped}, nil
	}
	cm, _, err := c.gh.Issues.CreateComment(ctx, t.Owner, t.Repo, t.Number, &github.IssueComment{Body: github.Ptr(body)})
	if err != nil {
		return Outcome{}, fmt.Errorf("create comment on %s/%s#%d: %w", t.Owner, t.Repo, t.Number, err)
	}
	return Outcome{Action: Created, ID: cm.GetID(), URL: cm.GetHTMLURL()}, nil
}

// IsPermission reports whether err is GitHub refusing the token: 403 (a
// read-only GITHUB_TOKEN, as on pull requests from forks, or missing
// pull-requests: write) or 404 (the token cannot see the repository).
func IsPermission(err error) bool {
	return isStatus(err, http.StatusForbidden) || isStatus(err, http.StatusNotFound)
}

// isStatus reports whether err is GitHub answering with status code.
func isStatus(err error, code int) bool {
	var er *github.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == code
}

// Head is where a pull request's head branch is now.
type Head struct {
	SHA  string // the commit the branch points at
	Repo string // owner/name of the repository holding it ("" when deleted)
	Ref  string // the branch name, without refs/heads/
}

// PullHead returns the pull request's head now
// (GET /repos/{owner}/{repo}/pulls/{number}: head.sha, head.repo.full_name,
// head.ref). A follow-up workflow compares it with the commit, repository
// and branch the report it publishes was made for.
func (c *Client) PullHead(ctx context.Context, t Target) (Head, error) {
	pr, _, err := c.gh.PullRequests.Get(ctx, t.Owner, t.Repo, t.Number)
	if err != nil {
		return Head{}, fmt.Errorf("get pull request %s/%s#%d: %w", t.Owner, t.Repo, t.Number, err)
	}
	h := pr.GetHead()
	return Head{SHA: h.GetSHA(), Repo: h.GetRepo().GetFullName(), Ref: h.GetRef()}, nil
}
