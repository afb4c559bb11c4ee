package cli

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/secretgate/secretgate/internal/prcomment"
	"github.com/secretgate/secretgate/internal/report"
	"github.com/secretgate/secretgate/internal/result"
)

// commentTimeout bounds the GitHub calls of one comment publication.
const commentTimeout = 2 * time.Minute

// commentPublisher posts the one secretgate comment of a pull request, for
// secretgate check (--comment) and secretgate comment alike: found by its
// hidden marker and edited in place, created when there is none.
type commentPublisher struct {
	client *prcomment.Client
	target prcomment.Target
}

// newCommentPublisher connects to the GitHub API (GITHUB_API_URL,
// GITHUB_TOKEN) for pull request number of repository full ("owner/name",
// named by what in errors); author is --comment-author ("" for the
// default).
func newCommentPublisher(env Env, full, what string, number int, author string) (*commentPublisher, error) {
	owner, repo, err := prcomment.ParseRepository(full)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	client, err := prcomment.New(env("GITHUB_API_URL"), env("GITHUB_TOKEN"), report.Marker, &http.Client{Timeout: 30 * time.Second})
	if err != nil {
		return nil, err
	}
	if err := setCommentAuthor(client, author); err != nil {
		return nil, err
	}
	return &commentPublisher{client: client, target: prcomment.Target{Owner: owner, Repo: repo, Number: number}}, nil
}

// publish renders rep as the comment (linking runURL for the full report
// when set) and creates or edits it under policy.
func (c *commentPublisher) publish(ctx context.Context, policy prcomment.Policy, rep result.Report, runURL string) (prcomment.Outcome, error) {
	render := func(previous string) (string, bool) {
		cm := report.NewComment(report.Options{FullReportURL: runURL}, report.ParseCommentState(previous))
		return cm.Render(rep), worthComment(rep)
	}
	return c.client.Publish(ctx, c.target, policy, render)
}

// worthComment says whether a run without an earlier comment deserves one
// under --comment on-change: it has unwaived findings or is incomplete.
func worthComment(rep result.Report) bool {
	s := rep.Summary
	return s.Critical+s.High+s.Medium+s.Low+s.Info > 0 || s.Incomplete
}
