// Package trackissue keeps ONE open GitHub issue that tracks an
// organisation's nightly verdict (secretgate issue): found by the hidden
// marker its body starts with and by its author, created on the first
// failing night, edited in place on the nights after, and closed when a
// night is clean. Like the pull-request comment (internal/prcomment) it
// never takes over an issue someone else wrote, whatever its body says.
package trackissue

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/google/go-github/v75/github"

	"github.com/secretgate/secretgate/internal/prcomment"
)

// MaxBodyBytes is the largest body Sync sends. GitHub refuses issue
// bodies of 65,536 characters or more; a character is at least one byte,
// so a body under this many bytes is always accepted.
const MaxBodyBytes = 65000

// keyRE is a tracking key: a few words of lower-case letters, digits and
// dashes, so the marker stays an inert HTML comment.
var keyRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`) })

// Marker is the hidden first line of the tracking issue of key.
func Marker(key string) (string, error) {
	if !keyRE().MatchString(key) {
		return "", fmt.Errorf("tracking key %q: want lower-case letters, digits and dashes (at most 64)", key)
	}
	return "<!-- secretgate:issue:" + key + " -->", nil
}

// Target is the repository the issue lives in.
type Target struct {
	Owner, Repo string
}

func (t Target) String() string { return t.Owner + "/" + t.Repo }

// Client talks to the REST API.
type Client struct {
	gh     *github.Client
	author string
}

// New wraps a go-github client (prcomment.NewGitHub makes one).
func New(gh *github.Client) *Client { return &Client{gh: gh} }

// SetAuthor fixes the login whose marker issue is reused, instead of
// asking GitHub who the token is (a GitHub App's token: "APP-SLUG[bot]").
func (c *Client) SetAuthor(login string) { c.author = login }

// Author is the login whose marker issue this client reuses: SetAuthor's,
// else the token's own account, else github-actions[bot]
// (prcomment.TokenAuthor).
func (c *Client) Author(ctx context.Context) (string, error) {
	if c.author == "" {
		login, err := prcomment.TokenAuthor(ctx, c.gh)
		if err != nil {
			return "", err
		}
		c.author = login
	}
	return c.author, nil
}

// Find returns the open tracking issue of marker in t, or nil: the oldest
// open issue (not a pull request) created by Author whose body starts
// with marker. The listing asks GitHub for the author's open issues
// (creator filter, every page, oldest first); it does not filter by label,
// because GitHub silently drops the labels of a new issue when the token
// may not push, and the issue must still be found the next night.
func (c *Client) Find(ctx context.Context, t Target, marker string) (*github.Issue, error) {
	author, err := c.Author(ctx)
	if err != nil {
		return nil, err
	}
	opts := &github.IssueListByRepoOptions{
		State: "open", Creator: author, Sort: "created", Direction: "asc",
		ListOptions: github.ListOptions{PerPage: 100},
	}
	for {
		page, resp, err := c.gh.Issues.ListByRepo(ctx, t.Owner, t.Repo, opts)
		if err != nil {
			return nil, fmt.Errorf("list the open issues of %s: %w", t, err)
		}
		for _, is := range page {
			if is.IsPullRequest() || !strings.EqualFold(is.GetUser().GetLogin(), author) {
				continue
			}
			if startsWithMarker(is.GetBody(), marker) {
				return is, nil
			}
		}
		if resp.NextPage == 0 {
			return nil, nil
		}
		opts.ListOptions.Page = resp.NextPage
	}
}

// Update is what the night says.
type Update struct {
	// Marker is the body's hidden first line (Marker(key)).
	Marker string
	// Title and Body of the issue; Body must start with Marker.
	Title, Body string
	// Labels are set on a new issue (GitHub drops them when the token
	// may not push; the issue is found by its marker anyway).
	Labels []string
	// Clean closes the open issue (as completed) with this body, and
	// opens none when there is none.
	Clean bool
}

// Action says what Sync did.
type Action string

// Sync outcomes.
const (
	Created Action = "created"
	Updated Action = "updated"
	Closed  Action = "closed"
	Skipped Action = "skipped" // clean and no open issue: nothing to say
)

// Outcome is what Sync did, and to which issue.
type Outcome struct {
	Action Action
	Number int
	URL    string
}

// Sync keeps the one tracking issue: it edits the open one in place (and
// closes it when the night is clean), or creates it when there is none
// and the night is not clean. It never creates a second issue while one
// with the marker is open.
func (c *Client) Sync(ctx context.Context, t Target, u Update) (Outcome, error) {
	if u.Marker == "" || !strings.HasPrefix(u.Body, u.Marker+"\n") {
		return Outcome{}, errors.New("issue body does not start with the marker line, so the next night could not find it")
	}
	if len(u.Body) > MaxBodyBytes {
		return Outcome{}, fmt.Errorf("issue body of %d bytes is over %d", len(u.Body), MaxBodyBytes)
	}
	if u.Title == "" {
		return Outcome{}, errors.New("empty issue title")
	}
	existing, err := c.Find(ctx, t, u.Marker)
	if err != nil {
		return Outcome{}, err
	}
	if existing == nil {
		if u.Clean {
			return Outcome{Action: Skipped}, nil
		}
		req := &github.IssueRequest{Title: github.Ptr(u.Title), Body: github.Ptr(u.Body)}
		if len(u.Labels) > 0 {
			req.Labels = &u.Labels
		}
		is, _, err := c.gh.Issues.Create(ctx, t.Owner, t.Repo, req)
		if err != nil {
			return Outcome{}, fmt.Errorf("create the tracking issue in %s: %w", t, err)
		}
		return Outcome{Action: Created, Number: is.GetNumber(), URL: is.GetHTMLURL()}, nil
	}
	req := &github.IssueRequest{Title: github.Ptr(u.Title), Body: github.Ptr(u.Body)}
	action := Updated
	if u.Clean {
		req.State, req.StateReason = github.Ptr("closed"), github.Ptr("completed")
		action = Closed
	}
	n := existing.GetNumber()
	is, _, err := c.gh.Issues.Edit(ctx, t.Owner, t.Repo, n, req)
	if err != nil {
		return Outcome{}, fmt.Errorf("edit the tracking issue %s#%d: %w", t, n, err)
	}
	return Outcome{Action: action, Number: is.GetNumber(), URL: is.GetHTMLURL()}, nil
}

// startsWithMarker tells whether body's first line is marker. The line
// may end in "\r\n": GitHub stores a body edited in its web interface so.
func startsWithMarker(body, marker string) bool {
	rest, ok := strings.CutPrefix(body, marker)
	return ok && (rest == "" || strings.HasPrefix(rest, "\n") || strings.HasPrefix(rest, "\r\n"))
}
